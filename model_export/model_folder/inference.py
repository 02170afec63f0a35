"""Run a model folder in Python, without TensorFlow: ``model.tflite`` on the LiteRT interpreter.

``LoadedModel`` is the Python API that ``pac classify``, ``pac evaluate`` and
the bridge use. LiteRT (the ``ai-edge-litert`` package) imports in a fraction
of a second, where ``import tensorflow`` takes several seconds.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model_export.audio.preprocess import clip_input
from model_export.model_folder.layout import (
    INPUT_NAME,
    LENGTH_NAME,
    TFLITE_MODEL_FILENAME,
    ModelDirError,
)
from model_export.model_folder.metadata import read_metadata
from model_export.quiet import native_output_silenced

Ranked = list[list[Any]]
"""``[[label, confidence], ...]``, highest confidence first: GotClassification's shape."""


def ranked(labels: Sequence[str], probabilities: np.ndarray) -> Ranked:
    """``[[label, confidence], ...]`` by confidence, highest first; ties keep label order."""
    order = np.argsort(-probabilities, kind="stable")
    return [[labels[i], float(probabilities[i])] for i in order]


class LoadedModel:
    """A model folder loaded for inference.

    Checks ``metadata.json`` and that the graph has one output per label.
    ``predict`` is safe to call from several threads (calls run one at a time).
    """

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.metadata = read_metadata(model_dir)
        self.labels: tuple[str, ...] = tuple(self.metadata["labels"])
        self.sample_rate_hz = int(self.metadata["sample_rate_hz"])
        self.max_clip_samples = int(self.metadata["max_clip_samples"])
        path = model_dir / TFLITE_MODEL_FILENAME
        if not path.is_file():
            raise ModelDirError(
                f"{path}: missing; this model folder is from an older pac, re-run 'pac train'"
            )
        self._runner = TfliteRunner(path)
        if set(self._runner.input_names) != {INPUT_NAME, LENGTH_NAME}:
            raise ModelDirError(
                f"{path}: the graph's inputs are {sorted(self._runner.input_names)}; "
                f"expected {INPUT_NAME!r} and {LENGTH_NAME!r}"
            )
        probe = self.predict([np.zeros(0, np.float32)])
        if probe.shape[1] != len(self.labels):
            raise ModelDirError(
                f"{model_dir}: the model has {probe.shape[1]} outputs but metadata.json "
                f"lists {len(self.labels)} labels"
            )

    def predict(self, clips: Sequence[np.ndarray]) -> np.ndarray:
        """Decoded clips (mono float32 at ``sample_rate_hz``, any length) -> probabilities.

        Returns np.ndarray [shape=(len(clips), n_labels)]. The graph trims and
        centres each clip itself; a clip longer than ``max_clip_samples`` keeps its middle.
        """
        rows = [
            clip_input(np.asarray(y, np.float32), max_clip_samples=self.max_clip_samples)
            for y in clips
        ]
        pcm = np.zeros((len(rows), self.max_clip_samples), np.float32)
        lengths = np.zeros(len(rows), np.int32)
        for i, (row, length) in enumerate(rows):
            pcm[i], lengths[i] = row, length
        return self._runner(**{INPUT_NAME: pcm, LENGTH_NAME: lengths})

    def classify(self, y: np.ndarray) -> Ranked:
        """Classify one decoded clip: ``[[label, confidence], ...]``, highest first."""
        return ranked(self.labels, self.predict([y])[0])


class TfliteRunner:
    """A TFLite file with one signature and one output, on the LiteRT interpreter (XNNPACK).

    Call it with the signature's inputs by name; the interpreter is resized
    when their shapes change. Calls from several threads run one at a time.
    """

    def __init__(self, path: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._interpreter = Interpreter(
                    model_path=str(path), num_threads=min(4, os.cpu_count() or 1)
                )
            signature = self._interpreter.get_signature_runner()
        except (ValueError, RuntimeError) as exc:
            raise ModelDirError(f"{path}: not a readable TFLite model ({exc})") from exc
        self._inputs = {
            name: int(detail["index"]) for name, detail in signature.get_input_details().items()
        }
        outputs = signature.get_output_details()
        if len(outputs) != 1:
            raise ModelDirError(f"{path}: the graph has {len(outputs)} outputs; expected 1")
        self._output = int(next(iter(outputs.values()))["index"])
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(self._inputs)

    def __call__(self, **inputs: np.ndarray) -> np.ndarray:
        if set(inputs) != set(self._inputs):
            raise ValueError(f"inputs must be {sorted(self._inputs)}; got {sorted(inputs)}")
        shapes = {name: tuple(value.shape) for name, value in inputs.items()}
        with self._lock:
            if shapes != self._shapes:
                # The first run on a new shape prints "INFO: Created TensorFlow Lite XNNPACK
                # delegate" from native code.
                with native_output_silenced():
                    for name, shape in shapes.items():
                        self._interpreter.resize_tensor_input(self._inputs[name], list(shape))
                    self._interpreter.allocate_tensors()
                    self._run(inputs)
                self._shapes = shapes
            else:
                self._run(inputs)
            return np.array(self._interpreter.get_tensor(self._output))

    def _run(self, inputs: dict[str, np.ndarray]) -> None:
        for name, value in inputs.items():
            self._interpreter.set_tensor(self._inputs[name], value)
        self._interpreter.invoke()
