"""model_export.training.head: the softmax head, trained in numpy."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model_export.training.config import OPTIMIZERS, TrainConfig
from model_export.training.head import fit_head, softmax

CONFIG = TrainConfig(epochs=30, seed=0)


def blobs(rng: np.random.Generator, n_per_label: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Three labels in 8 dimensions, separable, on features of very different scales."""
    centres = rng.normal(0, 3, (3, 8))
    x = np.concatenate([c + rng.normal(0, 0.5, (n_per_label, 8)) for c in centres])
    x *= np.array([1e-3, 1, 10, 100, 1, 1, 1, 1])
    x[:, 7] = 5.0  # a constant feature: variance 0
    y = np.repeat(np.arange(3), n_per_label)
    return x.astype(np.float32), y


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_each_optimizer_separates_the_labels(rng: np.random.Generator, optimizer: str) -> None:
    x, y = blobs(rng)

    head = fit_head(x, y, n_labels=3, config=dataclasses.replace(CONFIG, optimizer=optimizer))

    probabilities = head.probabilities(x)
    assert probabilities.dtype == np.float32 and probabilities.shape == (60, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert np.mean(probabilities.argmax(axis=1) == y) == 1.0


def test_standardisation_uses_the_training_statistics(rng: np.random.Generator) -> None:
    x, y = blobs(rng)

    head = fit_head(x, y, n_labels=3, config=CONFIG)

    np.testing.assert_allclose(head.mean, x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(head.inv_std[:7], 1 / x[:, :7].std(axis=0), rtol=1e-4)
    assert head.inv_std[7] == pytest.approx(1e3)  # variance floored at 1e-6
    assert all(a.dtype == np.float32 for a in (head.mean, head.inv_std, head.kernel, head.bias))


def test_same_seed_same_head_other_seed_other_head(rng: np.random.Generator) -> None:
    x, y = blobs(rng)

    first = fit_head(x, y, n_labels=3, config=CONFIG)
    again = fit_head(x, y, n_labels=3, config=CONFIG)
    other = fit_head(x, y, n_labels=3, config=dataclasses.replace(CONFIG, seed=1))

    np.testing.assert_array_equal(first.kernel, again.kernel)
    assert np.abs(first.kernel - other.kernel).max() > 1e-3


def test_progress_counts_epochs(rng: np.random.Generator) -> None:
    x, y = blobs(rng)
    calls: list[tuple[str, int, int]] = []

    fit_head(
        x,
        y,
        n_labels=3,
        config=dataclasses.replace(CONFIG, epochs=3),
        progress=lambda *a: calls.append(a),
        stage="final fit",
    )

    assert calls == [("final fit", e, 3) for e in (1, 2, 3)]


def test_softmax_is_stable_for_large_logits() -> None:
    p = softmax(np.array([[1000.0, 0.0, -1000.0]]))

    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]], atol=1e-7)


def test_metrics_report_each_epoch_and_change_nothing(rng: np.random.Generator) -> None:
    x, y = blobs(rng)
    config = TrainConfig(epochs=60, seed=0)
    seen: list[tuple[str, int, float, float]] = []
    watched = fit_head(
        x, y, n_labels=3, config=config, stage="s", metrics=lambda *m: seen.append(m)
    )
    plain = fit_head(x, y, n_labels=3, config=config)

    np.testing.assert_array_equal(watched.kernel, plain.kernel)  # only watched, not changed
    assert [(s, e) for s, e, _, _ in seen] == [("s", e) for e in range(1, 61)]
    losses = [loss for _, _, loss, _ in seen]
    accuracies = [acc for _, _, _, acc in seen]
    # Training with dropout: the loss falls and the accuracy rises, from chance (1/3).
    assert np.mean(losses[-10:]) < 0.5 * losses[0] and all(loss > 0 for loss in losses)
    assert all(0.0 <= a <= 1.0 for a in accuracies)
    assert accuracies[0] < 0.6 < np.mean(accuracies[-10:])
