"""features.speech_embedding: the rebuilt CNN against livekit's embedding_model.onnx."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from model_export.features.audio_features import AudioFeatures
from model_export.features.log_mel_spectrogram import LogMelSpectrogram
from model_export.features.pretrained import EMBEDDING_DIM, resource_path
from model_export.features.speech_embedding import (
    RECEPTIVE_FIELD_FRAMES,
    STRIDE_FRAMES,
    SpeechEmbedding,
    embedding_positions,
)
from tests.helpers import Array

SAMPLE_RATE_HZ = 16_000


def speechlike(rng: np.random.Generator, n: int) -> Array:
    """Noise plus a tone whose pitch and loudness wander, so embeddings vary over time."""
    t = np.arange(n) / SAMPLE_RATE_HZ
    pitch_hz = 200.0 + 150.0 * np.sin(2 * np.pi * 1.3 * t)
    tone = np.sin(2 * np.pi * np.cumsum(pitch_hz) / SAMPLE_RATE_HZ)
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t) ** 2
    return np.asarray(0.3 * tone * envelope + 0.05 * rng.standard_normal(n), np.float32)


def onnx_embeddings(log_mel: Array) -> Array:
    """embedding_model.onnx on every 76-frame window, stride 8.

    log_mel : [shape=(frames, 32)] -> [shape=(positions, 96)]
    """
    session = ort.InferenceSession(
        str(resource_path("embedding_model.onnx")), providers=["CPUExecutionProvider"]
    )
    starts = range(0, log_mel.shape[0] - RECEPTIVE_FIELD_FRAMES + 1, STRIDE_FRAMES)
    windows = np.stack([log_mel[s : s + RECEPTIVE_FIELD_FRAMES] for s in starts])
    (out,) = session.run(None, {"input_1": windows[..., None].astype(np.float32)})
    assert out.shape == (len(windows), 1, 1, EMBEDDING_DIM)
    return np.asarray(out[:, 0, 0, :])


@pytest.mark.parametrize("samples", [16_000, 32_000])
def test_matches_onnx_on_sliding_windows(rng: np.random.Generator, samples: int) -> None:
    pcm = np.stack([speechlike(rng, samples), 0.2 * rng.standard_normal(samples)]).astype(
        np.float32
    )
    log_mel = np.asarray(LogMelSpectrogram()(pcm))

    ours = np.asarray(SpeechEmbedding()(log_mel))

    assert ours.shape == (2, embedding_positions(log_mel.shape[1]), EMBEDDING_DIM)
    for clip in range(2):
        reference = onnx_embeddings(log_mel[clip])
        assert np.abs(reference).max() > 5.0, "reference too small to be a meaningful check"
        np.testing.assert_allclose(ours[clip], reference, rtol=0, atol=1e-3)


@pytest.mark.parametrize(
    ("frames", "positions"),
    [(0, 0), (75, 0), (76, 1), (83, 1), (84, 2), (97, 3), (197, 16)],
)
def test_embedding_positions(frames: int, positions: int) -> None:
    assert embedding_positions(frames) == positions


@pytest.mark.parametrize("frames", [76, 84, 97, 150])
def test_output_shape_matches_embedding_positions(frames: int) -> None:
    layer = SpeechEmbedding()

    out = layer(np.zeros((2, frames, 32), np.float32))

    expected = (2, embedding_positions(frames), EMBEDDING_DIM)
    assert tuple(out.shape) == expected
    assert layer.compute_output_shape((2, frames, 32)) == expected


def test_weights_are_frozen() -> None:
    layer = SpeechEmbedding()
    layer.build((None, 97, 32))

    assert not layer.trainable
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 20 + 19  # 20 kernels, all but the last with a bias
    layer.trainable = True  # even when asked to, the pretrained weights stay fixed
    assert layer.trainable_weights == []


def test_feature_extractor_has_no_trainable_weights() -> None:
    features = AudioFeatures(window_samples=16_000, analysis_samples=32_000)
    features.build((None, 16_000))

    assert features.trainable_weights == []
    assert tuple(features(np.zeros((1, 16_000), np.float32)).shape) == (1, features.feature_dim)


def test_config_round_trip_gives_identical_outputs(rng: np.random.Generator) -> None:
    layer = SpeechEmbedding(name="backbone")
    log_mel = np.asarray(LogMelSpectrogram()(speechlike(rng, 16_000)[None, :]))

    clone = SpeechEmbedding.from_config(layer.get_config())

    assert clone.name == "backbone"
    assert not clone.trainable
    np.testing.assert_array_equal(np.asarray(clone(log_mel)), np.asarray(layer(log_mel)))
