"""``pac train``: read a dataset folder, train, and write a complete model folder atomically."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from pathlib import Path

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.dataset import DatasetError, Warn, scan_dataset
from model_export.audio.decode import AudioDecodeError
from model_export.audio.preprocess import preprocessing_contract
from model_export.export.model_dir import write_model_dir
from model_export.features.pretrained import BACKBONE_NAME, BACKBONE_SOURCE, EMBEDDING_DIM
from model_export.frontend.cache import FrontEnd, frontend_for
from model_export.jobs.features import FeatureStore, file_features
from model_export.model_folder.atomic import check_replaceable
from model_export.model_folder.evaluation import Evaluation
from model_export.model_folder.layout import INPUT_NAME, LENGTH_NAME, OUTPUT_NAME
from model_export.model_folder.metadata import new_metadata
from model_export.training.config import TrainConfig
from model_export.training.feature_sets import FeatureChoice
from model_export.training.head import Metrics, Progress
from model_export.training.train import train_on_features


@dataclass
class TrainReport:
    labels: tuple[str, ...]
    clips_per_label: dict[str, int]
    validation: Evaluation | None
    n_train_clips: int
    n_validation_clips: int
    feature_set: FeatureChoice
    load_seconds: float
    """Reading the clips and computing their features (cached ones are only read)."""
    frontend_seconds: float
    """Time to build the feature front-end; about 0 when the cache had it."""
    train_seconds: float
    save_seconds: float
    misclassified: tuple[tuple[Path, str, str], ...] = ()
    """Validation clips the validation model got wrong: (file, its label, the label it got)."""


def train_model_dir(
    data_dir: Path,
    out_dir: Path,
    *,
    config: TrainConfig,
    tool_version: str,
    warn: Warn,
    note: Warn | None = None,
    progress: Progress | None = None,
    frontend: FrontEnd | None = None,
    store: FeatureStore | None = None,
    metrics: Metrics | None = None,
) -> TrainReport:
    """Read a dataset folder, train, and write a complete model folder atomically.

    ``note(message)`` hears about slow one-time work (building the front-end).
    ``frontend``: one already loaded for ``config``'s window (the studio keeps it);
    by default ``frontend_for`` finds it. ``store``: where clips' features are cached
    (by default ``FeatureStore()``, in pac's cache folder).
    """
    check_replaceable(out_dir)
    clips = scan_dataset(data_dir, min_labels=1 if config.background else 2)
    t0 = time.perf_counter()  # before the clips: a window pac cannot serve fails at once
    if frontend is None:
        frontend = frontend_for(
            window_samples=config.window_samples,
            analysis_samples=config.analysis_samples,
            on_build=note,
        )
    frontend_seconds = time.perf_counter() - t0

    # Each clip's features, from the cache or computed one clip at a time: memory does not
    # grow with the clips' audio, and clips trained on before cost a file read.
    t0 = time.perf_counter()
    store = FeatureStore() if store is None else store
    per_clip, problems = [], []
    for i, clip in enumerate(clips):
        try:
            per_clip.append(
                file_features(clip.path, frontend=frontend, config=config, store=store, warn=warn)
            )
        except (AudioDecodeError, OSError) as exc:
            reason = f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
            problems.append(
                str(exc) if isinstance(exc, AudioDecodeError) else f"{clip.path}: {reason}"
            )
        if progress:
            progress("features", i + 1, len(clips))
    if problems:
        raise DatasetError(problems)
    labels = [c.label for c in clips]
    load_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = train_on_features(
        per_clip, labels, frontend=frontend, config=config, progress=progress, metrics=metrics
    )
    train_seconds = time.perf_counter() - t0

    clips_per_label = {name: labels.count(name) for name in result.labels}
    validation = result.validation
    metadata = new_metadata(
        labels=list(result.labels),
        sample_rate_hz=MODEL_SAMPLE_RATE_HZ,
        window_samples=config.window_samples,
        max_clip_samples=frontend.max_clip_samples,
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
            "feature_set": result.feature_set.name,
            "feature_set_scores": result.feature_set.scores,
            "feature_set_copy_scores": result.feature_set.copy_scores,
            "final_model_trained_on": "all clips",
            "seconds": round(train_seconds, 3),
        },
        created_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        tool_version=tool_version,
        input_name=INPUT_NAME,
        length_name=LENGTH_NAME,
        output_name=OUTPUT_NAME,
    )
    t0 = time.perf_counter()
    write_model_dir(out_dir, classifier=result.classifier, metadata=metadata)
    save_seconds = time.perf_counter() - t0
    return TrainReport(
        labels=result.labels,
        clips_per_label=clips_per_label,
        validation=validation,
        n_train_clips=result.n_train_clips,
        n_validation_clips=result.n_validation_clips,
        feature_set=result.feature_set,
        load_seconds=load_seconds,
        frontend_seconds=frontend_seconds,
        train_seconds=train_seconds,
        save_seconds=save_seconds,
        misclassified=tuple(
            (clips[i].path, clips[i].label, predicted) for i, predicted in result.misclassified
        ),
    )
