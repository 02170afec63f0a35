"""Shared fixtures: a seeded RNG, a tiny synthetic dataset and one trained model.

Front-ends are built into a cache folder of the session's own (``PAC_CACHE_DIR``),
once per window size. The model is trained once per session (about a second)
and reused by the model-folder, export, TF.js-parity and CLI tests; tests that
change a model folder work on a copy (``copy_model_dir``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Work around a bug (see test_export.py::test_tfjs_converter_imports_with_captured_stdout):
# importing the tfjs converter under pytest's captured stdout otherwise fails on
# ``import IPython`` in tensorflow_decision_forests' welcome banner.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")

import numpy as np
import pytest

from tests import synthetic
from tests.helpers import (
    Array,
    Dataset,
    metadata_for,
    shared_train_config,
    skip_or_fail_on_ci,
    windows_of,
)

TRAIN_SEED = 1
TEST_SEED = 2
TRAIN_CLIPS_PER_LABEL = 4
TEST_CLIPS_PER_LABEL = 2


def pytest_configure(config: pytest.Config) -> None:
    # matplotlib 3.10 calls pyparsing's deprecated camelCase API on import; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:matplotlib")


@pytest.fixture(scope="session", autouse=True)
def frontend_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A front-end cache of this session's own, for in-process calls and subprocesses alike."""
    from model_export.frontend.cache import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    folder = tmp_path_factory.mktemp("pac-cache")
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if before is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture(scope="session")
def frontend() -> Any:
    """The front-end of the shared config (built once into the session's cache)."""
    from model_export.frontend.cache import frontend_for

    config = shared_train_config()
    return frontend_for(
        window_samples=config.window_samples, analysis_samples=config.analysis_samples
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """3 labels x 4 training clips and 3 x 2 held-out clips, written as 16-bit WAV and reloaded
    through the same loader the CLI uses."""
    from model_export import MODEL_SAMPLE_RATE_HZ
    from model_export.audio.dataset import load_dataset, scan_dataset

    root = tmp_path_factory.mktemp("dataset")
    train_dir = synthetic.write_dataset(
        root / "train", per_label=TRAIN_CLIPS_PER_LABEL, seed=TRAIN_SEED
    )
    test_dir = synthetic.write_dataset(
        root / "test", per_label=TEST_CLIPS_PER_LABEL, seed=TEST_SEED
    )

    def load(folder: Path) -> tuple[list[Array], list[str], list[Path]]:
        found = scan_dataset(folder)
        ys = load_dataset(found, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=pytest.fail)
        return ys, [c.label for c in found], [c.path for c in found]

    train_clips, train_labels, _ = load(train_dir)
    test_clips, test_labels, test_paths = load(test_dir)
    return Dataset(
        root, train_dir, test_dir, train_clips, train_labels, test_clips, test_labels, test_paths
    )


@pytest.fixture(scope="session")
def trained(dataset: Dataset, frontend: Any) -> Any:
    """``TrainResult`` of the shared config on the training clips."""
    from model_export.training.train import train_classifier

    return train_classifier(
        dataset.train_clips, dataset.train_labels, frontend=frontend, config=shared_train_config()
    )


@pytest.fixture(scope="session")
def test_windows(dataset: Dataset) -> Array:
    """The held-out clips in the shared model's 1 s window."""
    return windows_of(dataset.test_clips, window_samples=shared_train_config().window_samples)


@pytest.fixture(scope="session")
def model_dir(trained: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared model written with ``write_model_dir``. Read-only: copy it to change it."""
    from model_export.export.model_dir import write_model_dir

    out = tmp_path_factory.mktemp("shared_model") / "model"
    write_model_dir(
        out, classifier=trained.classifier, metadata=metadata_for(trained, shared_train_config())
    )
    return out


@pytest.fixture
def copy_model_dir(model_dir: Path, tmp_path: Path) -> Callable[[str], Path]:
    """Copy the shared model folder to ``tmp_path / name``."""

    def copy(name: str = "model") -> Path:
        return Path(shutil.copytree(model_dir, tmp_path / name))

    return copy


@pytest.fixture(scope="session")
def ear_model_dir(trained: Any, dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared model with a head that reads only the ear's 64 numbers (its other kernel
    rows 0): proof that the ear runs inside the exported graph, in every runtime."""
    import dataclasses

    from model_export.export.model_dir import write_model_dir
    from model_export.features.layout import EAR
    from model_export.training.feature_sets import fit_head_on_sets
    from model_export.training.train import Classifier

    config = shared_train_config()
    frontend = trained.classifier.frontend
    windows = windows_of(dataset.train_clips, window_samples=config.window_samples)
    labels = sorted(set(dataset.train_labels))
    head = fit_head_on_sets(
        frontend.features(windows),
        np.array([labels.index(label) for label in dataset.train_labels]),
        names=("ear",),
        n_labels=len(labels),
        config=config,
    )
    outside = np.ones(head.kernel.shape[0], bool)
    outside[EAR] = False
    assert not head.kernel[outside].any() and head.kernel[EAR].any()
    ear_only = dataclasses.replace(trained, classifier=Classifier(frontend, head))
    out = tmp_path_factory.mktemp("ear_model") / "model"
    write_model_dir(out, classifier=ear_only.classifier, metadata=metadata_for(ear_only, config))
    return out


TRICKY_LABELS = ["voix de Marie", 'Éloïse "la" \\ </script>', "拍手\u2028clap"]
"""Labels that break naive JSON, JS or Java string building; they must work everywhere."""


@pytest.fixture(scope="session")
def tricky_model_dir(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared model with its three labels renamed to ``TRICKY_LABELS``."""
    import json

    out = Path(shutil.copytree(model_dir, tmp_path_factory.mktemp("tricky") / "model"))
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert len(metadata["labels"]) == len(TRICKY_LABELS)
    metadata["labels"] = TRICKY_LABELS
    (out / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    return out


def needs_aix_tools_or_skip() -> None:
    """Skip (fail on CI) unless a JDK, JPype and the JS runtime's packages are here."""
    problems = []
    if shutil.which("javac") is None and not os.environ.get("JAVA_HOME"):
        problems.append("no JDK (apt-get install default-jdk-headless)")
    try:
        import jpype  # noqa: F401
    except ImportError:
        problems.append("the JPype1 package is missing (./dev setup)")
    js = Path(__file__).resolve().parent.parent / "extension" / "js" / "node_modules" / "esbuild"
    if shutil.which("npm") is None or not js.is_dir():
        problems.append("npm or extension/js/node_modules is missing (cd extension/js && npm ci)")
    skip_or_fail_on_ci("building the .aix needs", problems)


@pytest.fixture(scope="session")
def aix_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("aix-cache")


@pytest.fixture(scope="session")
def built_aix(
    tricky_model_dir: Path, aix_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """``pac build-aix`` of the tricky-label model, default package, no d8."""
    needs_aix_tools_or_skip()
    from aix_build.build import build_aix

    out = tmp_path_factory.mktemp("aix") / "PersonalAudioClassifier.aix"
    build_aix(tricky_model_dir, out, cache_dir=aix_cache, environ={})
    return out
