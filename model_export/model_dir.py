"""A model directory on disk: write it atomically, read it back for Python inference.

Layout (documented in docs/metadata.md)::

    MODEL_DIR/
      model.json, group1-shard*.bin   TF.js graph model (what the phone runs)
      metadata.json                   labels, rates, window, training figures
      model.tflite                    TFLite model (what Python runs; Android can too)
      saved_model/                    TF SavedModel (the source of both conversions)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from model_export.metadata import METADATA_FILENAME, read_metadata, write_metadata
from model_export.quiet import native_output_silenced

SAVED_MODEL_DIRNAME = "saved_model"
TFLITE_MODEL_FILENAME = "model.tflite"
TFJS_MODEL_FILENAME = "model.json"


class ModelDirError(ValueError):
    """A model directory cannot be written or read."""


def check_replaceable(out_dir: Path, *, replaceable: str = METADATA_FILENAME) -> None:
    """Raise ModelDirError unless ``out_dir`` is absent, empty, or holds ``replaceable``.

    Call it before a long job so that a bad ``--out`` fails in a second, not after training.
    """
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ModelDirError(f"{out_dir}: exists and is not a directory")
        if any(out_dir.iterdir()) and not (out_dir / replaceable).is_file():
            raise ModelDirError(
                f"{out_dir}: exists, is not empty and has no {replaceable}; refusing to replace it"
            )


@contextmanager
def atomic_directory(out_dir: Path, *, replaceable: str) -> Iterator[Path]:
    """Yield an empty staging folder that becomes ``out_dir`` only if the block succeeds.

    An existing ``out_dir`` is replaced only when it contains ``replaceable``
    (a file that marks it as ours) or is empty; otherwise nothing is touched.
    On any error the staging folder is removed and ``out_dir`` is unchanged.
    """
    out_dir = out_dir.resolve()
    check_replaceable(out_dir, replaceable=replaceable)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a model folder is not secret
    try:
        yield staging
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
            try:
                os.replace(staging, out_dir)
            except BaseException:
                os.replace(old, out_dir)  # put the previous model back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_model_dir(out_dir: Path, *, model: Any, metadata: dict[str, Any]) -> None:
    """Export ``model`` (a Keras model PCM -> probabilities) to ``out_dir`` atomically."""
    from model_export.export import saved_model_to_tfjs, saved_model_to_tflite

    with atomic_directory(out_dir, replaceable=METADATA_FILENAME) as staging:
        saved = staging / SAVED_MODEL_DIRNAME
        export_saved_model(
            model,
            saved,
            input_name=metadata["input"]["name"],
            output_name=metadata["output"]["name"],
        )
        saved_model_to_tfjs(saved, staging)
        saved_model_to_tflite(saved, staging / TFLITE_MODEL_FILENAME)
        write_metadata(staging, metadata)


def export_saved_model(model: Any, path: Path, *, input_name: str, output_name: str) -> None:
    """SavedModel with signature ``serving_default``: ``{input_name: pcm} -> {output_name: probs}``.

    Naming the signature's keys makes them the names TF.js and TFLite report.
    """
    import keras
    import tensorflow as tf

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serving_default",
        fn=tf.function(lambda pcm: {output_name: model(pcm, training=False)}),
        input_signature=[tf.TensorSpec(model.input.shape, tf.float32, name=input_name)],
    )
    with native_output_silenced():
        archive.write_out(str(path), verbose=False)


class LoadedModel:
    """A model directory loaded for inference in Python.

    Runs ``model.tflite`` when the folder has one (about twice as fast per clip
    as the SavedModel), else ``saved_model/``. Both come from the same graph.
    """

    def __init__(self, model_dir: Path) -> None:
        self.metadata = read_metadata(model_dir)
        self.labels: tuple[str, ...] = tuple(self.metadata["labels"])
        self.window_samples: int = self.metadata["window_samples"]
        self.sample_rate_hz: int = self.metadata["sample_rate_hz"]
        tflite = model_dir / TFLITE_MODEL_FILENAME
        saved = model_dir / SAVED_MODEL_DIRNAME
        self._runner: Any
        if tflite.is_file():
            self._runner = _TfliteRunner(tflite)
        elif saved.is_dir():
            self._runner = _SavedModelRunner(saved)
        else:
            raise ModelDirError(
                f"{model_dir}: has neither {TFLITE_MODEL_FILENAME} nor {SAVED_MODEL_DIRNAME}/; "
                "re-run 'pac train'"
            )
        probe = self.predict(np.zeros((1, self.window_samples), np.float32))
        if probe.shape[1] != len(self.labels):
            raise ModelDirError(
                f"{model_dir}: the model has {probe.shape[1]} outputs but metadata.json "
                f"lists {len(self.labels)} labels"
            )

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """windows [shape=(batch, window_samples)] float32 -> probabilities (batch, n_labels)."""
        return self._runner(np.asarray(windows, dtype=np.float32))


class _SavedModelRunner:
    def __init__(self, saved: Path) -> None:
        import tensorflow as tf

        self._module = tf.saved_model.load(str(saved))
        self._serve = self._module.signatures["serving_default"]
        (self._output_key,) = self._serve.structured_outputs.keys()

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        import tensorflow as tf

        return np.asarray(self._serve(tf.constant(windows))[self._output_key])


class _TfliteRunner:
    def __init__(self, path: Path) -> None:
        import warnings

        import tensorflow as tf

        with warnings.catch_warnings():  # tf.lite.Interpreter's deprecation notice
            warnings.simplefilter("ignore")
            self._interpreter = tf.lite.Interpreter(
                model_path=str(path), num_threads=min(4, os.cpu_count() or 1)
            )
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = -1

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        if windows.shape[0] == self._batch:
            self._run(windows)
        else:
            # The first run on a new shape prints "INFO: Created TensorFlow Lite XNNPACK
            # delegate" from native code.
            with native_output_silenced():
                self._interpreter.resize_tensor_input(self._input, list(windows.shape))
                self._interpreter.allocate_tensors()
                self._run(windows)
            self._batch = windows.shape[0]
        return np.array(self._interpreter.get_tensor(self._output))

    def _run(self, windows: np.ndarray) -> None:
        self._interpreter.set_tensor(self._input, windows)
        self._interpreter.invoke()
