"""What the studio checks and shows of a clip: it decodes, its length, warnings and picture.

Pure functions of a decoded clip, plus ``decode_upload`` (PyAV, in memory).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.decode import AudioDecodeError, load_audio
from model_export.features.mel import HOP_LENGTH, TOP_DB, log_mel

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""The largest audio file the studio takes (a minute of WAV at 44.1 kHz is about 5 MB)."""
MAX_CLIP_SECONDS = 10.0
"""The longest clip: the model classifies at most this much (max_clip_samples)."""
SHORT_SECONDS = 0.5
QUIET_PEAK = 0.01
"""-40 dBFS: a clip whose loudest sample is below this is almost silent."""
CLIPPED_LEVEL = 0.99
CLIPPED_SHARE = 0.001
"""A clip with more than this share of samples at CLIPPED_LEVEL or above was too loud."""


class ClipRejectedError(ValueError):
    """The upload cannot be a clip; the message says why in plain words.

    ``error_name`` is its name in extension/error_codes.json (for the phone bridge).
    """

    def __init__(self, message: str, error_name: str = "DECODE_FAILED") -> None:
        super().__init__(message)
        self.error_name = error_name


@dataclass(frozen=True)
class ClipSummary:
    seconds: float
    peak: float
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "seconds": round(self.seconds, 3),
            "peak": round(self.peak, 4),
            "warnings": list(self.warnings),
        }


def decode_upload(data: bytes, *, name: str) -> np.ndarray:
    """An uploaded file's audio at the model's rate, or ClipRejectedError saying why."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ClipRejectedError(
            f"{name} is {len(data) / 1e6:.1f} MB; the most a clip can be is "
            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB",
            "CLIP_TOO_LONG",
        )
    try:
        return load_audio(
            data, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, name=name, max_seconds=MAX_CLIP_SECONDS
        )
    except AudioDecodeError as exc:
        if exc.error_name == "EMPTY_CLIP":
            raise ClipRejectedError(
                f"{name} has no sound in it (0 seconds long)", "EMPTY_CLIP"
            ) from exc
        if exc.error_name == "CLIP_TOO_LONG":
            raise ClipRejectedError(
                f"{name} is longer than {MAX_CLIP_SECONDS:g} seconds; clips of 1 to 2 seconds "
                "work best. Cut it shorter",
                "CLIP_TOO_LONG",
            ) from exc
        raise ClipRejectedError(f"{name} is not an audio file pac can read") from exc


_SUFFIX_OF_FORMAT = {
    "wav": ".wav",
    "amr": ".amr",
    "ogg": ".ogg",
    "mp3": ".mp3",
    "flac": ".flac",
    "aac": ".aac",
    "matroska,webm": ".webm",
}


def suffix_of(data: bytes) -> str:
    """The file-name suffix for audio bytes that came without a name (from a phone),
    found by what FFmpeg sees in them: a 3GP recording gets ``.3gp``."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            name = str(container.format.name)
    except Exception as exc:
        raise ClipRejectedError("the clip is not audio pac can read") from exc
    if name.startswith("mov,mp4"):
        return ".3gp" if data[8:11] == b"3gp" else ".m4a"
    return _SUFFIX_OF_FORMAT.get(name, ".wav" if "wav" in name else ".webm")


def summarize(y: np.ndarray) -> ClipSummary:
    """Length, peak, and warnings a student can act on."""
    seconds = y.size / MODEL_SAMPLE_RATE_HZ
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    warnings = []
    if peak < QUIET_PEAK:
        warnings.append("almost silent: check the microphone or get closer")
    if y.size and float(np.mean(np.abs(y) >= CLIPPED_LEVEL)) > CLIPPED_SHARE:
        warnings.append("too loud (clipped): move back from the microphone")
    if seconds < SHORT_SECONDS:
        warnings.append(f"very short ({seconds:.1f} s): clips of 1 to 2 seconds work best")
    return ClipSummary(seconds=seconds, peak=peak, warnings=tuple(warnings))


def spectrogram_json(y: np.ndarray) -> dict[str, object]:
    """The model front-end's log-mel of the clip, scaled to 0..255 over its TOP_DB range.

    ``values`` is frames x bands, row by row (band 0 is the lowest).
    """
    mel = log_mel(y, sample_rate_hz=MODEL_SAMPLE_RATE_HZ)
    top = float(mel.max()) if mel.size else 0.0
    span = TOP_DB / 10.0  # the log-mel is dB / 10 + 2
    scaled = np.clip((mel - (top - span)) / span, 0.0, 1.0) * 255.0 if mel.size else mel
    return {
        "frames": int(mel.shape[0]),
        "bands": int(mel.shape[1]),
        "hop_seconds": HOP_LENGTH / MODEL_SAMPLE_RATE_HZ,
        "values": np.rint(scaled).astype(np.uint8).ravel().tolist(),
    }
