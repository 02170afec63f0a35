"""model_export.frontend: built once per window and code version, then read from the cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import model_export.frontend.build
from model_export.features.audio_features import AudioFeatures
from model_export.frontend.cache import CACHE_ENV, INFO_FILENAME, frontend_for, frontend_key

pytestmark = pytest.mark.slow


def test_key_depends_on_the_window() -> None:
    a = frontend_key(window_samples=16_000, analysis_samples=32_000)

    assert a == frontend_key(window_samples=16_000, analysis_samples=32_000)
    assert a != frontend_key(window_samples=16_001, analysis_samples=32_000)
    assert a != frontend_key(window_samples=16_000, analysis_samples=40_000)


def test_cached_front_end_is_reused_without_building(
    frontend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> int:
        raise AssertionError("the cache had it; nothing should be built")

    monkeypatch.setattr(model_export.frontend.build, "build_frontend_files", fail)
    notes: list[str] = []

    again = frontend_for(window_samples=16_000, analysis_samples=32_000, on_build=notes.append)

    assert again == frontend
    assert notes == []


def test_features_match_the_keras_layer(frontend: Any, rng: np.random.Generator) -> None:
    windows = np.concatenate(
        [
            np.zeros((1, 16_000), np.float32),
            (0.3 * rng.standard_normal((2, 16_000))).astype(np.float32),
            np.sin(2 * np.pi * 220 * np.arange(16_000) / 16_000)[None, :].astype(np.float32),
        ]
    )
    layer = AudioFeatures(window_samples=16_000, analysis_samples=32_000)

    ours = frontend.features(windows)
    reference = np.asarray(layer(keras.ops.convert_to_tensor(windows)))

    assert ours.shape == reference.shape == (4, frontend.feature_dim)
    # Features are O(1..10); float32 graphs that fuse ops differently (TFLite vs TF) agree to
    # well under 1e-3 of that scale on any CPU.
    scale = np.maximum(np.abs(reference), 1.0)
    assert np.max(np.abs(ours - reference) / scale) < 1e-3


def test_an_incomplete_cache_folder_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frontend: Any
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    built: list[Path] = []

    def fake_build(
        out_dir: Path, *, window_samples: int, analysis_samples: int, max_clip_samples: int
    ) -> int:
        built.append(out_dir)
        for name in ("frontend.tflite", "window_features.tflite", "model.json"):
            (out_dir / name).write_bytes((frontend.folder / name).read_bytes())
        return frontend.feature_dim

    monkeypatch.setattr(model_export.frontend.build, "build_frontend_files", fake_build)
    first = frontend_for(window_samples=16_000, analysis_samples=32_000)
    (first.folder / "model.json").unlink()  # as if a user deleted part of it
    notes: list[str] = []

    second = frontend_for(window_samples=16_000, analysis_samples=32_000, on_build=notes.append)

    assert len(built) == 2
    assert second.folder == first.folder and (second.folder / "model.json").is_file()
    assert len(notes) == 1 and "preparing the feature front-end" in notes[0]
    info = json.loads((second.folder / INFO_FILENAME).read_text())
    assert info["window_samples"] == 16_000 and info["feature_dim"] == frontend.feature_dim
