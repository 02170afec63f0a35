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

from model_export.audio.preprocess import centre_in_window
from model_export.model_folder.layout import TFLITE_MODEL_FILENAME, ModelDirError
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
        self.window_samples = int(self.metadata["window_samples"])
        self.sample_rate_hz = int(self.metadata["sample_rate_hz"])
        path = model_dir / TFLITE_MODEL_FILENAME
        if not path.is_file():
            raise ModelDirError(
                f"{path}: missing; this model folder is from an older pac, re-run 'pac train'"
            )
        self._runner = TfliteRunner(path)
        probe = self.predict(np.zeros((1, self.window_samples), np.float32))
        if probe.shape[1] != len(self.labels):
            raise ModelDirError(
                f"{model_dir}: the model has {probe.shape[1]} outputs but metadata.json "
                f"lists {len(self.labels)} labels"
            )

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """windows [shape=(batch, window_samples)] float32 -> probabilities (batch, n_labels)."""
        windows = np.ascontiguousarray(windows, dtype=np.float32)
        if windows.ndim != 2 or windows.shape[1] != self.window_samples:
            raise ValueError(
                f"windows must have shape (batch, {self.window_samples}); got {windows.shape}"
            )
        return self._runner(windows)

    def window(self, y: np.ndarray) -> np.ndarray:
        """The model's input window for a decoded clip (mono float32 at ``sample_rate_hz``)."""
        return centre_in_window(
            y, window_samples=self.window_samples, sample_rate_hz=self.sample_rate_hz
        )

    def classify(self, y: np.ndarray) -> Ranked:
        """Classify one decoded clip: ``[[label, confidence], ...]``, highest first."""
        return ranked(self.labels, self.predict(self.window(y)[None, :])[0])


class TfliteRunner:
    """A TFLite file with one input and one output on the LiteRT interpreter (XNNPACK).

    Calling it runs a batch; the interpreter is resized when the batch size changes.
    Calls from several threads run one at a time.
    """

    def __init__(self, path: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._interpreter = Interpreter(
                    model_path=str(path), num_threads=min(4, os.cpu_count() or 1)
                )
        except (ValueError, RuntimeError) as exc:
            raise ModelDirError(f"{path}: not a readable TFLite model ({exc})") from exc
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = -1
        self._lock = threading.Lock()

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        with self._lock:
            if windows.shape[0] != self._batch:
                # The first run on a new shape prints "INFO: Created TensorFlow Lite XNNPACK
                # delegate" from native code.
                with native_output_silenced():
                    self._interpreter.resize_tensor_input(self._input, list(windows.shape))
                    self._interpreter.allocate_tensors()
                    self._run(windows)
                self._batch = windows.shape[0]
            else:
                self._run(windows)
            return np.array(self._interpreter.get_tensor(self._output))

    def _run(self, windows: np.ndarray) -> None:
        self._interpreter.set_tensor(self._input, windows)
        self._interpreter.invoke()
