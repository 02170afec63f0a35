"""model_export.audio.decode: decoding every format, mixdown, resampling, errors."""

from __future__ import annotations

import pickle
import re
import wave
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.decode import (
    SUPPORTED_EXTENSIONS,
    AudioDecodeError,
    ClipTooLongError,
    EmptyClipError,
    _frame_to_mono,
    decode_audio,
    load_audio,
    write_wav,
)
from tests.audio_fixtures import (
    DATA_DIR,
    FORMAT_CASES,
    TONE_AMPLITUDES,
    TONE_FREQS_HZ,
    FormatCase,
    band_amplitude,
    best_lag_correlation,
    encode,
    spectrum_peak_hz,
    stereo_tone,
    tone,
)

LOSSLESS = [c for c in FORMAT_CASES if c.max_abs_error is not None]
LOSSY = [c for c in FORMAT_CASES if c.max_abs_error is None]
INVALID_DATA = "not a decodable audio file (Invalid data found when processing input)"


def _ids(case: FormatCase) -> str:
    return case.id


def _assert_is_test_tone(
    y: npt.NDArray[np.float32], *, sample_rate_hz: int, rel_tolerance: float
) -> None:
    bin_hz = sample_rate_hz / len(y)
    assert abs(spectrum_peak_hz(y, sample_rate_hz=sample_rate_hz) - 440.0) <= bin_hz
    for freq_hz, amplitude in zip(TONE_FREQS_HZ, TONE_AMPLITUDES, strict=True):
        measured = band_amplitude(y, sample_rate_hz=sample_rate_hz, freq_hz=freq_hz)
        assert measured == pytest.approx(amplitude, rel=rel_tolerance), freq_hz


# --- decode_audio: formats ------------------------------------------------------------------


def test_supported_extensions_are_lowercase_with_dot() -> None:
    assert {
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
    } == SUPPORTED_EXTENSIONS
    assert {c.suffix for c in FORMAT_CASES} <= SUPPORTED_EXTENSIONS


@pytest.mark.parametrize("case", LOSSLESS, ids=_ids)
def test_decode_lossless_returns_the_source_samples(case: FormatCase, tmp_path: Path) -> None:
    path = case.write(tmp_path)

    y, sample_rate_hz = decode_audio(path)

    source = tone(sample_rate_hz=case.sample_rate_hz)
    assert sample_rate_hz == case.sample_rate_hz
    assert y.dtype == np.float32
    assert y.shape == source.shape
    assert np.max(np.abs(y - source)) <= case.max_abs_error


@pytest.mark.parametrize("case", LOSSY, ids=_ids)
def test_decode_lossy_returns_the_source_tone(case: FormatCase, tmp_path: Path) -> None:
    path = case.write(tmp_path)

    y, sample_rate_hz = decode_audio(path)

    source = tone(sample_rate_hz=case.sample_rate_hz)
    assert sample_rate_hz == case.sample_rate_hz
    assert y.dtype == np.float32
    assert y.ndim == 1
    assert np.max(np.abs(y)) <= 1.0
    assert abs(len(y) - len(source)) <= case.max_length_error_samples
    lag, correlation = best_lag_correlation(
        y, source, lags=range(case.lag_samples - 8, case.lag_samples + 9)
    )
    assert abs(lag - case.lag_samples) <= 1
    assert correlation > case.min_correlation
    _assert_is_test_tone(y, sample_rate_hz=sample_rate_hz, rel_tolerance=0.2)


def test_decode_committed_amrnb_3gp_from_ffmpeg_cli() -> None:
    # Made by Debian's ffmpeg the way App Inventor's SoundRecorder stores audio.
    y, sample_rate_hz = decode_audio(DATA_DIR / "tone_amrnb.3gp")

    source = tone(sample_rate_hz=8_000)
    assert sample_rate_hz == 8_000
    assert len(y) == 4110  # 4000 samples plus AMR-NB frame padding
    lag, correlation = best_lag_correlation(y, source, lags=range(-2, 15))
    assert lag == 6
    assert correlation > 0.9
    _assert_is_test_tone(y, sample_rate_hz=sample_rate_hz, rel_tolerance=0.2)


def test_decode_float_wav_clips_out_of_range_and_nan(tmp_path: Path) -> None:
    source = np.array([0.5, 1.5, -3.0, np.nan, np.inf, -0.25] * 100, dtype=np.float32)
    path = encode(
        tmp_path / "hot.wav",
        source,
        sample_rate_hz=16_000,
        container_format="wav",
        codec_name="pcm_f32le",
    )

    y, _ = decode_audio(path)

    np.testing.assert_array_equal(y[:6], [0.5, 1.0, -1.0, 0.0, 1.0, -0.25])


