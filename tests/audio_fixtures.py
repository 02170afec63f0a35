"""Synthetic test audio: a known two-tone signal, written in every supported format.

The signal is ``0.3 sin(2π·440 t + 0.3) + 0.2 sin(2π·1000 t + 1.1)``: fully
determined, both tones inside the AMR-NB band, and the 440 Hz tone dominant so
that a spectrum peak check is unambiguous.

Files are encoded with PyAV, the same FFmpeg build that decodes them, except
``data/tone_amrnb.3gp``, which Debian's ffmpeg CLI made (see ``data/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

DATA_DIR = Path(__file__).parent / "data"

TONE_FREQS_HZ = (440.0, 1000.0)
TONE_AMPLITUDES = (0.3, 0.2)
TONE_PHASES_RAD = (0.3, 1.1)
TONE_DURATION_S = 0.5


def tone(
    *,
    sample_rate_hz: int,
    duration_s: float = TONE_DURATION_S,
    freqs_hz: tuple[float, ...] = TONE_FREQS_HZ,
    amplitudes: tuple[float, ...] = TONE_AMPLITUDES,
    phases_rad: tuple[float, ...] = TONE_PHASES_RAD,
) -> npt.NDArray[np.float32]:
    """Sum of sines.

    Returns
    -------
    y : np.ndarray [shape=(round(duration_s * sample_rate_hz),), dtype=float32]
        Peak below ``sum(amplitudes)`` (0.5 by default).
    """
    n = round(duration_s * sample_rate_hz)
    t = np.arange(n) / sample_rate_hz
    y = np.zeros(n)
    for f, a, p in zip(freqs_hz, amplitudes, phases_rad, strict=True):
        y += a * np.sin(2 * np.pi * f * t + p)
    return y.astype(np.float32)


def stereo_tone(*, sample_rate_hz: int) -> npt.NDArray[np.float32]:
    """Left 440 Hz, right 1000 Hz (different on purpose, so a mixdown is checkable).

    Returns
    -------
    y : np.ndarray [shape=(2, n), dtype=float32]
    """
    left = tone(
        sample_rate_hz=sample_rate_hz, freqs_hz=(440.0,), amplitudes=(0.5,), phases_rad=(0.0,)
    )
    right = tone(
        sample_rate_hz=sample_rate_hz, freqs_hz=(1000.0,), amplitudes=(0.4,), phases_rad=(0.7,)
    )
    return np.stack([left, right])


def encode(
    path: Path,
    y: npt.NDArray[np.floating[Any]],
    *,
    sample_rate_hz: int,
    container_format: str,
    codec_name: str,
    sample_format: str | None = None,
) -> Path:
    """Encode ``y`` (shape ``(n,)`` mono or ``(2, n)`` stereo, float in [-1, 1]) with PyAV.

    ``sample_format`` forces the codec's input sample format (e.g. ``"s32"``
    for 24-bit FLAC); PyAV converts the float frames to it.
    """
    planes = np.atleast_2d(np.asarray(y, dtype=np.float32))
    layout = {1: "mono", 2: "stereo"}[planes.shape[0]]
    chunk = 1024
    with av.open(str(path), mode="w", format=container_format) as container:
        stream = container.add_stream(codec_name, rate=sample_rate_hz, layout=layout)
        assert isinstance(stream, av.audio.stream.AudioStream)
        if sample_format is not None:
            stream.codec_context.format = av.AudioFormat(sample_format)
        for start in range(0, planes.shape[1], chunk):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(planes[:, start : start + chunk]),
                format="fltp",
                layout=layout,
            )
            frame.sample_rate = sample_rate_hz
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@dataclass(frozen=True)
class FormatCase:
    """One way of storing the test tone, and how closely it must come back."""

    id: str
    suffix: str
    container_format: str
    codec_name: str
    sample_rate_hz: int
    sample_format: str | None = None
    max_abs_error: float | None = None
    """Lossless cases: bound on |decoded - source| (half or one quantisation step)."""
    max_length_error_samples: int = 0
    """Lossy cases: padding or trimming allowed at the native rate (about one codec frame)."""
    lag_samples: int = 0
    """Delay of the decoded signal behind the source: encoder priming nobody trimmed."""
    min_correlation: float = 0.95
    """Lossy cases: normalised correlation with the source at ``lag_samples``."""

    def write(self, directory: Path) -> Path:
        return encode(
            directory / f"tone_{self.id}{self.suffix}",
            tone(sample_rate_hz=self.sample_rate_hz),
            sample_rate_hz=self.sample_rate_hz,
            container_format=self.container_format,
            codec_name=self.codec_name,
            sample_format=self.sample_format,
        )


FORMAT_CASES: tuple[FormatCase, ...] = (
    # WAV in every PCM layout PyAV exposes: s16, s32 (24- and 32-bit), flt, dbl, u8.
    FormatCase("wav_s16", ".wav", "wav", "pcm_s16le", 16_000, max_abs_error=1.6e-5),
    FormatCase("wav_s24", ".wav", "wav", "pcm_s24le", 48_000, max_abs_error=2.4e-7),
    FormatCase("wav_s32", ".wave", "wav", "pcm_s32le", 44_100, max_abs_error=1e-7),
    FormatCase("wav_f32", ".wav", "wav", "pcm_f32le", 22_050, max_abs_error=1e-7),
    FormatCase("wav_f64", ".wav", "wav", "pcm_f64le", 16_000, max_abs_error=1e-7),
    FormatCase("wav_u8", ".wav", "wav", "pcm_u8", 8_000, max_abs_error=4e-3),
    FormatCase("flac_16", ".flac", "flac", "flac", 44_100, max_abs_error=1.6e-5),
    FormatCase(
        "flac_24", ".flac", "flac", "flac", 48_000, sample_format="s32", max_abs_error=2.4e-7
    ),
    # Lossy codecs. FFmpeg trims Vorbis/Opus pre-skip, LAME's gapless header and the
    # MP4 edit list, so those start on time; raw ADTS and raw AMR have nowhere to
    # say how much priming to drop.
    FormatCase("vorbis", ".ogg", "ogg", "libvorbis", 44_100, max_length_error_samples=2048),
    FormatCase("vorbis_oga", ".oga", "ogg", "libvorbis", 22_050, max_length_error_samples=2048),
    FormatCase("opus", ".opus", "ogg", "libopus", 48_000, max_length_error_samples=960),
    FormatCase("opus_webm", ".webm", "webm", "libopus", 48_000, max_length_error_samples=960),
    FormatCase("mp3", ".mp3", "mp3", "libmp3lame", 44_100, max_length_error_samples=1152),
    FormatCase("aac_m4a", ".m4a", "ipod", "aac", 44_100, max_length_error_samples=1024),
    FormatCase("aac_mp4", ".mp4", "mp4", "aac", 48_000, max_length_error_samples=1024),
    FormatCase(
        "aac_adts", ".aac", "adts", "aac", 44_100, max_length_error_samples=2048, lag_samples=1024
    ),
    FormatCase(
        "amrnb_3gp",
        ".3gp",
        "3gp",
        "libopencore_amrnb",
        8_000,
        max_length_error_samples=160,
        lag_samples=6,
        min_correlation=0.9,
    ),
    FormatCase(
        "amrnb_raw",
        ".amr",
        "amr",
        "libopencore_amrnb",
        8_000,
        max_length_error_samples=160,
        lag_samples=56,
        min_correlation=0.9,
    ),
)


def spectrum_peak_hz(y: npt.NDArray[np.floating[Any]], *, sample_rate_hz: int) -> float:
    """Frequency of the largest bin of the Hann-windowed magnitude spectrum."""
    magnitude = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.argmax(magnitude) * sample_rate_hz / len(y))


def band_amplitude(
    y: npt.NDArray[np.floating[Any]], *, sample_rate_hz: int, freq_hz: float
) -> float:
    """Amplitude of a sinusoid at ``freq_hz`` (single-bin DFT, Hann-windowed, peak of ±2 bins)."""
    n = len(y)
    window = np.hanning(n)
    spectrum = np.abs(np.fft.rfft(y * window)) * 2 / window.sum()
    center = round(freq_hz * n / sample_rate_hz)
    return float(spectrum[max(center - 2, 0) : center + 3].max())


def best_lag_correlation(
    y: npt.NDArray[np.floating[Any]], reference: npt.NDArray[np.floating[Any]], *, lags: range
) -> tuple[int, float]:
    """The lag in ``lags`` where ``y[i + lag]`` best matches ``reference[i]``, and the
    normalised correlation there (1.0 = identical up to gain).

    Keep ``lags`` shorter than the tone's 25 ms period, or whole periods alias.
    """
    best = (0, -2.0)
    for lag in lags:
        a = y[max(lag, 0) :]
        b = reference[max(-lag, 0) :]
        n = min(len(a), len(b))
        a64, b64 = a[:n].astype(np.float64), b[:n].astype(np.float64)
        corr = float(a64 @ b64 / np.sqrt((a64 @ a64) * (b64 @ b64)))
        if corr > best[1]:
            best = (lag, corr)
    return best
