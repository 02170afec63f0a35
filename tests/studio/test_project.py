"""studio.project: names that stay in the project folder, atomic writes, crash leftovers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from model_export.audio.dataset import scan_dataset
from studio.project import (
    MAX_NAME_CHARS,
    NotFoundError,
    Project,
    ProjectError,
    check_clip_id,
    check_name,
    list_projects,
)
from tests.studio.sounds import tone, write_wav


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../x", "cannot contain /"),
        ("..", "cannot start with a dot"),
        ("/etc", "cannot contain /"),
        ("C:\\x", "cannot contain : \\"),
        ("a\x00b", "control characters"),
        ("tab\there", "control characters"),
        ("CON", "reserved name on Windows"),
        ("con.txt", "reserved name on Windows"),
        ("LPT9", "reserved name on Windows"),
        (".hidden", "cannot start with a dot"),
        ("dot.", "cannot end with a dot"),
        ("", "empty"),
        ("   ", "empty"),
        ("x" * (MAX_NAME_CHARS + 1), f"the most is {MAX_NAME_CHARS}"),
        ("why?", "cannot contain ?"),
        ("a*b", "cannot contain *"),
        (5, "must be text"),
        ("rtl\u202eoverride", "control characters"),
    ],
)
def test_names_that_could_leave_the_folder_or_break_a_system_are_refused(
    name: object, why: str
) -> None:
    with pytest.raises(
        ProjectError,
        match=r"(?i)" + re.escape(why),
    ):
        check_name(name)


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("clap", "clap"),
        ("  voix de Marie ", "voix de Marie"),
        ("e\u0301", "\u00e9"),
        ("数字", "数字"),
        ("console", "console"),
    ],
)
def test_ordinary_names_are_kept_as_typed_in_nfc(name: str, stored: str) -> None:
    assert check_name(name) == stored


def test_labels_are_label_folders_that_pac_train_reads(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    project.add_label("clap")
    project.add_label("snap")
    for label in ("clap", "snap"):
        write_wav(project.label_dir(label) / "x.wav", tone(440.0, 0.5))
    assert [c.label for c in scan_dataset(project.clips_dir)] == ["clap", "snap"]
    assert list_projects(tmp_path) == ["p"]


def test_a_label_differing_only_in_case_or_spacing_is_refused(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    project.add_label("Big Clap")
    with pytest.raises(ProjectError, match="already a label called 'Big Clap'"):
        project.add_label("big  clap")
    project.rename_label("Big Clap", "big clap")  # its own name in another case is fine
    assert project.labels() == ["big clap"]


def test_clip_ids_are_bare_file_names_of_ours(tmp_path: Path) -> None:
    for bad in ("../pac-project.json", "x/../../y.wav", "a.txt", ".tmp-123.wav", "a b.wav"):
        with pytest.raises(NotFoundError):
            check_clip_id(bad)
    assert check_clip_id("rec-20261206-101010-abcdef.wav") == "rec-20261206-101010-abcdef.wav"


def test_leftovers_of_a_crash_are_ignored_by_training_and_removed_on_open(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    project.add_label("a")
    project.add_label("b")
    for label in ("a", "b"):
        project.add_clip(label, b"RIFF-not-checked-here", source="rec", suffix=".wav")
    leftover = project.label_dir("a") / ".tmp-abc123"
    leftover.write_bytes(b"half a clip")
    assert len(scan_dataset(project.clips_dir)) == 2  # hidden: not a clip
    Project.open(project.path)
    assert not leftover.exists()
    assert len(project.clips("a")) == 1


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project.create(tmp_path / "p")
    project.update_state(settings={"epochs": 7})
    before = project.project_file.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        project.update_state(settings={"epochs": 9})
    assert project.project_file.read_bytes() == before
    assert [p.name for p in project.path.iterdir() if p.name.startswith(".tmp-")] == []


def test_a_broken_project_file_is_named(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    project.project_file.write_text("{", encoding="utf-8")
    with pytest.raises(ProjectError, match="pac-project.json: cannot be read"):
        Project.open(project.path)
    project.project_file.write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ProjectError, match="format 1"):
        Project.open(project.path)


def test_a_folder_of_label_folders_becomes_a_project(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    (folder / "clips" / "x").mkdir(parents=True)
    project = Project.open(folder)
    assert project.labels() == ["x"]
    assert project.state()["format"] == 1


def test_a_model_folder_left_half_swapped_by_a_kill_is_put_back(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    # Killed between setting the old model aside and moving the new one in.
    (project.path / ".model.old-4242").mkdir()
    (project.path / ".model.old-4242" / "metadata.json").write_text("{}")
    (project.path / ".model.x1y2.partial").mkdir()
    Project.open(project.path)
    assert (project.model_dir / "metadata.json").read_text() == "{}"
    assert sorted(p.name for p in project.path.iterdir()) == [
        "clips", "model", "pac-project.json"
    ]  # fmt: skip
