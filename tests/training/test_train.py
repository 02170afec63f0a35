"""model_export.training.train: configuration checks, the stratified split, and training end to end.

The end-to-end tests train on ``conftest.dataset``: three synthetic sounds
(tone, noise burst, chirp) that any working model tells apart perfectly.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np
import pytest

from model_export.audio.augment import BACKGROUND_LABEL
from model_export.frontend.cache import frontend_for
from model_export.training.config import TrainConfig
from model_export.training.train import split_indices, train_classifier
from tests import synthetic
from tests.helpers import Array, Dataset, windows_of

# Fewer augmented copies than the default keep each training run around a second.
FAST = TrainConfig(epochs=20, augment_copies=2, seed=0)


def train(clips: list[Array], labels: list[str], config: TrainConfig, **kwargs: Any) -> Any:
    frontend = frontend_for(
        window_samples=config.window_samples, analysis_samples=config.analysis_samples
    )
    return train_classifier(clips, labels, frontend=frontend, config=config, **kwargs)


def accuracy(result: Any, windows: Array, truth: list[str]) -> float:
    predicted = [result.labels[i] for i in np.argmax(result.classifier.predict(windows), axis=1)]
    return float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))


# --- TrainConfig ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epochs", 0, "epochs must be >= 1; got 0"),
        ("learning_rate", 0.0, "learning rate must be in (0, 10]; got 0.0"),
        ("learning_rate", 10.5, "learning rate must be in (0, 10]; got 10.5"),
        ("learning_rate", float("nan"), "learning rate must be in (0, 10]; got nan"),
        ("optimizer", "adagrad", "optimizer must be one of adam, sgd, rmsprop; got 'adagrad'"),
        ("batch_size", 0, "batch size must be >= 1; got 0"),
        ("train_fraction", 0.0, "train fraction must be in (0, 1]; got 0.0"),
        ("train_fraction", 1.5, "train fraction must be in (0, 1]; got 1.5"),
        ("window_seconds", 0.5, "window must be 1 to 2 seconds; got 0.5"),
        ("window_seconds", 2.5, "window must be 1 to 2 seconds; got 2.5"),
        ("augment_copies", -1, "augment copies must be >= 0; got -1"),
    ],
)
def test_config_rejects_each_bad_field_by_name(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        TrainConfig(**{field: value})

    assert str(excinfo.value) == message


def test_config_lists_every_problem_at_once() -> None:
    with pytest.raises(ValueError) as excinfo:
        TrainConfig(epochs=0, optimizer="adagrad", window_seconds=3.0)

    assert str(excinfo.value).split("; got")[0] == "epochs must be >= 1"
    for name in ("epochs", "optimizer", "window"):
        assert name in str(excinfo.value)


@pytest.mark.parametrize(
    ("window_seconds", "samples"), [(1.0, 16_000), (1.5, 24_000), (2.0, 32_000)]
)
def test_config_window_samples(window_seconds: float, samples: int) -> None:
    assert TrainConfig(window_seconds=window_seconds).window_samples == samples


def test_config_to_json_has_every_field() -> None:
    config = TrainConfig(epochs=3, optimizer="sgd", seed=9)

    as_json = config.to_json()

    assert set(as_json) == {f.name for f in dataclasses.fields(TrainConfig)}
    assert (as_json["epochs"], as_json["optimizer"], as_json["seed"]) == (3, "sgd", 9)


# --- split_indices -------------------------------------------------------------------------

LABELS = ["a"] * 10 + ["b"] * 5 + ["c"] * 2 + ["d"] * 1 + ["a", "b"]  # not grouped on purpose


@pytest.mark.parametrize("train_fraction", [0.01, 0.5, 0.8, 0.99])
@pytest.mark.parametrize("seed", [0, 1])
def test_split_is_stratified(train_fraction: float, seed: int) -> None:
    train, validation = split_indices(
        LABELS, train_fraction=train_fraction, rng=np.random.default_rng(seed)
    )

    assert train == sorted(train) and validation == sorted(validation)
    assert not set(train) & set(validation)
    assert sorted(train + validation) == list(range(len(LABELS)))
    n_train = Counter(LABELS[i] for i in train)
    n_validation = Counter(LABELS[i] for i in validation)
    for label, n in Counter(LABELS).items():
        assert n_train[label] >= 1, "every label keeps a training clip"
        if n >= 2:
            assert n_validation[label] >= 1, "every label with 2+ clips is validated"
            assert n_train[label] == min(n - 1, max(1, round(train_fraction * n)))
        else:
            assert n_validation[label] == 0


def test_split_with_fraction_one_validates_nothing() -> None:
    train, validation = split_indices(LABELS, train_fraction=1.0, rng=np.random.default_rng(0))

    assert train == list(range(len(LABELS)))
    assert validation == []


def test_split_depends_only_on_the_seed() -> None:
    def split(seed: int) -> tuple[list[int], list[int]]:
        return split_indices(LABELS, train_fraction=0.5, rng=np.random.default_rng(seed))

    assert split(4) == split(4)
    assert any(split(4) != split(seed) for seed in range(5, 10))


def tone_clips(dataset: Dataset) -> list[Array]:
    pairs = zip(dataset.train_clips, dataset.train_labels, strict=True)
    return [y for y, label in pairs if label == "tone"]


# --- training ------------------------------------------------------------------------------


def test_single_label_needs_background(dataset: Dataset) -> None:
    tones = tone_clips(dataset)

    with pytest.raises(ValueError, match="need at least 2 labels to train; got 1"):
        train(tones, ["tone"] * len(tones), FAST)


@pytest.mark.slow
def test_trained_model_classifies_held_out_clips(
    dataset: Dataset, trained: Any, test_windows: Array
) -> None:
    assert trained.labels == synthetic.LABELS
    assert trained.n_train_clips + trained.n_validation_clips == len(dataset.train_clips)
    assert trained.n_validation_clips == len(synthetic.LABELS)  # round(0.8 * 4) = 3 of 4 train
    assert trained.validation.accuracy == 1.0
    assert trained.classifier.frontend.window_samples == 16_000

    probabilities = trained.classifier.predict(test_windows)

    assert probabilities.shape == (len(dataset.test_clips), len(synthetic.LABELS))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert accuracy(trained, test_windows, dataset.test_labels) == 1.0


def test_a_front_end_for_another_window_is_refused(dataset: Dataset, frontend: Any) -> None:
    config = dataclasses.replace(FAST, window_seconds=2.0)

    with pytest.raises(ValueError, match="front-end is for 16000/32000 samples; the config asks"):
        train_classifier(
            dataset.train_clips, dataset.train_labels, frontend=frontend, config=config
        )


@pytest.mark.slow
def test_same_seed_same_model_other_seed_other_model(dataset: Dataset, test_windows: Array) -> None:
    # Add mixtures and noise to the clear cases, so that not every output is saturated.
    rng = np.random.default_rng(0)
    windows = np.concatenate(
        [
            test_windows,
            0.5 * (test_windows[:1] + test_windows[-1:]),  # a chirp and a tone at once
            0.5 * (test_windows[2:3] + test_windows[-1:]),  # a noise burst and a tone
            rng.uniform(-0.3, 0.3, (1, test_windows.shape[1])).astype(np.float32),
        ]
    )

    def run(seed: int) -> Array:
        config = dataclasses.replace(FAST, seed=seed)
        result = train(dataset.train_clips, dataset.train_labels, config)
        return result.classifier.predict(windows)

    first, again, other = run(0), run(0), run(1)

    np.testing.assert_array_equal(again, first)  # same process, same inputs: bit for bit
    # Another seed: a different head. Compare log-probabilities, as the winners saturate.
    log_ratio = np.log(other + 1e-12) - np.log(first + 1e-12)
    assert np.abs(log_ratio).max() > 0.1


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_each_optimizer_trains(dataset: Dataset, test_windows: Array, optimizer: str) -> None:
    config = dataclasses.replace(FAST, optimizer=optimizer)

    result = train(dataset.train_clips, dataset.train_labels, config)

    assert accuracy(result, test_windows, dataset.test_labels) == 1.0


@pytest.mark.slow
def test_two_second_window(dataset: Dataset) -> None:
    config = dataclasses.replace(FAST, window_seconds=2.0)

    result = train(dataset.train_clips, dataset.train_labels, config)

    assert result.classifier.frontend.window_samples == 32_000
    windows = windows_of(dataset.test_clips, window_samples=32_000)
    assert accuracy(result, windows, dataset.test_labels) == 1.0


@pytest.mark.slow
def test_background_label_learns_room_noise(dataset: Dataset, test_windows: Array) -> None:
    config = dataclasses.replace(FAST, background=True)

    result = train(dataset.train_clips, dataset.train_labels, config)

    assert result.labels == tuple(sorted((*synthetic.LABELS, BACKGROUND_LABEL)))
    rng = np.random.default_rng(5)
    nothing = np.stack(
        [
            synthetic.pink_noise(16_000, rng, rms=10 ** (-40 / 20)),
            synthetic.pink_noise(16_000, rng, rms=10 ** (-30 / 20)),
            np.zeros(16_000, np.float32),
        ]
    )
    truth = [BACKGROUND_LABEL] * len(nothing)
    assert accuracy(result, nothing, truth) == 1.0
    assert accuracy(result, test_windows, dataset.test_labels) == 1.0


@pytest.mark.slow
def test_one_label_plus_background(dataset: Dataset) -> None:
    tones = tone_clips(dataset)
    config = dataclasses.replace(FAST, background=True)

    result = train(tones, ["tone"] * len(tones), config)

    assert result.labels == (BACKGROUND_LABEL, "tone")


@pytest.mark.slow
def test_progress_reports_every_stage(dataset: Dataset) -> None:
    calls: list[tuple[str, int, int]] = []
    config = dataclasses.replace(FAST, epochs=3)

    train(
        dataset.train_clips,
        dataset.train_labels,
        config,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )

    stages = [c[0] for c in calls]
    assert stages[0] == "features"
    n_clips = len(dataset.train_clips)  # features are counted in clips
    assert [c for c in calls if c[0] == "features"] == [
        ("features", i, n_clips) for i in range(1, n_clips + 1)
    ]
    for stage in ("validation fit", "final fit"):
        # One bar per stage: 3 epochs for each view the head averages (1 to 3 views).
        total = next(c[2] for c in calls if c[0] == stage)
        assert total in (3, 6, 9)
        assert [c[1:] for c in calls if c[0] == stage] == [(e, total) for e in range(1, total + 1)]
