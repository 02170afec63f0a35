"""Each clip's training features, cached on disk so that retraining redoes only new clips.

A clip file's features (``training.train.clip_features``: the clip centred, then its
augmented copies, through the front-end) depend only on the file's bytes, the
front-end, and the settings that shape the windows. They are kept in
``<cache>/features/`` (``frontend.cache.cache_root``) under a key of all of these, about
12 kB per clip. Adding 5 clips to a 300-clip project then computes 5 clips' features;
deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.dataset import Warn, warn_about
from model_export.audio.decode import load_audio
from model_export.frontend.cache import FrontEnd, cache_root
from model_export.model_folder.atomic import atomic_write
from model_export.training.config import TrainConfig
from model_export.training.train import clip_features

FEATURES_VERSION = 1
"""Bumped when the way features are made changes without the front-end's key changing."""


class FeatureStore:
    """A folder of ``.npy`` files, one per (clip file, front-end, window settings)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache_root() / "features"

    @staticmethod
    def key(file_digest: str, frontend: FrontEnd, config: TrainConfig) -> str:
        recipe = {
            "version": FEATURES_VERSION,
            "clip": file_digest,
            "frontend": frontend.key or str(frontend.folder),
            "rate": MODEL_SAMPLE_RATE_HZ,
            "window": config.window_samples,
            "analysis": config.analysis_samples,
            "copies": config.augment_copies,
            "seed": config.seed,
            "augment": asdict(config.augment),
        }
        return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npy"

    def load(self, key: str, shape: tuple[int, int]) -> np.ndarray | None:
        try:
            features = np.load(self._path(key), allow_pickle=False)
        except (OSError, ValueError):
            return None
        return features if features.shape == shape and features.dtype == np.float32 else None

    def save(self, key: str, features: np.ndarray) -> None:
        """Written whole or not at all; a cache that cannot be written is only slower."""
        path = self._path(key)
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(features, np.float32), allow_pickle=False)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, buffer.getvalue())


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_features(
    path: Path,
    *,
    frontend: FrontEnd,
    config: TrainConfig,
    store: FeatureStore,
    warn: Warn,
    data: bytes | None = None,
) -> np.ndarray:
    """One clip file's features [shape=(1 + augment_copies, feature_dim)], from the store
    or computed (and stored). Decoding errors raise AudioDecodeError; a silent or very
    short clip is reported to ``warn`` when its features are computed.
    """
    data = path.read_bytes() if data is None else data
    digest = file_digest(data)
    key = store.key(digest, frontend, config)
    shape = (1 + config.augment_copies, frontend.feature_dim)
    cached = store.load(key, shape)
    if cached is not None:
        return cached
    clip = load_audio(data, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, name=str(path))
    warn_about(path, clip, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=warn)
    features = clip_features(clip, frontend=frontend, config=config, digest=digest)
    store.save(key, features)
    return features
