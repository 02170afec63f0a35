"""Pitch features from the cepstrum: which pitches occur while the sound is on.

The speech embedding is built to ignore who is speaking and how; pitch is what
tells two voices, or a happy and a sad "hello", apart. Per frame, the real
cepstrum of the log power spectrum (one matmul) peaks at the quefrency of the
pitch period; the peak's position is one-hot coded into log-spaced pitch bands
and averaged over active frames. All plain ops: matmul, max, comparisons.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from model_export.features.layout import PITCH_BANDS

MIN_PITCH_HZ = 70.0
MAX_PITCH_HZ = 400.0


def cepstrum_matrix(
    *, first_bin: int, n_bins: int, fft_length: int, sample_rate_hz: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine basis from log power bins to pitch-period quefrencies, and each column's pitch.

    Returns (basis [shape=(n_bins, n_lags)], pitch_hz [shape=(n_lags,)]).
    """
    lags = np.arange(
        int(np.floor(sample_rate_hz / MAX_PITCH_HZ)),
        int(np.ceil(sample_rate_hz / MIN_PITCH_HZ)) + 1,
    )
    k = first_bin + np.arange(n_bins)
    basis = np.cos(2.0 * np.pi * k[:, None] * lags[None, :] / fft_length) / n_bins
    return basis.astype(np.float32), (sample_rate_hz / lags).astype(np.float32)


def band_matrix(pitch_hz: np.ndarray) -> np.ndarray:
    """One-hot pooling [shape=(n_lags, PITCH_BANDS)] of lags into log-spaced pitch bands."""
    edges = np.geomspace(MIN_PITCH_HZ, MAX_PITCH_HZ, PITCH_BANDS + 1)
    band = np.clip(np.searchsorted(edges, pitch_hz, side="right") - 1, 0, PITCH_BANDS - 1)
    return np.eye(PITCH_BANDS, dtype=np.float32)[band]


"""Length of :func:`pitch_features`' output."""

VOICED_PEAK = 0.3
"""Cepstral peak height above which a frame counts as voiced (speech is ~0.4-1.5)."""


def pitch_features(
    power: Any, frame_weights: Any, *, first_bin: int, fft_length: int, sample_rate_hz: int
) -> Any:
    """power (batch, frames, n_bins), frame_weights (batch, frames) summing to 1 over frames.

    Returns (batch, PITCH_FEATURES):

    - ``PITCH_BANDS`` values: the share of weighted frames whose cepstral peak
      falls in each log-spaced pitch band;
    - the mean peak height (how voiced the sound is);
    - the mean and the standard deviation of log2(pitch) over voiced frames:
      the voice's level and its range (a flat or a lively intonation).
    """
    ops = keras.ops
    n_bins = power.shape[-1]
    basis, pitch_hz = cepstrum_matrix(
        first_bin=first_bin, n_bins=n_bins, fft_length=fft_length, sample_rate_hz=sample_rate_hz
    )
    log_power = ops.log(power + 1e-8)
    log_power = log_power - ops.mean(log_power, axis=2, keepdims=True)
    # A ramp far below any real cepstral peak breaks exact ties (digital silence)
    # the same way on every backend.
    tie_break = np.linspace(0.0, 1e-4, basis.shape[1], dtype=np.float32)
    cepstrum = ops.matmul(log_power, basis) + tie_break  # (batch, frames, n_lags)
    peak = ops.max(cepstrum, axis=2)  # (batch, frames)
    # One-hot of the peak lag without argmax/one_hot (Keras lowers argmax to bitcasts
    # that TF.js cannot run); an exact tie splits the vote. Subtract, then compare with
    # a scalar: the same result, about 18x faster in TF.js wasm than comparing the
    # broadcast pair directly (0.23 ms against 4.1 ms, of a 30 ms budget).
    is_peak = ops.cast(cepstrum - peak[..., None] >= 0.0, "float32")
    is_peak = is_peak / ops.sum(is_peak, axis=2, keepdims=True)

    bands = ops.matmul(is_peak, band_matrix(pitch_hz))
    histogram = ops.sum(bands * frame_weights[..., None], axis=1)
    voicing = ops.sum(peak * frame_weights, axis=1, keepdims=True)

    octaves = ops.matmul(is_peak, np.log2(pitch_hz).astype(np.float32)[:, None])[..., 0]
    voiced = frame_weights * ops.cast(peak > VOICED_PEAK, "float32")
    voiced = voiced / ops.maximum(ops.sum(voiced, axis=1, keepdims=True), 1e-6)
    octave_mean = ops.sum(octaves * voiced, axis=1, keepdims=True)
    octave_var = ops.sum(ops.square(octaves - octave_mean) * voiced, axis=1, keepdims=True)
    octave_std = ops.sqrt(ops.maximum(octave_var, 1e-6))
    return ops.concatenate([histogram, voicing, octave_mean, octave_std], axis=-1)
