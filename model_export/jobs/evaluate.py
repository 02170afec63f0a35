"""``pac evaluate``: classify every clip of a labelled dataset and score the model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model_export.audio.dataset import Clip, DatasetError, Warn, load_dataset, scan_dataset
from model_export.model_folder.evaluation import Evaluation, evaluate_predictions
from model_export.model_folder.inference import LoadedModel


@dataclass
class ClipResult:
    clip: Clip
    predicted: str
    confidence: float


@dataclass
class EvaluateReport:
    evaluation: Evaluation
    per_clip: list[ClipResult]
    inference_ms: list[float]


def evaluate_model_dir(model_dir: Path, data_dir: Path, *, warn: Warn) -> EvaluateReport:
    """Classify every clip of a labelled dataset; labels must be among the model's."""
    model = LoadedModel(model_dir)
    clips = scan_dataset(data_dir, min_labels=1)
    unknown = sorted({c.label for c in clips} - set(model.labels))
    if unknown:
        raise DatasetError(
            [
                f"{data_dir / name}: label {name!r} is not one of the model's labels "
                f"({', '.join(model.labels)})"
                for name in unknown
            ]
        )
    audio = load_dataset(clips, sample_rate_hz=model.sample_rate_hz, warn=warn)
    per_clip: list[ClipResult] = []
    times_ms: list[float] = []
    predicted_index = []
    for clip, y in zip(clips, audio, strict=True):
        t0 = time.perf_counter()
        probabilities = model.predict([y])[0]
        times_ms.append(1000.0 * (time.perf_counter() - t0))
        best = int(np.argmax(probabilities))
        predicted_index.append(best)
        per_clip.append(ClipResult(clip, model.labels[best], float(probabilities[best])))
    true_index = np.asarray([model.labels.index(c.label) for c in clips])
    evaluation = evaluate_predictions(true_index, np.asarray(predicted_index), labels=model.labels)
    return EvaluateReport(evaluation=evaluation, per_clip=per_clip, inference_ms=times_ms)


def plot_confusion(evaluation: Evaluation, path: Path, *, title: str) -> None:
    """Write a confusion-matrix picture (rows true, columns predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(evaluation.confusion_matrix)
    n = len(evaluation.labels)
    fig, ax = plt.subplots(figsize=(1.2 * n + 2.5, 1.2 * n + 2))
    ax.imshow(matrix, cmap="Blues", vmin=0)
    ax.set_xticks(range(n), evaluation.labels, rotation=45, ha="right")
    ax.set_yticks(range(n), evaluation.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title}\naccuracy {evaluation.accuracy:.1%} on {evaluation.n_clips} clips")
    peak = matrix.max() if matrix.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                str(matrix[i, j]),
                ha="center",
                va="center",
                color="white" if matrix[i, j] > peak / 2 else "black",
            )
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.partial.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)
