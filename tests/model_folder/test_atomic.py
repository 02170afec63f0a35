"""model_export.model_folder.atomic: a folder appears whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from model_export.model_folder.atomic import atomic_directory
from model_export.model_folder.layout import ModelDirError
from tests.helpers import leftovers, snapshot

MARKER = "metadata.json"


class BoomError(RuntimeError):
    pass


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
