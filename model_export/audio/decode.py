"""Reading and writing audio files: the only module that touches audio on disk.

Everything else in ``model_export`` takes and returns arrays. Audio crosses
this edge as ``y``: a float32 mono signal in [-1, 1], shape ``(n_samples,)``,
together with its sample rate in Hz.

Decoding goes through PyAV (FFmpeg), so the formats a phone or laptop
produces all load the same way, including the 3GP/AMR-NB files at 8 kHz that
App Inventor's SoundRecorder writes.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import soxr

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "AudioDecodeError",
    "decode_audio",
    "load_audio",
    "resample",
    "write_wav",
]

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".wav",
        ".wave",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".mp3",
        ".m4a",
        ".aac",
        ".mp4",
        ".3gp",
        ".3gpp",
        ".amr",
        ".webm",
    }
)
"""File-name extensions (lowercase, with the dot) that are treated as audio."""

# Integer sample formats -> (offset, scale) so that (x - offset) / scale is in [-1, 1).
# 24-bit WAV arrives as s32 with the samples in the top 24 bits, so 2**31 is right for it too.
_INT_SCALE: dict[str, tuple[float, float]] = {
    "u8": (128.0, 128.0),
    "s16": (0.0, 32768.0),
    "s32": (0.0, 2147483648.0),
    "s64": (0.0, 9223372036854775808.0),
}
_FLOAT_FORMATS = frozenset({"flt", "dbl"})


class AudioDecodeError(ValueError):
    """A file could not be decoded as audio.

    ``str(error)`` names the file and the reason, e.g.
    ``"bad.wav: not a decodable audio file (Invalid data found when processing input)"``.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[AudioDecodeError], tuple[Path, str]]:
        # Survives pickling, e.g. when clips are decoded in worker processes.
        return (type(self), (self.path, self.reason))


def _frame_to_mono(frame: av.AudioFrame) -> npt.NDArray[np.float32]:
    """Convert one decoded frame to float32 mono in [-1, 1].

    Returns
    -------
    y : np.ndarray [shape=(frame.samples,), dtype=float32]
    """
    fmt = frame.format
    base = fmt.packed.name  # "s16p" -> "s16", "fltp" -> "flt"
    n_channels = frame.layout.nb_channels
    raw = frame.to_ndarray()
    # Packed frames come back as one row of interleaved samples (L R L R ...).
    planes = raw.reshape(n_channels, -1) if fmt.is_planar else raw.reshape(-1, n_channels).T
    planes = planes[:, : frame.samples]

    if base in _FLOAT_FORMATS:
        as_float = planes.astype(np.float64)
    elif base in _INT_SCALE:
        offset, scale = _INT_SCALE[base]
        as_float = (planes.astype(np.float64) - offset) / scale
    else:  # pragma: no cover - FFmpeg has no other audio sample formats
        raise ValueError(f"unsupported sample format {fmt.name!r}")
    mono: npt.NDArray[np.float32] = as_float.mean(axis=0).astype(np.float32)
    return mono


def _ffmpeg_reason(exc: BaseException) -> str:
    strerror = getattr(exc, "strerror", None)
    return str(strerror) if strerror else str(exc) or type(exc).__name__


