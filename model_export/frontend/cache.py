"""A cache of built front-ends, one folder per window size and code version.

``frontend_for`` returns the front-end for a window, building it with
TensorFlow (about 20 s) only when the cache has none for the current code.
The cache lives in ``$PAC_CACHE_DIR``, else ``$XDG_CACHE_HOME/pac``, else
``~/.cache/pac``; deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.preprocess import MAX_CLIP_SECONDS
from model_export.features.pretrained import resource_path
from model_export.frontend.build import FEATURES_NAME, TFLITE_FILENAME, WINDOW_TFLITE_FILENAME
from model_export.model_folder.atomic import atomic_directory
from model_export.model_folder.inference import TfliteRunner
from model_export.model_folder.layout import INPUT_NAME, TFJS_MODEL_FILENAME

CACHE_ENV = "PAC_CACHE_DIR"
INFO_FILENAME = "frontend.json"
"""Marks a complete front-end folder: window, analysis length, feature size, cache key."""
_PACKAGE = Path(__file__).resolve().parent.parent
_SOURCES = ("features", "frontend/build.py")
"""The code a front-end is built from: a change to any of it makes a new cache entry."""
_TOOLS = ("tensorflow", "tensorflowjs", "keras", "livekit-wakeword")
MAX_CLIP_SAMPLES = round(MAX_CLIP_SECONDS * MODEL_SAMPLE_RATE_HZ)
"""The exported graph's clip input length (``max_clip_samples`` in metadata.json)."""
_FILES = (TFLITE_FILENAME, WINDOW_TFLITE_FILENAME, TFJS_MODEL_FILENAME)


def cache_root() -> Path:
    """The folder that holds the cached front-ends."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pac"


def frontend_key(*, window_samples: int, analysis_samples: int) -> str:
    """A digest of everything a built front-end depends on."""
    digest = hashlib.sha256(f"{window_samples}/{analysis_samples}/{MAX_CLIP_SAMPLES}".encode())
    for name in _SOURCES:
        path = _PACKAGE / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(_PACKAGE).as_posix().encode())
            digest.update(source.read_bytes())
    for tool in _TOOLS:
        digest.update(f"{tool}=={importlib.metadata.version(tool)}".encode())
    digest.update(resource_path("embedding_model.onnx").read_bytes())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class FrontEnd:
    """A built front-end: clips or centred windows -> feature vectors (TFLite and TF.js files)."""

    folder: Path
    window_samples: int
    analysis_samples: int
    max_clip_samples: int
    feature_dim: int
    _runner: list[TfliteRunner] = field(default_factory=list, repr=False, compare=False)

    @property
    def tflite_path(self) -> Path:
        return self.folder / TFLITE_FILENAME

    @property
    def window_tflite_path(self) -> Path:
        return self.folder / WINDOW_TFLITE_FILENAME

    @property
    def tfjs_manifest_path(self) -> Path:
        return self.folder / TFJS_MODEL_FILENAME

    def features(self, windows: np.ndarray, *, batch: int = 32) -> np.ndarray:
        """Centred windows [shape=(n, window_samples)] float32 -> features (n, feature_dim)."""
        if not self._runner:
            self._runner.append(TfliteRunner(self.window_tflite_path))
        out = [
            self._runner[0](
                **{INPUT_NAME: np.ascontiguousarray(windows[i : i + batch], dtype=np.float32)}
            )
            for i in range(0, len(windows), batch)
        ]
        return np.concatenate(out) if out else np.zeros((0, self.feature_dim), np.float32)


def _read(folder: Path) -> FrontEnd | None:
    try:
        info = json.loads((folder / INFO_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not all((folder / name).is_file() for name in _FILES):
        return None
    return FrontEnd(
        folder=folder,
        window_samples=int(info["window_samples"]),
        analysis_samples=int(info["analysis_samples"]),
        max_clip_samples=int(info["max_clip_samples"]),
        feature_dim=int(info["feature_dim"]),
    )


def frontend_for(
    *,
    window_samples: int,
    analysis_samples: int,
    on_build: Callable[[str], None] | None = None,
) -> FrontEnd:
    """The front-end for a window, from the cache, built first if the cache has none.

    ``on_build(message)`` is called before a build, which imports TensorFlow and takes seconds.
    """
    key = frontend_key(window_samples=window_samples, analysis_samples=analysis_samples)
    folder = cache_root() / "frontend" / f"w{window_samples}-a{analysis_samples}-{key}"
    found = _read(folder)
    if found is not None:
        return found
    if on_build is not None:
        on_build(
            f"preparing the feature front-end for a {window_samples} sample window "
            "(once per window size and pac version; about 20 s)"
        )
    from model_export.frontend.build import build_frontend_files

    with atomic_directory(folder, replaceable=INFO_FILENAME) as staging:
        feature_dim = build_frontend_files(
            staging,
            window_samples=window_samples,
            analysis_samples=analysis_samples,
            max_clip_samples=MAX_CLIP_SAMPLES,
        )
        info = {
            "window_samples": window_samples,
            "analysis_samples": analysis_samples,
            "max_clip_samples": MAX_CLIP_SAMPLES,
            "feature_dim": feature_dim,
            "features": FEATURES_NAME,
            "key": key,
        }
        (staging / INFO_FILENAME).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    built = _read(folder)
    assert built is not None
    return built
