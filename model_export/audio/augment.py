"""Training-time augmentation: pure functions of (window, rng).

Each augmented copy of a clip gets a time shift, a gain, usually some noise and
sometimes a narrowband "phone" treatment, so that a model trained on laptop
recordings still recognises the same sounds from a phone's SoundRecorder
(3GP, AMR-NB at 8 kHz).

Two resamplers on purpose: the phone's own recorder (down to 8 kHz) and a speed
change are simulated with soxr, which is fast at any ratio; the way back from
8 kHz is what the WebView page does, so it is the contract's resampler
(``model_export.audio.resample``).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import av
import numpy as np
import soxr

from model_export.audio.preprocess import centre_in_window
from model_export.audio.resample import resample


@dataclass(frozen=True)
class AugmentConfig:
    """Ranges for the random augmentations (all draws are uniform)."""

    max_shift_seconds: float = 0.15
    gain_db: tuple[float, float] = (-6.0, 6.0)
    noise_probability: float = 0.8
    snr_db: tuple[float, float] = (5.0, 30.0)
    narrowband_probability: float = 0.3
    speed_factor: tuple[float, float] = (0.9, 1.1)
    """Resampling factor: changes tempo and pitch together, like a faster or higher voice."""
    reverb_probability: float = 0.3
    rt60_seconds: tuple[float, float] = (0.1, 0.6)


DEFAULT_AUGMENT = AugmentConfig()


def coloured_noise(n: int, *, rng: np.random.Generator, exponent: float) -> np.ndarray:
    """Unit-RMS noise with power spectrum ~ 1 / f**exponent (0 white, 1 pink, 2 brown)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    spectrum /= f ** (exponent / 2.0)
    noise = np.fft.irfft(spectrum, n)
    return noise / max(float(np.sqrt(np.mean(noise**2))), 1e-12)


def add_noise(
    y: np.ndarray, *, rng: np.random.Generator, snr_db: float, exponent: float
) -> np.ndarray:
    """Mix in coloured noise at ``snr_db`` relative to the RMS of the non-zero part of ``y``."""
    voiced = y[np.abs(y) > 1e-6]
    rms = float(np.sqrt(np.mean(voiced**2))) if voiced.size else 0.0
    if rms == 0.0:
        return y
    noise = coloured_noise(y.size, rng=rng, exponent=exponent)
    return (y + noise * rms * 10.0 ** (-snr_db / 20.0)).astype(np.float32)


AMR_NB_BIT_RATES = (7950, 10200, 12200)
"""AMR-NB modes used for augmentation; SoundRecorder records at 12.2 kbit/s."""


@functools.cache
def amr_nb_available() -> bool:
    """Whether PyAV's FFmpeg build has the AMR-NB encoder (the PyPI wheels do)."""
    try:
        av.codec.Codec("libopencore_amrnb", "w")
    except Exception:
        return False
    return True


def amr_nb_roundtrip(y: np.ndarray, *, sample_rate_hz: int, bit_rate: int) -> np.ndarray:
    """Encode ``y`` as App Inventor's SoundRecorder does (AMR-NB, 8 kHz) and decode it back.

    In memory, with PyAV's FFmpeg. Returns float32 of the same length as ``y``
    (the codec's few-millisecond delay is kept).
    """
    low = soxr.resample(y, sample_rate_hz, 8000, quality="HQ")
    pcm = (np.clip(low, -1.0, 1.0) * 32767.0).astype(np.int16)
    encoded = io.BytesIO()
    with av.open(encoded, "w", format="amr") as container:
        stream = container.add_stream("libopencore_amrnb", rate=8000, layout="mono")
        assert isinstance(stream, av.audio.stream.AudioStream)
        stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in (*stream.encode(frame), *stream.encode(None)):
            container.mux(packet)
    encoded.seek(0)
    with av.open(encoded, "r", format="amr") as container:
        decoded = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    # Back to the model's rate as the phone's WebView page does it: the contract's resampler.
    back = resample(
        np.concatenate(decoded).astype(np.float32), orig_sr_hz=8000, target_sr_hz=sample_rate_hz
    )
    out = np.zeros_like(y, dtype=np.float32)
    out[: min(y.size, back.size)] = back[: y.size]
    return out


