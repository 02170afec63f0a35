"""Accuracy and confusion matrices: pure functions of label indices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evaluation:
    """How a model did on a set of clips.

    confusion_matrix[i][j] counts clips whose true label is ``labels[i]`` and
    whose predicted label is ``labels[j]``.
    """

    labels: tuple[str, ...]
    confusion_matrix: tuple[tuple[int, ...], ...]

    @property
    def n_clips(self) -> int:
        return int(sum(sum(row) for row in self.confusion_matrix))

    @property
    def accuracy(self) -> float:
        n = self.n_clips
        correct = sum(self.confusion_matrix[i][i] for i in range(len(self.labels)))
        return correct / n if n else 0.0


def evaluate_predictions(
    true_index: np.ndarray, predicted_index: np.ndarray, *, labels: tuple[str, ...]
) -> Evaluation:
    """Confusion matrix from integer label indices (both shape ``(n_clips,)``)."""
    n = len(labels)
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true_index), np.asarray(predicted_index)), 1)
    return Evaluation(
        labels=labels, confusion_matrix=tuple(tuple(int(v) for v in row) for row in matrix)
    )
