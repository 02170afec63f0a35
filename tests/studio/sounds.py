"""WAV bytes for the studio's tests (16-bit PCM, the way the page uploads a recording)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

SAMPLES = Path(__file__).resolve().parents[2] / "pac" / "samples" / "numbers"


def wav_bytes(y: np.ndarray, rate_hz: int = 16_000) -> bytes:
    pcm = (np.clip(np.asarray(y, np.float64), -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm.tobytes())
    return buffer.getvalue()


def tone(
    freq_hz: float = 440.0, seconds: float = 1.0, amplitude: float = 0.3, rate_hz: int = 16_000
) -> np.ndarray:
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def write_wav(path: Path, y: np.ndarray, rate_hz: int = 16_000) -> Path:
    path.write_bytes(wav_bytes(y, rate_hz))
    return path
