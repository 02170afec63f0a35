"""What a model folder holds: its file names, the graph's tensor names, the deployable formats.

Layout (documented in docs/metadata.md)::

    MODEL_DIR/
      metadata.json                   labels, rates, window, training figures
      model.json, group1-shard*.bin   TF.js graph model (what the phone runs)
      model.tflite                    TFLite model (what Python runs; Android can too)
      saved_model/                    TF SavedModel of the same graph
"""

from __future__ import annotations

TFJS_MODEL_FILENAME = "model.json"
TFLITE_MODEL_FILENAME = "model.tflite"
SAVED_MODEL_DIRNAME = "saved_model"

INPUT_NAME = "pcm"
"""The graph's input: float32 PCM ``[batch, window_samples]`` (the signature key)."""
OUTPUT_NAME = "probabilities"
"""The graph's output: float32 softmax ``[batch, n_labels]`` (the signature key)."""

FORMATS = ("tfjs", "tflite")
"""What ``pac export --format`` writes: the files one runtime needs, plus metadata.json."""


class ModelDirError(ValueError):
    """A model directory cannot be written or read."""


def is_tfjs_file(name: str) -> bool:
    """Whether a file of a model folder belongs to the TF.js graph model (manifest or shard)."""
    return name == TFJS_MODEL_FILENAME or (name.startswith("group") and name.endswith(".bin"))
