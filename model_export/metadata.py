"""``metadata.json``: the contract between a trained model and everything that runs it.

One source of truth for the fields and their checks; ``docs/metadata.md``
documents them. Every consumer (Python here, the TF.js runtime, the App
Inventor extension) must refuse a ``format_version`` it does not know.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = "pac-model"
FORMAT_VERSION = 1
METADATA_FILENAME = "metadata.json"


class MetadataError(ValueError):
    """metadata.json is missing, unreadable, or does not follow the contract."""


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "format_version": int,
    "labels": list,
    "sample_rate_hz": int,
    "window_seconds": (int, float),
    "window_samples": int,
    "input": dict,
    "output": dict,
    "preprocessing": dict,
    "backbone": dict,
    "training": dict,
    "created_at": str,
    "tool": dict,
}


def validate_metadata(data: Any, *, source: str) -> dict[str, Any]:
    """Check a decoded metadata object; raise MetadataError naming ``source`` and the field."""
    if not isinstance(data, dict):
        raise MetadataError(f"{source}: expected a JSON object, got {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise MetadataError(
            f"{source}: field 'format' must be {FORMAT!r}, got {data.get('format')!r}"
        )
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise MetadataError(
            f"{source}: field 'format_version' is {version!r}; this version of pac reads "
            f"format_version {FORMAT_VERSION}"
        )
    for name, kind in _REQUIRED.items():
        if name not in data:
            raise MetadataError(f"{source}: missing field {name!r}")
        if not isinstance(data[name], kind) or isinstance(data[name], bool):
            raise MetadataError(f"{source}: field {name!r} has the wrong type")
    labels = data["labels"]
    if len(labels) < 2 or not all(isinstance(x, str) and x for x in labels):
        raise MetadataError(f"{source}: field 'labels' must list at least 2 non-empty strings")
    if len(set(labels)) != len(labels):
        raise MetadataError(f"{source}: field 'labels' has duplicates")
    if data["window_samples"] != round(data["window_seconds"] * data["sample_rate_hz"]):
        raise MetadataError(
            f"{source}: field 'window_samples' ({data['window_samples']}) does not match "
            f"window_seconds x sample_rate_hz"
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
    preprocessing: dict[str, Any],
    backbone: dict[str, Any],
    training: dict[str, Any],
    created_at: str,
    tool_version: str,
    input_name: str,
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
        "input": {
            "name": input_name,
            "shape": [None, window_samples],
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
