"""Choosing the features a head reads: the sets, folds, the choice, the fold-back."""

from __future__ import annotations

import numpy as np
import pytest

from model_export.features.layout import MEL_BANDS, MEL_MEANS, SPEECH
from model_export.training.config import TrainConfig
from model_export.training.feature_sets import (
    CEPSTRAL_COEFFICIENTS,
    FEATURE_SETS,
    MAX_SCORED_CLIPS_PER_LABEL,
    average_heads,
    choose_feature_set,
    dct_matrix,
    feature_projection,
    fit_head_on_set,
    fit_head_on_sets,
    fold_of_clips,
    project_head,
    scored_clips,
)
from model_export.training.head import fit_head, softmax

FEATURE_DIM = 279
SPEECH_FEATURES = SPEECH.stop
COPIES = 3


def _reads(name: str) -> np.ndarray:
    """Which features the set uses at all."""
    return np.any(feature_projection(name, FEATURE_DIM) != 0.0, axis=1)


def test_speech_and_cepstral_sets_split_all_features() -> None:
    speech, cepstral = _reads("speech"), _reads("cepstral")
    assert speech[:SPEECH_FEATURES].all() and not speech[SPEECH_FEATURES:].any()
    assert not (speech & cepstral).any()
    assert (speech | cepstral).all() and _reads("all").all()
    np.testing.assert_array_equal(feature_projection("all", FEATURE_DIM), np.eye(FEATURE_DIM))
    with pytest.raises(ValueError, match="feature set must be one of all, speech, cepstral"):
        feature_projection("pitch", FEATURE_DIM)


def test_the_dct_is_orthonormal_with_a_constant_first_basis_vector() -> None:
    d = dct_matrix(MEL_BANDS)
    np.testing.assert_allclose(d.T @ d, np.eye(MEL_BANDS), atol=1e-12)
    np.testing.assert_allclose(d[:, 0], d[0, 0])
    # Basis k has k sign changes across the bands, like a cosine of k half-periods.
    assert [int(np.sum(np.diff(np.sign(d[:, k])) != 0)) for k in range(5)] == [0, 1, 2, 3, 4]


def test_cepstral_set_ignores_the_level_and_keeps_the_rest_of_the_timbre_block(
    rng: np.random.Generator,
) -> None:
    projection = feature_projection("cepstral", FEATURE_DIM)
    rest = FEATURE_DIM - SPEECH_FEATURES - MEL_BANDS
    assert projection.shape == (FEATURE_DIM, CEPSTRAL_COEFFICIENTS + rest)
    x = rng.standard_normal((4, FEATURE_DIM))
    louder = x.copy()
    louder[:, MEL_MEANS] += 3.0  # every band 30 dB up
    np.testing.assert_allclose(louder @ projection, x @ projection, atol=1e-12)
    tilted = x.copy()
    tilted[:, MEL_MEANS] += np.linspace(0.0, 1.0, MEL_BANDS)  # a brighter sound
    assert not np.allclose(tilted @ projection, x @ projection)
    np.testing.assert_array_equal(
        (x @ projection)[:, CEPSTRAL_COEFFICIENTS:], x[:, MEL_MEANS.stop :]
    )


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
    [(slice(0, SPEECH_FEATURES), "cepstral"), (slice(SPEECH_FEATURES, None), "speech")],
)
def test_a_set_that_cannot_tell_the_labels_apart_is_not_chosen(
    rng: np.random.Generator, informative: slice, hopeless: str
) -> None:
    x, y = _clips(rng, informative)
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None
    assert choice.scores[hopeless] < 0.7  # chance is 1/3
    assert hopeless not in choice.names
    best = max(choice.scores.values())
    assert best >= 0.9
    assert choice.names == tuple(n for n in FEATURE_SETS if choice.scores[n] == best)


def test_every_view_that_ties_for_the_best_score_is_chosen(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(0, SPEECH_FEATURES))
    x[:, SPEECH_FEATURES:] = 0.0  # constant: "all" reads nothing more than "speech" does
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None
    assert choice.scores["all"] == choice.scores["speech"] == 1.0 > choice.scores["cepstral"]
    assert choice.names == ("all", "speech")
    assert choice.name == "all+speech"


