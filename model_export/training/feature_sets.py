"""Which of the front-end's features a head reads, chosen by cross-validation on the user's clips.

The front-end (``features/audio_features.py``) outputs the speech embedding's
pooled statistics first (``2 * EMBEDDING_DIM`` values), then the timbre and
pitch statistics. Measured in bench/unseen.py, neither block wins every task:
the embedding tells words apart, the timbre block tells voices apart, and a
head on both is worse than the right one alone when it has only 5 clips per
label. So training scores each set by k-fold cross-validation over the clips
(each clip with all its augmented copies held out together) and keeps the
best; on a tie it keeps all features.

Pure numpy; the head is ``head.fit_head``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model_export.features.pretrained import EMBEDDING_DIM
from model_export.training.config import TrainConfig
from model_export.training.head import fit_head

FEATURE_SETS = ("all", "speech", "timbre")
"""In order of preference on a tie."""
SPEECH_FEATURES = 2 * EMBEDDING_DIM
"""The first features: mean and max of the speech embedding."""
MAX_FOLDS = 5


@dataclass(frozen=True)
class FeatureChoice:
    """The chosen set and every set's cross-validated accuracy (None: too few clips to score)."""

    name: str
    scores: dict[str, float] | None


def feature_mask(name: str, feature_dim: int) -> np.ndarray:
    """Boolean [shape=(feature_dim,)]: which features the set ``name`` reads."""
    mask = np.zeros(feature_dim, dtype=bool)
    if name == "all":
        mask[:] = True
    elif name == "speech":
        mask[:SPEECH_FEATURES] = True
    elif name == "timbre":
        mask[SPEECH_FEATURES:] = True
    else:
        raise ValueError(f"feature set must be one of {', '.join(FEATURE_SETS)}; got {name!r}")
    return mask


def fold_of_clips(clip_targets: np.ndarray, *, folds: int) -> np.ndarray:
    """Fold index of each clip: a label's clips go round the folds in order."""
    fold = np.zeros(len(clip_targets), dtype=np.int64)
    for target in np.unique(clip_targets):
        idx = np.flatnonzero(clip_targets == target)
        fold[idx] = np.arange(len(idx)) % folds
    return fold


def choose_feature_set(
    features: np.ndarray,
    targets: np.ndarray,
    *,
    copies: int,
    n_labels: int,
    config: TrainConfig,
) -> FeatureChoice:
    """Score FEATURE_SETS by k-fold cross-validation; return the best.

    features : np.ndarray [shape=(n_clips * copies, feature_dim)]: clip i's rows are
        ``i * copies`` to ``(i + 1) * copies - 1``, its un-augmented window first
    targets : np.ndarray [shape=(n_clips * copies,)], int label indices

    k is the number of clips of the rarest label among them, at most
    MAX_FOLDS. With fewer than 2 clips of some label there is nothing to score:
    all features.
    """
    clip_targets = targets[::copies]
    counts = np.bincount(clip_targets)
    folds = min(MAX_FOLDS, int(counts[counts > 0].min()))
    if folds < 2:
        return FeatureChoice("all", None)
    row_fold = np.repeat(fold_of_clips(clip_targets, folds=folds), copies)
    first_rows = np.arange(0, len(targets), copies)
    scores = {}
    for name in FEATURE_SETS:
        mask = feature_mask(name, features.shape[1])
        right = 0
        for fold in range(folds):
            head = fit_head(
                features[row_fold != fold],
                targets[row_fold != fold],
                n_labels=n_labels,
                config=config,
                mask=mask,
            )
            held = first_rows[row_fold[first_rows] == fold]
            predicted = head.probabilities(features[held]).argmax(axis=1)
            right += int(np.sum(predicted == targets[held]))
        scores[name] = right / len(first_rows)
    best = max(FEATURE_SETS, key=lambda name: scores[name])  # first of the best on a tie
    return FeatureChoice(best, scores)