def decode_audio(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """Decode an audio file to mono float32 at its native sample rate.

    Channels are mixed to mono by averaging them. Any container and codec
    FFmpeg reads works (WAV of any bit depth, FLAC, Ogg Vorbis/Opus, MP3,
    M4A/AAC, 3GP/AMR-NB, WebM...); the first audio stream is used.

    Parameters
    ----------
    path : Path
        The audio file.

    Returns
    -------
    y : np.ndarray [shape=(n_samples,), dtype=float32]
        Samples in [-1, 1]; ``n_samples > 0``.
    sample_rate_hz : int
        The stream's native sample rate, e.g. 8000 for AMR-NB.

    Raises
    ------
    AudioDecodeError
        The file is missing, unreadable, not audio, has no audio stream, or
        decodes to zero samples. The message names the file.
    """
    chunks: list[npt.NDArray[np.float32]] = []
    sample_rate_hz = 0
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise AudioDecodeError(path, "has no audio stream")
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                if frame.samples == 0:
                    continue
                chunk = _frame_to_mono(frame)
                if sample_rate_hz == 0:
                    sample_rate_hz = int(frame.sample_rate)
                elif frame.sample_rate != sample_rate_hz:
                    # Rare (e.g. concatenated streams): keep one rate throughout.
                    chunk = resample(
                        chunk, orig_sr_hz=int(frame.sample_rate), target_sr_hz=sample_rate_hz
                    )
                chunks.append(chunk)
    except AudioDecodeError:
        raise
    except FileNotFoundError as exc:
        raise AudioDecodeError(path, "no such file") from exc
    except IsADirectoryError as exc:
        raise AudioDecodeError(path, "is a folder, not an audio file") from exc
    except PermissionError as exc:
        raise AudioDecodeError(path, f"cannot be read ({_ffmpeg_reason(exc)})") from exc
    except (av.error.FFmpegError, OSError, EOFError, ValueError) as exc:
        raise AudioDecodeError(path, f"not a decodable audio file ({_ffmpeg_reason(exc)})") from exc

    total = sum(len(c) for c in chunks)
    if total == 0:
        raise AudioDecodeError(path, "contains no audio samples")
    y = np.concatenate(chunks)
    # Float WAVs may hold NaN or values beyond full scale; keep the [-1, 1] promise.
    y = np.clip(np.nan_to_num(y, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    return y.astype(np.float32, copy=False), sample_rate_hz


def resample(
    y: npt.NDArray[np.floating[Any]], *, orig_sr_hz: int, target_sr_hz: int
) -> npt.NDArray[np.float32]:
    """Resample a mono signal with soxr (``quality="HQ"``).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono signal.
    orig_sr_hz, target_sr_hz : int > 0
        Rates of ``y`` and of the result.

    Returns
    -------
    y_resampled : np.ndarray [shape=(round(n * target_sr_hz / orig_sr_hz),), dtype=float32]
        ``y`` itself (as float32) when the rates are equal.
    """
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (mono), got shape {y.shape}")
    if orig_sr_hz <= 0 or target_sr_hz <= 0:
        raise ValueError(
            f"sample rates must be positive, got orig_sr_hz={orig_sr_hz}, "
            f"target_sr_hz={target_sr_hz}"
        )
    y32 = np.asarray(y, dtype=np.float32)
    if orig_sr_hz == target_sr_hz:
        return y32
    out = soxr.resample(y32, orig_sr_hz, target_sr_hz, quality="HQ")
    return np.asarray(out, dtype=np.float32)


def load_audio(path: Path, *, sample_rate_hz: int = 16_000) -> npt.NDArray[np.float32]:
    """Decode an audio file and resample it.

    Parameters
    ----------
    path : Path
        Any file :func:`decode_audio` reads.
    sample_rate_hz : int > 0
        Rate of the result (the model uses ``MODEL_SAMPLE_RATE_HZ``).

    Returns
    -------
    y : np.ndarray [shape=(n_samples,), dtype=float32]
        Mono samples, nominally in [-1, 1] (resampling may overshoot slightly).

    Raises
    ------
    AudioDecodeError
        See :func:`decode_audio`.
    """
    y, native_sr_hz = decode_audio(path)
    return resample(y, orig_sr_hz=native_sr_hz, target_sr_hz=sample_rate_hz)


def write_wav(path: Path, y: npt.NDArray[np.floating[Any]], *, sample_rate_hz: int) -> None:
    """Write a mono 16-bit PCM WAV file.

    Parameters
    ----------
    path : Path
        Destination; overwritten if it exists.
    y : np.ndarray [shape=(n,)]
        Mono signal; values outside [-1, 1] are clipped.
    sample_rate_hz : int > 0
        Rate of ``y``.
    """
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (mono), got shape {y.shape}")
    if sample_rate_hz <= 0:
        raise ValueError(f"sample_rate_hz must be positive, got {sample_rate_hz}")
    pcm = np.round(np.clip(np.asarray(y, dtype=np.float64), -1.0, 1.0) * 32767.0)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate_hz)
        wav.writeframes(pcm.astype("<i2").tobytes())