def phone_recording(y: np.ndarray, *, sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    """A phone's SoundRecorder version of ``y``: real AMR-NB if available, else simulated."""
    if amr_nb_available():
        return amr_nb_roundtrip(
            y, sample_rate_hz=sample_rate_hz, bit_rate=int(rng.choice(AMR_NB_BIT_RATES))
        )
    return narrowband(y, sample_rate_hz=sample_rate_hz, rng=rng)


def narrowband(y: np.ndarray, *, sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    """Simulate a phone's AMR-NB recording: 8 kHz, 300-3400 Hz band, coarse quantisation."""
    low = soxr.resample(y, sample_rate_hz, 8000, quality="HQ")
    spectrum = np.fft.rfft(low)
    f_hz = np.fft.rfftfreq(low.size, d=1.0 / 8000)
    lo_hz = rng.uniform(200.0, 400.0)
    hi_hz = rng.uniform(3200.0, 3600.0)
    spectrum *= (f_hz >= lo_hz) & (f_hz <= hi_hz)
    low = np.fft.irfft(spectrum, low.size)
    # AMR-NB codes 13-bit PCM; its coding noise sits roughly 15-25 dB below the signal.
    peak = float(np.max(np.abs(low))) or 1.0
    step = peak / 2 ** rng.uniform(5.0, 8.0)
    low = np.round(low / step) * step
    back = resample(low.astype(np.float32), orig_sr_hz=8000, target_sr_hz=sample_rate_hz)
    out = np.zeros_like(y)
    out[: min(y.size, back.size)] = back[: y.size]
    return out.astype(np.float32)


def change_speed(y: np.ndarray, *, factor: float, sample_rate_hz: int) -> np.ndarray:
    """Play ``y`` ``factor`` times faster (and higher): a resampling, as on a tape."""
    if factor == 1.0:
        return y
    return soxr.resample(y, round(sample_rate_hz * factor), sample_rate_hz, quality="HQ").astype(
        np.float32
    )


def add_reverb(
    y: np.ndarray, *, rng: np.random.Generator, rt60_seconds: float, sample_rate_hz: int
) -> np.ndarray:
    """Convolve with a synthetic room: exponentially decaying noise, mixed with the dry sound."""
    n = max(1, round(rt60_seconds * sample_rate_hz))
    t = np.arange(n) / sample_rate_hz
    impulse = rng.standard_normal(n) * np.exp(-6.9 * t / rt60_seconds)  # -60 dB at rt60
    impulse[0] = 0.0
    impulse /= max(float(np.sqrt(np.sum(impulse**2))), 1e-12)
    size = 1 << int(np.ceil(np.log2(y.size + n)))
    wet = np.fft.irfft(np.fft.rfft(y, size) * np.fft.rfft(impulse, size), size)[: y.size]
    mix = rng.uniform(0.2, 0.6)
    return ((1.0 - mix) * y + mix * wet).astype(np.float32)


def augmented_window(
    clip: np.ndarray,
    *,
    rng: np.random.Generator,
    window_samples: int,
    sample_rate_hz: int,
    config: AugmentConfig = DEFAULT_AUGMENT,
) -> np.ndarray:
    """One random augmented copy of ``clip``, already centred in its window.

    clip : np.ndarray [shape=(n,)], float32 in [-1, 1]

    Returns np.ndarray [shape=(window_samples,)], float32, clipped to [-1, 1].
    """
    shift = round(rng.uniform(-1.0, 1.0) * config.max_shift_seconds * sample_rate_hz)
    clip = change_speed(
        clip, factor=rng.uniform(*config.speed_factor), sample_rate_hz=sample_rate_hz
    )
    y = centre_in_window(
        clip, window_samples=window_samples, sample_rate_hz=sample_rate_hz, offset_samples=shift
    )
    y = y * np.float32(10.0 ** (rng.uniform(*config.gain_db) / 20.0))
    if rng.random() < config.reverb_probability:
        y = add_reverb(
            y,
            rng=rng,
            rt60_seconds=rng.uniform(*config.rt60_seconds),
            sample_rate_hz=sample_rate_hz,
        )
    if rng.random() < config.narrowband_probability:
        y = phone_recording(y, sample_rate_hz=sample_rate_hz, rng=rng)
    if rng.random() < config.noise_probability:
        y = add_noise(
            y, rng=rng, snr_db=rng.uniform(*config.snr_db), exponent=rng.uniform(0.0, 2.0)
        )
    return np.clip(y, -1.0, 1.0).astype(np.float32)


BACKGROUND_LABEL = "background"


def background_window(
    *, rng: np.random.Generator, window_samples: int, sample_rate_hz: int
) -> np.ndarray:
    """One synthetic "nothing of interest" window: room noise, hum or near silence.

    Returns np.ndarray [shape=(window_samples,)], float32.
    """
    kind = rng.choice(["noise", "hum", "silence"], p=[0.7, 0.15, 0.15])
    level = 10.0 ** (rng.uniform(-60.0, -20.0) / 20.0)
    noise = coloured_noise(window_samples, rng=rng, exponent=rng.uniform(0.0, 2.0))
    if kind == "noise":
        y = level * noise
    elif kind == "hum":
        t = np.arange(window_samples) / sample_rate_hz
        mains_hz = rng.choice([50.0, 60.0])
        hum = sum(
            np.sin(2 * np.pi * k * mains_hz * t + rng.uniform(0, 2 * np.pi)) / k
            for k in range(1, 6)
        )
        y = level * (hum / np.sqrt(np.mean(hum**2)) + 0.1 * noise)
    else:
        y = 1e-4 * noise
    return np.clip(y, -1.0, 1.0).astype(np.float32)
