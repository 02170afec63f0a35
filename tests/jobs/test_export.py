"""model_export.jobs.export: the deployable TF.js and TFLite folders (pac export)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from model_export.jobs.export import export_model_dir
from model_export.model_folder.inference import LoadedModel
from model_export.model_folder.layout import ModelDirError
from model_export.model_folder.metadata import METADATA_FILENAME, MetadataError
from tests.helpers import Array, leftovers, snapshot

pytestmark = pytest.mark.slow


def test_tfjs_copies_model_json_shards_and_metadata(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tfjs"

    written = export_model_dir(model_dir, out, fmt="tfjs")

    assert written == sorted(out.iterdir())
    names = {p.name for p in written}
    shards = {p.name for p in model_dir.glob("*.bin")}
    assert names == {"model.json", METADATA_FILENAME} | shards
    for name in names:
        assert (out / name).read_bytes() == (model_dir / name).read_bytes(), name
    assert leftovers(tmp_path) == []


def test_tflite_export_is_the_model_folders_model(
    model_dir: Path, tmp_path: Path, test_windows: Array
) -> None:
    out = tmp_path / "tflite"

    written = export_model_dir(model_dir, out, fmt="tflite")

    assert {p.name for p in written} == {"model.tflite", METADATA_FILENAME}
    assert (out / METADATA_FILENAME).read_bytes() == (model_dir / METADATA_FILENAME).read_bytes()
    assert (out / "model.tflite").read_bytes() == (model_dir / "model.tflite").read_bytes()
    # The export folder is itself a loadable model folder.
    np.testing.assert_array_equal(
        LoadedModel(out).predict(test_windows), LoadedModel(model_dir).predict(test_windows)
    )


def test_export_replaces_an_earlier_export(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    export_model_dir(model_dir, out, fmt="tflite")

    export_model_dir(model_dir, out, fmt="tfjs")

    assert not (out / "model.tflite").exists()
    assert (out / "model.json").is_file()
    assert leftovers(tmp_path) == []


def test_unknown_format(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format must be one of tfjs, tflite; got 'onnx'"):
        export_model_dir(model_dir, tmp_path / "out", fmt="onnx")

    assert list(tmp_path.iterdir()) == []


def test_export_into_the_model_folder_is_refused(
    copy_model_dir: Callable[[str], Path],
) -> None:
    model = copy_model_dir("model")
    before = snapshot(model)

    with pytest.raises(ValueError, match="export folder must differ from the model folder"):
        export_model_dir(model, model, fmt="tfjs")

    assert snapshot(model) == before


def test_export_refuses_a_non_model_folder(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "essay.txt").write_text("draft")

    with pytest.raises(ModelDirError, match="refusing to replace it"):
        export_model_dir(model_dir, out, fmt="tfjs")

    assert snapshot(out) == {"essay.txt": b"draft"}


def test_export_of_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="missing; is .* a model made by 'pac train'"):
        export_model_dir(tmp_path, tmp_path.parent / "out", fmt="tfjs")


def test_tfjs_export_without_model_json_writes_nothing(
    copy_model_dir: Callable[[str], Path], tmp_path: Path
) -> None:
    model = copy_model_dir("model")
    (model / "model.json").unlink()
    out = tmp_path / "tfjs"

    with pytest.raises(ModelDirError, match=r"model\.json: missing; re-run 'pac train'"):
        export_model_dir(model, out, fmt="tfjs")

    assert not out.exists()
    assert leftovers(tmp_path) == []
