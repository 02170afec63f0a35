"""The ear's contract, in numpy (no TensorFlow): its spectrogram, its input and its weights.

The ear (``ear.py``, trained by ``./dev ear``: the top-level ``ear/`` folder) is a small CNN
that turns a 1 s window into a general-sound embedding of ``layout.EAR_DIM`` numbers. Its input is a
full-band log-mel (EAR_MEL: 64 bands, 40 Hz to 8 kHz, a frame every 20 ms) made level-free:
the loudest cell is 1 and the 80 dB floor -1 (``ear_input``). Training computes that input
here; the front-end computes the same in its graph (``LogMelSpectrogram`` with EAR_MEL).

The weights live in ``ear/weights.npz`` beside ``ear/ear.json`` (how they were made: the
data's packages and versions, the seed, and the weights' SHA-256, which ``load_weights``
checks).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from model_export.features.mel import log_mel

EAR_MEL: dict[str, Any] = {
    "fft_length": 512,
    "window_length": 400,
    "hop_length": 320,
    "n_mels": 64,
    "fmin_hz": 40.0,
    "fmax_hz": 8000.0,
    "top_db": 80.0,
}
"""``LogMelSpectrogram`` / ``mel.log_mel`` arguments of the ear's spectrogram."""
CHANNELS = (16, 32, 64, 64)
"""Output channels of the ear's 3x3 convolutions; 2x2 max pooling after all but the last."""
WEIGHTS_DIR = Path(__file__).resolve().parent / "ear"
WEIGHTS_FILENAME = "weights.npz"
INFO_FILENAME = "ear.json"


class EarWeightsError(RuntimeError):
    """The ear's weights are missing or not what ear.json says."""


def ear_input(window: np.ndarray, *, sample_rate_hz: int = 16_000) -> np.ndarray:
    """The ear's input for one window: np.ndarray [shape=(frames, 64)], float32 in [-1, 1]."""
    mel = log_mel(window, sample_rate_hz=sample_rate_hz, **EAR_MEL)  # dB / 10 + 2
    if mel.size == 0:
        return mel
    scale = EAR_MEL["top_db"] / 20.0  # in dB / 10: the floor maps to -1
    return ((mel - mel.max()) / scale + 1.0).astype(np.float32)


def weights_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_info(folder: Path = WEIGHTS_DIR) -> dict[str, Any]:
    path = folder / INFO_FILENAME
    if not path.is_file():
        raise EarWeightsError(f"{path}: missing; run ./dev ear")
    info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return info


def load_weights(folder: Path = WEIGHTS_DIR) -> dict[str, np.ndarray]:
    """The ear's arrays, float32: ``conv<i>/kernel`` (3, 3, in, out) and ``conv<i>/bias`` for
    each of CHANNELS (batch norm folded in), ``embedding/kernel`` and ``embedding/bias``.

    Raises EarWeightsError if the file is missing or its SHA-256 is not ear.json's.
    """
    info = read_info(folder)
    path = folder / WEIGHTS_FILENAME
    if not path.is_file():
        raise EarWeightsError(f"{path}: missing; run ./dev ear")
    digest = weights_sha256(path)
    if digest != info.get("sha256"):
        raise EarWeightsError(
            f"{path}: SHA-256 {digest} is not ear.json's {info.get('sha256')}; run ./dev ear"
        )
    with np.load(path) as data:
        return {name: np.asarray(data[name], np.float32) for name in data.files}