def test_tied_views_average_their_heads_logits(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(None))
    names = ("speech", "cepstral")
    heads = [fit_head_on_set(x, y, name=n, n_labels=3, config=TrainConfig()) for n in names]
    averaged = average_heads(heads)
    logits = [(x - h.mean) * h.inv_std @ h.kernel + h.bias for h in heads]
    np.testing.assert_allclose(
        np.log(averaged.probabilities(x)),
        np.log(softmax(np.mean(logits, axis=0))),
        atol=1e-4,
    )
    np.testing.assert_array_equal(averaged.inv_std, np.max([h.inv_std for h in heads], axis=0))
    stages: list[tuple[int, int]] = []
    fitted = fit_head_on_sets(
        x,
        y,
        names=names,
        n_labels=3,
        config=TrainConfig(epochs=4),
        progress=lambda _stage, done, total: stages.append((done, total)),
    )
    assert stages == [(i, 8) for i in range(1, 9)]  # one bar over both fits
    assert fitted.kernel.shape == (FEATURE_DIM, 3)


def test_one_clip_of_a_label_leaves_nothing_to_score(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(None), per_label=1)
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.names == ("all",) and choice.scores is None


@pytest.mark.parametrize("name", FEATURE_SETS)
def test_a_head_folded_onto_the_full_vector_is_the_same_classifier(
    rng: np.random.Generator, name: str
) -> None:
    x, y = _clips(rng, slice(SPEECH_FEATURES, None))
    x[:, :8] += 50.0  # features far from 0: the centring must stay exact in float32
    projection = feature_projection(name, FEATURE_DIM)
    small = fit_head(x.astype(np.float64) @ projection, y, n_labels=3, config=TrainConfig())
    full = project_head(small, projection, mean=x.astype(np.float64).mean(axis=0))
    expected = small.probabilities(x.astype(np.float64) @ projection)
    # float32 softmax of logits of order 10: agreement to a few float32 ulps of 1.
    np.testing.assert_allclose(full.probabilities(x), expected, atol=1e-5)
    assert full.kernel.shape == (FEATURE_DIM, 3)
    fitted = fit_head_on_set(x, y, name=name, n_labels=3, config=TrainConfig())
    np.testing.assert_allclose(fitted.probabilities(x), expected, atol=1e-5)


def test_a_head_on_a_set_ignores_the_other_features(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(SPEECH_FEATURES, None))
    head = fit_head_on_set(x, y, name="cepstral", n_labels=3, config=TrainConfig())
    unread = ~_reads("cepstral")
    assert not head.kernel[unread].any() and not head.inv_std[unread].any()
    changed = x.copy()
    changed[:, unread] = rng.standard_normal((len(x), int(unread.sum()))) * 100.0
    np.testing.assert_array_equal(head.probabilities(changed), head.probabilities(x))


def test_a_big_project_is_scored_on_a_seeded_sample_of_each_label() -> None:
    targets = np.repeat([0, 1, 2], [5, 50, 21])
    keep = scored_clips(targets, seed=0)
    most = MAX_SCORED_CLIPS_PER_LABEL
    assert np.bincount(targets[keep]).tolist() == [5, most, most]
    assert np.all(np.diff(keep) > 0)
    assert set(np.flatnonzero(targets == 0)) <= set(keep)  # a small label keeps every clip
    np.testing.assert_array_equal(keep, scored_clips(targets, seed=0))
    assert not np.array_equal(keep, scored_clips(targets, seed=1))


def test_scoring_a_sample_still_finds_the_informative_view(rng: np.random.Generator) -> None:
    """60 clips per label, scored on 20 of each: the same choice as scoring them all."""
    x, y = _clips(rng, slice(SPEECH_FEATURES, None), per_label=60)
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig(epochs=10))
    assert choice.scores is not None and "speech" not in choice.names
    # Scores are fractions of the 60 scored clips.
    assert all(round(s * 60) == s * 60 for s in choice.scores.values())
