"""bench/ear_data.py: its categories of General MIDI drum notes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from ear_data import CATEGORIES


def test_the_categories_are_general_midi_percussion_notes() -> None:
    notes = [n for group in CATEGORIES.values() for n in group]
    assert len(notes) == len(set(notes)) and all(35 <= n <= 81 for n in notes)
