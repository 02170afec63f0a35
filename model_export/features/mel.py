"""The log-mel spectrogram's parameters and filters, in numpy (no TensorFlow).

``log_mel_spectrogram.LogMelSpectrogram`` builds the model's layer from these;
``log_mel`` computes the same spectrogram in numpy, for pictures of a clip
(the studio draws it) rather than for the model.
"""

from __future__ import annotations

import numpy as np

from model_export.features.layout import MEL_BANDS

FFT_LENGTH = 512
WINDOW_LENGTH = 400
"""A periodic Hann window of this many samples, centred in the FFT_LENGTH-point DFT."""
HOP_LENGTH = 160
FMIN_HZ = 60.0
FMAX_HZ = 3800.0
TOP_DB = 80.0
"""The floor: this many dB below the clip's loudest cell."""


def hz_to_mel(frequencies_hz: np.ndarray | float) -> np.ndarray:
    """Slaney mel scale: linear below 1 kHz, logarithmic above."""
    f = np.asarray(frequencies_hz, dtype=np.float64)
    f_sp = 200.0 / 3.0
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    safe = np.maximum(f, 1e-10)
    return np.where(f >= min_log_hz, min_log_mel + np.log(safe / min_log_hz) / logstep, f / f_sp)


def mel_to_hz(mels: np.ndarray) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    m = np.asarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3.0
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(
    *, sample_rate_hz: int, fft_length: int, n_mels: int, fmin_hz: float, fmax_hz: float
) -> np.ndarray:
    """Slaney-normalised triangular mel filters.

    Returns
    -------
    np.ndarray [shape=(fft_length // 2 + 1, n_mels)], float64, non-negative
    """
    fft_hz = np.linspace(0.0, sample_rate_hz / 2.0, fft_length // 2 + 1)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2))
    widths_hz = np.diff(edges_hz)
    ramps = edges_hz[:, None] - fft_hz[None, :]
    weights = np.zeros((n_mels, fft_hz.size))
    for i in range(n_mels):
        lower = -ramps[i] / widths_hz[i]
        upper = ramps[i + 2] / widths_hz[i + 1]
        weights[i] = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges_hz[2 : n_mels + 2] - edges_hz[:n_mels]))[:, None]
    return weights.T


def centred_hann(*, fft_length: int, window_length: int) -> np.ndarray:
    """A periodic Hann window of ``window_length`` centred in ``fft_length`` zeros, float64."""
    n = np.arange(window_length)
    window = np.zeros(fft_length)
    start = (fft_length - window_length) // 2
    window[start : start + window_length] = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / window_length)
    return window


def dft_kernel(*, fft_length: int, window_length: int, bins: np.ndarray) -> np.ndarray:
    """Windowed DFT as a Conv1D kernel.

    Returns
    -------
    np.ndarray [shape=(fft_length, 1, 2 * len(bins))]: real parts, then imaginary parts.
    """
    window = centred_hann(fft_length=fft_length, window_length=window_length)
    t = np.arange(fft_length)[:, None]
    phase = 2.0 * np.pi * t * bins[None, :] / fft_length
    kernel = np.concatenate([np.cos(phase), -np.sin(phase)], axis=1) * window[:, None]
    return kernel[:, None, :].astype(np.float32)


def log_mel(
    y: np.ndarray,
    *,
    sample_rate_hz: int = 16_000,
    fft_length: int = FFT_LENGTH,
    window_length: int = WINDOW_LENGTH,
    hop_length: int = HOP_LENGTH,
    n_mels: int = MEL_BANDS,
    fmin_hz: float = FMIN_HZ,
    fmax_hz: float = FMAX_HZ,
    top_db: float = TOP_DB,
) -> np.ndarray:
    """``LogMelSpectrogram``'s output for one clip (by default the front-end's): ``dB / 10 + 2``
    with the ``top_db`` floor.

    y : np.ndarray [shape=(n,)], float, at ``sample_rate_hz``
    Returns np.ndarray [shape=(frames, n_mels)], float32,
    ``frames = (n - fft_length) // hop_length + 1`` (0 for a clip shorter than fft_length).
    """
    filters = mel_filterbank(
        sample_rate_hz=sample_rate_hz,
        fft_length=fft_length,
        n_mels=n_mels,
        fmin_hz=fmin_hz,
        fmax_hz=fmax_hz,
    )
    x = np.asarray(y, np.float64)
    frames = max(0, (x.size - fft_length) // hop_length + 1)
    if frames == 0:
        return np.zeros((0, n_mels), np.float32)
    window = centred_hann(fft_length=fft_length, window_length=window_length)
    index = np.arange(frames)[:, None] * hop_length + np.arange(fft_length)[None, :]
    power = np.abs(np.fft.rfft(x[index] * window, axis=1)) ** 2
    db = 10.0 * np.log10(np.maximum(power @ filters, 1e-10))
    db = np.maximum(db, db.max() - top_db)
    return (db / 10.0 + 2.0).astype(np.float32)
