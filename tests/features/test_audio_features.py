"""model_export.features.audio_features: the frozen feature extractor inside the graph."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from model_export.features.audio_features import AudioFeatures
from model_export.features.layout import EAR, ENVELOPE, FEATURE_DIM
from model_export.features.log_mel_spectrogram import LogMelSpectrogram


@pytest.mark.parametrize(
    ("window_samples", "analysis_samples"),
    [(16_000, 32_000), (24_000, 32_000), (32_000, 32_000), (17_000, 32_000), (16_011, 40_000)],
)
def test_cheap_padding_equals_zero_padding_the_pcm(
    window_samples: int, analysis_samples: int, rng: np.random.Generator
) -> None:
    features = AudioFeatures(window_samples=window_samples, analysis_samples=analysis_samples)
    features.build((None, window_samples))
    (left, right), (left_frames, right_frames) = features.padding_plan()
    pcm = (0.3 * rng.standard_normal((2, window_samples))).astype(np.float32)
    pad = analysis_samples - window_samples
    reference_front_end = LogMelSpectrogram()
    reference_front_end.build((None, analysis_samples))

    reference = reference_front_end.power_spectrum(
        np.pad(pcm, ((0, 0), (pad // 2, pad - pad // 2)))
    )
    cheap = keras.ops.pad(
        features.log_mel.power_spectrum(np.pad(pcm, ((0, 0), (left, right)))),
        ((0, 0), (left_frames, right_frames), (0, 0)),
    )

    assert np.asarray(cheap).shape == np.asarray(reference).shape == (2, features.n_frames, 120)
    # Powers reach ~1e2 here; a 400-term float32 DFT sum is exact to a few 1e-7 of that
    # scale, in whatever order a CPU's kernels add it up. 1e-5 of the largest power leaves
    # room for every CPU and still fails for one wrong frame (an error of order 1).
    reference = np.asarray(reference)
    np.testing.assert_allclose(
        np.asarray(cheap), reference, rtol=0, atol=1e-5 * np.abs(reference).max()
    )
    assert left + right < pad or pad == 0  # it does save work


def test_feature_vector_shape_and_silence(rng: np.random.Generator) -> None:
    features = AudioFeatures(window_samples=16_000, analysis_samples=32_000)
    pcm = np.zeros((2, 16_000), np.float32)
    pcm[1] = 0.2 * rng.standard_normal(16_000)

    out = np.asarray(features(pcm))

    assert out.shape == (2, features.feature_dim) == (2, FEATURE_DIM) == (2, 343)
    assert np.all(np.isfinite(out))
    assert not np.allclose(out[0], out[1])
    assert not np.allclose(out[0, EAR], out[1, EAR]) and np.all(out[:, EAR] >= 0)  # ReLU


def test_the_envelope_says_how_slowly_a_sound_dies_away() -> None:
    features = AudioFeatures(window_samples=16_000, analysis_samples=32_000)
    t = np.arange(16_000) / 16_000
    tone = np.sin(2 * np.pi * 440.0 * t) * (t >= 0.2)
    short, long_ = (tone * np.exp(-np.maximum(t - 0.2, 0) / tau) for tau in (0.02, 0.1))
    out = np.asarray(features(np.stack([short, long_]).astype(np.float32)))
    envelope = out[:, ENVELOPE]
    assert np.all(np.diff(envelope, axis=1) >= 0)  # a deeper threshold keeps more frames
    assert np.all(envelope[1, 1:] > envelope[0, 1:])
    # An exponential decay loses 10 * log10(e**2) = 8.7 dB per time constant, and frames
    # are 10 ms apart over the 2 s analysis: the slow decay stays within 40 dB of its
    # peak for 4.6 time constants, 0.46 s, about 23% of the frames.
    assert envelope[1, -1] == pytest.approx(40.0 / 8.69 * 0.1 / 2.0, abs=0.03)


def test_analysis_shorter_than_window_is_refused() -> None:
    with pytest.raises(ValueError, match=r"analysis_samples \(8000\) must be >= window_samples"):
        AudioFeatures(window_samples=16_000, analysis_samples=8_000)
