"""Transfer learning: augmented clips -> frozen front-end features -> a trained softmax head.

``train_classifier`` takes decoded clips (arrays) and a built front-end, and
returns the classifier and its validation figures. It imports no TensorFlow
(the front-end runs on LiteRT, the head is numpy), does no file I/O and prints
nothing; progress goes through an optional callback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.augment import BACKGROUND_LABEL, augmented_window, background_window
from model_export.audio.preprocess import centre_in_window
from model_export.frontend.cache import FrontEnd
from model_export.model_folder.evaluation import Evaluation, evaluate_predictions
from model_export.training.config import TrainConfig
from model_export.training.feature_sets import FeatureChoice, choose_feature_set, fit_head_on_sets
from model_export.training.head import Head, Metrics, Progress


@dataclass(frozen=True)
class Classifier:
    """The front-end and the trained head: what the exported graph computes."""

    frontend: FrontEnd
    head: Head

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """windows [shape=(n, window_samples)] float32 -> probabilities (n, n_labels)."""
        return self.head.probabilities(self.frontend.features(windows))


@dataclass
class TrainResult:
    classifier: Classifier
    labels: tuple[str, ...]
    validation: Evaluation | None
    n_train_clips: int
    n_validation_clips: int
    feature_set: FeatureChoice
    misclassified: tuple[tuple[int, str], ...] = ()
    """Validation clips the validation model got wrong: (index into ``clips``, predicted label)."""


def split_indices(
    labels: Sequence[str], *, train_fraction: float, rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Stratified split: each label keeps at least one training clip.

    A label with two or more clips gives at least one to validation unless
    ``train_fraction`` is 1.
    """
    train: list[int] = []
    validation: list[int] = []
    for label in sorted(set(labels)):
        idx = [i for i, lab in enumerate(labels) if lab == label]
        rng.shuffle(idx)
        n_train = len(idx)
        if train_fraction < 1.0 and len(idx) >= 2:
            n_train = min(len(idx) - 1, max(1, round(train_fraction * len(idx))))
        train += idx[:n_train]
        validation += idx[n_train:]
    return sorted(train), sorted(validation)


def _features(frontend: FrontEnd, windows: np.ndarray, *, progress: Progress | None) -> np.ndarray:
    batch = 32
    out = []
    for start in range(0, len(windows), batch):
        out.append(frontend.features(windows[start : start + batch]))
        if progress:
            progress("features", min(start + batch, len(windows)), len(windows))
    return np.concatenate(out) if out else np.zeros((0, frontend.feature_dim), np.float32)


def clip_rng(seed: int, digest: str) -> np.random.Generator:
    """The random draws of one clip's augmented copies: from the seed and the clip's digest.

    A clip's copies then do not depend on the other clips or their order, so its features
    can be cached (``jobs.features``) and reused when clips are added or removed.
    """
    return np.random.default_rng([seed, int(digest[:16], 16)])


def sample_digest(clip: np.ndarray) -> str:
    """The SHA-256 of a decoded clip's float32 samples, hex."""
    return hashlib.sha256(np.ascontiguousarray(clip, np.float32).tobytes()).hexdigest()


def clip_windows(clip: np.ndarray, *, config: TrainConfig, digest: str) -> np.ndarray:
    """The clip centred in its window, then ``config.augment_copies`` augmented copies.

    Returns np.ndarray [shape=(1 + augment_copies, window_samples)], float32.
    """
    rng = clip_rng(config.seed, digest)
    windows = [
        centre_in_window(
            clip, window_samples=config.window_samples, sample_rate_hz=MODEL_SAMPLE_RATE_HZ
        )
    ]
    for _ in range(config.augment_copies):
        windows.append(
            augmented_window(
                clip,
                rng=rng,
                window_samples=config.window_samples,
                sample_rate_hz=MODEL_SAMPLE_RATE_HZ,
                config=config.augment,
            )
        )
    return np.stack(windows)


def clip_features(
    clip: np.ndarray, *, frontend: FrontEnd, config: TrainConfig, digest: str
) -> np.ndarray:
    """The front-end's features of ``clip_windows``: [shape=(1 + augment_copies, feature_dim)]."""
    return frontend.features(clip_windows(clip, config=config, digest=digest))


def train_classifier(
    clips: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    frontend: FrontEnd,
    config: TrainConfig,
    progress: Progress | None = None,
) -> TrainResult:
    """Train a classifier on decoded clips.

    clips : sequence of np.ndarray [shape=(n,)], float32 mono at 16 kHz, any length
    frontend : built for ``config.window_samples`` and ``config.analysis_samples``
        (``frontend.cache.frontend_for``)
    labels : the label of each clip; at least two distinct labels, or one with
        ``config.background``, which adds the label "background" trained on
        synthetic room noise, hum and silence (plus any clips labelled "background")

    Each clip's features (``clip_features``, its copies drawn from ``clip_rng``) are
    computed one clip at a time, then ``train_on_features`` trains the head.
    """
    _check_frontend(frontend, config)
    per_clip = []
    for i, clip in enumerate(clips):
        per_clip.append(
            clip_features(clip, frontend=frontend, config=config, digest=sample_digest(clip))
        )
        if progress:
            progress("features", i + 1, len(clips))
    return train_on_features(per_clip, labels, frontend=frontend, config=config, progress=progress)


