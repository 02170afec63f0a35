"""Write a trained classifier as a model folder: front-end graphs with the head grafted on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model_export.export.graft import graft_tfjs, graft_tflite
from model_export.model_folder.atomic import atomic_directory
from model_export.model_folder.layout import TFJS_MODEL_FILENAME, TFLITE_MODEL_FILENAME
from model_export.model_folder.metadata import METADATA_FILENAME, validate_metadata, write_metadata
from model_export.training.train import Classifier


def write_model_dir(out_dir: Path, *, classifier: Classifier, metadata: dict[str, Any]) -> None:
    """Write ``model.json`` + shards, ``model.tflite`` and ``metadata.json`` to ``out_dir``.

    Atomic: on any error ``out_dir`` is left as it was. An existing ``out_dir``
    is replaced only if it holds a ``metadata.json`` (or is empty).
    """
    validate_metadata(metadata, source=str(out_dir / METADATA_FILENAME))
    frontend = classifier.frontend
    manifest = json.loads(frontend.tfjs_manifest_path.read_text(encoding="utf-8"))
    shard_names = [name for group in manifest["weightsManifest"] for name in group["paths"]]
    shards = [(frontend.folder / name).read_bytes() for name in shard_names]
    manifest, shards = graft_tfjs(manifest, shards, classifier.head)
    tflite = graft_tflite(frontend.tflite_path.read_bytes(), classifier.head)
    with atomic_directory(out_dir, replaceable=METADATA_FILENAME) as staging:
        (staging / TFJS_MODEL_FILENAME).write_text(json.dumps(manifest), encoding="utf-8")
        for name, data in zip(shard_names, shards, strict=True):
            (staging / name).write_bytes(data)
        (staging / TFLITE_MODEL_FILENAME).write_bytes(tflite)
        write_metadata(staging, metadata)
