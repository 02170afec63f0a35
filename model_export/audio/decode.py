"""Reading and writing audio files: the only module that touches audio on disk.

Everything else in ``model_export`` takes and returns arrays. Audio crosses
this edge as ``y``: a float32 mono signal in [-1, 1], shape ``(n_samples,)``,
together with its sample rate in Hz.

Decoding goes through PyAV (FFmpeg), so the formats a phone or laptop
produces all load the same way, including the 3GP/AMR-NB files at 8 kHz that
App Inventor's SoundRecorder writes. Resampling is the contract's one
resampler (``model_export.audio.resample``), which the phone's WebView page
implements the same way.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from model_export.audio.resample import resample

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "AudioDecodeError",
    "ClipTooLongError",
    "EmptyClipError",
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
    ``error_name`` is the name of its code in extension/error_codes.json, the one list of
    error codes that the extension, the bridge and ``pac classify --json`` share.
    """

    error_name = "DECODE_FAILED"

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[AudioDecodeError], tuple[Path | str, str]]:
        # Survives pickling, e.g. when clips are decoded in worker processes.
        return (type(self), (self.path, self.reason))


class EmptyClipError(AudioDecodeError):
    """The audio holds no samples (a 0-byte file, or a container with no audio in it)."""

    error_name = "EMPTY_CLIP"


class ClipTooLongError(AudioDecodeError):
    """The audio is longer than the caller takes (``max_seconds``); decoding stopped there."""

    error_name = "CLIP_TOO_LONG"


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


QUICK_PROBE_BYTES = 4096
"""How much FFmpeg reads to learn a file's streams on the first try. Its default (5 MB)
makes it decode a short clip whole just to open it: 2 ms of a bridge request's 3."""


def _open(source: Path | bytes) -> Any:
    """The file opened for reading; a quick probe first, FFmpeg's full one if that finds no
    audio stream with a known rate."""

    def opened(options: dict[str, str]) -> Any:
        target = str(source) if isinstance(source, Path) else io.BytesIO(source)
        return av.open(target, mode="r", options=options)

    try:
        container = opened({"probesize": str(QUICK_PROBE_BYTES)})
    except av.error.FFmpegError:
        return opened({})
    audio = container.streams.audio
    if audio and audio[0].codec_context.sample_rate > 0:
        return container
    container.close()
    return opened({})


def decode_audio(
    source: Path | bytes, *, name: str = "audio", max_seconds: float | None = None
) -> tuple[npt.NDArray[np.float32], int]:
    """Decode an audio file (on disk, or its bytes in memory) to mono float32 at its rate.

    Channels are mixed to mono by averaging them. Any container and codec
    FFmpeg reads works (WAV of any bit depth, FLAC, Ogg Vorbis/Opus, MP3,
    M4A/AAC, 3GP/AMR-NB, WebM...); the first audio stream is used.

    Parameters
    ----------
    source : Path or bytes
        The audio file, or the bytes of one (decoded in memory).
    name : str
        What error messages call ``source`` when it is bytes.
    max_seconds : float, optional
        Stop decoding, and raise :class:`ClipTooLongError`, once the audio is
        longer than this: a small compressed file can hold hours of audio.

    Returns
    -------
    y : np.ndarray [shape=(n_samples,), dtype=float32]
        Samples in [-1, 1]; ``n_samples > 0``.
    sample_rate_hz : int
        The stream's native sample rate, e.g. 8000 for AMR-NB.

    Raises
    ------
    AudioDecodeError
        The file is missing, unreadable, not audio, or has no audio stream.
        The message names the file. :class:`EmptyClipError` when it holds
        no samples (a 0-byte file among them), :class:`ClipTooLongError`
        past ``max_seconds``.
    """
    label: Path | str = source if isinstance(source, Path) else name
    if isinstance(source, bytes) and not source:
        raise EmptyClipError(label, "is empty (0 bytes)")
    if isinstance(source, Path) and source.is_file() and source.stat().st_size == 0:
        raise EmptyClipError(label, "is empty (0 bytes)")
    chunks: list[npt.NDArray[np.float32]] = []
    sample_rate_hz = 0
    n_samples = 0
    try:
        with _open(source) as container:
            if not container.streams.audio:
                raise AudioDecodeError(label, "has no audio stream")
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
                n_samples += chunk.size
                if max_seconds is not None and n_samples > max_seconds * sample_rate_hz:
                    raise ClipTooLongError(
                        label, f"is longer than {max_seconds:g} s, the most that is taken"
                    )
    except AudioDecodeError:
        raise
    except FileNotFoundError as exc:
        raise AudioDecodeError(label, "no such file") from exc
    except IsADirectoryError as exc:
        raise AudioDecodeError(label, "is a folder, not an audio file") from exc
    except PermissionError as exc:
        raise AudioDecodeError(label, f"cannot be read ({_ffmpeg_reason(exc)})") from exc
    except (av.error.FFmpegError, OSError, EOFError, ValueError) as exc:
        raise AudioDecodeError(
            label, f"not a decodable audio file ({_ffmpeg_reason(exc)})"
        ) from exc

    if n_samples == 0:
        raise EmptyClipError(label, "contains no audio samples")
    y = np.concatenate(chunks)
    # Float WAVs may hold NaN or values beyond full scale; keep the [-1, 1] promise.
    y = np.clip(np.nan_to_num(y, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    return y.astype(np.float32, copy=False), sample_rate_hz


def load_audio(
    source: Path | bytes,
    *,
    sample_rate_hz: int = 16_000,
    name: str = "audio",
    max_seconds: float | None = None,
) -> npt.NDArray[np.float32]:
    """Decode an audio file and resample it.

    Parameters
    ----------
    source : Path or bytes
        Any file :func:`decode_audio` reads, or its bytes.
    sample_rate_hz : int > 0
        Rate of the result (the model uses ``MODEL_SAMPLE_RATE_HZ``).
    name, max_seconds
        As for :func:`decode_audio`.

    Returns
    -------
    y : np.ndarray [shape=(n_samples,), dtype=float32]
        Mono samples, nominally in [-1, 1] (resampling may overshoot slightly).

    Raises
    ------
    AudioDecodeError
        See :func:`decode_audio`.
    """
    y, native_sr_hz = decode_audio(source, name=name, max_seconds=max_seconds)
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
