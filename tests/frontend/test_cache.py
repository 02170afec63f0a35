"""model_export.frontend: shipped prebuilt, or built once per window and version into the cache."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import model_export.frontend.build
import model_export.frontend.cache
from model_export.features.audio_features import AudioFeatures
from model_export.frontend.cache import (
    CACHE_ENV,
    INFO_FILENAME,
    FrontEndUnavailableError,
    frontend_for,
    frontend_key,
    source_key,
)
from model_export.frontend.layout import PREBUILT_DIR, PREBUILT_WINDOWS, prebuilt_name

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


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
    first = frontend_for(window_samples=16_000, analysis_samples=32_000, prebuilt_dir=None)
    (first.folder / "model.json").unlink()  # as if a user deleted part of it
    notes: list[str] = []

    second = frontend_for(
        window_samples=16_000, analysis_samples=32_000, on_build=notes.append, prebuilt_dir=None
    )

    assert len(built) == 2
    assert second.folder == first.folder and (second.folder / "model.json").is_file()
    assert len(notes) == 1 and "preparing the feature front-end" in notes[0]
    info = json.loads((second.folder / INFO_FILENAME).read_text())
    assert info["window_samples"] == 16_000 and info["feature_dim"] == frontend.feature_dim


def test_the_default_window_is_shipped_and_needs_no_building(frontend: Any) -> None:
    assert frontend.folder == PREBUILT_DIR / "w16000-a32000"
    assert frontend.key == source_key(window_samples=16_000, analysis_samples=32_000)


def test_a_window_pac_does_not_ship_needs_the_frontend_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(
        model_export.frontend.cache,
        "missing_tools",
        lambda: ["tensorflow", "tensorflowjs", "keras"],
    )

    with pytest.raises(FrontEndUnavailableError) as info:
        frontend_for(window_samples=24_000, analysis_samples=32_000)

    message = str(info.value)
    assert message.startswith("a 1.5 s window has no front-end in this installation of pac")
    assert "tensorflow, tensorflowjs, keras" in message
    assert "pip install 'personal-audio-classifier[frontend]'" in message
    assert list(tmp_path.iterdir()) == []  # nothing half-made


def test_the_shipped_front_end_is_what_the_build_command_writes_today(tmp_path: Path) -> None:
    # Run as ./dev frontend runs it, in a fresh process (a second build in one process
    # names its layers differently).
    proc = subprocess.run(
        [sys.executable, "-m", "model_export.frontend.build", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]

    for name in [prebuilt_name(w, a) for w, a in PREBUILT_WINDOWS]:
        shipped, today = PREBUILT_DIR / name, tmp_path / name
        assert sorted(p.name for p in shipped.iterdir()) == sorted(p.name for p in today.iterdir())
        stale = "stale: run ./dev frontend and commit model_export/frontend/prebuilt"
        info = json.loads((today / INFO_FILENAME).read_text())
        assert json.loads((shipped / INFO_FILENAME).read_text()) == info, stale
        for file, digest in info["sha256"].items():
            assert hashlib.sha256((shipped / file).read_bytes()).hexdigest() == digest, file
