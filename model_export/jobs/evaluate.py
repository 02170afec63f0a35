"""``pac evaluate``: classify every clip of a labelled dataset and score the model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

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


CELL_PX = 56
"""The side of a cell of the confusion-matrix picture."""


def confusion_svg(evaluation: Evaluation, *, title: str) -> str:
    """A confusion-matrix picture as SVG text: rows true, columns predicted, counts in cells.

    SVG opens in any browser and needs no plotting library; cells are shaded by count.
    """
    matrix = np.asarray(evaluation.confusion_matrix)
    labels = list(evaluation.labels)
    n = len(labels)
    margin = 16 + 7 * max((len(label) for label in labels), default=1)
    top = 82
    width = max(margin + n * CELL_PX + 24, 8 * len(title) + 40, 280)
    height = top + n * CELL_PX + margin + 24
    peak = int(matrix.max()) if matrix.size else 0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13">',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
        f'<text x="{width / 2}" y="42" text-anchor="middle">accuracy '
        f"{evaluation.accuracy:.1%} on {evaluation.n_clips} clips</text>",
        f'<text x="{width / 2}" y="60" text-anchor="middle" fill="#555">rows: true label, '
        "columns: predicted</text>",
    ]
    for i in range(n):
        y = top + i * CELL_PX
        out.append(
            f'<text x="{margin - 6}" y="{y + CELL_PX / 2 + 4}" text-anchor="end">'
            f"{escape(labels[i])}</text>"
        )
        for j in range(n):
            x = margin + j * CELL_PX
            count = int(matrix[i, j])
            shade = 0.0 if peak == 0 else count / peak
            fill = f"rgb({round(255 - 200 * shade)},{round(255 - 130 * shade)},255)"
            ink = "white" if shade > 0.5 else "black"
            out.append(
                f'<rect x="{x}" y="{y}" width="{CELL_PX}" height="{CELL_PX}" fill="{fill}" '
                'stroke="#888"/>'
            )
            out.append(
                f'<text x="{x + CELL_PX / 2}" y="{y + CELL_PX / 2 + 5}" text-anchor="middle" '
                f'fill="{ink}" class="count">{count}</text>'
            )
    for j in range(n):
        column = margin + j * CELL_PX + CELL_PX / 2
        below = top + n * CELL_PX + 10
        out.append(
            f'<text x="{column}" y="{below}" transform="rotate(45 {column} {below})">'
            f"{escape(labels[j])}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def plot_confusion(evaluation: Evaluation, path: Path, *, title: str) -> None:
    """Write the confusion-matrix picture to ``path`` (an .svg file), atomically."""
    if path.suffix.lower() != ".svg":
        raise ValueError(f"--plot {path}: the picture is SVG; name the file *.svg")
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(confusion_svg(evaluation, title=title), encoding="utf-8")
    tmp.replace(path)
