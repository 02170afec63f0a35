"""model_export.model_dir: atomic model folders, and reading them back for inference."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import model_export.export
from model_export.metadata import METADATA_FILENAME, MetadataError
from model_export.model_dir import (
    SAVED_MODEL_DIRNAME,
    TFLITE_MODEL_FILENAME,
    LoadedModel,
    ModelDirError,
    atomic_directory,
    write_model_dir,
)
from tests.helpers import Array, leftovers, metadata_for, shared_train_config, snapshot

MARKER = "metadata.json"


class BoomError(RuntimeError):
    pass


# --- atomic_directory (no model needed) ----------------------------------------------------


def test_new_folder_appears_only_when_the_block_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "out"

    with atomic_directory(out, replaceable=MARKER) as staging:
        (staging / MARKER).write_text("{}")
        assert not out.exists(), "nothing is visible before the block ends"

    assert snapshot(out) == {MARKER: b"{}"}
    assert leftovers(tmp_path) == []


def test_failed_block_leaves_no_folder_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "out"

    with pytest.raises(BoomError), atomic_directory(out, replaceable=MARKER) as staging:
        (staging / "half-written.bin").write_bytes(b"x")
        raise BoomError

    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [BoomError, KeyboardInterrupt])
def test_failed_block_leaves_an_existing_folder_unchanged(tmp_path: Path, error: type) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("old")
    (out / "model.json").write_text("old model")
    before = snapshot(out)

    with pytest.raises(error), atomic_directory(out, replaceable=MARKER) as staging:
        (staging / MARKER).write_text("new")
        raise error

    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_success_replaces_an_existing_marked_folder_entirely(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("old")
    (out / "stale.bin").write_text("from the old model")

    with atomic_directory(out, replaceable=MARKER) as staging:
        (staging / MARKER).write_text("new")

    assert snapshot(out) == {MARKER: b"new"}
    assert leftovers(tmp_path) == []


def test_success_replaces_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    with atomic_directory(out, replaceable=MARKER) as staging:
        (staging / MARKER).write_text("new")

    assert snapshot(out) == {MARKER: b"new"}


def test_refuses_a_non_empty_folder_without_the_marker(tmp_path: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    before = snapshot(out)

    with pytest.raises(ModelDirError) as excinfo, atomic_directory(out, replaceable=MARKER):
        pytest.fail("the block must not run")

    assert str(excinfo.value) == (
        f"{out.resolve()}: exists, is not empty and has no {MARKER}; refusing to replace it"
    )
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_refuses_a_file(tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.write_text("a file")

    with (
        pytest.raises(ModelDirError, match="exists and is not a directory"),
        atomic_directory(out, replaceable=MARKER),
    ):
        pytest.fail("the block must not run")

    assert out.read_text() == "a file"


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "out"

    with atomic_directory(out, replaceable=MARKER) as staging:
        (staging / MARKER).write_text("{}")

    assert (out / MARKER).is_file()


def test_failed_final_rename_keeps_the_existing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The old folder is moved aside first; if the new one then cannot take its place,
    # the old one must be put back, not left hidden as ".out.old-PID".
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("old")
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if str(src).endswith(".partial"):
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)

    with pytest.raises(PermissionError), atomic_directory(out, replaceable=MARKER) as staging:
        (staging / MARKER).write_text("new")

    monkeypatch.undo()
    assert snapshot(out) == {MARKER: b"old"}
    assert leftovers(tmp_path) == []


def test_write_model_dir_refuses_a_non_model_folder_before_exporting(tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("buy milk")

    with pytest.raises(ModelDirError, match="refusing to replace it"):
        write_model_dir(out, model=object(), metadata={})  # never reached: no export happens

    assert snapshot(out) == {"todo.txt": b"buy milk"}
    assert leftovers(tmp_path) == []


# --- write_model_dir and LoadedModel -------------------------------------------------------


@pytest.mark.slow
def test_model_dir_has_every_part(model_dir: Path) -> None:
    names = {p.name for p in model_dir.iterdir()}

    assert {"model.json", METADATA_FILENAME, SAVED_MODEL_DIRNAME} <= names
    shards = sorted(n for n in names if n.endswith(".bin"))
    assert shards and all(n.startswith("group1-shard") for n in shards)
    assert (model_dir / SAVED_MODEL_DIRNAME / "saved_model.pb").is_file()
    manifest = json.loads((model_dir / "model.json").read_text())
    assert manifest["format"] == "graph-model"
    listed = {p for group in manifest["weightsManifest"] for p in group["paths"]}
    assert listed == set(shards)
    assert leftovers(model_dir.parent) == []


@pytest.mark.slow
def test_loaded_model_matches_the_keras_model(
    model_dir: Path, trained: Any, test_windows: Array, rng: np.random.Generator
) -> None:
    windows = np.concatenate(
        [
            test_windows,
            np.zeros((1, 16_000), np.float32),
            rng.uniform(-1, 1, (1, 16_000)).astype(np.float32),
        ]
    )

    loaded = LoadedModel(model_dir)

    assert loaded.labels == trained.labels
    assert (loaded.window_samples, loaded.sample_rate_hz) == (16_000, 16_000)
    np.testing.assert_allclose(
        loaded.predict(windows), np.asarray(trained.model(windows)), rtol=0, atol=1e-5
    )


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
        raise BoomError("converter crashed")

    monkeypatch.setattr(model_export.export, "saved_model_to_tfjs", fail)

    with pytest.raises(BoomError):
        write_model_dir(
            out, model=trained.model, metadata=metadata_for(trained, shared_train_config())
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
        write_model_dir(out, model=trained.model, metadata=metadata)

    assert not out.exists()
    assert leftovers(tmp_path) == []


def _edit_metadata(model: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = model / METADATA_FILENAME
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


@pytest.mark.slow
def test_labels_that_disagree_with_the_outputs_are_refused(
    copy_model_dir: Callable[[str], Path],
) -> None:
    model = copy_model_dir("model")
    _edit_metadata(model, lambda d: d["labels"].append("extra"))

    with pytest.raises(ModelDirError) as excinfo:
        LoadedModel(model)

    assert str(excinfo.value) == (
        f"{model}: the model has 3 outputs but metadata.json lists 4 labels"
    )


@pytest.mark.slow
def test_wrong_format_version_is_refused_on_load(copy_model_dir: Callable[[str], Path]) -> None:
    model = copy_model_dir("model")
    _edit_metadata(model, lambda d: d.update(format_version=2))

    with pytest.raises(MetadataError, match="'format_version' is 2"):
        LoadedModel(model)


@pytest.mark.slow
def test_missing_field_is_refused_on_load(copy_model_dir: Callable[[str], Path]) -> None:
    model = copy_model_dir("model")
    _edit_metadata(model, lambda d: d.pop("window_samples"))

    with pytest.raises(MetadataError, match="missing field 'window_samples'"):
        LoadedModel(model)


@pytest.mark.slow
def test_missing_graph_files_are_refused_on_load(copy_model_dir: Callable[[str], Path]) -> None:
    model = copy_model_dir("model")
    shutil.rmtree(model / SAVED_MODEL_DIRNAME)
    (model / TFLITE_MODEL_FILENAME).unlink()

    with pytest.raises(ModelDirError) as excinfo:
        LoadedModel(model)

    assert str(excinfo.value) == (
        f"{model}: has neither model.tflite nor saved_model/; re-run 'pac train'"
    )


def test_saved_model_and_tflite_runners_agree(
    copy_model_dir: Callable[[str], Path], rng: np.random.Generator
) -> None:
    tflite_only = copy_model_dir("tflite_only")
    shutil.rmtree(tflite_only / SAVED_MODEL_DIRNAME)
    saved_only = copy_model_dir("saved_only")
    (saved_only / TFLITE_MODEL_FILENAME).unlink()
    a, b = LoadedModel(tflite_only), LoadedModel(saved_only)
    windows = (0.1 * rng.standard_normal((3, a.window_samples))).astype(np.float32)

    np.testing.assert_allclose(a.predict(windows), b.predict(windows), atol=1e-5)
    np.testing.assert_allclose(a.predict(windows[:1]), b.predict(windows[:1]), atol=1e-5)


def test_missing_model_dir_is_refused_on_load(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="no such model directory"):
        LoadedModel(tmp_path / "nope")
