"""Finding and loading the user's training clips.

A dataset is a folder with one sub-folder per label, each holding audio files::

    data/
      clap/   clap1.wav  clap2.m4a ...
      snap/   snap1.3gp  ...

:func:`scan_dataset` only lists files; :func:`load_dataset` decodes them through
:mod:`model_export.audio.decode`. Both report every problem at once, one per line,
so a user can fix the whole folder in one go.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from model_export.audio.decode import SUPPORTED_EXTENSIONS, AudioDecodeError, load_audio

__all__ = [
    "IGNORED_FILE_NAMES",
    "MIN_SECONDS",
    "SILENCE_PEAK",
    "Clip",
    "DatasetError",
    "load_dataset",
    "scan_dataset",
    "warn_about",
]

IGNORED_FILE_NAMES: frozenset[str] = frozenset({"thumbs.db", "desktop.ini"})
"""Operating-system clutter (compared lowercase); hidden ``.*`` entries are ignored too."""

SILENCE_PEAK = 1e-4
"""A clip whose absolute peak is below this (-80 dBFS) counts as silent."""
MIN_SECONDS = 0.2
"""A clip shorter than this gets a warning (it is still used)."""

_SUPPORTED_LIST = ", ".join(sorted(SUPPORTED_EXTENSIONS))


Warn = Callable[[str], None]
"""Takes one warning about the data (a message that names the file)."""


class DatasetError(ValueError):
    """The dataset cannot be used as it is.

    ``str(error)`` is one problem per line, each naming the folder or file;
    the same lines are in ``error.problems``.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        if not problems:
            raise ValueError("DatasetError needs at least one problem")
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))

    def __reduce__(self) -> tuple[type[DatasetError], tuple[tuple[str, ...]]]:
        return (type(self), (self.problems,))


@dataclass(frozen=True)
class Clip:
    """One training clip: an audio file and the label of the folder it is in."""

    path: Path
    label: str


def _is_ignored(entry: Path) -> bool:
    return entry.name.startswith(".") or entry.name.lower() in IGNORED_FILE_NAMES