# --- decode_audio: channels and sample formats ----------------------------------------------


@pytest.mark.parametrize(
    ("codec_name", "suffix", "container_format", "max_abs_error"),
    [
        ("pcm_s16le", ".wav", "wav", 3.1e-5),  # packed s16
        ("pcm_s24le", ".wav", "wav", 2.4e-7),  # packed s32
        ("flac", ".flac", "flac", 3.1e-5),  # packed s16, different container
    ],
)
def test_decode_stereo_averages_the_channels(
    codec_name: str, suffix: str, container_format: str, max_abs_error: float, tmp_path: Path
) -> None:
    left_right = stereo_tone(sample_rate_hz=16_000)
    path = encode(
        tmp_path / f"stereo{suffix}",
        left_right,
        sample_rate_hz=16_000,
        container_format=container_format,
        codec_name=codec_name,
    )

    y, sample_rate_hz = decode_audio(path)

    assert sample_rate_hz == 16_000
    assert y.shape == (left_right.shape[1],)
    assert np.max(np.abs(y - left_right.mean(axis=0))) <= max_abs_error


def test_decode_stereo_planar_vorbis_averages_the_channels(tmp_path: Path) -> None:
    left_right = stereo_tone(sample_rate_hz=44_100)
    path = encode(
        tmp_path / "stereo.ogg",
        left_right,
        sample_rate_hz=44_100,
        container_format="ogg",
        codec_name="libvorbis",
    )

    y, _ = decode_audio(path)

    # Averaging halves each channel: 0.25 at 440 Hz and 0.2 at 1 kHz.
    assert band_amplitude(y, sample_rate_hz=44_100, freq_hz=440.0) == pytest.approx(0.25, rel=0.1)
    assert band_amplitude(y, sample_rate_hz=44_100, freq_hz=1000.0) == pytest.approx(0.2, rel=0.1)
    _, correlation = best_lag_correlation(y, left_right.mean(axis=0), lags=range(1))
    assert correlation > 0.99


# Per PyAV sample format: (dtype, offset, full scale) of the integer coding.
_SAMPLE_CODINGS = {
    "u8": (np.uint8, 128, 128),
    "s16": (np.int16, 0, 2**15),
    "s32": (np.int32, 0, 2**31),
    "flt": (np.float32, 0, 1),
    "dbl": (np.float64, 0, 1),
}


@pytest.mark.parametrize("planar", [False, True], ids=["packed", "planar"])
@pytest.mark.parametrize("base", sorted(_SAMPLE_CODINGS))
def test_frame_to_mono_scales_and_mixes_every_sample_format(base: str, planar: bool) -> None:
    dtype, offset, scale = _SAMPLE_CODINGS[base]
    left = np.array([-1.0, -0.5, 0.0, 0.25, 0.5, 0.75])
    right = np.array([0.5, 0.5, -0.5, 0.25, -1.0, 0.0])
    coded = np.stack([left, right]) * scale + offset
    if np.issubdtype(dtype, np.integer):
        coded = np.clip(coded, offset - scale, offset + scale - 1)  # full scale is one past max
    coded = coded.astype(dtype)
    array = coded if planar else coded.T.reshape(1, -1)  # packed = interleaved L R L R
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(array), format=base + ("p" if planar else ""), layout="stereo"
    )

    y = _frame_to_mono(frame)

    expected = ((coded.astype(np.float64) - offset) / scale).mean(axis=0)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, expected, atol=1e-7)
    np.testing.assert_allclose(y, (left + right) / 2, atol=1.0 / 128)


# --- load_audio ----------------------------------------------------------------------------


def test_load_audio_decodes_and_resamples_to_model_rate() -> None:
    y = load_audio(DATA_DIR / "tone_amrnb.3gp")

    assert MODEL_SAMPLE_RATE_HZ == 16_000
    assert y.dtype == np.float32
    assert y.shape == (2 * 4110,)
    assert spectrum_peak_hz(y, sample_rate_hz=16_000) == pytest.approx(440.0, abs=2.0)


def test_load_audio_other_rate(tmp_path: Path) -> None:
    path = FORMAT_CASES[0].write(tmp_path)  # 16 kHz WAV

    y = load_audio(path, sample_rate_hz=8_000)

    assert y.shape == (4_000,)


# --- write_wav ------------------------------------------------------------------------------


