"""Which view of the front-end's features a head reads, chosen by cross-validation.

The front-end (``features/audio_features.py``, laid out in
``features/layout.py``) outputs the speech embedding's pooled statistics
first, then the timbre block: log-mel, pitch and envelope statistics, then the ear's
general-sound embedding. Measured in bench/unseen.py, no view wins every task: the
embedding tells words apart, the timbre block (as cepstra) tells voices and sounds
apart, the timbre block and the ear averaged tell drums apart across kits, and a head
on everything is worse than the right view alone when it has only 5 clips per label.
So training scores each candidate (a view, or views averaged) by k-fold
cross-validation over the clips (each clip with all its augmented copies held out
together) and keeps the best. When several tie for the best score, nothing tells them
apart: it trains a head on each of their views and averages their logits, which is
again one linear head (``average_heads``). A candidate with the ear must beat every
candidate without it on the held-out clips' augmented copies too (``choose_feature_set``).

Every view is a linear map of the feature vector, ``features @ projection``.
The head is trained on the projected features and then folded back onto the
full vector (``project_head``), so the exported graph is the same for every
view. Pure numpy; the head is ``head.fit_head``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model_export.features.layout import AFTER_MEL_MEANS, EAR, MEL_BANDS, MEL_MEANS, SPEECH
from model_export.training.config import TrainConfig
from model_export.training.head import Head, Metrics, Progress, fit_head

FEATURE_SETS: tuple[str, ...] = ("all", "speech", "cepstral", "ear")
"""The views, in the order they are reported.

all: every feature but the ear's: the speech and timbre blocks (with the ear's too,
words and a person's words scored 2-5 points lower in bench/unseen.py). speech: the
embedding's statistics. cepstral: the timbre block (log-mel, pitch and envelope
statistics) with the log-mel means replaced by cepstral coefficients 1-12 (their DCT,
as in MFCCs): the shape of the spectrum without its overall level and fine detail.
ear: the ear's general-sound embedding (``features/ear.py``), read only averaged with
the cepstral view (CANDIDATES).
"""
CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("all",),
    ("speech",),
    ("cepstral",),
    ("cepstral", "ear"),
)
"""What cross-validation scores: each view, and heads on views averaged. The timbre block
and the ear err on different sounds: averaged, they beat either on drums across kits
(docs/benchmarks.md, issue 20)."""
CEPSTRAL_COEFFICIENTS = 12
MAX_FOLDS = 5
MAX_SCORED_CLIPS_PER_LABEL = 20
"""Cross-validation scores the views on at most this many clips of each label (a seeded
choice): the choice needs no more, and its cost then stays flat as a project grows to
hundreds of clips (3 views x 5 folds of head fits; 810 clips took 10 s, 20 per label 0.8 s)."""


@dataclass(frozen=True)
class FeatureChoice:
    """The chosen views and every candidate's cross-validated accuracy (None: too few clips).

    ``names`` are the chosen views, in FEATURE_SETS order; the classifier averages the
    logits of a head on each. ``scores`` is each candidate's accuracy on the held-out
    clips, ``copy_scores`` on the held-out clips and their augmented copies
    (``choose_feature_set`` says which decides what).
    """

    names: tuple[str, ...]
    scores: dict[str, float] | None
    copy_scores: dict[str, float] | None = None

    @property
    def name(self) -> str:
        """The views joined by "+", as metadata.json and ``pac train`` report them."""
        return "+".join(self.names)


def dct_matrix(n: int) -> np.ndarray:
    """Orthonormal DCT-II [shape=(n, n)]: ``x @ dct_matrix(n)`` is ``dct(x, norm="ortho")``."""
    k = np.arange(n)
    basis = np.cos(np.pi * (k[:, None] + 0.5) * k[None, :] / n) * np.sqrt(2.0 / n)
    basis[:, 0] = np.sqrt(1.0 / n)
    return basis


def feature_projection(name: str, feature_dim: int) -> np.ndarray:
    """The set ``name`` as a matrix [shape=(feature_dim, set_dim)], float64."""
    identity = np.eye(feature_dim)
    if name == "all":
        return identity[:, : EAR.start]
    if name == "speech":
        return identity[:, SPEECH]
    if name == "cepstral":
        cepstra = np.zeros((feature_dim, CEPSTRAL_COEFFICIENTS))
        cepstra[MEL_MEANS] = dct_matrix(MEL_BANDS)[:, 1 : CEPSTRAL_COEFFICIENTS + 1]
        return np.concatenate([cepstra, identity[:, AFTER_MEL_MEANS]], axis=1)
    if name == "ear":
        return identity[:, EAR]
    raise ValueError(f"feature set must be one of {', '.join(FEATURE_SETS)}; got {name!r}")


def fit_head_on_set(
    features: np.ndarray,
    targets: np.ndarray,
    *,
    name: str,
    n_labels: int,
    config: TrainConfig,
    progress: Progress | None = None,
    stage: str = "fit",
    metrics: Metrics | None = None,
) -> Head:
    """``fit_head`` on the projected features, returned as a head on the full vector."""
    projection = feature_projection(name, features.shape[1])
    x = np.asarray(features, np.float64)
    head = fit_head(
        x @ projection,
        targets,
        n_labels=n_labels,
        config=config,
        progress=progress,
        stage=stage,
        metrics=metrics,
    )
    return project_head(head, projection, mean=x.mean(axis=0))


def fit_head_on_sets(
    features: np.ndarray,
    targets: np.ndarray,
    *,
    names: tuple[str, ...],
    n_labels: int,
    config: TrainConfig,
    progress: Progress | None = None,
    stage: str = "fit",
    metrics: Metrics | None = None,
) -> Head:
    """A head on each view in ``names``, averaged (``average_heads``); progress counts all fits;
    metrics name each fit's stage ``"<stage> (i of n)"`` when there are several."""
    heads = []
    for i, name in enumerate(names):

        def progress_of_all(stage: str, done: int, total: int, i: int = i) -> None:
            if progress:
                progress(stage, i * total + done, len(names) * total)

        def metrics_of_all(stage: str, epoch: int, loss: float, acc: float, i: int = i) -> None:
            if metrics:
                which = f" ({i + 1} of {len(names)})" if len(names) > 1 else ""
                metrics(stage + which, epoch, loss, acc)

        heads.append(
            fit_head_on_set(
                features,
                targets,
                name=name,
                n_labels=n_labels,
                config=config,
                progress=progress_of_all,
                stage=stage,
                metrics=metrics_of_all,
            )
        )
    return average_heads(heads)