def _list_dir(folder: Path, problems: list[str]) -> list[Path] | None:
    """Visible entries of ``folder``, sorted; ``None`` (and a problem) if it cannot be read."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        problems.append(f"{folder}: cannot list folder ({exc.strerror or exc})")
        return None
    return sorted(entry for entry in entries if not _is_ignored(entry))


def _label_of(folder: Path) -> str:
    # macOS hands out decomposed (NFD) names; blocks compare against typed (NFC) text.
    return unicodedata.normalize("NFC", folder.name)


def _noun(count: int, singular: str) -> str:
    return f"{count} {singular}" if count == 1 else f"{count} {singular}s"


def scan_dataset(data_dir: Path, *, min_labels: int = 2) -> list[Clip]:
    """List the clips of a dataset folder, checking its layout.

    Each visible sub-folder of ``data_dir`` is a label, named as the folder
    is (NFC-normalised, otherwise unchanged: ``"voix de Marie"``). Files
    directly in ``data_dir``, hidden entries (``.*``), ``Thumbs.db`` and
    ``desktop.ini`` are ignored. Nothing is decoded.

    Parameters
    ----------
    data_dir : Path
        The dataset folder.
    min_labels : int >= 1
        How many label folders are needed.

    Returns
    -------
    clips : list[Clip]
        Sorted by path; every label has at least one clip.

    Raises
    ------
    DatasetError
        Listing every problem, one per line: ``data_dir`` missing or not a
        folder; fewer than ``min_labels`` label folders; a blank label name or
        two that differ only in case or spacing; a label folder with no audio
        files; a non-audio file or a nested folder inside a label folder.
    """
    if not data_dir.exists():
        raise DatasetError([f"{data_dir}: no such directory"])
    if not data_dir.is_dir():
        raise DatasetError([f"{data_dir}: not a directory"])

    problems: list[str] = []
    top_entries = _list_dir(data_dir, problems)
    if top_entries is None:
        raise DatasetError(problems)
    label_dirs = [entry for entry in top_entries if entry.is_dir()]

    if len(label_dirs) < min_labels:
        found = _noun(len(label_dirs), "label folder")
        names = ", ".join(_label_of(d) for d in label_dirs)
        problems.append(
            f"{data_dir}: found {found}{f' ({names})' if names else ''}; at least "
            f"{min_labels} are needed to train a classifier"
        )

    seen: dict[str, Path] = {}
    clips: list[Clip] = []
    for label_dir in label_dirs:
        label = _label_of(label_dir)
        if not label.strip():
            problems.append(f"{label_dir}: label folder name is blank")
            continue
        key = " ".join(label.split()).casefold()
        if key in seen:
            problems.append(
                f"{label_dir}: label differs from {seen[key].name!r} only in case or "
                "spacing; merge the two folders"
            )
        seen.setdefault(key, label_dir)

        entries = _list_dir(label_dir, problems)
        if entries is None:
            continue
        n_audio = 0
        for entry in entries:
            if entry.is_dir():
                problems.append(
                    f"{entry}: folders inside a label folder are not read; "
                    f"move its audio files up into {label_dir}"
                )
            elif entry.suffix.lower() not in SUPPORTED_EXTENSIONS:
                problems.append(f"{entry}: not an audio file (supported: {_SUPPORTED_LIST})")
            elif not entry.is_file():
                problems.append(f"{entry}: not a regular file (a broken link?)")
            else:
                clips.append(Clip(path=entry, label=label))
                n_audio += 1
        if n_audio == 0:
            problems.append(f"{label_dir}: label folder has no audio files")

    if problems:
        raise DatasetError(problems)
    return sorted(clips, key=lambda clip: clip.path)


def warn_about(
    path: Path,
    y: npt.NDArray[np.float32],
    *,
    sample_rate_hz: int,
    min_seconds: float = MIN_SECONDS,
    warn: Warn,
) -> None:
    """Warn about a decoded clip that is unlikely to train well: silent or very short."""
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak < SILENCE_PEAK:
        warn(f"{path}: is silent (peak below -80 dBFS); check the microphone")
    duration_s = y.size / sample_rate_hz
    if duration_s < min_seconds:
        warn(f"{path}: is only {duration_s:.2f} s long; clips of 1\N{EN DASH}2 s work best")


def load_dataset(
    clips: Sequence[Clip],
    *,
    sample_rate_hz: int,
    min_seconds: float = MIN_SECONDS,
    warn: Warn,
) -> list[npt.NDArray[np.float32]]:
    """Decode every clip, warning about clips that are unlikely to train well.

    Parameters
    ----------
    clips : Sequence[Clip]
        Usually from :func:`scan_dataset`.
    sample_rate_hz : int > 0
        Rate to resample to (the model's ``MODEL_SAMPLE_RATE_HZ``).
    min_seconds : float >= 0
        Clips shorter than this get a warning (they are still returned).
    warn : Callable[[str], None]
        Called once per finding with a message naming the file: a silent clip
        (peak below ``SILENCE_PEAK``, -80 dBFS) or a clip shorter than
        ``min_seconds``.

    Returns
    -------
    ys : list[np.ndarray [shape=(n_samples,), dtype=float32]]
        One mono signal per clip, in the order of ``clips``.

    Raises
    ------
    DatasetError
        One line per clip that could not be decoded (each an
        :class:`~model_export.audio.decode.AudioDecodeError` message naming the
        file). All clips are tried before it is raised.
    """
    ys: list[npt.NDArray[np.float32]] = []
    problems: list[str] = []
    for clip in clips:
        try:
            y = load_audio(clip.path, sample_rate_hz=sample_rate_hz)
        except AudioDecodeError as exc:
            problems.append(str(exc))
            continue
        warn_about(clip.path, y, sample_rate_hz=sample_rate_hz, min_seconds=min_seconds, warn=warn)
        ys.append(y)
    if problems:
        raise DatasetError(problems)
    return ys
