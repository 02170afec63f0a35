"""Choosing the features a head reads: the sets, folds, the choice, the fold-back."""

from __future__ import annotations

import numpy as np
import pytest

from model_export.features.layout import (
    AFTER_MEL_MEANS,
    EAR,
    FEATURE_DIM,
    MEL_BANDS,
    MEL_MEANS,
    SPEECH,
)
from model_export.training.config import TrainConfig
from model_export.training.feature_sets import (
    CANDIDATES,
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

SPEECH_FEATURES = SPEECH.stop
COPIES = 3


def _reads(name: str) -> np.ndarray:
    """Which features the set uses at all."""
    return np.any(feature_projection(name, FEATURE_DIM) != 0.0, axis=1)


def test_speech_cepstral_and_ear_sets_split_all_features() -> None:
    speech, cepstral, ear = _reads("speech"), _reads("cepstral"), _reads("ear")
    assert speech[:SPEECH_FEATURES].all() and not speech[SPEECH_FEATURES:].any()
    assert ear[EAR].all() and ear.sum() == EAR.stop - EAR.start == 64
    assert not (speech & cepstral).any() and not (ear & (speech | cepstral)).any()
    assert (speech | cepstral | ear).all() and (_reads("all") == ~ear).all()
    np.testing.assert_array_equal(
        feature_projection("all", FEATURE_DIM), np.eye(FEATURE_DIM)[:, : EAR.start]
    )
    with pytest.raises(ValueError, match="feature set must be one of all, speech, cepstral, ear"):
        feature_projection("pitch", FEATURE_DIM)
    assert {name for candidate in CANDIDATES for name in candidate} == set(FEATURE_SETS)


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
    rest = AFTER_MEL_MEANS.stop - AFTER_MEL_MEANS.start
    assert projection.shape == (FEATURE_DIM, CEPSTRAL_COEFFICIENTS + rest)
    x = rng.standard_normal((4, FEATURE_DIM))
    louder = x.copy()
    louder[:, MEL_MEANS] += 3.0  # every band 30 dB up
    np.testing.assert_allclose(louder @ projection, x @ projection, atol=1e-12)
    tilted = x.copy()
    tilted[:, MEL_MEANS] += np.linspace(0.0, 1.0, MEL_BANDS)  # a brighter sound
    assert not np.allclose(tilted @ projection, x @ projection)
    np.testing.assert_array_equal(
        (x @ projection)[:, CEPSTRAL_COEFFICIENTS:], x[:, AFTER_MEL_MEANS]
    )


def test_each_label_s_clips_go_round_the_folds() -> None:
    targets = np.array([0, 1, 0, 0, 1, 1, 1, 0])
    assert fold_of_clips(targets, folds=3).tolist() == [0, 0, 1, 2, 1, 2, 0, 0]


def _chosen(scores: dict[str, float]) -> tuple[str, ...]:
    """The views of every candidate in ``scores`` with the best score, in FEATURE_SETS order."""
    best = max(scores.values())
    views = {name for c in CANDIDATES if scores.get("+".join(c)) == best for name in c}
    return tuple(name for name in FEATURE_SETS if name in views)


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
    assert choice.names == _chosen(choice.scores)
    assert set(choice.scores) == {"+".join(c) for c in CANDIDATES}


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


def test_an_averaged_candidate_is_scored_by_its_views_mean_logits(
    rng: np.random.Generator,
) -> None:
    """Two views that each tell one of three labels from the rest: averaged, all three."""
    targets = np.repeat(np.repeat(np.arange(3), 5), COPIES)
    x = rng.standard_normal((len(targets), FEATURE_DIM)).astype(np.float32)
    # the timbre block tells label 0 from the rest; the ear tells label 2 from the rest
    x[:, AFTER_MEL_MEANS] += 3.0 * (targets == 0)[:, None]
    x[:, EAR] += 3.0 * (targets == 2)[:, None]
    choice = choose_feature_set(x, targets, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None
    assert choice.scores["cepstral+ear"] == 1.0 > choice.scores["cepstral"]
    assert choice.names == _chosen(choice.scores) and {"cepstral", "ear"} <= set(choice.names)


def test_the_ear_is_not_chosen_on_a_tie(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(None))  # every view knows every label
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None
    assert choice.scores["cepstral+ear"] == choice.scores["all"] == 1.0
    assert choice.names == _chosen({n: s for n, s in choice.scores.items() if "ear" not in n})
    assert "ear" not in choice.names and "all" in choice.names


def test_the_ear_is_chosen_when_it_alone_knows_the_augmented_copies(
    rng: np.random.Generator,
) -> None:
    """Every view knows the clips, only the ear their copies: a tie on clips, not on copies."""
    targets = np.repeat(np.repeat(np.arange(3), 5), COPIES)
    first = np.arange(len(targets)) % COPIES == 0
    x = rng.standard_normal((len(targets), FEATURE_DIM)).astype(np.float32)
    before_ear = np.array_split(np.arange(EAR.start), 3)
    ear = np.array_split(np.arange(EAR.start, EAR.stop), 3)
    for label in range(3):  # label k raises the k-th third of the features
        x[np.ix_(first & (targets == label), before_ear[label])] += 3.0  # the clips: every view
        x[np.ix_(targets == label, ear[label])] += 3.0  # the ear knows their copies too
    choice = choose_feature_set(x, targets, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None and choice.copy_scores is not None
    assert choice.scores["cepstral+ear"] == choice.scores["all"] == 1.0
    best_without_ear = max(s for n, s in choice.copy_scores.items() if "ear" not in n)
    assert choice.copy_scores["cepstral+ear"] > best_without_ear
    assert choice.names == ("cepstral", "ear")


def test_without_a_candidate_with_the_ear_the_rest_are_chosen_as_before(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As bench/unseen.py --without-ear scores pac before the ear."""
    from model_export.training import feature_sets

    monkeypatch.setattr(feature_sets, "CANDIDATES", (("all",), ("speech",), ("cepstral",)))
    x, y = _clips(rng, slice(0, SPEECH_FEATURES))
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.scores is not None and set(choice.scores) == {"all", "speech", "cepstral"}
    assert choice.names == _chosen(choice.scores) and "ear" not in choice.names


def test_one_clip_of_a_label_leaves_nothing_to_score(rng: np.random.Generator) -> None:
    x, y = _clips(rng, slice(None), per_label=1)
    choice = choose_feature_set(x, y, copies=COPIES, n_labels=3, config=TrainConfig())
    assert choice.names == ("all",) and choice.scores is None and choice.copy_scores is None


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
