"""bench/ear_data.py: the MIDI file it renders each drum kit from."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from ear_data import CATEGORIES, SLOT_SECONDS, midi_file


def events(data: bytes) -> list[tuple[int, bytes]]:
    """(absolute tick, event bytes) of a format-0 file with channel and meta events only."""
    assert data[:4] == b"MThd" and struct.unpack(">IHHH", data[4:14]) == (6, 0, 1, 480)
    assert data[14:18] == b"MTrk"
    (length,) = struct.unpack(">I", data[18:22])
    track = data[22:]
    assert len(track) == length
    out, at, tick = [], 0, 0
    while at < len(track):
        delta = 0
        while True:
            byte = track[at]
            at += 1
            delta = (delta << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        tick += delta
        size = {0xC0: 2, 0x90: 3, 0x80: 3}.get(track[at] & 0xF0, 3)
        out.append((tick, track[at : at + size]))
        at += size
    return out


def test_each_note_gets_its_slot_on_the_percussion_channel() -> None:
    notes = [(36, 100), (38, 60), (42, 127)]
    parsed = events(midi_file(program=25, notes=notes, seconds=1.2))
    assert parsed[0] == (0, bytes([0xC9, 25]))  # the TR-808 kit on channel 10
    ons = [(t, e[1], e[2]) for t, e in parsed if e[0] == 0x99]
    offs = [(t, e[1]) for t, e in parsed if e[0] == 0x89]
    slot = round(SLOT_SECONDS * 960)
    assert ons == [(i * slot, n, v) for i, (n, v) in enumerate(notes)]
    assert offs == [(i * slot + round(1.2 * 960), n) for i, (n, _) in enumerate(notes)]
    assert parsed[-1][1] == b"\xff\x2f\x00" and parsed[-1][0] == 3 * slot


def test_the_categories_are_general_midi_percussion_notes() -> None:
    notes = [n for group in CATEGORIES.values() for n in group]
    assert len(notes) == len(set(notes)) and all(35 <= n <= 81 for n in notes)