def average_heads(heads: list[Head]) -> Head:
    """One head whose logits are the mean of the heads' logits.

    The heads must come from ``project_head`` on the same features (the same
    ``mean``, ``inv_std`` 1 or 0); a feature is read if any head reads it.
    """
    if len(heads) == 1:
        return heads[0]
    return Head(
        mean=heads[0].mean,
        inv_std=np.max([h.inv_std for h in heads], axis=0),
        kernel=np.mean([h.kernel for h in heads], axis=0, dtype=np.float64).astype(np.float32),
        bias=np.mean([h.bias for h in heads], axis=0, dtype=np.float64).astype(np.float32),
    )


def project_head(head: Head, projection: np.ndarray, *, mean: np.ndarray) -> Head:
    """The same classifier, reading the full vector: ``z = x @ projection`` becomes a kernel.

    ``(x @ P - m) * s @ K`` equals ``(x - mean) @ (P diag(s) K)`` when
    ``m = mean @ P``: the head's mean is taken over the full features, so the
    centring stays exact in float32. Features the set does not read get
    ``inv_std`` 0 and kernel rows 0.
    """
    kernel = projection @ (head.inv_std.astype(np.float64)[:, None] * head.kernel)
    used = np.any(projection != 0.0, axis=1)
    return Head(
        mean=np.asarray(mean, np.float32),
        inv_std=used.astype(np.float32),
        kernel=kernel.astype(np.float32),
        bias=head.bias,
    )


def fold_of_clips(clip_targets: np.ndarray, *, folds: int) -> np.ndarray:
    """Fold index of each clip: a label's clips go round the folds in order."""
    fold = np.zeros(len(clip_targets), dtype=np.int64)
    for target in np.unique(clip_targets):
        idx = np.flatnonzero(clip_targets == target)
        fold[idx] = np.arange(len(idx)) % folds
    return fold


