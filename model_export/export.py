"""Convert a SavedModel to the formats phones run: TF.js graph model and TFLite."""

from __future__ import annotations

import shutil
from pathlib import Path

from model_export.metadata import METADATA_FILENAME, read_metadata
from model_export.model_dir import (
    SAVED_MODEL_DIRNAME,
    TFJS_MODEL_FILENAME,
    TFLITE_MODEL_FILENAME,
    atomic_directory,
)
from model_export.quiet import native_output_silenced, quiet_environment

FORMATS = ("tfjs", "tflite")


def saved_model_to_tfjs(saved_model_dir: Path, out_dir: Path) -> None:
    """The route FACTS.md §4 found to load in tfjs 4.22: SavedModel -> tfjs_graph_model."""
    quiet_environment()
    with native_output_silenced():  # import banners and grappler logs
        from tensorflowjs.converters import tf_saved_model_conversion_v2 as convert

        convert.convert_tf_saved_model(
            str(saved_model_dir),
            str(out_dir),
            signature_def="serving_default",
            saved_model_tags="serve",
        )


def saved_model_to_tflite(saved_model_dir: Path, out_path: Path) -> None:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir))
    with native_output_silenced():  # MLIR converter logs
        flatbuffer = converter.convert()
    out_path.write_bytes(flatbuffer)


def export_model_dir(model_dir: Path, out_dir: Path, *, fmt: str) -> list[Path]:
    """Write the deployable files of ``model_dir`` for ``fmt`` into ``out_dir`` (atomically).

    Returns the written paths.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    read_metadata(model_dir)
    if out_dir.resolve() == model_dir.resolve():
        raise ValueError(f"{out_dir}: export folder must differ from the model folder")
    with atomic_directory(out_dir, replaceable=METADATA_FILENAME) as staging:
        shutil.copy2(model_dir / METADATA_FILENAME, staging / METADATA_FILENAME)
        if fmt == "tfjs":
            manifest = model_dir / TFJS_MODEL_FILENAME
            if not manifest.is_file():
                raise ValueError(f"{manifest}: missing; re-run 'pac train'")
            for path in sorted(model_dir.iterdir()):
                if path.name == TFJS_MODEL_FILENAME or path.suffix == ".bin":
                    shutil.copy2(path, staging / path.name)
        elif (model_dir / TFLITE_MODEL_FILENAME).is_file():
            shutil.copy2(model_dir / TFLITE_MODEL_FILENAME, staging / TFLITE_MODEL_FILENAME)
        else:  # a folder from before model.tflite was part of it
            saved_model_to_tflite(model_dir / SAVED_MODEL_DIRNAME, staging / TFLITE_MODEL_FILENAME)
    return sorted(out_dir.iterdir())
