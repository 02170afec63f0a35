"""``pac export``: copy the files one runtime needs, with metadata.json, into a new folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from model_export.model_folder.atomic import atomic_directory
from model_export.model_folder.layout import (
    FORMATS,
    TFJS_MODEL_FILENAME,
    TFLITE_MODEL_FILENAME,
    ModelDirError,
    is_tfjs_file,
)
from model_export.model_folder.metadata import METADATA_FILENAME, read_metadata


def export_model_dir(model_dir: Path, out_dir: Path, *, fmt: str) -> list[Path]:
    """Write the deployable files of ``model_dir`` for ``fmt`` into ``out_dir`` (atomically).

    Returns the written paths.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    read_metadata(model_dir)
    if out_dir.resolve() == model_dir.resolve():
        raise ValueError(f"{out_dir}: export folder must differ from the model folder")
    needed = TFJS_MODEL_FILENAME if fmt == "tfjs" else TFLITE_MODEL_FILENAME
    if not (model_dir / needed).is_file():
        raise ModelDirError(f"{model_dir / needed}: missing; re-run 'pac train'")
    with atomic_directory(out_dir, replaceable=METADATA_FILENAME) as staging:
        shutil.copy2(model_dir / METADATA_FILENAME, staging / METADATA_FILENAME)
        for path in sorted(model_dir.iterdir()):
            if is_tfjs_file(path.name) if fmt == "tfjs" else path.name == TFLITE_MODEL_FILENAME:
                shutil.copy2(path, staging / path.name)
    return sorted(out_dir.iterdir())
