"""features.log_mel_spectrogram: the in-graph front-end against livekit's ONNX reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper

from model_export.features.log_mel_spectrogram import LogMelSpectrogram
from model_export.features.mel import hz_to_mel, log_mel, mel_filterbank, mel_to_hz
from model_export.features.pretrained import resource_path
from tests.helpers import Array

SAMPLE_RATE_HZ = 16_000


def noise_and_tone(rng: np.random.Generator, n: int) -> Array:
    """0.1-RMS white noise plus a 0.3 sine at 440 Hz, float32."""
    t = np.arange(n) / SAMPLE_RATE_HZ
    return np.asarray(
        0.1 * rng.standard_normal(n) + 0.3 * np.sin(2 * np.pi * 440.0 * t), np.float32
    )


def onnx_log_mel(y: Array) -> Array:
    """livekit's melspectrogram.onnx on one clip, rescaled as the layer documents (dB/10 + 2).

    Returns np.ndarray [shape=(frames, 32)]. One clip per run: the ONNX graph takes its
    80 dB floor from the loudest cell of the whole batch, not of each clip.
    """
    session = ort.InferenceSession(
        str(resource_path("melspectrogram.onnx")), providers=["CPUExecutionProvider"]
    )
    (out,) = session.run(None, {"input": y[None, :].astype(np.float32)})
    assert out.shape[:2] == (1, 1)  # (batch, channel, frames, mels)
    return np.asarray(np.squeeze(out, axis=(0, 1)) / 10.0 + 2.0)


def layer_log_mel(layer: LogMelSpectrogram, y: Array) -> Array:
    return np.asarray(layer(y[None, :])[0])


@pytest.mark.parametrize("samples", [512, 513, 672, 1000, 16_000, 24_000, 32_000])
def test_frames_follow_the_documented_formula(samples: int) -> None:
    layer = LogMelSpectrogram()
    pcm = np.zeros((3, samples), np.float32)

    out = layer(pcm)

    frames = (samples - 512) // 160 + 1
    assert tuple(out.shape) == (3, frames, 32)
    assert layer.compute_output_shape((3, samples)) == (3, frames, 32)
    assert layer.compute_output_shape((None, None)) == (None, None, 32)


@pytest.mark.parametrize("samples", [1_000, 16_000, 32_000])
def test_matches_onnx_reference_on_noise_and_tone(rng: np.random.Generator, samples: int) -> None:
    y = noise_and_tone(rng, samples)

    ours = layer_log_mel(LogMelSpectrogram(), y)
    reference = onnx_log_mel(y)

    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-4)


def test_matches_onnx_reference_where_the_80_db_floor_applies(rng: np.random.Generator) -> None:
    # A loud half and a digitally silent half: the silent frames sit on the floor.
    y = noise_and_tone(rng, 16_000)
    y[8_000:] = 0.0

    ours = layer_log_mel(LogMelSpectrogram(), y)
    reference = onnx_log_mel(y)

    floor = ours.max() - 8.0  # 80 dB / 10
    assert np.isclose(ours[-1], floor, atol=1e-5).all(), "the silent frames should be floored"
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-4)


def test_each_clip_in_a_batch_gets_its_own_floor(rng: np.random.Generator) -> None:
    loud = noise_and_tone(rng, 16_000)
    quiet = 1e-3 * noise_and_tone(rng, 16_000)
    layer = LogMelSpectrogram()

    batch = np.asarray(layer(np.stack([loud, quiet])))

    # Values are dB/10 + 2, of order 1 to 10 (a float32 step there is ~1e-6); a batch of
    # two may take another oneDNN kernel than a batch of one. A wrong floor moves values
    # by 1 or more; 1e-4 holds on any CPU.
    np.testing.assert_allclose(batch[0], layer_log_mel(layer, loud), rtol=0, atol=1e-4)
    np.testing.assert_allclose(batch[1], layer_log_mel(layer, quiet), rtol=0, atol=1e-4)


def test_silence_is_constant_at_the_floor() -> None:
    out = layer_log_mel(LogMelSpectrogram(), np.zeros(16_000, np.float32))

    # power clamps to 1e-10 (-100 dB) everywhere -> -100 / 10 + 2.
    np.testing.assert_allclose(out, -8.0, atol=1e-5)


def test_mel_filterbank_equals_onnx_initializer() -> None:
    graph = onnx.load(str(resource_path("melspectrogram.onnx"))).graph
    (mel_w,) = [numpy_helper.to_array(t) for t in graph.initializer if t.name == "1.melW"]

    ours = mel_filterbank(
        sample_rate_hz=SAMPLE_RATE_HZ, fft_length=512, n_mels=32, fmin_hz=60.0, fmax_hz=3800.0
    )

    assert ours.shape == mel_w.shape == (257, 32)
    np.testing.assert_allclose(ours, mel_w, rtol=0, atol=1e-6)


def test_mel_scale_round_trip_and_slaney_breakpoint() -> None:
    f_hz = np.array([0.0, 60.0, 500.0, 1000.0, 2000.0, 3800.0, 8000.0])

    np.testing.assert_allclose(mel_to_hz(hz_to_mel(f_hz)), f_hz, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(hz_to_mel(np.array([1000.0])), [15.0])  # 1000 / (200/3)


def test_front_end_weights_are_frozen() -> None:
    layer = LogMelSpectrogram()
    layer.build((None, 16_000))

    assert layer.trainable_weights == []
    assert {w.name for w in layer.non_trainable_weights} == {"dft", "mel"}


CUSTOM: dict[str, Any] = dict(
    sample_rate_hz=16_000,
    fft_length=400,
    window_length=320,
    hop_length=128,
    n_mels=24,
    fmin_hz=100.0,
    fmax_hz=4000.0,
    top_db=60.0,
)


@pytest.mark.parametrize("kwargs", [{}, CUSTOM], ids=["default", "custom"])
def test_config_round_trip_gives_identical_outputs(
    rng: np.random.Generator, kwargs: dict[str, Any]
) -> None:
    layer = LogMelSpectrogram(**kwargs, name="front_end")
    config = layer.get_config()
    for key, value in kwargs.items():
        assert config[key] == value

    clone = LogMelSpectrogram.from_config(config)
    pcm = np.stack([noise_and_tone(rng, 8_000), np.zeros(8_000, np.float32)])

    assert clone.get_config() == config
    np.testing.assert_array_equal(np.asarray(clone(pcm)), np.asarray(layer(pcm)))


def test_saved_and_reloaded_model_gives_identical_outputs(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    pcm_in = keras.Input(shape=(4_000,), name="pcm")
    model = keras.Model(pcm_in, LogMelSpectrogram(top_db=70.0)(pcm_in))
    pcm = noise_and_tone(rng, 4_000)[None, :]
    path = tmp_path / "front_end.keras"

    model.save(path)
    reloaded = keras.saving.load_model(path)

    np.testing.assert_array_equal(np.asarray(reloaded(pcm)), np.asarray(model(pcm)))


@pytest.mark.parametrize("samples", [512, 16_000, 24_321])
def test_numpy_log_mel_equals_the_layer(rng: np.random.Generator, samples: int) -> None:
    """The studio's pictures (mel.log_mel) are the model's own spectrogram."""
    y = noise_and_tone(rng, samples)
    ours = log_mel(y)
    layer = layer_log_mel(LogMelSpectrogram(), y)
    assert ours.shape == layer.shape
    # float32 conv vs float64 FFT: about 1e-6 relative in power, 1e-5 in dB / 10.
    np.testing.assert_allclose(ours, layer, atol=2e-4)


def test_numpy_log_mel_of_a_clip_shorter_than_one_frame_is_empty() -> None:
    assert log_mel(np.zeros(100, np.float32)).shape == (0, 32)
