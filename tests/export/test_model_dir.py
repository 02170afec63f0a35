"""model_export.export.model_dir: a trained classifier written as a complete model folder."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import model_export.export.model_dir
from model_export.export.model_dir import write_model_dir
from model_export.model_folder.layout import ModelDirError
from model_export.model_folder.metadata import METADATA_FILENAME, MetadataError
from tests.helpers import leftovers, metadata_for, shared_train_config, snapshot


class BoomError(RuntimeError):
    pass


@pytest.mark.slow
def test_write_model_dir_refuses_a_non_model_folder(trained: Any, tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("buy milk")

    with pytest.raises(ModelDirError, match="refusing to replace it"):
        write_model_dir(
            out,
            classifier=trained.classifier,
            metadata=metadata_for(trained, shared_train_config()),
        )

    assert snapshot(out) == {"todo.txt": b"buy milk"}
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_model_dir_has_every_part(model_dir: Path) -> None:
    names = {p.name for p in model_dir.iterdir()}

    shards = sorted(n for n in names if n.endswith(".bin"))
    assert names == {"model.json", "model.tflite", METADATA_FILENAME, *shards}
    assert shards and all(n.startswith("group1-shard") for n in shards)
    manifest = json.loads((model_dir / "model.json").read_text())
    assert manifest["format"] == "graph-model"
    listed = {p for group in manifest["weightsManifest"] for p in group["paths"]}
    assert listed == set(shards)
    declared = sum(
        4 * math.prod(w["shape"])
        for group in manifest["weightsManifest"]
        for w in group["weights"]
        if w["dtype"] in ("float32", "int32")
    )
    assert declared == sum((model_dir / s).stat().st_size for s in shards)
    assert manifest["signature"]["outputs"]["probabilities"]["tensorShape"]["dim"][1] == {
        "size": "3"
    }
    assert leftovers(model_dir.parent) == []


@pytest.mark.slow
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_export_failing_midway_changes_nothing(
    trained: Any,
    copy_model_dir: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    existing: bool,
) -> None:
    out = copy_model_dir("model") if existing else tmp_path / "model"
    before = snapshot(out) if existing else None

    def fail(*args: Any, **kwargs: Any) -> None:
        raise BoomError("disk full")

    monkeypatch.setattr(model_export.export.model_dir, "write_metadata", fail)

    with pytest.raises(BoomError):
        write_model_dir(
            out,
            classifier=trained.classifier,
            metadata=metadata_for(trained, shared_train_config()),
        )

    if existing:
        assert snapshot(out) == before
    else:
        assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_invalid_metadata_writes_nothing(trained: Any, tmp_path: Path) -> None:
    metadata = metadata_for(trained, shared_train_config())
    metadata["format_version"] = 99
    out = tmp_path / "model"

    with pytest.raises(MetadataError, match="format_version"):
        write_model_dir(out, classifier=trained.classifier, metadata=metadata)

    assert not out.exists()
    assert leftovers(tmp_path) == []
