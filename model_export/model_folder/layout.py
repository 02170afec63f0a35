"""What a model folder holds: its file names, the graph's tensor names, the deployable formats.

Layout (documented in docs/metadata.md)::

    MODEL_DIR/
      metadata.json                   labels, rates, window, training figures
      model.json, group1-shard*.bin   TF.js graph model (what the phone runs)
      model.tflite                    TFLite model (what Python runs; Android can too)
"""

from __future__ import annotations

TFJS_MODEL_FILENAME = "model.json"
TFLITE_MODEL_FILENAME = "model.tflite"

INPUT_NAME = "pcm"
"""The graph's clip input: float32 PCM ``[batch, max_clip_samples]``, zero-padded (a key)."""
LENGTH_NAME = "pcm_length"
"""The graph's other input: int32 ``[batch]``, how many samples of each ``pcm`` row are the clip."""
OUTPUT_NAME = "probabilities"
"""The graph's output: float32 softmax ``[batch, n_labels]`` (the signature key)."""

FORMATS = ("tfjs", "tflite")
"""What ``pac export --format`` writes: the files one runtime needs, plus metadata.json."""


class ModelDirError(ValueError):
    """A model directory cannot be written or read."""


def is_tfjs_file(name: str) -> bool:
    """Whether a file of a model folder belongs to the TF.js graph model (manifest or shard)."""
    return name == TFJS_MODEL_FILENAME or (name.startswith("group") and name.endswith(".bin"))
