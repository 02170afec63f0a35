"""The feature front-ends: shipped prebuilt, or built once into a cache.

``frontend_for`` returns the front-end for a window. Those that pac ships
(``PREBUILT_WINDOWS``, built by ``python -m model_export.frontend.build``) are
package data (``model_export/frontend/prebuilt/``) and need nothing else.
Another window size is built with TensorFlow (about 20 s, the ``frontend``
extra) into the cache: ``$PAC_CACHE_DIR``, else the platform's cache folder
(``~/.cache/pac`` on Linux, ``~/Library/Caches/pac`` on macOS,
``%LOCALAPPDATA%\\pac\\Cache`` on Windows); deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.preprocess import MAX_CLIP_SECONDS
from model_export.frontend.layout import (
    PREBUILT_DIR,
    TFLITE_FILENAME,
    WINDOW_TFLITE_FILENAME,
    prebuilt_name,
)
from model_export.model_folder.atomic import atomic_directory
from model_export.model_folder.inference import TfliteRunner
from model_export.model_folder.layout import INPUT_NAME, TFJS_MODEL_FILENAME

CACHE_ENV = "PAC_CACHE_DIR"
INFO_FILENAME = "frontend.json"
"""Marks a complete front-end folder: window, analysis length, feature size, key."""
_PACKAGE = Path(__file__).resolve().parent.parent
_SOURCES = ("features", "frontend/build.py")
"""The code a front-end is built from, and the ear's weights: a change to any of it makes a
new key."""
TOOLS = {
    "tensorflow": "tensorflow",
    "tensorflowjs": "tensorflowjs",
    "keras": "keras",
    "livekit-wakeword": "livekit.wakeword",
}
"""What builds a front-end (the ``frontend`` extra), by distribution and module name; their
versions are in a built one's key."""
MAX_CLIP_SAMPLES = round(MAX_CLIP_SECONDS * MODEL_SAMPLE_RATE_HZ)
"""The exported graph's clip input length (``max_clip_samples`` in metadata.json)."""
_FILES = (TFLITE_FILENAME, WINDOW_TFLITE_FILENAME, TFJS_MODEL_FILENAME)
FRONTEND_EXTRA = "personal-audio-classifier[frontend]"


class FrontEndUnavailableError(RuntimeError):
    """No front-end for this window ships with pac, and the tools to build one are missing."""


def cache_root() -> Path:
    """The folder that holds pac's cache (built front-ends, the d8 download, .aix builds)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pac", appauthor=False))


def source_key(*, window_samples: int, analysis_samples: int) -> str:
    """A digest of the code and shape a front-end is built from (what a prebuilt one records)."""
    digest = hashlib.sha256(f"{window_samples}/{analysis_samples}/{MAX_CLIP_SAMPLES}".encode())
    for name in _SOURCES:
        path = _PACKAGE / name
        for source in (
            sorted(path.rglob("*.py")) + sorted(path.rglob("*.npz")) if path.is_dir() else [path]
        ):
            digest.update(source.relative_to(_PACKAGE).as_posix().encode())
            # Line endings as git checks them out on Windows must not change the key.
            digest.update(source.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:20]


def tool_versions() -> dict[str, str | None]:
    """The installed version of each front-end tool, or None when it is not installed."""
    found: dict[str, str | None] = {}
    for tool in TOOLS:
        try:
            found[tool] = importlib.metadata.version(tool)
        except importlib.metadata.PackageNotFoundError:
            found[tool] = None
    return found


def missing_tools() -> list[str]:
    """The front-end tools that cannot be imported here."""
    missing = []
    for tool, module in TOOLS.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package missing, or blocked
            found = False
        if not found:
            missing.append(tool)
    return missing


def frontend_key(*, window_samples: int, analysis_samples: int) -> str:
    """A digest of everything a front-end built here depends on: the code and the tools."""
    digest = hashlib.sha256(
        source_key(window_samples=window_samples, analysis_samples=analysis_samples).encode()
    )
    for tool, version in tool_versions().items():
        digest.update(f"{tool}=={version}".encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class FrontEnd:
    """A built front-end: clips or centred windows -> feature vectors (TFLite and TF.js files)."""

    folder: Path
    window_samples: int
    analysis_samples: int
    max_clip_samples: int
    feature_dim: int
    key: str = ""
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
        key=str(info.get("key", "")),
    )


def frontend_for(
    *,
    window_samples: int,
    analysis_samples: int,
    on_build: Callable[[str], None] | None = None,
    prebuilt_dir: Path | None = PREBUILT_DIR,
) -> FrontEnd:
    """The front-end for a window: the shipped one, else the cache's, else built first.

    ``on_build(message)`` is called before a build, which imports TensorFlow and takes
    seconds. Raises FrontEndUnavailableError when a build is needed and TensorFlow is missing.
    """
    if prebuilt_dir is not None:
        shipped = _read(prebuilt_dir / prebuilt_name(window_samples, analysis_samples))
        key = source_key(window_samples=window_samples, analysis_samples=analysis_samples)
        if shipped is not None and shipped.key == key:
            return shipped
    key = frontend_key(window_samples=window_samples, analysis_samples=analysis_samples)
    folder = cache_root() / "frontend" / f"w{window_samples}-a{analysis_samples}-{key}"
    found = _read(folder)
    if found is not None:
        return found
    missing = missing_tools()
    if missing:
        raise FrontEndUnavailableError(
            f"a {window_samples / MODEL_SAMPLE_RATE_HZ:g} s window has no front-end in this "
            f"installation of pac, and building one needs {', '.join(missing)}: install them "
            f"with  pip install '{FRONTEND_EXTRA}'  (about 3 GB, Python 3.10 to 3.12), or "
            "train with the default window (--window-seconds 1)"
        )
    if on_build is not None:
        on_build(
            f"preparing the feature front-end for a {window_samples} sample window "
            "(once per window size and pac version; about 20 s)"
        )
    from model_export.frontend.build import write_frontend

    with atomic_directory(folder, replaceable=INFO_FILENAME) as staging:
        write_frontend(
            staging,
            window_samples=window_samples,
            analysis_samples=analysis_samples,
            max_clip_samples=MAX_CLIP_SAMPLES,
            key=key,
        )
    built = _read(folder)
    assert built is not None
    return built
