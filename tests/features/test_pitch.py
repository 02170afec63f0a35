"""model_export.features.pitch: the cepstral pitch histogram inside the graph."""

from __future__ import annotations

import numpy as np
import pytest

from model_export.features.layout import PITCH_BANDS, PITCH_FEATURES
from model_export.features.log_mel_spectrogram import LogMelSpectrogram
from model_export.features.pitch import MAX_PITCH_HZ, MIN_PITCH_HZ, pitch_features

SR = 16_000


def harmonic_tone(f0_hz: float, *, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    y = sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 40) if k * f0_hz < 7_000)
    noise = 1e-3 * np.random.default_rng(0).standard_normal(t.size)
    return (0.1 * y + noise).astype(np.float32)


def histogram(y: np.ndarray) -> np.ndarray:
    front_end = LogMelSpectrogram()
    front_end.build((None, y.size))
    power = front_end.power_spectrum(y[None, :])
    weights = np.full((1, power.shape[1]), 1.0 / power.shape[1], np.float32)
    out = pitch_features(
        power, weights, first_bin=front_end.first_bin, fft_length=512, sample_rate_hz=SR
    )
    return np.asarray(out)[0]


@pytest.mark.parametrize("f0_hz", [90.0, 120.0, 180.0, 220.0, 300.0])
def test_a_harmonic_tone_lands_in_its_pitch_band(f0_hz: float) -> None:
    edges = np.geomspace(MIN_PITCH_HZ, MAX_PITCH_HZ, PITCH_BANDS + 1)

    h = histogram(harmonic_tone(f0_hz))

    assert h.shape == (PITCH_FEATURES,)
    assert int(np.argmax(h[:PITCH_BANDS])) == int(np.searchsorted(edges, f0_hz) - 1)
    assert h[:PITCH_BANDS].sum() == pytest.approx(1.0, abs=1e-5)
    assert h[PITCH_BANDS] > 0.3  # clearly voiced
    assert 2 ** h[PITCH_BANDS + 1] == pytest.approx(f0_hz, rel=0.03)  # mean pitch
    assert h[PITCH_BANDS + 2] < 0.05  # a steady tone: almost no pitch range


def test_a_gliding_tone_has_a_wider_pitch_range_than_a_steady_one() -> None:
    t = np.arange(SR) / SR
    f0 = 120.0 * 2**t  # one octave up over the second
    phase = 2 * np.pi * np.cumsum(f0) / SR
    glide = sum(np.sin(k * phase) / k for k in range(1, 30)).astype(np.float32) * 0.1

    assert histogram(glide)[PITCH_BANDS + 2] > 0.15


def test_noise_is_less_voiced_than_a_tone() -> None:
    noise = (0.1 * np.random.default_rng(1).standard_normal(SR)).astype(np.float32)

    assert histogram(noise)[PITCH_BANDS] < 0.5 * histogram(harmonic_tone(150.0))[PITCH_BANDS]


def test_digital_silence_gives_a_valid_histogram() -> None:
    h = histogram(np.zeros(SR, np.float32))

    assert np.all(np.isfinite(h))
    assert h[:PITCH_BANDS].sum() == pytest.approx(1.0, abs=1e-5)
