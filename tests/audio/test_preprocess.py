"""model_export.audio.preprocess: finding the sound and centring it in the model's window."""

from __future__ import annotations

import numpy as np
import pytest

from model_export.audio.preprocess import active_region, centre_in_window, frame_energy_db
from tests.helpers import Array

SR = 16_000
TOLERANCE_SAMPLES = round(0.030 * SR)  # 30 ms


def tone_burst(
    *, n: int, start: int, stop: int, amplitude: float = 0.5, freq_hz: float = 700.0
) -> Array:
    """Zeros with a sine between ``start`` and ``stop`` (1 ms ramps)."""
    y = np.zeros(n)
    t = np.arange(stop - start) / SR
    ramp = np.minimum(1.0, np.minimum(np.arange(t.size), np.arange(t.size)[::-1]) / 16.0)
    y[start:stop] = amplitude * np.sin(2 * np.pi * freq_hz * t) * ramp
    return y.astype(np.float32)


def test_frame_energy_of_a_full_scale_square_wave_is_0_db() -> None:
    y = np.where(np.arange(4_000) % 2 == 0, 1.0, -1.0)

    db = frame_energy_db(y, frame_length=400, hop_length=160)

    assert db.shape == (1 + (4_000 - 400) // 160,)
    np.testing.assert_allclose(db, 0.0, atol=1e-9)


def test_frame_energy_of_a_clip_shorter_than_a_frame_is_one_frame() -> None:
    assert frame_energy_db(np.full(10, 0.5), frame_length=400, hop_length=160).shape == (1,)


@pytest.mark.parametrize(("start_s", "stop_s"), [(0.5, 0.8), (0.05, 0.35), (1.1, 1.45)])
def test_active_region_finds_a_tone_burst_in_silence(start_s: float, stop_s: float) -> None:
    start, stop = round(start_s * SR), round(stop_s * SR)
    y = tone_burst(n=round(1.5 * SR), start=start, stop=stop)

    found = active_region(y, sample_rate_hz=SR)

    assert abs(found[0] - start) <= TOLERANCE_SAMPLES
    assert abs(found[1] - stop) <= TOLERANCE_SAMPLES


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_active_region_finds_a_tone_burst_in_noise_at_10_db_snr(seed: int) -> None:
    rng = np.random.default_rng(seed)
    start, stop = round(0.6 * SR), round(0.9 * SR)
    burst = tone_burst(n=round(1.5 * SR), start=start, stop=stop)
    tone_rms = float(np.sqrt(np.mean(burst[start:stop] ** 2)))
    noise = rng.standard_normal(burst.size) * tone_rms * 10.0 ** (-10.0 / 20.0)
    y = (burst + noise).astype(np.float32)

    found = active_region(y, sample_rate_hz=SR)

    assert abs(found[0] - start) <= TOLERANCE_SAMPLES
    assert abs(found[1] - stop) <= TOLERANCE_SAMPLES


def test_active_region_of_silence_is_the_whole_clip() -> None:
    n = 16_000
    start, stop = active_region(np.zeros(n, np.float32), sample_rate_hz=SR)

    assert start == 0
    assert n - round(0.010 * SR) <= stop <= n  # the last whole frame


def test_active_region_of_an_empty_clip() -> None:
    assert active_region(np.zeros(0, np.float32), sample_rate_hz=SR) == (0, 0)


@pytest.mark.parametrize("n", [0, 100, 8_000, 16_000, 20_000, 48_000])
@pytest.mark.parametrize("window_samples", [16_000, 24_000])
def test_centre_in_window_output_length_and_dtype(n: int, window_samples: int) -> None:
    y = np.random.default_rng(n).uniform(-0.5, 0.5, n).astype(np.float64)

    out = centre_in_window(y, window_samples=window_samples, sample_rate_hz=SR)

    assert out.shape == (window_samples,)
    assert out.dtype == np.float32


def energy_centroid(y: Array) -> float:
    power = np.square(y.astype(np.float64))
    return float(np.sum(np.arange(y.size) * power) / np.sum(power))


@pytest.mark.parametrize(("start_s", "stop_s"), [(0.05, 0.3), (0.4, 0.6), (0.7, 0.95)])
def test_centre_in_window_puts_the_sound_in_the_middle(start_s: float, stop_s: float) -> None:
    y = tone_burst(n=SR, start=round(start_s * SR), stop=round(stop_s * SR))

    out = centre_in_window(y, window_samples=SR, sample_rate_hz=SR)

    assert abs(energy_centroid(out) - SR / 2) <= TOLERANCE_SAMPLES
    # The whole sound fits, so none of it is lost.
    np.testing.assert_allclose(
        np.sum(out.astype(np.float64) ** 2), np.sum(y.astype(np.float64) ** 2)
    )


@pytest.mark.parametrize("offset_samples", [-2_400, -1, 1, 1_600])
def test_centre_in_window_offset_shifts_the_sound_exactly(offset_samples: int) -> None:
    y = tone_burst(n=12_000, start=5_000, stop=8_000)
    centred = centre_in_window(y, window_samples=SR, sample_rate_hz=SR)

    shifted = centre_in_window(
        y, window_samples=SR, sample_rate_hz=SR, offset_samples=offset_samples
    )

    # Positive offsets move the sound right (later), negative ones left.
    np.testing.assert_array_equal(np.roll(centred, offset_samples), shifted)


def test_clip_longer_than_the_window_keeps_its_middle() -> None:
    # Random +-0.5 samples: every frame is equally loud, so the whole clip is the sound.
    rng = np.random.default_rng(7)
    n, window = 3 * SR, SR
    y = (0.5 * rng.choice([-1.0, 1.0], size=n)).astype(np.float32)

    out = centre_in_window(y, window_samples=window, sample_rate_hz=SR)

    # ``out`` must be one contiguous stretch of ``y``, starting near (n - window) / 2.
    key = out[:32]
    first = next(i for i in range(n - window + 1) if np.array_equal(y[i : i + 32], key))
    np.testing.assert_array_equal(out, y[first : first + window])
    assert abs(first - (n - window) // 2) <= TOLERANCE_SAMPLES
