"""``pac classify``: decode files and classify each one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from model_export.audio.decode import AudioDecodeError, load_audio
from model_export.model_folder.inference import LoadedModel, Ranked


def classify_files(
    model_dir: Path, files: Sequence[Path]
) -> list[tuple[Path, Ranked | AudioDecodeError]]:
    """Classify each file; a file that cannot be decoded gives its error instead."""
    model = LoadedModel(model_dir)
    results: list[tuple[Path, Ranked | AudioDecodeError]] = []
    for path in files:
        try:
            y = load_audio(path, sample_rate_hz=model.sample_rate_hz)
        except AudioDecodeError as exc:
            results.append((path, exc))
            continue
        results.append((path, model.classify(y)))
    return results
