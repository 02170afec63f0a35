"""PCM window to one feature vector: the frozen part of the classifier.

pcm -> zero-pad to the analysis length -> log-mel -> speech embeddings ->
mean and max over time, plus per-band mean and standard deviation of the
log-mel (cheap statistics that help on non-speech sounds).
"""

from __future__ import annotations

from typing import Any

import keras

from model_export.log_mel_spectrogram import LogMelSpectrogram
from model_export.pretrained import EMBEDDING_DIM
from model_export.speech_embedding import SpeechEmbedding, embedding_positions


@keras.saving.register_keras_serializable(package="pac")
class AudioFeatures(keras.layers.Layer):
    """Frozen feature extractor.

    Call arguments
    --------------
    pcm : tensor [shape=(batch, window_samples)], float32 in [-1, 1] at 16 kHz

    Returns
    -------
    tensor [shape=(batch, feature_dim)]: ``[mean(emb), max(emb), mean(mel), std(mel)]``
    with ``feature_dim = 2 * 96 + 2 * 32``.
    """

    def __init__(self, *, window_samples: int, analysis_samples: int, **kwargs: Any) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if analysis_samples < window_samples:
            raise ValueError(
                f"analysis_samples ({analysis_samples}) must be >= window_samples "
                f"({window_samples})"
            )
        self.window_samples = window_samples
        self.analysis_samples = analysis_samples
        self.log_mel = LogMelSpectrogram()
        self.embedding = SpeechEmbedding()
        frames = (analysis_samples - self.log_mel.fft_length) // self.log_mel.hop_length + 1
        if embedding_positions(frames) < 1:
            raise ValueError(f"analysis_samples ({analysis_samples}) is too short for the backbone")
        self.feature_dim = 2 * EMBEDDING_DIM + 2 * self.log_mel.n_mels

    def build(self, input_shape: Any) -> None:
        self.log_mel.build((None, self.analysis_samples))
        frames = (self.analysis_samples - self.log_mel.fft_length) // self.log_mel.hop_length + 1
        self.embedding.build((None, frames, self.log_mel.n_mels))
        super().build(input_shape)

    def call(self, pcm: Any) -> Any:
        ops = keras.ops
        pad = self.analysis_samples - self.window_samples
        if pad:
            pcm = ops.pad(pcm, ((0, 0), (pad // 2, pad - pad // 2)))
        mel = self.log_mel(pcm)
        emb = self.embedding(mel)
        return ops.concatenate(
            [
                ops.mean(emb, axis=1),
                ops.max(emb, axis=1),
                ops.mean(mel, axis=1),
                ops.std(mel, axis=1),
            ],
            axis=-1,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.feature_dim)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(window_samples=self.window_samples, analysis_samples=self.analysis_samples)
        return config
