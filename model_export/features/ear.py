"""The ear as a Keras layer: a 1 s window to a general-sound embedding (``ear_spec.py``).

Full-band log-mel (``LogMelSpectrogram`` with EAR_MEL), made level-free, then four 3x3
convolutions with ReLU (batch norm folded into them), 2x2 max pooling between them, the
mean and max over time and frequency, and a dense layer with ReLU. Its weights are fixed:
``ear/weights.npz``, made by ``./dev ear``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from model_export.features.ear_spec import CHANNELS, EAR_MEL, WEIGHTS_DIR, load_weights
from model_export.features.layout import EAR_DIM
from model_export.features.log_mel_spectrogram import LogMelSpectrogram


def ear_network(frames: int | None = None) -> keras.Model:
    """The ear's CNN on its input [shape=(batch, frames, 64)] (``ear_spec.ear_input``), with
    batch norm, untrained: what ``./dev ear`` trains. Layers are named as ``load_weights``'s
    arrays: ``conv<i>`` (plus ``bn<i>``) and ``embedding``."""
    layers = keras.layers
    spectrogram = keras.Input((frames, EAR_MEL["n_mels"]), name="ear_input")
    h = layers.Reshape((-1, EAR_MEL["n_mels"], 1))(spectrogram)
    for i, channels in enumerate(CHANNELS):
        h = layers.Conv2D(channels, 3, padding="same", use_bias=False, name=f"conv{i}")(h)
        h = layers.BatchNormalization(name=f"bn{i}")(h)
        h = layers.ReLU()(h)
        if i < len(CHANNELS) - 1:
            h = layers.MaxPooling2D(2, padding="same")(h)
    pooled = layers.Concatenate()(
        [layers.GlobalAveragePooling2D()(h), layers.GlobalMaxPooling2D()(h)]
    )
    embedding = layers.Dense(EAR_DIM, activation="relu", name="embedding")(pooled)
    return keras.Model(spectrogram, embedding, name="ear")


@keras.saving.register_keras_serializable(package="pac")
class Ear(keras.layers.Layer):
    """Frozen general-sound embedding.

    Call arguments
    --------------
    pcm : tensor [shape=(batch, samples)], float32 in [-1, 1] at 16 kHz (a window)

    Returns
    -------
    tensor [shape=(batch, EAR_DIM)], non-negative
    """

    def __init__(self, *, weights_dir: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.weights_dir = weights_dir
        self.log_mel = LogMelSpectrogram(**EAR_MEL)
        self._weights = load_weights(WEIGHTS_DIR if weights_dir is None else Path(weights_dir))

    def build(self, input_shape: Any) -> None:
        self.log_mel.build(input_shape)
        self.convs = []
        for i in range(len(CHANNELS)):
            kernel, bias = self._weights[f"conv{i}/kernel"], self._weights[f"conv{i}/bias"]
            self.convs.append(
                (
                    self.add_weight(
                        name=f"conv{i}_kernel",
                        shape=kernel.shape,
                        initializer=keras.initializers.Constant(kernel),
                        trainable=False,
                    ),
                    self.add_weight(
                        name=f"conv{i}_bias",
                        shape=bias.shape,
                        initializer=keras.initializers.Constant(bias),
                        trainable=False,
                    ),
                )
            )
        kernel, bias = self._weights["embedding/kernel"], self._weights["embedding/bias"]
        self.dense_kernel = self.add_weight(
            name="embedding_kernel",
            shape=kernel.shape,
            initializer=keras.initializers.Constant(kernel),
            trainable=False,
        )
        self.dense_bias = self.add_weight(
            name="embedding_bias",
            shape=bias.shape,
            initializer=keras.initializers.Constant(bias),
            trainable=False,
        )
        super().build(input_shape)

    def spectrogram(self, pcm: Any) -> Any:
        """The network's input (``ear_spec.ear_input``): (batch, frames, 64) in [-1, 1]."""
        ops = keras.ops
        mel = self.log_mel(pcm)  # dB / 10 + 2, the floor 8 below the peak
        peak = ops.max(mel, axis=(1, 2), keepdims=True)
        return (mel - peak) / (EAR_MEL["top_db"] / 20.0) + 1.0

    def call(self, pcm: Any) -> Any:
        ops = keras.ops
        h = ops.expand_dims(self.spectrogram(pcm), -1)
        for i, (kernel, bias) in enumerate(self.convs):
            h = ops.relu(ops.conv(h, kernel, padding="same") + bias)
            if i < len(self.convs) - 1:
                h = ops.max_pool(h, pool_size=2, strides=2, padding="same")
        pooled = ops.concatenate([ops.mean(h, axis=(1, 2)), ops.max(h, axis=(1, 2))], axis=-1)
        return ops.relu(ops.matmul(pooled, self.dense_kernel) + self.dense_bias)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], EAR_DIM)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(weights_dir=self.weights_dir)
        return config
