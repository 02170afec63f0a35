"""model_export.audio.augment: random copies of a clip for training, and synthetic background."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model_export.audio.augment import (
    AugmentConfig,
    add_noise,
    augmented_window,
    background_window,
    coloured_noise,
    narrowband,
)
from tests.audio_fixtures import band_amplitude
from tests.helpers import Array

SR = 16_000


def sine(freq_hz: float, *, n: int = SR, amplitude: float = 0.3) -> Array:
    return np.asarray(amplitude * np.sin(2 * np.pi * freq_hz * np.arange(n) / SR), np.float32)


def loud_clip(rng: np.random.Generator) -> Array:
    """0.7 s: silence, a near-full-scale burst (so gain can push it past 1), silence."""
    y = np.zeros(round(0.7 * SR), np.float32)
    y[2_000:9_000] = 0.95 * np.sign(rng.standard_normal(7_000))
    return y


def plain_config(**overrides: object) -> AugmentConfig:
    """No shift, no gain, and every optional treatment (each has a ``*_probability``) off."""
    names = {f.name for f in dataclasses.fields(AugmentConfig)}
    values: dict[str, object] = {"max_shift_seconds": 0.0, "gain_db": (0.0, 0.0)}
    values.update({name: 0.0 for name in names if name.endswith("_probability")})
    if "speed_factor" in names:
        values["speed_factor"] = (1.0, 1.0)
    values.update(overrides)
    return AugmentConfig(**values)  # type: ignore[arg-type]


def snr_db(signal: Array, noise: Array) -> float:
    return float(10.0 * np.log10(np.mean(signal.astype(np.float64) ** 2) / np.mean(noise**2)))


# --- augmented_window ----------------------------------------------------------------------


@pytest.mark.parametrize("window_samples", [16_000, 24_000, 32_000])
def test_augmented_window_shape_dtype_and_range(
    rng: np.random.Generator, window_samples: int
) -> None:
    clip = loud_clip(rng)
    for _ in range(20):
        out = augmented_window(clip, rng=rng, window_samples=window_samples, sample_rate_hz=SR)

        assert out.shape == (window_samples,)
        assert out.dtype == np.float32
        assert np.isfinite(out).all()
        assert np.abs(out).max() <= 1.0


def test_augmented_window_is_clipped_when_gain_overdrives_it(rng: np.random.Generator) -> None:
    always_loud = plain_config(gain_db=(6.0, 6.0))

    out = augmented_window(
        loud_clip(rng), rng=rng, window_samples=SR, sample_rate_hz=SR, config=always_loud
    )

    assert np.abs(out).max() == np.float32(1.0)


def test_augmented_window_is_deterministic_for_a_seed() -> None:
    clip = loud_clip(np.random.default_rng(0))

    def run(seed: int) -> Array:
        rng = np.random.default_rng(seed)
        return np.stack(
            [
                augmented_window(clip, rng=rng, window_samples=SR, sample_rate_hz=SR)
                for _ in range(5)
            ]
        )

    np.testing.assert_array_equal(run(11), run(11))
    assert not np.array_equal(run(11), run(12))


def test_augmented_window_with_nothing_random_is_the_centred_clip(rng: np.random.Generator) -> None:
    from model_export.audio.preprocess import centre_in_window

    clip = 0.5 * loud_clip(rng)
    plain = plain_config()

    out = augmented_window(clip, rng=rng, window_samples=SR, sample_rate_hz=SR, config=plain)

    np.testing.assert_array_equal(out, centre_in_window(clip, window_samples=SR, sample_rate_hz=SR))


# --- add_noise -----------------------------------------------------------------------------


@pytest.mark.parametrize("target_snr_db", [0.0, 5.0, 10.0, 20.0, 30.0])
@pytest.mark.parametrize("exponent", [0.0, 1.0, 2.0])
def test_add_noise_achieves_the_requested_snr(
    rng: np.random.Generator, target_snr_db: float, exponent: float
) -> None:
    y = sine(440.0)

    out = add_noise(y, rng=rng, snr_db=target_snr_db, exponent=exponent)

    assert out.shape == y.shape and out.dtype == np.float32
    assert abs(snr_db(y, out.astype(np.float64) - y) - target_snr_db) <= 0.5


def test_add_noise_snr_is_relative_to_the_sound_not_the_padding(rng: np.random.Generator) -> None:
    y = np.zeros(2 * SR, np.float32)
    y[SR // 2 : SR // 2 + SR // 4] = sine(440.0, n=SR // 4)
    sound = y[SR // 2 : SR // 2 + SR // 4]

    out = add_noise(y, rng=rng, snr_db=10.0, exponent=1.0)

    assert abs(snr_db(sound, out.astype(np.float64) - y) - 10.0) <= 0.5


def test_add_noise_leaves_silence_alone(rng: np.random.Generator) -> None:
    y = np.zeros(SR, np.float32)

    np.testing.assert_array_equal(add_noise(y, rng=rng, snr_db=10.0, exponent=0.0), y)


@pytest.mark.parametrize("exponent", [0.0, 1.0, 2.0])
def test_coloured_noise_has_unit_rms_and_the_requested_slope(
    rng: np.random.Generator, exponent: float
) -> None:
    noise = coloured_noise(2**16, rng=rng, exponent=exponent)

    assert np.sqrt(np.mean(noise**2)) == pytest.approx(1.0, rel=1e-9)
    power = np.abs(np.fft.rfft(noise)) ** 2
    f = np.arange(power.size)
    band = (f > 10) & (f < power.size - 1)
    slope = np.polyfit(np.log(f[band]), np.log(power[band]), 1)[0]
    assert slope == pytest.approx(-exponent, abs=0.1)


# --- narrowband ----------------------------------------------------------------------------


def band_energy(y: Array, *, above_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(y.astype(np.float64))) ** 2
    f_hz = np.fft.rfftfreq(y.size, d=1.0 / SR)
    return float(spectrum[f_hz > above_hz].sum())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_narrowband_removes_energy_above_3600_hz_and_keeps_1_khz(seed: int) -> None:
    y: Array = sine(1_000.0) + sine(4_500.0, amplitude=0.2) + sine(6_000.0, amplitude=0.2)

    out = narrowband(y, sample_rate_hz=SR, rng=np.random.default_rng(seed))

    assert out.shape == y.shape and out.dtype == np.float32
    removed_db = 10 * np.log10(
        band_energy(out, above_hz=3_600.0) / band_energy(y, above_hz=3_600.0)
    )
    assert removed_db < -30.0
    # Judge the 1 kHz tone away from the edges, where resampling filters ring.
    middle = slice(SR // 8, -SR // 8)
    kept = band_amplitude(out[middle], sample_rate_hz=SR, freq_hz=1_000.0)
    original = band_amplitude(y[middle], sample_rate_hz=SR, freq_hz=1_000.0)
    assert 20 * np.log10(kept / original) == pytest.approx(0.0, abs=1.0)


# --- background_window ---------------------------------------------------------------------


@pytest.mark.parametrize("window_samples", [16_000, 24_000, 32_000])
def test_background_window_shape_dtype_and_level(window_samples: int) -> None:
    rng = np.random.default_rng(window_samples)
    for _ in range(30):
        out = background_window(rng=rng, window_samples=window_samples, sample_rate_hz=SR)

        assert out.shape == (window_samples,)
        assert out.dtype == np.float32
        assert np.isfinite(out).all()
        # Room noise, hum or near silence: never louder than -20 dBFS RMS (plus a little noise).
        assert np.sqrt(np.mean(out.astype(np.float64) ** 2)) <= 10 ** (-20 / 20) * 1.01


def test_background_window_is_deterministic_for_a_seed() -> None:
    def run(seed: int) -> Array:
        rng = np.random.default_rng(seed)
        return np.stack(
            [background_window(rng=rng, window_samples=SR, sample_rate_hz=SR) for _ in range(5)]
        )

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


@pytest.mark.parametrize("bit_rate", [7_950, 12_200])
def test_amr_nb_roundtrip_is_a_real_narrowband_codec(bit_rate: int) -> None:
    from model_export.audio.augment import amr_nb_available, amr_nb_roundtrip

    assert amr_nb_available(), "PyAV's FFmpeg build should include libopencore_amrnb"
    y: Array = sine(500.0) + sine(5_000.0, amplitude=0.2)

    out = amr_nb_roundtrip(y, sample_rate_hz=SR, bit_rate=bit_rate)

    assert out.shape == y.shape and out.dtype == np.float32
    removed_db = 10 * np.log10(
        band_energy(out, above_hz=4_000.0) / band_energy(y, above_hz=4_000.0)
    )
    assert removed_db < -30.0  # 8 kHz sampling: nothing survives above 4 kHz
    middle = slice(SR // 8, -SR // 8)
    kept = band_amplitude(out[middle], sample_rate_hz=SR, freq_hz=500.0)
    original = band_amplitude(y[middle], sample_rate_hz=SR, freq_hz=500.0)
    assert 20 * np.log10(kept / original) == pytest.approx(0.0, abs=3.0)
    assert not np.allclose(out, y, atol=1e-3)  # it is lossy


def test_change_speed_scales_length_and_pitch() -> None:
    from model_export.audio.augment import change_speed

    out = change_speed(sine(1_000.0), factor=1.25, sample_rate_hz=SR)

    assert out.size == pytest.approx(SR / 1.25, abs=2)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(out.size)))
    peak_hz = np.argmax(spectrum) * SR / out.size
    assert peak_hz == pytest.approx(1_250.0, abs=SR / out.size)


def test_add_reverb_spreads_an_impulse_over_rt60() -> None:
    from model_export.audio.augment import add_reverb

    y = np.zeros(SR, np.float32)
    y[1_000] = 1.0

    out = add_reverb(y, rng=np.random.default_rng(0), rt60_seconds=0.3, sample_rate_hz=SR)

    tail = out[1_001 + SR // 20 : 1_000 + SR // 5]  # 50-200 ms after the click
    assert np.sqrt(np.mean(tail**2)) > 1e-4
    assert np.abs(out[:1_000]).max() < 1e-9  # causal (FFT rounding only)
    assert out[1_000] < 1.0  # the dry part is mixed down
