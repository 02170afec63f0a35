"""model_export.model_folder.metadata: the metadata.json contract and its exact error messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from model_export.model_folder.metadata import (
    FORMAT_VERSION,
    METADATA_FILENAME,
    MetadataError,
    new_metadata,
    read_metadata,
    validate_metadata,
    write_metadata,
)

SRC = "m/metadata.json"


def valid(**overrides: Any) -> dict[str, Any]:
    data = new_metadata(
        labels=["clap", "snap", "whistle"],
        sample_rate_hz=16_000,
        window_samples=24_000,
        max_clip_samples=160_000,
        preprocessing={"mono": "mean of channels"},
        backbone={"name": "speech-embedding"},
        training={"hyperparameters": {"epochs": 3}},
        created_at="2024-06-11T10:00:00+00:00",
        tool_version="0.1.0",
        input_name="pcm",
        length_name="pcm_length",
        output_name="probabilities",
    )
    data.update(overrides)
    return data


def error_of(data: Any) -> str:
    with pytest.raises(MetadataError) as excinfo:
        validate_metadata(data, source=SRC)
    return str(excinfo.value)


def test_new_metadata_is_valid_and_complete() -> None:
    data = valid()

    assert validate_metadata(data, source=SRC) is data
    assert data["format"] == "pac-model"
    assert data["format_version"] == FORMAT_VERSION == 2
    assert data["window_seconds"] == 1.5
    assert data["max_clip_samples"] == 160_000
    assert data["input"] == {
        "name": "pcm",
        "length_name": "pcm_length",
        "shape": [None, 160_000],
        "dtype": "float32",
        "range": [-1.0, 1.0],
    }
    assert data["output"] == {"name": "probabilities", "shape": [None, 3], "dtype": "float32"}
    assert data["tool"] == {"name": "pac", "version": "0.1.0"}
    json.dumps(data, allow_nan=False)  # plain JSON


@pytest.mark.parametrize("version", [3, "2", None])
def test_unknown_format_version_is_refused_by_name(version: Any) -> None:
    assert error_of(valid(format_version=version)) == (
        f"{SRC}: field 'format_version' is {version!r}; this version of pac reads format_version 2"
    )


@pytest.mark.parametrize("version", [0, 1])
def test_an_older_format_version_asks_for_a_retrain(version: int) -> None:
    assert error_of(valid(format_version=version)) == (
        f"{SRC}: field 'format_version' is {version}; this version of pac reads format_version 2"
        " (the model is from an older pac: run 'pac train' again)"
    )


def test_missing_format_version_is_refused_by_name() -> None:
    data = valid()
    del data["format_version"]

    assert "field 'format_version' is None" in error_of(data)


def test_wrong_format_is_refused() -> None:
    assert (
        error_of(valid(format="tfjs")) == f"{SRC}: field 'format' must be 'pac-model', got 'tfjs'"
    )


@pytest.mark.parametrize(
    "field",
    [
        "labels",
        "sample_rate_hz",
        "window_seconds",
        "window_samples",
        "max_clip_samples",
        "input",
        "output",
        "preprocessing",
        "backbone",
        "training",
        "created_at",
        "tool",
    ],
)
def test_each_missing_field_is_named(field: str) -> None:
    data = valid()
    del data[field]

    assert error_of(data) == f"{SRC}: missing field {field!r}"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("labels", "clap,snap"),
        ("sample_rate_hz", 16_000.5),
        ("sample_rate_hz", True),
        ("window_seconds", "1.5"),
        ("window_samples", "24000"),
        ("max_clip_samples", 1.5),
        ("input", []),
        ("created_at", 20240611),
        ("tool", "pac"),
    ],
)
def test_each_mistyped_field_is_named(field: str, value: Any) -> None:
    assert error_of(valid(**{field: value})) == f"{SRC}: field {field!r} has the wrong type"


@pytest.mark.parametrize("labels", [[], ["only"], ["a", ""], ["a", 3]])
def test_labels_must_be_at_least_two_non_empty_strings(labels: list[Any]) -> None:
    assert error_of(valid(labels=labels)) == (
        f"{SRC}: field 'labels' must list at least 2 non-empty strings"
    )


def test_duplicate_labels_are_refused() -> None:
    assert error_of(valid(labels=["a", "b", "a"])) == f"{SRC}: field 'labels' has duplicates"


def test_window_samples_must_match_seconds_times_rate() -> None:
    assert error_of(valid(window_samples=16_000)) == (
        f"{SRC}: field 'window_samples' (16000) does not match window_seconds x sample_rate_hz"
    )


def test_max_clip_samples_must_hold_the_window() -> None:
    assert error_of(valid(max_clip_samples=20_000)) == (
        f"{SRC}: field 'max_clip_samples' (20000) is shorter than the window (24000)"
    )


def test_the_input_must_name_its_length_tensor() -> None:
    data = valid()
    del data["input"]["length_name"]

    assert "input" in error_of(data) and "length_name" in error_of(data)


def test_not_an_object() -> None:
    assert error_of(["labels"]) == f"{SRC}: expected a JSON object, got list"


# --- on disk -------------------------------------------------------------------------------


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    data = valid(labels=["café", "voix de Marie"])

    write_metadata(tmp_path, data)

    assert read_metadata(tmp_path) == data
    assert "café" in (tmp_path / METADATA_FILENAME).read_text(encoding="utf-8")


def test_write_refuses_invalid_metadata_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="format_version"):
        write_metadata(tmp_path, valid(format_version=3))

    assert list(tmp_path.iterdir()) == []


def test_read_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    with pytest.raises(MetadataError) as excinfo:
        read_metadata(missing)

    assert str(excinfo.value) == f"{missing}: no such model directory"


def test_read_folder_without_metadata(tmp_path: Path) -> None:
    with pytest.raises(MetadataError) as excinfo:
        read_metadata(tmp_path)

    assert str(excinfo.value) == (
        f"{tmp_path / METADATA_FILENAME}: missing; is {tmp_path} a model made by 'pac train'?"
    )


def test_read_invalid_json(tmp_path: Path) -> None:
    (tmp_path / METADATA_FILENAME).write_text("{labels: oops", encoding="utf-8")

    with pytest.raises(MetadataError, match=r"metadata\.json: not valid JSON"):
        read_metadata(tmp_path)
