"""Fit a clip of any length into the model's fixed window: trim silence, centre.

Pure functions on arrays, and the reference for the exported graph's own
trim and centre (``model_export/features/trim_and_centre.py``), which is what
every runtime classifies with. Training uses these functions directly, because
its augmentation moves the sound off-centre. Every constant is here and
documented in ``docs/metadata.md``.

Silence trimming only decides *where the sound is*; it never stretches or
squeezes it. This keeps training and test clips aligned the same way even when
noise makes the trimmed length unreliable (FACTS.md §6).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FRAME_SECONDS = 0.025
HOP_SECONDS = 0.010
SILENCE_BELOW_PEAK_DB = 35.0
"""Frames quieter than the loudest frame by more than this are silence..."""
SILENCE_ABOVE_FLOOR_FRACTION = 0.25
"""...and so are frames in the lowest quarter of the range from noise floor to peak."""
WINDOW_GRID_SECONDS = 0.0025
"""The window starts on this grid (40 samples at 16 kHz), so the graph cuts it out in blocks."""
MAX_CLIP_SECONDS = 10.0
"""The longest clip the exported graph trims and centres; a longer one keeps its middle."""


def frame_energy_db(y: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    """Mean-square energy of each frame in dB (1.0 full scale = 0 dB).

    y : np.ndarray [shape=(n,)], float in [-1, 1]

    Returns np.ndarray [shape=(max(1, 1 + (n - frame_length) // hop_length),)]
    """
    if y.size < frame_length:
        y = np.pad(y, (0, frame_length - y.size))
    n_frames = 1 + (y.size - frame_length) // hop_length
    idx = np.arange(frame_length)[None, :] + hop_length * np.arange(n_frames)[:, None]
    power = np.mean(np.square(y[idx], dtype=np.float64), axis=1)
    return 10.0 * np.log10(np.maximum(power, 1e-12))


def active_region(y: np.ndarray, *, sample_rate_hz: int) -> tuple[int, int]:
    """Where the sound is: ``(start, stop)`` sample indices of the non-silent part.

    A frame is active when it is within ``SILENCE_BELOW_PEAK_DB`` of the peak frame
    and above ``SILENCE_ABOVE_FLOOR_FRACTION`` of the way from the noise floor
    (10th percentile) to the peak. A clip with no clear sound is all active.
    """
    if y.size == 0:
        return 0, 0
    frame_length = round(FRAME_SECONDS * sample_rate_hz)
    hop_length = round(HOP_SECONDS * sample_rate_hz)
    db = frame_energy_db(y, frame_length=frame_length, hop_length=hop_length)
    peak = float(db.max())
    floor = float(np.percentile(db, 10))
    threshold = max(
        peak - SILENCE_BELOW_PEAK_DB, floor + SILENCE_ABOVE_FLOOR_FRACTION * (peak - floor)
    )
    active = np.nonzero(db >= threshold)[0]
    start = int(active[0]) * hop_length
    stop = min(y.size, int(active[-1]) * hop_length + frame_length)
    return start, stop


def centre_in_window(
    y: np.ndarray, *, window_samples: int, sample_rate_hz: int, offset_samples: int = 0
) -> np.ndarray:
    """Place the clip's sound in the middle of a zero-padded window.

    y : np.ndarray [shape=(n,)], float in [-1, 1]
    offset_samples : shift the sound right (positive) or left of centre; used
        by augmentation.

    Returns np.ndarray [shape=(window_samples,)], float32. A sound longer than
    the window keeps its middle ``window_samples``.
    """
    start, stop = active_region(y, sample_rate_hz=sample_rate_hz)
    centre = (start + stop) // 2
    grid = round(WINDOW_GRID_SECONDS * sample_rate_hz)
    first = (centre - window_samples // 2) // grid * grid - offset_samples  # y index of window[0]
    out = np.zeros(window_samples, dtype=np.float32)
    src_lo = max(0, first)
    src_hi = min(y.size, first + window_samples)
    if src_hi > src_lo:
        out[src_lo - first : src_hi - first] = y[src_lo:src_hi]
    return out


def clip_input(y: np.ndarray, *, max_clip_samples: int) -> tuple[np.ndarray, int]:
    """The exported graph's inputs for one clip: ``(pcm, length)``.

    pcm : np.ndarray [shape=(max_clip_samples,)], float32: the clip, zero-padded
    length : how many samples of ``pcm`` are the clip

    A clip longer than ``max_clip_samples`` keeps its middle ``max_clip_samples``.
    """
    if y.size > max_clip_samples:
        first = (y.size - max_clip_samples) // 2
        y = y[first : first + max_clip_samples]
    pcm = np.zeros(max_clip_samples, dtype=np.float32)
    pcm[: y.size] = y
    return pcm, int(y.size)


def preprocessing_contract() -> dict[str, Any]:
    """How a clip becomes the model's input window; recorded in metadata.json."""
    return {
        "mono": "mean of channels",
        "resample": "to sample_rate_hz (windowed sinc: docs/metadata.md, Resampling)",
        "max_clip_seconds": MAX_CLIP_SECONDS,
        "longer_clips": "keep their middle max_clip_samples",
        "trim_and_centre": {
            "where": "inside the graph",
            "window_grid_seconds": WINDOW_GRID_SECONDS,
            "frame_seconds": FRAME_SECONDS,
            "hop_seconds": HOP_SECONDS,
            "silence_below_peak_db": SILENCE_BELOW_PEAK_DB,
            "silence_above_floor_fraction": SILENCE_ABOVE_FLOOR_FRACTION,
        },
    }
