"""A studio project: the folder-per-label layout that ``pac train`` reads, plus a project file.

::

    My sounds/
      pac-project.json      settings (TrainConfig fields) and what the last training gave
      clips/                ``pac train "My sounds/clips"`` reads this folder
        clap/  rec-20261206-101112-3f2a.wav  phone-...3gp  upload-....m4a
        snap/  ...
      model/                the last trained model folder (``pac classify``, the bridge)

Every write is atomic: a clip is written to a hidden temporary file in its label
folder and renamed into place; the project file is replaced whole. A crash
leaves at most a hidden ``.tmp-*`` file, which ``scan_dataset`` ignores and
``Project.open`` removes. A clip's file name says where it came from
(``rec-`` recorded in the studio, ``upload-``, ``phone-``).

Names (of labels and projects) are checked by ``check_name``: they never leave
the project folder and work as folder names on Windows, macOS and Linux.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model_export.audio.dataset import IGNORED_FILE_NAMES
from model_export.audio.decode import SUPPORTED_EXTENSIONS
from model_export.model_folder.atomic import TEMP_PREFIX, atomic_write

PROJECT_FILENAME = "pac-project.json"
CLIPS_DIRNAME = "clips"
MODEL_DIRNAME = "model"
PROJECT_FORMAT = 1
MAX_NAME_CHARS = 40
"""Longest label or project name: it is a folder name and a block's text on a phone."""
SOURCES = ("rec", "upload", "phone")
"""Where a clip came from, the first part of its file name."""
_FORBIDDEN_CHARS = set('<>:"/\\|?*')
_WINDOWS_DEVICES = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


class ProjectError(ValueError):
    """A request the project cannot carry out; the message says why, in plain words."""


class NotFoundError(ProjectError):
    """The label, clip or project does not exist."""


def check_name(name: object, *, what: str = "label") -> str:
    """The name as it will be stored (NFC, trimmed), or ProjectError saying what is wrong.

    Refused: not text; empty; longer than MAX_NAME_CHARS; a character that is not allowed
    in file names on some system (``< > : " / \\ | ? *``) or a control character
    (NUL included); starting with a dot; ending with a dot; a Windows device name
    (CON, PRN, AUX, NUL, COM1-9, LPT1-9, also with an extension).
    """
    if not isinstance(name, str):
        raise ProjectError(f"the {what} name must be text")
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise ProjectError(f"the {what} name is empty")
    if len(text) > MAX_NAME_CHARS:
        raise ProjectError(
            f"the {what} name is {len(text)} characters long; the most is {MAX_NAME_CHARS}"
        )
    bad = sorted({c for c in text if c in _FORBIDDEN_CHARS})
    if bad:
        raise ProjectError(f"a {what} name cannot contain {' '.join(bad)}")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise ProjectError(f"a {what} name cannot contain control characters")
    if text.startswith("."):
        raise ProjectError(f"a {what} name cannot start with a dot")
    if text.endswith("."):
        raise ProjectError(f"a {what} name cannot end with a dot")
    if _WINDOWS_DEVICES.match(text):
        raise ProjectError(f"{text!r} is a reserved name on Windows; pick another {what} name")
    return text


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_clip_id(clip_id: str) -> str:
    """A clip's file name as the API names it: one of ours, no path, a supported suffix."""
    name = Path(clip_id).name
    stem, suffix = os.path.splitext(name)
    if (
        name != clip_id
        or suffix.lower() not in SUPPORTED_EXTENSIONS
        or not re.fullmatch(r"[A-Za-z0-9_-]{1,80}", stem)
    ):
        raise NotFoundError(f"no clip named {clip_id!r}")
    return name


