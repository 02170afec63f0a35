"""Choosing the features a head reads: masks, folds, the cross-validated choice."""

from __future__ import annotations

import numpy as np
import pytest

from model_export.training.config import TrainConfig
from model_export.training.feature_sets import (
    SPEECH_FEATURES,
    choose_feature_set,
    feature_mask,
    fold_of_clips,
)
from model_export.training.head import fit_head

FEATURE_DIM = 272
COPIES = 3


def test_speech_and_timbre_split_all_features() -> None:
    speech = feature_mask("speech", FEATURE_DIM)
    timbre = feature_mask("timbre", FEATURE_DIM)
    assert speech[:SPEECH_FEATURES].all() and not speech[SPEECH_FEATURES:].any()
    assert not (speech & timbre).any()
    assert (speech | timbre).all() and feature_mask("all", FEATURE_DIM).all()
    with pytest.raises(ValueError, match="feature set must be one of all, speech, timbre"):
        feature_mask("pitch", FEATURE_DIM)


def test_each_label_s_clips_go_round_the_folds() -> None:
    targets = np.array([0, 1, 0, 0, 1, 1, 1, 0])
    assert fold_of_clips(targets, folds=3).tolist() == [0, 0, 1, 2, 1, 2, 0, 0]


def _clips(
    rng: np.random.Generator, informative: slice, *, per_label: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """3 labels, ``per_label`` clips of COPIES rows each. The ``informative`` features hold the
    label (with a little noise); the others are noise."""
    targets = np.repeat(np.repeat(np.arange(3), per_label), COPIES)
    x = rng.standard_normal((len(targets), FEATURE_DIM)).astype(np.float32)
    x[:, informative] = targets[:, None] + 0.1 * x[:, informative]
    return x, targets


@pytest.mark.parametrize(
    ("informative", "hopeless"),
    [(slice(0, SPEECH_FEATURES), "timbre"), (slice(SPEECH_FEATURES, None), "speech")],
)
def test_a_set_that_cannot_tell_the_labels_apart_is_not_chosen(
    rng: np.random.Generator, informative: slice, hopeless: str
) -> None:
    x, y = _clips(rng, informative)
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None
    assert choice.scores[hopeless] < 0.7  # chance is 1/3
    assert choice.name != hopeless
    assert choice.scores[choice.name] == max(choice.scores.values()) == 1.0


def test_a_tie_keeps_all_features(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(None))
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores == {"all": 1.0, "speech": 1.0, "timbre": 1.0}
    assert choice.name == "all"


def test_one_clip_of_a_label_leaves_nothing_to_score(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(None), per_label=1)
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.name == "all" and choice.scores is None


def test_a_masked_head_ignores_the_other_features(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(SPEECH_FEATURES, None))
    mask = feature_mask("timbre", FEATURE_DIM)
    head = fit_head(x, y, n_labels=3, config=TrainConfig(), mask=mask)
    assert not head.kernel[~mask].any() and not head.inv_std[~mask].any()
    changed = x.copy()
    changed[:, ~mask] = rng.standard_normal((len(x), int((~mask).sum()))) * 100.0
    np.testing.assert_array_equal(head.probabilities(changed), head.probabilities(x))
