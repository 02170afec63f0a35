"""PCM window to one feature vector: the frozen part of the classifier.

pcm -> zero-padded, centred, to the analysis length -> log-mel -> speech
embeddings, then pooled over the frames where the sound is: mean and max of the embeddings,
per-band mean and standard deviation of the log-mel (cheap statistics that
help on non-speech sounds), the share of active frames (how long the sound
is), cepstral pitch features (who is speaking, and how) and the energy
envelope (how fast the sound dies away); then the ear's general-sound embedding of the
whole window, full band (``ear.py``).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from model_export.features.ear import Ear
from model_export.features.layout import EAR_DIM, ENVELOPE_BELOW_PEAK_DB, PITCH_FEATURES
from model_export.features.log_mel_spectrogram import LogMelSpectrogram
from model_export.features.pitch import pitch_features
from model_export.features.pretrained import EMBEDDING_DIM
from model_export.features.speech_embedding import (
    RECEPTIVE_FIELD_FRAMES,
    STRIDE_FRAMES,
    SpeechEmbedding,
    embedding_positions,
)


@keras.saving.register_keras_serializable(package="pac")
class AudioFeatures(keras.layers.Layer):
    """Frozen feature extractor.

    Call arguments
    --------------
    pcm : tensor [shape=(batch, window_samples)], float32 in [-1, 1] at 16 kHz

    Returns
    -------
    tensor [shape=(batch, feature_dim)]: ``[mean(emb), max(emb), mean(mel), std(mel),
    active_fraction, pitch_histogram(12), voicing, pitch_mean, pitch_std,
    envelope(7), ear(64)]`` with ``feature_dim = 2 * 96 + 2 * 32 + 1 + 15 + 7 + 64 = 343``
    (``layout.py``). Means and standard deviations are taken over active
    frames: within ``active_below_peak_db`` of the loudest frame. The envelope
    is the share of frames whose energy (in the mel filters' band) is within
    each of ``ENVELOPE_BELOW_PEAK_DB`` of the loudest frame's: how fast a
    sound decays, which tells a cymbal from a hi-hat and a tom from a kick.
    """

    def __init__(
        self,
        *,
        window_samples: int,
        analysis_samples: int,
        active_below_peak_db: float = 20.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if analysis_samples < window_samples:
            raise ValueError(
                f"analysis_samples ({analysis_samples}) must be >= window_samples "
                f"({window_samples})"
            )
        self.window_samples = window_samples
        self.analysis_samples = analysis_samples
        self.active_below_peak_db = active_below_peak_db
        self.log_mel = LogMelSpectrogram()
        self.embedding = SpeechEmbedding()
        self.ear = Ear()
        if embedding_positions(self.n_frames) < 1:
            raise ValueError(f"analysis_samples ({analysis_samples}) is too short for the backbone")
        self.feature_dim = (
            2 * EMBEDDING_DIM
            + 2 * self.log_mel.n_mels
            + 1
            + PITCH_FEATURES
            + len(ENVELOPE_BELOW_PEAK_DB)
            + EAR_DIM
        )

    @property
    def n_frames(self) -> int:
        """Spectrogram frames of the window zero-padded, centred, to ``analysis_samples``."""
        return (self.analysis_samples - self.log_mel.fft_length) // self.log_mel.hop_length + 1

    def padding_plan(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """How to get the zero-padded window's spectrogram cheaply.

        Returns ``((left_samples, right_samples), (left_frames, right_frames))``:
        pad the PCM by just enough for the frames that overlap the window, run
        the DFT on that, then add the frames that would see only zeros as
        zero-power frames. The result equals the spectrogram of the PCM
        zero-padded to ``analysis_samples``, at a fraction of the DFT work.
        """
        hop, size = self.log_mel.hop_length, self.log_mel.fft_length
        pad = self.analysis_samples - self.window_samples
        left = pad // 2
        # Frame k of the full version covers pcm[k*hop - left, k*hop - left + size).
        first = max(0, (left - size) // hop + 1)  # first frame that touches the window
        last = min(self.n_frames - 1, (left + self.window_samples - 1) // hop)
        left_samples = left - first * hop
        right_samples = max(0, last * hop - left + size - self.window_samples)
        return (left_samples, right_samples), (first, self.n_frames - 1 - last)

    def build(self, input_shape: Any) -> None:
        (left, right), _ = self.padding_plan()
        self.log_mel.build((None, self.window_samples + left + right))
        self.embedding.build((None, self.n_frames, self.log_mel.n_mels))
        self.ear.build((None, self.window_samples))
        super().build(input_shape)

    def call(self, pcm: Any) -> Any:
        ops = keras.ops
        ear = self.ear(pcm)  # (batch, EAR_DIM): the window itself, full band
        # Zero-pad the window, centred, to the analysis length; frames that would
        # see only zeros are added as zero-power frames rather than computed.
        (left, right), (left_frames, right_frames) = self.padding_plan()
        if left or right:
            pcm = ops.pad(pcm, ((0, 0), (left, right)))
        power = self.log_mel.power_spectrum(pcm)
        if left_frames or right_frames:
            power = ops.pad(power, ((0, 0), (left_frames, right_frames), (0, 0)))
        mel = self.log_mel.log_mel_from_power(power)  # (batch, frames, n_mels), dB / 10 + 2
        emb = self.embedding(mel)  # (batch, positions, 96)

        # Pool over where the sound is, so that one clap and four claps, or a short
        # and a long whistle, give similar vectors; how much is active is its own feature.
        loudness = ops.mean(mel, axis=2)  # (batch, frames)
        peak = ops.max(loudness, axis=1, keepdims=True)
        active = ops.cast(loudness >= peak - self.active_below_peak_db / 10.0, "float32")
        active_fraction = ops.mean(active, axis=1, keepdims=True)
        frame_w = active / ops.sum(active, axis=1, keepdims=True)
        mel_mean = ops.sum(mel * frame_w[..., None], axis=1)
        mel_std = ops.sqrt(
            ops.maximum(
                ops.sum(ops.square(mel - mel_mean[:, None, :]) * frame_w[..., None], axis=1), 1e-6
            )
        )
        position_active = ops.average_pool(
            active[..., None],
            pool_size=RECEPTIVE_FIELD_FRAMES,
            strides=STRIDE_FRAMES,
            padding="valid",
        )  # (batch, positions, 1): share of active frames each embedding sees
        position_w = position_active / ops.maximum(
            ops.sum(position_active, axis=1, keepdims=True), 1e-6
        )
        emb_mean = ops.sum(emb * position_w, axis=1)
        pitch = pitch_features(
            power,
            frame_w,
            first_bin=self.log_mel.first_bin,
            fft_length=self.log_mel.fft_length,
            sample_rate_hz=self.log_mel.sample_rate_hz,
        )
        # Energy per frame in the mel filters' band (their summed weights per bin).
        band_energy = ops.matmul(power, ops.sum(self.log_mel.mel, axis=1, keepdims=True))[..., 0]
        energy_db = (10.0 / np.log(10.0)) * ops.log(ops.maximum(band_energy, 1e-10))
        peak_db = ops.max(energy_db, axis=1, keepdims=True)
        envelope = ops.stack(
            [
                ops.mean(ops.cast(energy_db >= peak_db - below_db, "float32"), axis=1)
                for below_db in ENVELOPE_BELOW_PEAK_DB
            ],
            axis=-1,
        )
        return ops.concatenate(
            [
                emb_mean,
                ops.max(emb, axis=1),
                mel_mean,
                mel_std,
                active_fraction,
                pitch,
                envelope,
                ear,
            ],
            axis=-1,
        )

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.feature_dim)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            window_samples=self.window_samples,
            analysis_samples=self.analysis_samples,
            active_below_peak_db=self.active_below_peak_db,
        )
        return config
