"""Helpers shared by the model tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
"""Any numpy array (annotations only)."""


def skip_or_fail_on_ci(what: str, problems: list[str]) -> None:
    """Skip when ``problems`` (missing tools) stop a test here; fail instead on CI (CI=true)."""
    if not problems:
        return
    import pytest

    message = f"{what}: " + "; ".join(problems)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: these tests must run)")
    pytest.skip(message)


@dataclass(frozen=True)
class Dataset:
    """``train/`` and ``test/`` folders of synthetic clips, and the decoded clips."""

    root: Path
    train_dir: Path
    test_dir: Path
    train_clips: list[Array]
    train_labels: list[str]
    test_clips: list[Array]
    test_labels: list[str]
    test_paths: list[Path]


def shared_train_config() -> Any:
    """The settings of the session's model: the defaults, with fewer augmented copies."""
    from model_export.training.config import TrainConfig

    return TrainConfig(epochs=20, augment_copies=3, seed=0)


def windows_of(clips: list[Array], *, window_samples: int) -> Array:
    """Clips centred in model windows, shape ``(n_clips, window_samples)``."""
    from model_export import MODEL_SAMPLE_RATE_HZ
    from model_export.audio.preprocess import centre_in_window

    return np.stack(
        [
            centre_in_window(y, window_samples=window_samples, sample_rate_hz=MODEL_SAMPLE_RATE_HZ)
            for y in clips
        ]
    )


def metadata_for(result: Any, config: Any) -> dict[str, Any]:
    """metadata.json for a ``TrainResult``, filled in the way ``pac train`` fills it."""
    from model_export import MODEL_SAMPLE_RATE_HZ
    from model_export.audio.preprocess import preprocessing_contract
    from model_export.features.pretrained import BACKBONE_NAME, BACKBONE_SOURCE, EMBEDDING_DIM
    from model_export.model_folder.layout import INPUT_NAME, LENGTH_NAME, OUTPUT_NAME
    from model_export.model_folder.metadata import new_metadata
    from pac import __version__

    return new_metadata(
        labels=list(result.labels),
        sample_rate_hz=MODEL_SAMPLE_RATE_HZ,
        window_samples=config.window_samples,
        max_clip_samples=result.classifier.frontend.max_clip_samples,
        preprocessing=preprocessing_contract(),
        backbone={"name": BACKBONE_NAME, "source": BACKBONE_SOURCE, "embedding_dim": EMBEDDING_DIM},
        training={
            "hyperparameters": config.to_json(),
            "validation_accuracy": None
            if result.validation is None
            else result.validation.accuracy,
        },
        created_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        tool_version=__version__,
        input_name=INPUT_NAME,
        length_name=LENGTH_NAME,
        output_name=OUTPUT_NAME,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), to check it was left untouched."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    """Staging or backup folders an interrupted atomic write might leave next to its target."""
    return sorted(
        p.name for p in parent.iterdir() if p.name.endswith(".partial") or ".old-" in p.name
    )
