"""bench/synth.py renders a clip to the same samples every time, so a benchmark's
figures move only with what it measures."""

from __future__ import annotations

import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")


def _stereo_wav(path: Path) -> None:
    """A 44.1 kHz 16-bit stereo recording, like the drum kits' samples: the two channels
    differ, so ``remix -`` yields sums that a 16-bit pipe cannot carry exactly."""
    rng = np.random.default_rng(7)
    n = 44100
    decay = np.exp(-np.arange(n) / 4000.0)
    frames = (rng.uniform(-0.6, 0.6, size=(n, 2)) * decay[:, None] * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(frames.tobytes())


def test_a_recording_renders_to_the_same_samples_twice(tmp_path: Path) -> None:
    source = tmp_path / "hit.wav"
    _stereo_wav(source)
    params = {"kind": "recording", "source": str(source), "max_s": 0.8, "peak_dbfs": -7.3}
    first = synth.recording_to_audio(params)
    again = [synth.recording_to_audio(params) for _ in range(3)]
    assert first.size > 0.3 * synth.SAMPLE_RATE_HZ
    for y in again:
        np.testing.assert_array_equal(y, first)
