"""model_export.audio.dataset: scanning the label folders and loading the clips."""

from __future__ import annotations

import pickle
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from model_export.audio.dataset import Clip, DatasetError, load_dataset, scan_dataset
from model_export.audio.decode import write_wav
from tests.audio_fixtures import tone

SUPPORTED = (
    ".3gp, .3gpp, .aac, .amr, .flac, .m4a, .mp3, .mp4, .oga, .ogg, .opus, .wav, .wave, .webm"
)
DATA = Path("data")


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Relative paths keep the expected messages literal: "data/cat: ...".
    monkeypatch.chdir(tmp_path)


def _touch(*relative: str) -> None:
    for name in relative:
        path = DATA / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"scan_dataset never opens files")


def _problems(excinfo: pytest.ExceptionInfo[DatasetError]) -> list[str]:
    assert str(excinfo.value) == "\n".join(excinfo.value.problems)
    return list(excinfo.value.problems)


# --- scan_dataset ---------------------------------------------------------------------------


def test_scan_lists_clips_sorted_by_path_with_folder_labels() -> None:
    _touch("one/b.wav", "one/a.MP3", "clap/x.3gp", "voix de Marie/m.m4a", "voix de Marie/n.opus")

    clips = scan_dataset(DATA)

    assert clips == [
        Clip(DATA / "clap/x.3gp", "clap"),
        Clip(DATA / "one/a.MP3", "one"),
        Clip(DATA / "one/b.wav", "one"),
        Clip(DATA / "voix de Marie/m.m4a", "voix de Marie"),
        Clip(DATA / "voix de Marie/n.opus", "voix de Marie"),
    ]


def test_scan_ignores_hidden_entries_os_clutter_and_top_level_files() -> None:
    _touch(
        "dog/bark.wav",
        "cat/meow.wav",
        "dog/.DS_Store",
        "dog/._bark.wav",
        "dog/Thumbs.db",
        "cat/desktop.ini",
        "cat/DESKTOP.INI",
        ".git/config",
        ".hidden_label/x.wav",
        "README.txt",
        "loose.wav",
    )

    clips = scan_dataset(DATA)

    assert clips == [Clip(DATA / "cat/meow.wav", "cat"), Clip(DATA / "dog/bark.wav", "dog")]


def test_scan_normalises_label_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "café")
    _touch(f"{nfd}/a.wav", "thé/b.wav")

    clips = scan_dataset(DATA)

    assert sorted(c.label for c in clips) == ["café", "thé"]
    assert {c.label for c in clips} == {unicodedata.normalize("NFC", c.label) for c in clips}


def test_scan_missing_directory() -> None:
    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == ["data: no such directory"]


def test_scan_path_is_a_file() -> None:
    DATA.write_text("not a folder")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == ["data: not a directory"]


def test_scan_empty_label_folder() -> None:
    _touch("dog/a.wav", "bird/b.wav", "cat/.DS_Store")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == ["data/cat: label folder has no audio files"]


def test_scan_single_label() -> None:
    _touch("dog/a.wav", "dog/b.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == [
        "data: found 1 label folder (dog); at least 2 are needed to train a classifier"
    ]


def test_scan_single_label_allowed_with_min_labels_1() -> None:
    _touch("dog/a.wav")

    assert scan_dataset(DATA, min_labels=1) == [Clip(DATA / "dog/a.wav", "dog")]


def test_scan_no_label_folders() -> None:
    _touch("a.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == [
        "data: found 0 label folders; at least 2 are needed to train a classifier"
    ]