def new_clip_id(source: str, suffix: str) -> str:
    if source not in SOURCES:
        raise ProjectError(f"a clip's source must be one of {', '.join(SOURCES)}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{source}-{stamp}-{secrets.token_hex(3)}{suffix.lower()}"


def source_of(clip_id: str) -> str:
    prefix = clip_id.split("-", 1)[0]
    return prefix if prefix in SOURCES else "file"


@dataclass(frozen=True)
class ClipFile:
    label: str
    id: str
    path: Path

    @property
    def source(self) -> str:
        return source_of(self.id)


class Project:
    """One project folder. Methods raise ProjectError (or NotFoundError) with a plain message."""

    def __init__(self, path: Path) -> None:
        self.path = path

    # --- the folder --------------------------------------------------------------------

    @property
    def name(self) -> str:
        return unicodedata.normalize("NFC", self.path.name)

    @property
    def clips_dir(self) -> Path:
        return self.path / CLIPS_DIRNAME

    @property
    def model_dir(self) -> Path:
        return self.path / MODEL_DIRNAME

    @property
    def project_file(self) -> Path:
        return self.path / PROJECT_FILENAME

    @classmethod
    def create(cls, path: Path) -> Project:
        """A new, empty project at ``path`` (which must not hold a project yet)."""
        project = cls(path)
        if project.project_file.exists():
            raise ProjectError(f"there is already a project called {path.name!r}")
        project.clips_dir.mkdir(parents=True, exist_ok=True)
        project.write_state({"format": PROJECT_FORMAT, "settings": {}, "last_training": None})
        return project

    @classmethod
    def open(cls, path: Path) -> Project:
        """An existing project, or a folder of label folders (made a project by adding the file).

        Removes temporary files a crash may have left.
        """
        project = cls(path)
        if not project.project_file.exists():
            return cls.create(path)
        project.state()  # a broken project file is an error now, not later
        project.clips_dir.mkdir(exist_ok=True)
        for label_dir in project._label_dirs():
            for temp in label_dir.glob(f"{TEMP_PREFIX}*"):
                temp.unlink(missing_ok=True)
        for temp in project.path.glob(f"{TEMP_PREFIX}*"):
            temp.unlink(missing_ok=True)
        project._recover_model()
        return project

    def _recover_model(self) -> None:
        """Undo what a kill in the middle of writing the model folder left
        (``model_folder.atomic``): a staging folder, or the last model set aside."""
        for staging in self.path.glob(f".{MODEL_DIRNAME}.*.partial"):
            shutil.rmtree(staging, ignore_errors=True)
        for old in sorted(self.path.glob(f".{MODEL_DIRNAME}.old-*")):
            if self.model_dir.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.rename(self.model_dir)

    # --- the project file ---------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.project_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProjectError(f"{self.project_file}: cannot be read ({exc})") from exc
        if not isinstance(state, dict) or state.get("format") != PROJECT_FORMAT:
            raise ProjectError(f"{self.project_file}: not a project file of format 1")
        return state

    def write_state(self, state: dict[str, Any]) -> None:
        text = json.dumps(state, indent=2, ensure_ascii=False) + "\n"
        atomic_write(self.project_file, text.encode("utf-8"))

    def update_state(self, **changes: Any) -> dict[str, Any]:
        state = self.state()
        state.update(changes)
        self.write_state(state)
        return state

    # --- labels ------------------------------------------------------------------------

    def _label_dirs(self) -> list[Path]:
        if not self.clips_dir.is_dir():
            return []
        return sorted(
            entry
            for entry in self.clips_dir.iterdir()
            if entry.is_dir()
            and not entry.name.startswith(".")
            and entry.name.lower() not in IGNORED_FILE_NAMES
        )

    def labels(self) -> list[str]:
        return [unicodedata.normalize("NFC", d.name) for d in self._label_dirs()]

    def label_dir(self, label: str) -> Path:
        """The folder of an existing label, found by its exact (NFC) name."""
        wanted = unicodedata.normalize("NFC", label) if isinstance(label, str) else None
        for folder in self._label_dirs():
            if unicodedata.normalize("NFC", folder.name) == wanted:
                return folder
        raise NotFoundError(f"there is no label called {label!r}")

    def _check_new_label(self, name: object, *, except_label: str | None = None) -> str:
        label = check_name(name)
        for existing in self.labels():
            if existing != except_label and _fold(existing) == _fold(label):
                raise ProjectError(f"there is already a label called {existing!r}")
        return label

    def add_label(self, name: object) -> str:
        label = self._check_new_label(name)
        (self.clips_dir / label).mkdir(parents=True)
        return label

    def rename_label(self, label: str, new_name: object) -> str:
        folder = self.label_dir(label)
        new_label = self._check_new_label(new_name, except_label=label)
        if new_label != label:
            folder.rename(self.clips_dir / new_label)
        return new_label

    def delete_label(self, label: str) -> None:
        folder = self.label_dir(label)
        # Gone at once (a hidden name that training skips), then removed.
        hidden = self.clips_dir / f"{TEMP_PREFIX}{secrets.token_hex(6)}"
        folder.rename(hidden)
        shutil.rmtree(hidden, ignore_errors=True)

    # --- clips -------------------------------------------------------------------------

    def clips(self, label: str) -> list[ClipFile]:
        folder = self.label_dir(label)
        return [
            ClipFile(label=label, id=entry.name, path=entry)
            for entry in sorted(folder.iterdir())
            if entry.is_file()
            and not entry.name.startswith(".")
            and entry.suffix.lower() in SUPPORTED_EXTENSIONS
        ]

    def clip(self, label: str, clip_id: str) -> ClipFile:
        path = self.label_dir(label) / check_clip_id(clip_id)
        if not path.is_file():
            raise NotFoundError(f"there is no clip {clip_id!r} in {label!r}")
        return ClipFile(label=label, id=path.name, path=path)

    def add_clip(self, label: str, data: bytes, *, source: str, suffix: str) -> ClipFile:
        """Store a clip's bytes (already checked to decode) under a new name."""
        if suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise ProjectError(f"{suffix!r} is not an audio file type pac reads")
        folder = self.label_dir(label)
        clip_id = new_clip_id(source, suffix)
        atomic_write(folder / clip_id, data)
        return ClipFile(label=label, id=clip_id, path=folder / clip_id)

    def delete_clip(self, label: str, clip_id: str) -> None:
        self.clip(label, clip_id).path.unlink(missing_ok=True)


def list_projects(root: Path) -> list[str]:
    """The projects in a projects folder: its sub-folders that hold a project file."""
    if not root.is_dir():
        return []
    return sorted(
        unicodedata.normalize("NFC", entry.name)
        for entry in root.iterdir()
        if entry.is_dir() and (entry / PROJECT_FILENAME).is_file()
    )
