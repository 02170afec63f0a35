"""Trim and centre inside the graph: a clip of any length -> the model's input window.

The exported model takes a whole clip (zero-padded to ``max_clip_samples``)
and its length, and finds where the sound is itself, so that ``pac classify``,
TF.js and the phone share this one implementation. It follows the numbered
steps of docs/metadata.md ("Trim and centre, exactly") with the constants of
``model_export/audio/preprocess.py``; ``centre_in_window`` there is the
reference, used by training (whose augmentation moves the sound off-centre).

Frame energies are float32 here and float64 in the reference. They choose the
same frames unless a frame's energy is within about 1e-5 dB of the threshold.
"""

from __future__ import annotations

from typing import Any

import keras

from model_export.audio.preprocess import (
    FRAME_SECONDS,
    HOP_SECONDS,
    SILENCE_ABOVE_FLOOR_FRACTION,
    SILENCE_BELOW_PEAK_DB,
    WINDOW_GRID_SECONDS,
)

_BIG = 1e30


@keras.saving.register_keras_serializable(package="pac")
class TrimAndCentre(keras.layers.Layer):
    """Place each clip's sound in the middle of a zero-padded window.

    Call arguments
    --------------
    pcm : tensor [shape=(batch, max_clip_samples)], float32 in [-1, 1]; zero from
        ``length`` on
    length : tensor [shape=(batch,)], int32: how many samples of each row are the clip

    Returns
    -------
    tensor [shape=(batch, window_samples)], float32
    """

    def __init__(
        self, *, window_samples: int, max_clip_samples: int, sample_rate_hz: int, **kwargs: Any
    ) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.window_samples = window_samples
        self.max_clip_samples = max_clip_samples
        self.sample_rate_hz = sample_rate_hz
        self.frame = round(FRAME_SECONDS * sample_rate_hz)
        self.hop = round(HOP_SECONDS * sample_rate_hz)
        self.padded_samples = max(max_clip_samples, self.frame)
        self.n_frames = 1 + (self.padded_samples - self.frame) // self.hop
        # The window is cut out in blocks of the grid it starts on.
        self.grid = round(WINDOW_GRID_SECONDS * sample_rate_hz)
        self.window_blocks = -(-window_samples // self.grid)
        self.pad_samples = self.window_blocks * self.grid
        self.tail_samples = -max_clip_samples % self.grid

    def call(self, pcm: Any, length: Any) -> Any:
        import tensorflow as tf  # tf.gather: keras.ops.take adds ops for negative indices

        ops = keras.ops
        batch = ops.shape(pcm)[0]
        n = ops.clip(ops.cast(length, "float32"), 0.0, float(self.max_clip_samples))[:, None]
        # The contract has pcm zero from pcm_length on, so that no op here touches every
        # sample twice: broadcasting ops over whole clips are slow in TF.js's wasm backend.

        # Steps 2-4: energy in dB of frame k = y[k*hop, k*hop + frame), zero-extended.
        square = ops.square(pcm)
        if self.padded_samples > self.max_clip_samples:
            square = ops.pad(square, ((0, 0), (0, self.padded_samples - self.max_clip_samples)))
        # A sum over each frame as one strided convolution: fast in every runtime.
        energy = ops.conv(
            ops.reshape(square, (batch, self.padded_samples, 1)),
            ops.ones((self.frame, 1, 1), dtype="float32"),
            strides=self.hop,
            padding="valid",
        )[:, :, 0]
        power = energy / float(self.frame)
        db = 10.0 * ops.log10(ops.maximum(power, 1e-12))

        # Frames that exist for this clip: F = 1 + (max(n, frame) - frame) // hop.
        frames = 1.0 + ops.floor((ops.maximum(n, float(self.frame)) - self.frame) / self.hop)
        k = ops.arange(self.n_frames, dtype="float32")[None, :]
        valid = k < frames

        # Steps 5-6: peak, 10th-percentile floor (linear interpolation), threshold.
        peak = ops.max(ops.where(valid, db, -_BIG), axis=1, keepdims=True)
        ascending = ops.sort(ops.where(valid, db, _BIG), axis=1)
        q = 0.1 * (frames - 1.0)
        j = ops.floor(q)
        # Picked by a mask, not take_along_axis: its batched gather crashes TF.js's wasm backend.
        zero = ops.zeros_like(ascending)
        low = ops.sum(ops.where(k == j, ascending, zero), axis=1, keepdims=True)
        j_high = ops.minimum(j + 1.0, frames - 1.0)
        high = ops.sum(ops.where(k == j_high, ascending, zero), axis=1, keepdims=True)
        floor = low + (q - j) * (high - low)
        threshold = ops.maximum(
            peak - SILENCE_BELOW_PEAK_DB, floor + SILENCE_ABOVE_FLOOR_FRACTION * (peak - floor)
        )

        # Steps 7-9: first and last active frame, the active region, its centre.
        active = ops.logical_and(valid, db >= threshold)
        first_frame = ops.min(ops.where(active, k, _BIG), axis=1, keepdims=True)
        last_frame = ops.max(ops.where(active, k, -1.0), axis=1, keepdims=True)
        start = first_frame * self.hop
        stop = ops.minimum(n, last_frame * self.hop + self.frame)
        centre = ops.floor((start + stop) / 2.0)

        # Steps 10-11: the window starts on the grid, so it is cut out as whole grid blocks
        # of the clip padded with a window of zeros on each side.
        grid = self.grid
        first = ops.floor((centre - float(self.window_samples // 2)) / grid) * grid
        padded = ops.pad(pcm, ((0, 0), (self.pad_samples, self.pad_samples + self.tail_samples)))
        rows = (self.max_clip_samples + self.tail_samples) // grid + 2 * self.window_blocks
        block = (first + float(self.pad_samples)) / grid  # [batch, 1], whole numbers
        index = ops.cast(block, "int32") + ops.arange(self.window_blocks, dtype="int32")[None, :]
        index = index + ops.arange(batch, dtype="int32")[:, None] * rows
        window = tf.gather(ops.reshape(padded, (-1, grid)), index)  # [batch, blocks, grid]
        window = ops.reshape(window, (batch, self.window_blocks * grid))
        return window[:, : self.window_samples]

    def compute_output_shape(self, input_shape: Any, length_shape: Any = None) -> tuple[Any, ...]:
        return (input_shape[0], self.window_samples)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            window_samples=self.window_samples,
            max_clip_samples=self.max_clip_samples,
            sample_rate_hz=self.sample_rate_hz,
        )
        return config
