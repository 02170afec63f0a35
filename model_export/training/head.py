"""The trained part of the classifier: standardise the features, then one softmax layer.

Pure numpy. ``fit_head`` trains it with mini-batches, dropout and an L2
penalty, with the paper's three optimizers (Keras' update rules and
defaults). ``Head`` is what the exporter grafts onto the front-end graph, as
``softmax((features - mean) * inv_std @ kernel + bias)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model_export.training.config import OPTIMIZERS, TrainConfig

MIN_VARIANCE = 1e-6
"""Features that barely vary are scaled as if their variance were this."""
DROPOUT = 0.5
L2 = 1e-3

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are "features", "validation fit" and "final fit"."""
Metrics = Callable[[str, int, float, float], None]
"""``metrics(stage, epoch, loss, accuracy)`` after each epoch of a head's training: the mean
cross-entropy and the accuracy over that epoch's mini-batches (with dropout, as trained)."""


@dataclass(frozen=True)
class Head:
    """Standardisation statistics and the softmax layer, float32.

    mean, inv_std : np.ndarray [shape=(feature_dim,)]
    kernel : np.ndarray [shape=(feature_dim, n_labels)]
    bias : np.ndarray [shape=(n_labels,)]
    """

    mean: np.ndarray
    inv_std: np.ndarray
    kernel: np.ndarray
    bias: np.ndarray

    def logits(self, features: np.ndarray) -> np.ndarray:
        """features [shape=(n, feature_dim)] -> logits (n, n_labels), float32."""
        z = (np.asarray(features, np.float32) - self.mean) * self.inv_std
        return np.asarray(z @ self.kernel + self.bias, np.float32)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """features [shape=(n, feature_dim)] -> softmax probabilities (n, n_labels), float32."""
        return softmax(self.logits(features))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)


class _Optimizer:
    """Keras 3's update rules for adam, sgd (momentum 0.9) and rmsprop, at Keras defaults."""

    def __init__(self, name: str, *, learning_rate: float, shapes: list[tuple[int, ...]]) -> None:
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
        self.name = name
        self.lr = learning_rate
        self.slots = [np.zeros(s, np.float64) for s in shapes]
        self.slots2 = [np.zeros(s, np.float64) for s in shapes]
        self.steps = 0

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.steps += 1
        for p, g, m, v in zip(params, grads, self.slots, self.slots2, strict=True):
            if self.name == "adam":
                beta_1, beta_2, epsilon = 0.9, 0.999, 1e-7
                m += (g - m) * (1 - beta_1)
                v += (g * g - v) * (1 - beta_2)
                alpha = self.lr * np.sqrt(1 - beta_2**self.steps) / (1 - beta_1**self.steps)
                p -= alpha * m / (np.sqrt(v) + epsilon)
            elif self.name == "sgd":
                m *= 0.9
                m -= self.lr * g
                p += m
            else:  # rmsprop
                rho, epsilon = 0.9, 1e-7
                v *= rho
                v += (1 - rho) * g * g
                p -= self.lr * g / (np.sqrt(v) + epsilon)


def fit_head(
    features: np.ndarray,
    targets: np.ndarray,
    *,
    n_labels: int,
    config: TrainConfig,
    progress: Progress | None = None,
    stage: str = "fit",
    metrics: Metrics | None = None,
) -> Head:
    """Train the head on feature vectors.

    features : np.ndarray [shape=(n, feature_dim)], float32
    targets : np.ndarray [shape=(n,)], int label indices in [0, n_labels)

    Standardises with the statistics of ``features``; then ``config.epochs``
    passes of shuffled mini-batches of ``config.batch_size``, minimising
    cross-entropy plus ``L2 * sum(kernel**2)``, with dropout ``DROPOUT`` on
    the standardised features. Seeded by ``config.seed``: the same inputs
    give the same head.
    """
    x = np.asarray(features, np.float64)
    mean = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.maximum(x.var(axis=0), MIN_VARIANCE))
    z_all = (x - mean) * inv_std
    onehot = np.eye(n_labels)[np.asarray(targets)]

    rng = np.random.default_rng(config.seed)
    feature_dim = x.shape[1]
    limit = np.sqrt(6.0 / (feature_dim + n_labels))  # Glorot uniform
    kernel = rng.uniform(-limit, limit, (feature_dim, n_labels))
    bias = np.zeros(n_labels)
    optimizer = _Optimizer(
        config.optimizer, learning_rate=config.learning_rate, shapes=[kernel.shape, bias.shape]
    )
    keep = 1.0 - DROPOUT
    target_index = np.asarray(targets)
    for epoch in range(config.epochs):
        order = rng.permutation(len(x))
        loss_sum, right = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            idx = order[start : start + config.batch_size]
            z = z_all[idx] * (rng.random((len(idx), feature_dim)) < keep) / keep
            logits = z @ kernel + bias
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            if metrics:
                truth = target_index[idx]
                loss_sum -= float(np.sum(np.log(p[np.arange(len(idx)), truth] + 1e-12)))
                right += int(np.sum(np.argmax(p, axis=1) == truth))
            d_logits = (p - onehot[idx]) / len(idx)
            optimizer.apply(
                [kernel, bias], [z.T @ d_logits + 2.0 * L2 * kernel, d_logits.sum(axis=0)]
            )
        if metrics and len(x):
            metrics(stage, epoch + 1, loss_sum / len(x), right / len(x))
        if progress:
            progress(stage, epoch + 1, config.epochs)
    return Head(
        mean=mean.astype(np.float32),
        inv_std=inv_std.astype(np.float32),
        kernel=kernel.astype(np.float32),
        bias=bias.astype(np.float32),
    )