def test_write_wav_is_16_bit_mono_pcm_and_clips(tmp_path: Path) -> None:
    path = tmp_path / "out.wav"

    write_wav(path, np.array([0.0, 0.5, 2.0, -2.0, -1.0]), sample_rate_hz=22_050)

    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22_050)
        assert wav.getcomptype() == "NONE"
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    np.testing.assert_array_equal(pcm, [0, 16384, 32767, -32767, -32767])


def test_write_wav_round_trips_through_decode(tmp_path: Path) -> None:
    source = tone(sample_rate_hz=16_000)
    path = tmp_path / "tone.wav"

    write_wav(path, source, sample_rate_hz=16_000)
    y, sample_rate_hz = decode_audio(path)

    assert sample_rate_hz == 16_000
    assert np.max(np.abs(y - source)) <= 4e-5


def test_write_wav_rejects_stereo(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="1-D"):
        write_wav(tmp_path / "x.wav", np.zeros((2, 4)), sample_rate_hz=16_000)


# --- errors ---------------------------------------------------------------------------------


def _valid_wav_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "valid.wav"
    write_wav(path, tone(sample_rate_hz=16_000), sample_rate_hz=16_000)
    return path.read_bytes()


def test_random_bytes_named_wav(tmp_path: Path) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(np.random.default_rng(1234).bytes(4096))

    with pytest.raises(AudioDecodeError) as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: {INVALID_DATA}"
    assert info.value.path == path
    assert isinstance(info.value, ValueError)
    copy = pickle.loads(pickle.dumps(info.value))
    assert (str(copy), copy.path) == (str(info.value), path)


def test_text_file_named_mp3(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("shopping list: eggs, milk\n" * 40, encoding="utf-8")

    with pytest.raises(AudioDecodeError, match="notes.mp3") as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: {INVALID_DATA}"


def test_an_empty_file_is_an_empty_clip(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")

    with pytest.raises(EmptyClipError) as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: is empty (0 bytes)"
    assert info.value.error_name == "EMPTY_CLIP"
    with pytest.raises(EmptyClipError, match="^phone clip: is empty"):
        decode_audio(b"", name="phone clip")


def test_truncated_wav_header(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    path.write_bytes(_valid_wav_bytes(tmp_path)[:20])

    with pytest.raises(AudioDecodeError) as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: {INVALID_DATA}"


def test_wav_truncated_mid_data_decodes_what_is_there(tmp_path: Path) -> None:
    # A recording cut short (e.g. the app was killed) keeps its header's bigger size.
    path = tmp_path / "short.wav"
    path.write_bytes(_valid_wav_bytes(tmp_path)[: 44 + 2 * 1000])

    y, _ = decode_audio(path)

    np.testing.assert_allclose(y, tone(sample_rate_hz=16_000)[:1000], atol=4e-5)


def test_wav_with_zero_samples(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    write_wav(path, np.zeros(0), sample_rate_hz=16_000)

    with pytest.raises(EmptyClipError) as info:
        load_audio(path)

    assert str(info.value) == f"{path}: contains no audio samples"
    with pytest.raises(EmptyClipError, match="^clip: contains no audio samples"):
        load_audio(path.read_bytes(), name="clip")


def test_bytes_decode_as_the_file_does(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    write_wav(path, tone(sample_rate_hz=22_050), sample_rate_hz=22_050)

    np.testing.assert_array_equal(load_audio(path.read_bytes()), load_audio(path))
    with pytest.raises(AudioDecodeError, match=f"^clip 7: {re.escape(INVALID_DATA)}"):
        load_audio(b"not audio at all", name="clip 7")


def test_decoding_stops_past_max_seconds(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    write_wav(path, np.zeros(16_000 * 12), sample_rate_hz=16_000)

    assert load_audio(path, max_seconds=12.0).size == 16_000 * 12
    with pytest.raises(ClipTooLongError) as info:
        load_audio(path.read_bytes(), name="clip", max_seconds=10.0)
    assert str(info.value) == "clip: is longer than 10 s, the most that is taken"
    assert info.value.error_name == "CLIP_TOO_LONG"


def test_file_without_audio_stream(tmp_path: Path) -> None:
    path = tmp_path / "video.mp4"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=1)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)

    with pytest.raises(AudioDecodeError) as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: has no audio stream"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.wav"

    with pytest.raises(AudioDecodeError) as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: no such file"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    path = tmp_path / "folder.wav"
    path.mkdir()

    with pytest.raises(AudioDecodeError) as info:
        decode_audio(path)

    assert str(info.value) == f"{path}: is a folder, not an audio file"