def test_scan_non_audio_file_in_label_folder() -> None:
    _touch("dog/a.wav", "dog/notes.txt", "cat/b.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == [f"data/dog/notes.txt: not an audio file (supported: {SUPPORTED})"]


def test_scan_file_without_extension_is_not_audio() -> None:
    _touch("dog/a.wav", "dog/recording", "cat/b.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == [f"data/dog/recording: not an audio file (supported: {SUPPORTED})"]


def test_scan_nested_folder_is_reported() -> None:
    _touch("dog/a.wav", "dog/old/b.wav", "cat/c.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == [
        "data/dog/old: folders inside a label folder are not read; "
        "move its audio files up into data/dog"
    ]


def test_scan_broken_link_is_reported() -> None:
    _touch("dog/a.wav", "cat/c.wav")
    (DATA / "dog/gone.wav").symlink_to("does-not-exist.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == ["data/dog/gone.wav: not a regular file (a broken link?)"]


def test_scan_blank_and_case_duplicate_labels() -> None:
    _touch("Dog/a.wav", "dog/b.wav", "  /c.wav")

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA)

    assert _problems(info) == [
        "data/  : label folder name is blank",
        "data/dog: label differs from 'Dog' only in case or spacing; merge the two folders",
    ]


def test_scan_reports_every_problem_at_once() -> None:
    _touch("dog/a.wav", "dog/notes.txt", "dog/photo.jpg")
    (DATA / "cat").mkdir()

    with pytest.raises(DatasetError) as info:
        scan_dataset(DATA, min_labels=3)

    assert _problems(info) == [
        "data: found 2 label folders (cat, dog); at least 3 are needed to train a classifier",
        "data/cat: label folder has no audio files",
        f"data/dog/notes.txt: not an audio file (supported: {SUPPORTED})",
        f"data/dog/photo.jpg: not an audio file (supported: {SUPPORTED})",
    ]


def test_dataset_error_is_a_value_error_and_pickles() -> None:
    error = DatasetError(["data/a: one", "data/b: two"])

    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(copy, DatasetError)
    assert (str(copy), copy.problems) == (
        "data/a: one\ndata/b: two",
        ("data/a: one", "data/b: two"),
    )


# --- load_dataset ---------------------------------------------------------------------------


def _wav(name: str, y: npt.NDArray[np.floating[Any]], *, sample_rate_hz: int = 16_000) -> Clip:
    path = DATA / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, y, sample_rate_hz=sample_rate_hz)
    return Clip(path, path.parent.name)


def test_load_returns_resampled_clips_in_order_without_warnings() -> None:
    clips = [
        _wav("dog/a.wav", tone(sample_rate_hz=8_000), sample_rate_hz=8_000),
        _wav("cat/b.wav", tone(sample_rate_hz=16_000, duration_s=1.0)),
    ]
    warnings: list[str] = []

    ys = load_dataset(clips, sample_rate_hz=16_000, warn=warnings.append)

    assert [y.shape for y in ys] == [(8_000,), (16_000,)]
    assert all(y.dtype == np.float32 for y in ys)
    assert warnings == []


def test_load_warns_about_silent_clip() -> None:
    silent = _wav("dog/silent.wav", np.zeros(16_000))
    quiet = _wav("dog/quiet.wav", np.full(16_000, 2e-4))  # -74 dBFS: quiet, not silent
    warnings: list[str] = []

    ys = load_dataset([silent, quiet], sample_rate_hz=16_000, warn=warnings.append)

    assert len(ys) == 2
    assert warnings == [
        "data/dog/silent.wav: is silent (peak below -80 dBFS); check the microphone"
    ]


def test_load_warns_about_short_clip() -> None:
    short = _wav("dog/short.wav", tone(sample_rate_hz=16_000, duration_s=0.12))
    long_enough = _wav("dog/ok.wav", tone(sample_rate_hz=16_000, duration_s=0.2))
    warnings: list[str] = []

    load_dataset([short, long_enough], sample_rate_hz=16_000, warn=warnings.append)

    assert warnings == ["data/dog/short.wav: is only 0.12 s long; clips of 1–2 s work best"]  # noqa: RUF001


def test_load_min_seconds_is_configurable() -> None:
    clip = _wav("dog/a.wav", tone(sample_rate_hz=16_000, duration_s=0.5))
    warnings: list[str] = []

    load_dataset([clip], sample_rate_hz=16_000, min_seconds=1.0, warn=warnings.append)

    assert warnings == ["data/dog/a.wav: is only 0.50 s long; clips of 1–2 s work best"]  # noqa: RUF001


def test_load_reports_every_undecodable_clip_at_once() -> None:
    good = _wav("dog/good.wav", tone(sample_rate_hz=16_000))
    bad_a = Clip(DATA / "dog/bad.wav", "dog")
    bad_a.path.write_bytes(np.random.default_rng(7).bytes(2048))
    bad_b = Clip(DATA / "cat/empty.mp3", "cat")
    bad_b.path.parent.mkdir()
    bad_b.path.write_bytes(b"")
    silent = _wav("cat/silent.wav", np.zeros(8_000))
    warnings: list[str] = []

    with pytest.raises(DatasetError) as info:
        load_dataset([bad_a, good, bad_b, silent], sample_rate_hz=16_000, warn=warnings.append)

    reason = "not a decodable audio file (Invalid data found when processing input)"
    assert _problems(info) == [
        f"data/dog/bad.wav: {reason}",
        "data/cat/empty.mp3: is empty (0 bytes)",
    ]
    # Clips after a failure are still checked, so their warnings are not lost.
    assert warnings == [
        "data/cat/silent.wav: is silent (peak below -80 dBFS); check the microphone"
    ]
