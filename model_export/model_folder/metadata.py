"""``metadata.json``: the contract between a trained model and everything that runs it.

One source of truth for the fields and their checks; ``docs/metadata.md``
documents them. Every consumer (Python here, the TF.js runtime, the App
Inventor extension) must refuse a ``format_version`` it does not know.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

FORMAT = "pac-model"
FORMAT_VERSION = 2
"""2: the graph takes a whole clip and its length and trims and centres it itself."""
METADATA_FILENAME = "metadata.json"


class MetadataError(ValueError):
    """metadata.json is missing, unreadable, or does not follow the contract."""


SCHEMA_PATH = Path(__file__).with_name("metadata.schema.json")
"""The metadata rules, declared once for Python and the JS runtime alike."""


@functools.cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _message(error: Any) -> tuple[int, str]:
    """(priority, text) of one schema violation: the most basic problem is reported first."""
    field = error.absolute_path[0] if error.absolute_path else None
    if error.validator == "type" and field is None:
        return 0, f"expected a JSON object, got {type(error.instance).__name__}"
    if field == "format":
        return 1, f"field 'format' must be {FORMAT!r}, got {error.instance!r}"
    if field == "format_version":
        older = type(error.instance) is int and error.instance < FORMAT_VERSION
        return 2, (
            f"field 'format_version' is {error.instance!r}; this version of pac reads "
            f"format_version {FORMAT_VERSION}"
            + (" (the model is from an older pac: run 'pac train' again)" if older else "")
        )
    if error.validator == "required" and field is None:
        missing = next(name for name in error.validator_value if name not in error.instance)
        if missing == "format_version":
            return 2, "field 'format_version' is None; this version of pac reads " + (
                f"format_version {FORMAT_VERSION}"
            )
        return 3, f"missing field {missing!r}"
    if error.validator == "type" and len(error.absolute_path) == 1:
        return 4, f"field {field!r} has the wrong type"
    if field == "labels":
        if error.validator == "uniqueItems":
            return 5, "field 'labels' has duplicates"
        return 5, "field 'labels' must list at least 2 non-empty strings"
    where = "/".join(str(part) for part in error.absolute_path)
    return 6, f"field {where!r} is invalid: {error.message}"


def validate_metadata(data: Any, *, source: str) -> dict[str, Any]:
    """Check a decoded metadata object; raise MetadataError naming ``source`` and the field.

    The rules are ``metadata.schema.json``, plus one it cannot state:
    ``window_samples == round(window_seconds * sample_rate_hz)`` and
    ``max_clip_samples >= window_samples``.
    """
    errors = [_message(error) for error in _validator().iter_errors(data)]
    if errors:
        raise MetadataError(f"{source}: {min(errors)[1]}")
    if data["window_samples"] != round(data["window_seconds"] * data["sample_rate_hz"]):
        raise MetadataError(
            f"{source}: field 'window_samples' ({data['window_samples']}) does not match "
            f"window_seconds x sample_rate_hz"
        )
    if data["max_clip_samples"] < data["window_samples"]:
        raise MetadataError(
            f"{source}: field 'max_clip_samples' ({data['max_clip_samples']}) is shorter than "
            f"the window ({data['window_samples']})"
        )
    return data


def read_metadata(model_dir: Path) -> dict[str, Any]:
    """Load and validate ``model_dir/metadata.json``."""
    path = model_dir / METADATA_FILENAME
    if not model_dir.is_dir():
        raise MetadataError(f"{model_dir}: no such model directory")
    if not path.is_file():
        raise MetadataError(f"{path}: missing; is {model_dir} a model made by 'pac train'?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{path}: not valid JSON ({exc})") from exc
    return validate_metadata(data, source=str(path))


def write_metadata(model_dir: Path, data: dict[str, Any]) -> None:
    validate_metadata(data, source=str(model_dir / METADATA_FILENAME))
    (model_dir / METADATA_FILENAME).write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def new_metadata(
    *,
    labels: list[str],
    sample_rate_hz: int,
    window_samples: int,
    max_clip_samples: int,
    preprocessing: dict[str, Any],
    backbone: dict[str, Any],
    training: dict[str, Any],
    created_at: str,
    tool_version: str,
    input_name: str,
    length_name: str,
    output_name: str,
) -> dict[str, Any]:
    """A complete metadata object for a freshly trained model (fields in docs/metadata.md)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labels": labels,
        "sample_rate_hz": sample_rate_hz,
        "window_seconds": window_samples / sample_rate_hz,
        "window_samples": window_samples,
        "max_clip_samples": max_clip_samples,
        "input": {
            "name": input_name,
            "length_name": length_name,
            "shape": [None, max_clip_samples],
            "dtype": "float32",
            "range": [-1.0, 1.0],
        },
        "output": {"name": output_name, "shape": [None, len(labels)], "dtype": "float32"},
        "preprocessing": preprocessing,
        "backbone": backbone,
        "training": training,
        "created_at": created_at,
        "tool": {"name": "pac", "version": tool_version},
    }