def _check_frontend(frontend: FrontEnd, config: TrainConfig) -> None:
    if (frontend.window_samples, frontend.analysis_samples) != (
        config.window_samples,
        config.analysis_samples,
    ):
        raise ValueError(
            f"front-end is for {frontend.window_samples}/{frontend.analysis_samples} samples; "
            f"the config asks for {config.window_samples}/{config.analysis_samples}"
        )


def train_on_features(
    per_clip: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    frontend: FrontEnd,
    config: TrainConfig,
    progress: Progress | None = None,
    metrics: Metrics | None = None,
) -> TrainResult:
    """Train the head on each clip's ``clip_features`` (for the same config), in clip order.

    The head is first trained on ``train_fraction`` of the clips and scored on
    the rest; then, so that no recording is wasted, it is retrained with the
    same settings on all clips. The returned model is the second one.
    """
    _check_frontend(frontend, config)
    label_names = tuple(sorted(set(labels) | ({BACKGROUND_LABEL} if config.background else set())))
    if len(label_names) < 2:
        raise ValueError(f"need at least 2 labels to train; got {len(label_names)}")
    target_of = {name: i for i, name in enumerate(label_names)}
    targets = [target_of[lab] for lab in labels]
    rng = np.random.default_rng(config.seed)

    copies = 1 + config.augment_copies
    if any(f.shape != (copies, frontend.feature_dim) for f in per_clip):
        raise ValueError(f"each clip needs {copies} rows of {frontend.feature_dim} features")
    features = np.concatenate(per_clip) if per_clip else np.zeros((0, frontend.feature_dim))
    y = np.repeat(np.asarray(targets, dtype=np.int64), copies)

    train_idx, val_idx = split_indices(labels, train_fraction=config.train_fraction, rng=rng)

    def rows(idx: Sequence[int]) -> np.ndarray:
        return np.concatenate([np.arange(i * copies, (i + 1) * copies) for i in idx])

    if config.background:
        # Synthetic room noise, hum and silence, as many windows as the average label has.
        n_extra = copies * max(1, round(len(per_clip) / max(1, len(set(labels)))))
        extra = np.stack(
            [
                background_window(
                    rng=rng,
                    window_samples=config.window_samples,
                    sample_rate_hz=MODEL_SAMPLE_RATE_HZ,
                )
                for _ in range(n_extra)
            ]
        )
        extra_features = _features(frontend, extra, progress=progress)
        extra_y = np.full(n_extra, target_of[BACKGROUND_LABEL], dtype=np.int64)
    else:
        extra_features = np.zeros((0, frontend.feature_dim), np.float32)
        extra_y = np.zeros(0, dtype=np.int64)

    # The features the head reads, chosen on the clips that train it (not on validation).
    train_rows = rows(train_idx)
    feature_set = choose_feature_set(
        features[train_rows],
        y[train_rows],
        copies=copies,
        n_labels=len(label_names),
        config=config,
    )

    validation = None
    misclassified: tuple[tuple[int, str], ...] = ()
    if val_idx:
        head = fit_head_on_sets(
            np.concatenate([features[train_rows], extra_features]),
            np.concatenate([y[train_rows], extra_y]),
            n_labels=len(label_names),
            config=config,
            progress=progress,
            metrics=metrics,
            stage="validation fit",
            names=feature_set.names,
        )
        val_rows = np.asarray(val_idx) * copies  # the un-augmented copy of each clip
        predicted = np.argmax(head.probabilities(features[val_rows]), axis=1)
        validation = evaluate_predictions(y[val_rows], predicted, labels=label_names)
        misclassified = tuple(
            (i, label_names[p]) for i, p in zip(val_idx, predicted, strict=True) if p != targets[i]
        )
    head = fit_head_on_sets(
        np.concatenate([features, extra_features]),
        np.concatenate([y, extra_y]),
        n_labels=len(label_names),
        config=config,
        progress=progress,
        metrics=metrics,
        stage="final fit",
        names=feature_set.names,
    )

    return TrainResult(
        classifier=Classifier(frontend, head),
        labels=label_names,
        validation=validation,
        n_train_clips=len(train_idx),
        n_validation_clips=len(val_idx),
        feature_set=feature_set,
        misclassified=misclassified,
    )
