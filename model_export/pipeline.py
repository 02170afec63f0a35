"""The jobs behind the CLI, from folders to a model folder and reports.

This is the edge that connects the pure parts (train, evaluation,
preprocessing) with files: it reads datasets through ``dataset``/``audio_io``
and writes through ``model_dir``.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model_export import MODEL_SAMPLE_RATE_HZ, preprocess
from model_export.audio_io import AudioDecodeError, load_audio
from model_export.classifier import INPUT_NAME, OUTPUT_NAME
from model_export.dataset import Clip, DatasetError, load_dataset, scan_dataset
from model_export.evaluation import Evaluation, evaluate_predictions
from model_export.metadata import new_metadata
from model_export.model_dir import LoadedModel, check_replaceable, write_model_dir
from model_export.pretrained import BACKBONE_NAME, BACKBONE_SOURCE, EMBEDDING_DIM
from model_export.train import Progress, train_classifier
from model_export.train_config import TrainConfig

Warn = Callable[[str], None]


def preprocessing_contract() -> dict[str, Any]:
    """How a clip becomes the model's input window; recorded in metadata.json."""
    return {
        "mono": "mean of channels",
        "resample": "to sample_rate_hz (soxr HQ)",
        "trim_and_centre": {
            "frame_seconds": preprocess.FRAME_SECONDS,
            "hop_seconds": preprocess.HOP_SECONDS,
            "silence_below_peak_db": preprocess.SILENCE_BELOW_PEAK_DB,
            "silence_above_floor_fraction": preprocess.SILENCE_ABOVE_FLOOR_FRACTION,
        },
    }


@dataclass
class TrainReport:
    labels: tuple[str, ...]
    clips_per_label: dict[str, int]
    validation: Evaluation | None
    n_train_clips: int
    n_validation_clips: int
    load_seconds: float
    train_seconds: float
    save_seconds: float


def train_model_dir(
    data_dir: Path,
    out_dir: Path,
    *,
    config: TrainConfig,
    tool_version: str,
    warn: Warn,
    progress: Progress | None = None,
) -> TrainReport:
    """Read a dataset folder, train, and write a complete model folder atomically."""
    check_replaceable(out_dir)
    t0 = time.perf_counter()
    clips = scan_dataset(data_dir, min_labels=1 if config.background else 2)
    audio = load_dataset(clips, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=warn)
    labels = [c.label for c in clips]
    load_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = train_classifier(audio, labels, config=config, progress=progress)
    train_seconds = time.perf_counter() - t0

    clips_per_label = {name: labels.count(name) for name in result.labels}
    validation = result.validation
    metadata = new_metadata(
        labels=list(result.labels),
        sample_rate_hz=MODEL_SAMPLE_RATE_HZ,
        window_samples=config.window_samples,
        preprocessing=preprocessing_contract(),
        backbone={
            "name": BACKBONE_NAME,
            "source": BACKBONE_SOURCE,
            "embedding_dim": EMBEDDING_DIM,
            "analysis_seconds": config.analysis_samples / MODEL_SAMPLE_RATE_HZ,
        },
        training={
            "hyperparameters": config.to_json(),
            "clips_per_label": clips_per_label,
            "n_train_clips": result.n_train_clips,
            "n_validation_clips": result.n_validation_clips,
            "validation_accuracy": None if validation is None else validation.accuracy,
            "confusion_matrix": None
            if validation is None
            else [list(row) for row in validation.confusion_matrix],
            "final_model_trained_on": "all clips",
            "seconds": round(train_seconds, 3),
        },
        created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        tool_version=tool_version,
        input_name=INPUT_NAME,
        output_name=OUTPUT_NAME,
    )
    t0 = time.perf_counter()
    write_model_dir(out_dir, model=result.model, metadata=metadata)
    save_seconds = time.perf_counter() - t0
    return TrainReport(
        labels=result.labels,
        clips_per_label=clips_per_label,
        validation=validation,
        n_train_clips=result.n_train_clips,
        n_validation_clips=result.n_validation_clips,
        load_seconds=load_seconds,
        train_seconds=train_seconds,
        save_seconds=save_seconds,
    )


def window_of(model: LoadedModel, y: np.ndarray) -> np.ndarray:
    """The model's input window for a decoded clip."""
    return preprocess.centre_in_window(
        y, window_samples=model.window_samples, sample_rate_hz=model.sample_rate_hz
    )


def ranked(labels: Sequence[str], probabilities: np.ndarray) -> list[list[Any]]:
    """``[[label, confidence], ...]`` by confidence, highest first (GotClassification's shape)."""
    order = np.argsort(-probabilities, kind="stable")
    return [[labels[i], float(probabilities[i])] for i in order]


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
        window = window_of(model, y)[None, :]
        t0 = time.perf_counter()
        probabilities = model.predict(window)[0]
        times_ms.append(1000.0 * (time.perf_counter() - t0))
        best = int(np.argmax(probabilities))
        predicted_index.append(best)
        per_clip.append(ClipResult(clip, model.labels[best], float(probabilities[best])))
    true_index = np.asarray([model.labels.index(c.label) for c in clips])
    evaluation = evaluate_predictions(true_index, np.asarray(predicted_index), labels=model.labels)
    return EvaluateReport(evaluation=evaluation, per_clip=per_clip, inference_ms=times_ms)


def classify_files(
    model_dir: Path, files: Sequence[Path]
) -> list[tuple[Path, list[list[Any]] | AudioDecodeError]]:
    """Classify each file; a file that cannot be decoded gives its error instead."""
    model = LoadedModel(model_dir)
    results: list[tuple[Path, list[list[Any]] | AudioDecodeError]] = []
    for path in files:
        try:
            y = load_audio(path, sample_rate_hz=model.sample_rate_hz)
        except AudioDecodeError as exc:
            results.append((path, exc))
            continue
        results.append((path, ranked(model.labels, model.predict(window_of(model, y)[None, :])[0])))
    return results


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
