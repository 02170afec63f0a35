"""The one resampler of the contract: any rate to the model's, the same on every runtime.

Every clip reaches the model at ``MODEL_SAMPLE_RATE_HZ``. Python (``pac train``,
``classify``, the bridge) and the extension's WebView page (``extension/js/src/
resample.js``) resample with this same definition, written out in
docs/metadata.md ("Resampling"), so that a clip gives the same answer on the
phone as on the laptop. The two implementations are checked against each
other on golden vectors (``tests/audio/test_resample.py`` writes them, the JS
suite reads them) and end to end in Chromium.

The definition: a Kaiser-windowed sinc, evaluated exactly at each output
sample's position, with coefficients and sums in float64 and the result
rounded to float32. For output sample ``k`` the position in input samples is
``tau = k * fs_in / fs_out`` and

    y[k] = sum_j x[j] * h(tau - j),   x[j] = 0 outside the clip
    h(u) = c * sinc(c * u) * kaiser(u / W)   for |u| < W, else 0
    c = CUTOFF * min(fs_in, fs_out) / fs_in  (the cutoff, in cycles per 2 input samples)
    W = ZERO_CROSSINGS * fs_in / min(fs_in, fs_out)
    kaiser(v) = I0(BETA * sqrt(1 - v**2)) / I0(BETA)

and ``n_out = ceil(n_in * fs_out / fs_in)``. With these parameters the pass
band is flat (within 0.01 dB) to 3.8 kHz from 8 kHz input, where the model's
mel filters end, and aliases or images reaching that band are at least 60 dB
down.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["BETA", "CUTOFF", "ZERO_CROSSINGS", "output_length", "resample"]

CUTOFF = 0.99
"""The cutoff as a share of the lower rate's Nyquist frequency (3.96 kHz from 8 kHz)."""
ZERO_CROSSINGS = 64
"""Half the filter's length, in periods of the lower rate."""
BETA = 5.65
"""The Kaiser window's shape: about 60 dB of stop-band attenuation."""


def output_length(n_in: int, *, orig_sr_hz: int, target_sr_hz: int) -> int:
    """``ceil(n_in * target_sr_hz / orig_sr_hz)``: the output samples whose time is in the clip."""
    return -(-n_in * target_sr_hz // orig_sr_hz)


def _bessel_i0(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """I0 by its power series, summed until the terms stop mattering (as resample.js does)."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    half_sq = (x / 2.0) ** 2
    for k in range(1, 200):
        term = term * half_sq / (k * k)
        total = total + term
        if np.all(term < 1e-17 * total):
            break
    return total


@functools.lru_cache(maxsize=32)
def _phase_table(orig_sr_hz: int, target_sr_hz: int) -> tuple[npt.NDArray[np.float64], int, int]:
    """Coefficients per phase, shape ``(L, 2 * half + 1)``, and ``half`` and ``L``.

    The rate ratio reduces to ``L / M``; output ``k`` has ``k * M = base * L + p`` with
    phase ``p`` and reads ``x[base - half : base + half + 1]``.
    """
    g = math.gcd(orig_sr_hz, target_sr_hz)
    up = target_sr_hz // g
    low_hz = min(orig_sr_hz, target_sr_hz)
    cutoff = CUTOFF * low_hz / orig_sr_hz
    width = ZERO_CROSSINGS * orig_sr_hz / low_hz
    half = math.ceil(width)
    taps = np.arange(-half, half + 1, dtype=np.float64)
    u = np.arange(up, dtype=np.float64)[:, None] / up - taps[None, :]
    inside = np.abs(u) < width
    v = np.where(inside, u / width, 0.0)
    window = _bessel_i0(BETA * np.sqrt(1.0 - v * v)) / _bessel_i0(np.array([BETA]))[0]
    table = np.where(inside, cutoff * np.sinc(cutoff * u) * window, 0.0)
    return table, half, up


def resample(
    y: npt.NDArray[np.floating[Any]], *, orig_sr_hz: int, target_sr_hz: int
) -> npt.NDArray[np.float32]:
    """Resample a mono signal by the contract's windowed sinc (see the module docstring).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono signal.
    orig_sr_hz, target_sr_hz : int > 0
        Rates of ``y`` and of the result.

    Returns
    -------
    y_resampled : np.ndarray [shape=(output_length(n, ...),), dtype=float32]
        ``y`` itself (as float32) when the rates are equal.
    """
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (mono), got shape {y.shape}")
    for name, rate in (("orig_sr_hz", orig_sr_hz), ("target_sr_hz", target_sr_hz)):
        if int(rate) != rate or rate <= 0:
            raise ValueError(f"sample rates must be positive integers, got {name}={rate}")
    y32 = np.asarray(y, dtype=np.float32)
    if orig_sr_hz == target_sr_hz or y32.size == 0:
        return y32
    table, half, up = _phase_table(int(orig_sr_hz), int(target_sr_hz))
    down = int(orig_sr_hz) // math.gcd(int(orig_sr_hz), int(target_sr_hz))
    n_out = output_length(y32.size, orig_sr_hz=int(orig_sr_hz), target_sr_hz=int(target_sr_hz))
    padded = np.zeros(y32.size + 2 * half + 1, dtype=np.float64)
    padded[half : half + y32.size] = y32
    # windows[b] = x[b - half : b + half + 1]: a view, nothing copied.
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    out = np.empty(n_out, dtype=np.float32)
    # Output k reads windows[k * down // up] with phase k * down % up. The outputs of one
    # phase are every up-th k, and their windows every down-th: one matrix product each.
    for first in range(min(up, n_out)):
        base, phase = divmod(first * down, up)
        rows = windows[base : base + down * ((n_out - 1 - first) // up) + 1 : down]
        out[first::up] = np.einsum("ij,j->i", rows, table[phase])
    return out
