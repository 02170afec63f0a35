"""model_export.audio.resample: the contract's resampler (docs/metadata.md, "Resampling").

The JS implementation (extension/js/src/resample.js) is checked against this
one on golden vectors in the JS suite, and end to end in Chromium.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_export.audio.resample import (
    BETA,
    CUTOFF,
    ZERO_CROSSINGS,
    output_length,
    resample,
)
from tests.audio_fixtures import band_amplitude, spectrum_peak_hz, tone

PHONE_AND_LAPTOP_RATES_HZ = (8_000, 11_025, 22_050, 44_100, 48_000)
MEL_TOP_HZ = 3_800.0
"""Where the model's mel filters end: the band the resampler must keep exact."""


def reference(x: np.ndarray, k: int, *, orig_sr_hz: int, target_sr_hz: int) -> float:
    """Output sample ``k`` straight from the definition's formula, one term at a time."""
    low = min(orig_sr_hz, target_sr_hz)
    c = CUTOFF * low / orig_sr_hz
    width = ZERO_CROSSINGS * orig_sr_hz / low
    tau = k * orig_sr_hz / target_sr_hz
    total = 0.0
    for j in range(math.ceil(tau - width), math.floor(tau + width) + 1):
        u = tau - j
        if 0 <= j < x.size and abs(u) < width:
            window = np.i0(BETA * math.sqrt(1 - (u / width) ** 2)) / np.i0(BETA)
            total += float(x[j]) * c * float(np.sinc(c * u)) * float(window)
    return total


@pytest.mark.parametrize("orig_sr_hz", [*PHONE_AND_LAPTOP_RATES_HZ, 17_170])
def test_resample_is_the_formula_of_the_definition(orig_sr_hz: int) -> None:
    rng = np.random.default_rng(orig_sr_hz)
    x = (0.3 * rng.standard_normal(round(0.05 * orig_sr_hz))).astype(np.float32)

    out = resample(x, orig_sr_hz=orig_sr_hz, target_sr_hz=16_000)

    assert out.shape == (output_length(x.size, orig_sr_hz=orig_sr_hz, target_sr_hz=16_000),)
    for k in (0, 1, 7, out.size // 2, out.size - 1):
        expected = reference(x, k, orig_sr_hz=orig_sr_hz, target_sr_hz=16_000)
        # float64 sums rounded to float32: within a rounding step of the sample.
        assert out[k] == pytest.approx(expected, abs=1e-6), k


def test_output_length_covers_the_clip() -> None:
    assert output_length(8_000, orig_sr_hz=8_000, target_sr_hz=16_000) == 16_000
    assert output_length(44_100, orig_sr_hz=44_100, target_sr_hz=16_000) == 16_000
    assert output_length(1, orig_sr_hz=44_100, target_sr_hz=16_000) == 1
    assert output_length(3, orig_sr_hz=48_000, target_sr_hz=16_000) == 1
    assert output_length(4, orig_sr_hz=48_000, target_sr_hz=16_000) == 2


@pytest.mark.parametrize("orig_sr_hz", PHONE_AND_LAPTOP_RATES_HZ)
def test_resample_keeps_frequency_rms_and_duration(orig_sr_hz: int) -> None:
    y = tone(
        sample_rate_hz=orig_sr_hz,
        duration_s=1.0,
        freqs_hz=(440.0,),
        amplitudes=(0.5,),
        phases_rad=(0.0,),
    )

    out = resample(y, orig_sr_hz=orig_sr_hz, target_sr_hz=16_000)

    assert out.dtype == np.float32
    assert out.shape == (16_000,)
    assert spectrum_peak_hz(out, sample_rate_hz=16_000) == pytest.approx(440.0, abs=1.0)
    rms = float(np.sqrt(np.mean(out[200:-200].astype(np.float64) ** 2)))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.001)


@pytest.mark.parametrize("freq_hz", [100.0, 1_000.0, 3_000.0, MEL_TOP_HZ])
def test_the_pass_band_is_flat_to_the_top_mel_band_from_8_khz(freq_hz: float) -> None:
    # What SoundRecorder's AMR-NB clips are; libsamplerate's fastest converter lost 3.2-3.8 kHz.
    y = tone(
        sample_rate_hz=8_000,
        duration_s=1.0,
        freqs_hz=(freq_hz,),
        amplitudes=(0.5,),
        phases_rad=(0.0,),
    )

    out = resample(y, orig_sr_hz=8_000, target_sr_hz=16_000)[4_000:12_000]  # 2 Hz bins

    gain_db = 20 * np.log10(band_amplitude(out, sample_rate_hz=16_000, freq_hz=freq_hz) / 0.5)
    assert abs(gain_db) < 0.01


@pytest.mark.parametrize("freq_hz", [8_300.0, 10_000.0, 12_300.0, 15_000.0, 20_000.0])
def test_downsampling_keeps_aliases_out_of_the_model_band(freq_hz: float) -> None:
    y = tone(
        sample_rate_hz=44_100,
        duration_s=1.0,
        freqs_hz=(freq_hz,),
        amplitudes=(0.5,),
        phases_rad=(0.0,),
    )

    out = resample(y, orig_sr_hz=44_100, target_sr_hz=16_000)[1_000:-1_000]

    spectrum = np.abs(np.fft.rfft(out * np.hanning(out.size))) * 2 / np.hanning(out.size).sum()
    in_band = spectrum[np.fft.rfftfreq(out.size, 1 / 16_000) <= MEL_TOP_HZ].max()
    assert 20 * np.log10(in_band / 0.5) < -80.0
    assert 20 * np.log10(spectrum.max() / 0.5) < -55.0  # and the stop band holds everywhere


def test_upsampling_adds_no_image() -> None:
    # Upsampling 8 kHz -> 16 kHz must not mirror a 3 kHz tone to 5 kHz.
    y = tone(
        sample_rate_hz=8_000,
        duration_s=1.0,
        freqs_hz=(3_000.0,),
        amplitudes=(0.5,),
        phases_rad=(0.0,),
    )

    out = resample(y, orig_sr_hz=8_000, target_sr_hz=16_000)

    image = band_amplitude(out, sample_rate_hz=16_000, freq_hz=5_000.0)
    assert 20 * np.log10(image / 0.5) < -60.0


def test_resample_same_rate_is_identity_as_float32() -> None:
    y = np.linspace(-1.0, 1.0, 101)  # float64 in

    out = resample(y, orig_sr_hz=16_000, target_sr_hz=16_000)

    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, y.astype(np.float32))


def test_resample_rejects_multichannel_and_bad_rates() -> None:
    with pytest.raises(ValueError, match=r"y must be 1-D \(mono\), got shape \(2, 10\)"):
        resample(np.zeros((2, 10)), orig_sr_hz=8_000, target_sr_hz=16_000)
    with pytest.raises(
        ValueError, match="sample rates must be positive integers, got orig_sr_hz=0"
    ):
        resample(np.zeros(10), orig_sr_hz=0, target_sr_hz=16_000)
    with pytest.raises(ValueError, match="got orig_sr_hz=8000.5"):
        resample(np.zeros(10), orig_sr_hz=8000.5, target_sr_hz=16_000)  # type: ignore[arg-type]
