"""Synthetic sounds for the training tests: three classes nobody could confuse.

Every generator takes a seeded ``np.random.Generator`` and returns float32 mono
PCM at 16 kHz in [-1, 1]. A clip is 0.6 to 1 s long: a little room noise at
-60 dBFS with one sound event somewhere inside it.

- ``tone``: a harmonic tone (f0 400-700 Hz, three partials), 0.3-0.5 s;
- ``noise``: a white-noise burst with a fast decay, like a clap or a hiss;
- ``chirp``: an upward sweep from ~300 Hz to ~3 kHz, 0.3-0.5 s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from model_export.audio.decode import write_wav
from tests.helpers import Array

SAMPLE_RATE_HZ = 16_000
LABELS = ("chirp", "noise", "tone")
"""Sorted, as the model lists them."""

Pcm = npt.NDArray[np.float32]


def _fade(n: int, *, fade_samples: int = 80) -> Array:
    """Unit envelope with 5 ms linear fades at both ends."""
    env = np.ones(n)
    ramp = np.linspace(0.0, 1.0, min(fade_samples, n // 2))
    env[: ramp.size] = ramp
    env[n - ramp.size :] = ramp[::-1]
    return env


def tone_event(rng: np.random.Generator) -> Array:
    n = round(rng.uniform(0.3, 0.5) * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    f0_hz = rng.uniform(400.0, 700.0)
    y = sum(np.sin(2 * np.pi * k * f0_hz * t + rng.uniform(0, 2 * np.pi)) / k for k in (1, 2, 3))
    return np.asarray(y) * _fade(n)


def noise_event(rng: np.random.Generator) -> Array:
    n = round(rng.uniform(0.2, 0.4) * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    decay_s = rng.uniform(0.05, 0.1)
    return np.asarray(rng.standard_normal(n) * np.exp(-t / decay_s) * _fade(n, fade_samples=16))


def chirp_event(rng: np.random.Generator) -> Array:
    duration_s = rng.uniform(0.3, 0.5)
    n = round(duration_s * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    f_start_hz, f_stop_hz = rng.uniform(250.0, 350.0), rng.uniform(2500.0, 3200.0)
    rate = (f_stop_hz - f_start_hz) / duration_s
    return np.asarray(np.sin(2 * np.pi * (f_start_hz * t + 0.5 * rate * t**2)) * _fade(n))


EVENTS: dict[str, Callable[[np.random.Generator], Array]] = {
    "chirp": chirp_event,
    "noise": noise_event,
    "tone": tone_event,
}


def clip(label: str, rng: np.random.Generator) -> Pcm:
    """One clip of ``label``: 0.6-1 s, the event at a random place, peak 0.2-0.6."""
    event = EVENTS[label](rng)
    event = event / np.max(np.abs(event)) * rng.uniform(0.2, 0.6)
    n = max(event.size + 1600, round(rng.uniform(0.6, 1.0) * SAMPLE_RATE_HZ))
    y = 1e-3 * rng.standard_normal(n)
    start = int(rng.integers(400, n - event.size - 400))
    y[start : start + event.size] += event
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def pink_noise(n: int, rng: np.random.Generator, *, rms: float) -> Pcm:
    """1/f noise (FFT-shaped) with the given RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    y = np.fft.irfft(spectrum / np.sqrt(f), n)
    return np.asarray(y * rms / np.sqrt(np.mean(y**2)), np.float32)


def clips(
    *, per_label: int, seed: int, labels: tuple[str, ...] = LABELS
) -> tuple[list[Pcm], list[str]]:
    """``per_label`` clips of each label, in label order."""
    rng = np.random.default_rng(seed)
    ys: list[Pcm] = []
    names: list[str] = []
    for label in labels:
        for _ in range(per_label):
            ys.append(clip(label, rng))
            names.append(label)
    return ys, names


def write_dataset(
    root: Path, *, per_label: int, seed: int, labels: tuple[str, ...] = LABELS
) -> Path:
    """``root/<label>/<label>_<i>.wav`` (16-bit WAV, 16 kHz); returns ``root``."""
    ys, names = clips(per_label=per_label, seed=seed, labels=labels)
    counts: dict[str, int] = {}
    for y, label in zip(ys, names, strict=True):
        i = counts[label] = counts.get(label, -1) + 1
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        write_wav(folder / f"{label}_{i}.wav", y, sample_rate_hz=SAMPLE_RATE_HZ)
    return root