def scored_clips(clip_targets: np.ndarray, *, seed: int) -> np.ndarray:
    """Indices (sorted) of the clips cross-validation scores: every clip of a label with
    at most MAX_SCORED_CLIPS_PER_LABEL, else that many chosen at random (seeded)."""
    rng = np.random.default_rng(seed)
    keep = []
    for target in np.unique(clip_targets):
        idx = np.flatnonzero(clip_targets == target)
        if idx.size > MAX_SCORED_CLIPS_PER_LABEL:
            idx = rng.choice(idx, MAX_SCORED_CLIPS_PER_LABEL, replace=False)
        keep.append(idx)
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, np.int64)


def choose_feature_set(
    features: np.ndarray,
    targets: np.ndarray,
    *,
    copies: int,
    n_labels: int,
    config: TrainConfig,
) -> FeatureChoice:
    """Score CANDIDATES by k-fold cross-validation; return the best.

    features : np.ndarray [shape=(n_clips * copies, feature_dim)]: clip i's rows are
        ``i * copies`` to ``(i + 1) * copies - 1``, its un-augmented window first
    targets : np.ndarray [shape=(n_clips * copies,)], int label indices

    k is the number of clips of the rarest label among them, at most
    MAX_FOLDS. With fewer than 2 clips of some label there is nothing to score:
    all features. A candidate's held-out logits are the mean of its views' (as
    ``average_heads`` makes them). Two accuracies of each: ``scores``, on each held-out
    clip's un-augmented window, and ``copy_scores``, on that window and its augmented
    copies (shifted, noisy, through the phone's channel: as an app meets the sound).

    - The ear's candidate is chosen when its copy score is strictly higher than every
      candidate's without it. The ear was trained on such copies; scored on 4 clips per
      label alone, one seed in six of bench/unseen.py's drums picked ``all`` over it and
      scored 58% across kits, against 80-84% with the ear.
    - Otherwise the views of every candidate without the ear that ties for the best
      score: as before the ear. (On speech, with the ear averaged in on a tie, new voices
      scored 1-3 points lower; every candidate chosen on copy scores, which rarely tie,
      averaged fewer views and cost numbers and words 1-2 points.)

    A label with more than MAX_SCORED_CLIPS_PER_LABEL clips is scored on that many, chosen
    by ``config.seed``.
    """
    clip_targets = targets[::copies]
    keep = scored_clips(clip_targets, seed=config.seed)
    if keep.size < clip_targets.size:
        rows = (keep[:, None] * copies + np.arange(copies)[None, :]).ravel()
        features, targets, clip_targets = features[rows], targets[rows], clip_targets[keep]
    counts = np.bincount(clip_targets)
    folds = min(MAX_FOLDS, int(counts[counts > 0].min()))
    if folds < 2:
        return FeatureChoice(("all",), None)
    row_fold = np.repeat(fold_of_clips(clip_targets, folds=folds), copies)
    first_rows = np.arange(0, len(targets), copies)
    x = np.asarray(features, np.float64)
    held_logits = {}  # each view's logits of every row, from the fold holding its clip
    for name in FEATURE_SETS:
        projected = x @ feature_projection(name, x.shape[1])
        logits = np.zeros((len(targets), n_labels), np.float32)
        for fold in range(folds):
            head = fit_head(
                projected[row_fold != fold],
                targets[row_fold != fold],
                n_labels=n_labels,
                config=config,
            )
            held = row_fold == fold
            logits[held] = head.logits(projected[held])
        held_logits[name] = logits
    scores, copy_scores = {}, {}
    for candidate in CANDIDATES:
        mean = np.mean([held_logits[name] for name in candidate], axis=0)
        right = mean.argmax(axis=1) == targets
        scores["+".join(candidate)] = float(np.mean(right[first_rows]))
        copy_scores["+".join(candidate)] = float(np.mean(right))
    with_ear = [c for c in CANDIDATES if "ear" in c]
    without_ear = [c for c in CANDIDATES if "ear" not in c]
    best_with_ear = max((copy_scores["+".join(c)] for c in with_ear), default=-1.0)
    if best_with_ear > max(copy_scores["+".join(c)] for c in without_ear):
        tied = [c for c in with_ear if copy_scores["+".join(c)] == best_with_ear]
    else:
        best = max(scores["+".join(c)] for c in without_ear)
        tied = [c for c in without_ear if scores["+".join(c)] == best]
    chosen = {name for c in tied for name in c}
    names = tuple(name for name in FEATURE_SETS if name in chosen)
    return FeatureChoice(names, scores, copy_scores)
