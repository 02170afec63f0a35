"""The front-end's file names, and the prebuilt front-ends pac ships (no TensorFlow)."""

from __future__ import annotations

from pathlib import Path

FEATURES_NAME = "features"
"""The front-end's output: float32 ``[batch, feature_dim]`` (the signature key)."""
TFLITE_FILENAME = "frontend.tflite"
WINDOW_TFLITE_FILENAME = "window_features.tflite"

PREBUILT_DIR = Path(__file__).resolve().parent / "prebuilt"
"""Front-ends built by ``python -m model_export.frontend.build`` (``./dev frontend``)."""
PREBUILT_WINDOWS = ((16_000, 32_000),)
"""(window_samples, analysis_samples) of the front-ends pac ships: ``pac train``'s default
1 s window. Any other window is built on the user's machine with the ``frontend`` extra."""


def prebuilt_name(window_samples: int, analysis_samples: int) -> str:
    return f"w{window_samples}-a{analysis_samples}"
