"""The measuring code of bench/unseen.py: intervals, listening windows, drum categories."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import unseen  # noqa: E402
import unseen_data  # noqa: E402


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Reference values: the Wilson score interval, z = 1.96, as computed by
        # scipy.stats.binomtest(k, n).proportion_ci(method="wilson").
        (10, 10, (0.7225, 1.0)),
        (0, 10, (0.0, 0.2775)),
        (45, 50, (0.7864, 0.9565)),
    ],
)
def test_wilson_interval_matches_reference_values(
    successes: int, n: int, expected: tuple[float, float]
) -> None:
    lo, hi = unseen.wilson_interval(successes, n)
    assert lo == pytest.approx(expected[0], abs=5e-4)
    assert hi == pytest.approx(expected[1], abs=5e-4)


def test_listening_window_puts_the_clip_centre_off_centre_by_the_shift() -> None:
    window, shift = 16000, 4000
    clip = np.zeros(8000, np.float32)
    clip[4000] = 1.0  # the clip's centre sample
    for sign in (-1, 1):
        w = unseen.listening_window(clip, shift_samples=sign * shift, window_samples=window, seed=0)
        assert w.shape == (window,)
        # shift > 0: the sound's centre comes `shift` samples after the window's centre.
        assert int(np.argmax(w)) == window // 2 + sign * shift


def test_listening_window_fills_with_the_clip_s_own_background_level() -> None:
    rng = np.random.default_rng(1)
    clip = (rng.standard_normal(16000) * 0.01).astype(np.float32)
    w = unseen.listening_window(clip, shift_samples=8000, window_samples=16000, seed=0)
    outside = w[:4000]  # before the clip starts: generated background only
    assert np.sqrt(np.mean(outside**2)) == pytest.approx(0.01, rel=0.2)


def test_drum_categories_sort_file_names_into_one_category_each(tmp_path: Path) -> None:
    names = {
        "kit_a": ["BD_01.aiff", "SN_02.aiff", "HH_03.aiff", "TM_04.aiff", "RD_01.aiff"],
        "kit b": ["Kick-0.wav", "SnareRim-1.wav", "HiHatFoot-0.wav", "TomLow-2.wav", "x.txt"],
        "kit_c": ["EE_Kick_Stomp.flac", "crash20i__ride4.flac", "t1_01.flac"],
    }
    for kit, files in names.items():
        (tmp_path / kit).mkdir()
        for f in files:
            (tmp_path / kit / f).write_bytes(b"")
    found = unseen_data.drum_recordings(tmp_path)
    by_name = {p.name: c for c, kits in found.items() for ps in kits.values() for p in ps}
    assert by_name == {
        "BD_01.aiff": "kick",
        "SN_02.aiff": "snare",
        "HH_03.aiff": "hihat",
        "TM_04.aiff": "tom",
        "RD_01.aiff": "cymbal",
        "Kick-0.wav": "kick",
        "TomLow-2.wav": "tom",
        "EE_Kick_Stomp.flac": "kick",
        "crash20i__ride4.flac": "cymbal",
        "t1_01.flac": "tom",
    }  # rim shots and foot hi-hats are left out: they are other sounds
