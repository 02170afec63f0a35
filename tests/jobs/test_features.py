"""model_export.jobs.features: each clip's features are computed once and reused."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_export.jobs import features as features_module
from model_export.jobs.features import FeatureStore, file_features
from model_export.jobs.train import train_model_dir
from model_export.training.config import TrainConfig
from tests.helpers import Dataset

FAST = TrainConfig(epochs=5, augment_copies=2, seed=0)


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the clips whose features are computed (not read from the store)."""
    computed: list[int] = []
    real = features_module.clip_features

    def spy(*args: Any, **kwargs: Any) -> np.ndarray:
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(features_module, "clip_features", spy)
    return computed


def test_retraining_after_adding_clips_computes_only_the_new_ones(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(dataset.train_dir, data)
    store = FeatureStore(tmp_path / "features")
    computed = counting(monkeypatch)
    n_clips = len(list(data.rglob("*.wav")))

    def train() -> Any:
        return train_model_dir(
            data, tmp_path / "model", config=FAST, tool_version="t", warn=pytest.fail, store=store
        )

    first = train()
    assert len(computed) == n_clips
    again = train()
    assert len(computed) == n_clips  # nothing recomputed
    assert again.validation == first.validation
    # Two new clips (copies of held-out ones): only they are computed.
    for path in sorted(dataset.test_dir.rglob("*.wav"))[:2]:
        shutil.copy(path, data / path.parent.name / f"new-{path.name}")
    train()
    assert len(computed) == n_clips + 2


def test_a_clips_features_do_not_depend_on_the_other_clips(
    dataset: Dataset, tmp_path: Path, frontend: Any
) -> None:
    path = sorted(dataset.train_dir.rglob("*.wav"))[0]
    fresh = [
        file_features(
            path,
            frontend=frontend,
            config=FAST,
            store=FeatureStore(tmp_path / f"s{i}"),
            warn=pytest.fail,
        )  # fmt: skip
        for i in range(2)
    ]
    np.testing.assert_array_equal(fresh[0], fresh[1])
    assert fresh[0].shape == (1 + FAST.augment_copies, frontend.feature_dim)
    # The un-augmented row differs from every augmented copy.
    assert all(not np.allclose(fresh[0][0], row) for row in fresh[0][1:])


def test_the_key_holds_everything_the_features_depend_on(frontend: Any) -> None:
    key = FeatureStore.key("abc", frontend, FAST)
    changed = [
        FeatureStore.key("abd", frontend, FAST),
        FeatureStore.key("abc", frontend, dataclasses.replace(FAST, seed=1)),
        FeatureStore.key("abc", frontend, dataclasses.replace(FAST, augment_copies=3)),
        FeatureStore.key("abc", frontend, dataclasses.replace(FAST, window_seconds=1.5)),
        FeatureStore.key(
            "abc",
            frontend,
            dataclasses.replace(
                FAST, augment=dataclasses.replace(FAST.augment, noise_probability=0.5)
            ),
        ),
        FeatureStore.key("abc", dataclasses.replace(frontend, key="other"), FAST),
    ]
    assert key not in changed and len(set(changed)) == len(changed)
    # Epochs, learning rate and the like shape the head, not the features.
    assert FeatureStore.key("abc", frontend, dataclasses.replace(FAST, epochs=99)) == key


def test_a_damaged_cache_file_is_computed_again(
    dataset: Dataset, tmp_path: Path, frontend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sorted(dataset.train_dir.rglob("*.wav"))[0]
    store = FeatureStore(tmp_path / "features")
    good = file_features(path, frontend=frontend, config=FAST, store=store, warn=pytest.fail)
    (cached,) = list((tmp_path / "features").rglob("*.npy"))
    cached.write_bytes(cached.read_bytes()[:100])
    computed = counting(monkeypatch)
    again = file_features(path, frontend=frontend, config=FAST, store=store, warn=pytest.fail)
    assert len(computed) == 1
    np.testing.assert_array_equal(again, good)


def test_an_unwritable_cache_only_costs_time(
    dataset: Dataset, tmp_path: Path, frontend: Any
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    path = sorted(dataset.train_dir.rglob("*.wav"))[0]
    out = file_features(
        path, frontend=frontend, config=FAST, store=FeatureStore(blocked / "features"),
        warn=pytest.fail,
    )  # fmt: skip
    assert out.shape == (1 + FAST.augment_copies, frontend.feature_dim)
