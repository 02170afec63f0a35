"""The JS runtime as the extension runs it: the WebView page in real headless Chromium.

The page and everything it loads are served from the ``assets/`` of a .aix
built by ``pac build-aix`` (a model whose labels are hard to quote); a fake of
the Java side serves PCM and collects messages (tests/extension/webview.py).
PyAV stands in for Android's MediaCodec.
"""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_export.audio.decode import decode_audio, load_audio, write_wav
from model_export.model_folder.inference import LoadedModel
from tests import synthetic
from tests.audio_fixtures import encode
from tests.bridge.running import CODE, Running
from tests.conftest import TRICKY_LABELS
from tests.extension.webview import (
    WebView,
    chromium,
    listen_in_real_time,
    needs_or_skip,
    webview,
)

pytestmark = pytest.mark.slow

PARITY_TOLERANCE = 1e-4
"""As in the JS suite (extension/js/test/fixture.js): float32 graphs, two runtimes."""


@pytest.fixture(scope="module")
def assets(built_aix: Path) -> dict[str, bytes]:
    needs_or_skip()
    with zipfile.ZipFile(built_aix) as aix:
        return {
            name.split("/assets/", 1)[1]: aix.read(name)
            for name in aix.namelist()
            if "/assets/" in name
        }


@pytest.fixture(scope="module")
def browser(assets: dict[str, bytes]) -> Iterator[Any]:
    with chromium() as context:
        yield context


@pytest.fixture(scope="module")
def page(browser: Any, assets: dict[str, bytes]) -> Iterator[WebView]:
    with webview(browser, assets) as view:
        view.wait_for(2)  # PageStarted, ClassifierReady
        yield view


def renamed(label: str) -> str:
    """A label of the shared model as the model in the .aix calls it."""
    return TRICKY_LABELS[sorted(synthetic.LABELS).index(label)]


def pcm16(y: np.ndarray) -> bytes:
    """What AudioRecord hands over: 16-bit little-endian mono PCM."""
    return np.clip(np.round(y * 32768), -32768, 32767).astype("<i2").tobytes()


def f32(y: np.ndarray) -> bytes:
    """What Java serves the page for a decoded clip: little-endian float32 mono PCM."""
    return np.asarray(y, "<f4").tobytes()


def classify_in_page(
    page: WebView, request_id: str, y: np.ndarray, rate_hz: int, first: int = -1, total: int = -1
) -> Any:
    before = len(page.messages())
    page.classify_pcm(request_id, f32(y), rate_hz, first, total)
    reply = page.wait_for(before + 1)[before]
    assert reply["type"] == "GotClassification", reply
    assert reply["id"] == request_id
    return reply["result"]


def test_the_page_posts_classifier_ready_with_the_labels(
    page: WebView, tricky_model_dir: Path
) -> None:
    started, ready = page.messages()[:2]

    assert started == {"type": "PageStarted"}
    assert ready == {
        "type": "ClassifierReady",
        "labels": TRICKY_LABELS,
        "model": tricky_model_dir.name,
    }
    assert list(LoadedModel(tricky_model_dir).labels) == TRICKY_LABELS


@pytest.mark.parametrize("seconds", [0.5, 1.0, 2.0, 3.0])
def test_a_wav_clip_matches_pac_classify(
    page: WebView, tricky_model_dir: Path, dataset: Any, tmp_path: Path, seconds: float
) -> None:
    rng = np.random.default_rng(round(seconds * 10))
    sound = dataset.test_clips[round(seconds * 2) % len(dataset.test_clips)]
    n = round(seconds * 16_000)
    y = synthetic.pink_noise(max(n, sound.size), rng, rms=0.003)
    lead = int(rng.integers(0, max(1, n - sound.size)))
    y[lead : lead + sound.size] += sound[: y.size - lead]
    path = tmp_path / "clip.wav"
    write_wav(path, y[:n] if n >= sound.size else y, sample_rate_hz=16_000)
    decoded = load_audio(path, sample_rate_hz=16_000)  # what pac classify reads

    result = classify_in_page(page, f"wav-{seconds}", decoded, 16_000)
    expected = LoadedModel(tricky_model_dir).classify(decoded)

    assert [label for label, _ in result] == [label for label, _ in expected]
    np.testing.assert_allclose(
        [c for _, c in result], [c for _, c in expected], rtol=0, atol=PARITY_TOLERANCE
    )
    assert [c for _, c in result] == sorted((c for _, c in result), reverse=True)


def test_a_model_that_reads_only_the_ear_runs_in_the_page_as_in_python(
    browser: Any, assets: dict[str, bytes], ear_model_dir: Path, dataset: Any
) -> None:
    """The ear inside the exported graph, in the WebView: the .aix's page with the model
    files of a head that reads only the ear's numbers answers as LoadedModel does."""
    ear_assets = {**assets, **{p.name: p.read_bytes() for p in ear_model_dir.iterdir()}}
    loaded = LoadedModel(ear_model_dir)
    with webview(browser, ear_assets) as view:
        view.wait_for(2)  # PageStarted, ClassifierReady
        for i, clip in enumerate(dataset.test_clips):
            result = classify_in_page(view, f"ear-{i}", clip, 16_000)
            assert_same_answer(result, loaded.classify(clip))


def assert_same_answer(result: list[Any], expected: list[tuple[str, float]]) -> None:
    assert [label for label, _ in result] == [label for label, _ in expected]
    np.testing.assert_allclose(
        [c for _, c in result], [c for _, c in expected], rtol=0, atol=PARITY_TOLERANCE
    )


def test_a_sound_recorder_clip_matches_pac_classify(
    page: WebView, tricky_model_dir: Path, dataset: Any, tmp_path: Path
) -> None:
    # App Inventor's SoundRecorder: 3GP with AMR-NB at 8 kHz. The page resamples it with the
    # contract's resampler, as pac classify does (docs/metadata.md, "Resampling").
    path = tmp_path / "recording.3gp"
    at_8k = load_audio(dataset.test_paths[1], sample_rate_hz=8_000)
    encode(
        path, at_8k, sample_rate_hz=8_000, container_format="3gp", codec_name="libopencore_amrnb"
    )
    decoded_8k, rate = decode_audio(path)  # standing in for MediaCodec
    assert rate == 8_000

    result = classify_in_page(page, "3gp", decoded_8k, rate)

    assert_same_answer(
        result, LoadedModel(tricky_model_dir).classify(load_audio(path, sample_rate_hz=16_000))
    )


@pytest.mark.parametrize(
    ("rate_hz", "container", "codec"),
    [
        (8_000, "wav", "pcm_s16le"),
        (11_025, "wav", "pcm_s16le"),
        (22_050, "flac", "flac"),
        (44_100, "wav", "pcm_s16le"),
        (44_100, "flac", "flac"),
        (48_000, "wav", "pcm_s16le"),
        (48_000, "flac", "flac"),
    ],
)
def test_clips_at_every_common_rate_match_pac_classify(
    page: WebView,
    tricky_model_dir: Path,
    dataset: Any,
    tmp_path: Path,
    rate_hz: int,
    container: str,
    codec: str,
) -> None:
    path = tmp_path / f"clip.{container}"
    source = load_audio(
        dataset.test_paths[rate_hz % len(dataset.test_paths)], sample_rate_hz=rate_hz
    )
    encode(path, source, sample_rate_hz=rate_hz, container_format=container, codec_name=codec)
    decoded, rate = decode_audio(path)  # standing in for MediaCodec
    assert rate == rate_hz

    result = classify_in_page(page, f"{rate_hz}-{container}", decoded, rate)

    assert_same_answer(
        result, LoadedModel(tricky_model_dir).classify(load_audio(path, sample_rate_hz=16_000))
    )


def listen(page: WebView, audio: np.ndarray, *, chunk: int, session: int) -> list[dict[str, Any]]:
    """Feed ``audio`` as Java does: a call, then the next once the page says it is done."""
    replies: list[dict[str, Any]] = []
    for start in range(0, audio.size, chunk):
        before = len(page.messages())
        page.call("listenChunk", base64.b64encode(pcm16(audio[start : start + chunk])).decode(),
                  16_000, session)  # fmt: skip
        new = page.wait_for(before + 1)[before:]
        while new[-1] != {"type": "ListenChunkDone", "id": f"listening-{session}"}:
            new = page.wait_for(len(page.messages()) + 1)[before:]
        replies += new[:-1]
    return replies


@pytest.mark.parametrize(("overlap", "windows"), [(0.0, 4), (0.5, 7), (0.75, 13)])
def test_listening_classifies_a_window_every_hop(
    page: WebView, tricky_model_dir: Path, dataset: Any, overlap: float, windows: int
) -> None:
    # A fake recorder: 4 s of a held-out sound repeated, in AudioRecord-sized chunks.
    sound = dataset.test_clips[0]
    audio = np.zeros(64_000, np.float32)
    for start in range(0, audio.size, 16_000):
        audio[start : start + min(sound.size, 16_000)] = sound[:16_000]

    page.call("startListening", overlap, 0.0, 7)
    replies = listen(page, audio, chunk=1_600, session=7)
    page.call("stopListening")

    assert len(replies) == windows  # 1 + (4 s - 1 s) / hop: this machine keeps up
    assert [r["type"] for r in replies] == ["GotClassification"] * windows
    assert [r["id"] for r in replies] == [f"listening-7-{i}" for i in range(windows)]
    assert replies[0]["result"][0][0] == renamed(dataset.test_labels[0])


def test_listening_classifies_only_the_newest_window_and_says_once_it_skips(
    page: WebView, dataset: Any
) -> None:
    # What Java hands over after the page was busy for a while: 3 s in one call, then 1 s.
    sound = dataset.test_clips[0]
    audio = np.zeros(64_000, np.float32)
    audio[48_000 : 48_000 + min(sound.size, 16_000)] = sound[:16_000]  # in the newest window

    page.call("startListening", 0.9, 0.0, 8)  # a window every 0.1 s
    replies = listen(page, audio[:48_000], chunk=48_000, session=8)
    replies += listen(page, audio[48_000:], chunk=16_000, session=8)
    page.call("stopListening")

    behind = [r for r in replies if r["type"] == "Error"]
    answers = [r for r in replies if r["type"] == "GotClassification"]
    assert [(r["id"], r["code"]) for r in behind] == [("listening-8", -31)]
    assert "OverlapFactor 0.9" in behind[0]["message"]
    # Windows 0..20 fell due in the first call and 21..30 in the second: the newest of each.
    assert [r["id"] for r in answers] == ["listening-8-20", "listening-8-30"]
    assert answers[1]["result"][0][0] == renamed(dataset.test_labels[0])


def test_listening_posts_only_windows_that_reach_the_minimum_confidence(page: WebView) -> None:
    page.call("startListening", 0.0, 1.01, 9)  # no probability reaches it
    quiet = listen(page, np.zeros(32_000, np.float32), chunk=16_000, session=9)
    page.call("startListening", 0.0, 0.0, 10)
    loud = listen(page, np.zeros(16_000, np.float32), chunk=16_000, session=10)
    before = len(page.messages())
    page.call("listenChunk", base64.b64encode(bytes(32_000)).decode(), 16_000, 9)
    page.page.wait_for_timeout(300)
    page.call("stopListening")

    assert quiet == []
    assert [r["id"] for r in loud] == ["listening-10-0"]
    assert page.messages()[before:] == []  # a chunk of a stopped session is not taken in


def test_a_long_clip_java_cut_gives_what_pac_classify_gives_for_the_whole_file(
    page: WebView, tricky_model_dir: Path, dataset: Any, tmp_path: Path
) -> None:
    # 14 s at 44.1 kHz; Java decodes the part the model uses (10 s and 0.25 s margins).
    rate = 44_100
    sound = load_audio(dataset.test_paths[2], sample_rate_hz=rate)
    y = synthetic.pink_noise(14 * rate, np.random.default_rng(3), rms=0.01)
    y[7 * rate : 7 * rate + sound.size] += sound
    path = tmp_path / "long.wav"
    write_wav(path, y, sample_rate_hz=rate)
    full, _ = decode_audio(path)
    total16 = -(-full.size * 160 // 441)
    first16 = (total16 - 160_000) // 2
    start = max(0, (first16 * 441 // 160 - round(0.25 * rate)) // 441 * 441)
    end = min(full.size, (first16 + 160_000) * 441 // 160 + 1 + round(0.25 * rate))

    result = classify_in_page(page, "long", full[start:end], rate, start // 441 * 160, total16)

    assert_same_answer(
        result, LoadedModel(tricky_model_dir).classify(load_audio(path, sample_rate_hz=16_000))
    )


def test_pcm_that_cannot_be_read_gives_error_minus_10(page: WebView) -> None:
    before = len(page.messages())
    page.classify_pcm("odd", b"\x00\x01\x02", 16_000)

    reply = page.wait_for(before + 1)[before]

    assert reply["type"] == "Error" and reply["id"] == "odd" and reply["code"] == -10
    assert "3 bytes" in reply["message"]


@pytest.mark.parametrize("rate_hz", [16_000, 8_000])
def test_an_empty_clip_gives_error_minus_23_not_an_answer(page: WebView, rate_hz: int) -> None:
    before = len(page.messages())
    page.classify_pcm(f"empty-{rate_hz}", b"", rate_hz)

    reply = page.wait_for(before + 1)[before]

    assert reply == {
        "type": "Error",
        "id": f"empty-{rate_hz}",
        "code": -23,
        "message": "the clip holds no samples",
    }


def test_a_bundle_that_cannot_load_or_run_is_reported_at_once(
    browser: Any, assets: dict[str, bytes]
) -> None:
    missing = {k: v for k, v in assets.items() if k != "pac_webview.js"}
    too_new = {**assets, "pac_webview.js": b"let x = 1 ?. ;"}  # as an old WebView meets it

    with webview(browser, missing) as view:
        (gone,) = view.wait_for(1)
    with webview(browser, too_new) as view:
        (old,) = view.wait_for(1)

    assert (gone["code"], gone["message"]) == (
        -19,
        "the classifier's page could not load pac_webview.js",
    )
    assert old["code"] == -1 and old["message"].startswith("this WebView cannot run the classifier")


def test_a_broken_model_gives_error_minus_8(browser: Any, assets: dict[str, bytes]) -> None:
    broken = dict(assets)
    broken["metadata.json"] = b'{"format": "pac-model", "format_version": 1}'

    with webview(browser, broken) as view:
        started, reply = view.wait_for(2)

    assert started == {"type": "PageStarted"}
    assert reply["type"] == "Error" and reply["id"] is None and reply["code"] == -8
    assert "format_version" in reply["message"]


def test_bridge_mode_classifies_on_the_laptop_and_follows_a_retrain(
    browser: Any, assets: dict[str, bytes], model_dir: Path, tmp_path: Path, dataset: Any
) -> None:
    # The page holds the TRICKY_LABELS model; the bridge serves the shared model's labels.
    served = Path(shutil.copytree(model_dir, tmp_path / "served"))
    bridge = Running(served)
    try:
        with webview(browser, assets) as view:
            view.wait_for(2)
            view.call("useBridge", f"{bridge.url}?code={CODE.lower()}")
            ready = view.wait_for(3)[2]
            assert ready == {
                "type": "ClassifierReady", "labels": list(synthetic.LABELS), "model": "served"
            }  # fmt: skip

            clip = load_audio(dataset.test_paths[0], sample_rate_hz=16_000)
            result = classify_in_page(view, "via-bridge", clip, 16_000)
            expected = LoadedModel(served).classify(clip)
            assert [label for label, _ in result] == [label for label, _ in expected]
            np.testing.assert_allclose(
                [c for _, c in result], [c for _, c in expected], rtol=0, atol=PARITY_TOLERANCE
            )

            # A retrain while connected: the page hears the new labels.
            retrained = Path(shutil.copytree(served, tmp_path / "retrained"))
            metadata = json.loads((retrained / "metadata.json").read_text())
            metadata["labels"] = ["A", "B", "C"]
            (retrained / "metadata.json").write_text(json.dumps(metadata))
            served.rename(tmp_path / "old")
            retrained.rename(served)
            before = len(view.messages())
            reloaded = view.wait_for(before + 1, timeout_ms=15_000)[before]
            assert reloaded == {
                "type": "ClassifierReady",
                "labels": ["A", "B", "C"],
                "model": "served",
            }

            # The bridge goes away: Error -30, once, while the page retries.
            bridge.stop()
            lost = view.wait_for(before + 2, timeout_ms=15_000)[before + 1]
            assert (lost["type"], lost["code"]) == ("Error", -30)
            before = len(view.messages())
            view.classify_pcm("offline", f32(clip), 16_000)
            offline = view.wait_for(before + 1)[before]
            assert (offline["id"], offline["code"]) == ("offline", -30)
    finally:
        bridge.stop()


def test_collect_sound_data_sends_the_clip_to_the_studio_through_the_bridge(
    browser: Any, assets: dict[str, bytes], model_dir: Path, tmp_path: Path
) -> None:
    """pac.collect (CollectSoundData): without BridgeUrl, Error -32; with it, the clip at the
    file's own rate reaches the bridge's collector as WAV, and SoundCollected comes back."""
    stored: list[tuple[str, bytes, str]] = []

    async def collect(label: str, audio: bytes, client: str) -> dict[str, Any]:
        stored.append((label, audio, client))
        return {"label": label, "clip": f"phone-{len(stored)}.wav", "clips": len(stored)}

    rng = np.random.default_rng(5)
    clip = (0.3 * rng.standard_normal(8_000)).clip(-1, 1).astype(np.float32)
    bridge = Running(Path(shutil.copytree(model_dir, tmp_path / "served")), collect=collect)
    try:
        with webview(browser, assets) as view:
            view.wait_for(2)
            view.files["pcm/c0"] = f32(clip)
            view.call("collect", "c0", "https://pac.assets/pcm/c0", 8_000, -1, -1, "snap")
            off = view.wait_for(3)[2]
            assert (off["id"], off["code"]) == ("c0", -32) and "BridgeUrl" in off["message"]

            view.call("useBridge", f"{bridge.url}?code={CODE}")
            view.wait_for(4)
            view.files["pcm/c1"] = f32(clip)
            view.call("collect", "c1", "https://pac.assets/pcm/c1", 8_000, -1, -1, "snap")
            answer = view.wait_for(5)[4]
            assert answer == {
                "type": "SoundCollected", "id": "c1", "label": "snap", "clip": "phone-1.wav",
                "clips": 1,
            }  # fmt: skip
    finally:
        bridge.stop()
    ((label, audio, client),) = stored
    assert (label, client) == ("snap", "App Inventor extension")
    decoded, rate = decode_audio(audio)
    assert rate == 8_000
    np.testing.assert_allclose(decoded, clip, rtol=0, atol=1 / 32768 + 1e-7)  # 16-bit WAV


def test_a_bridge_url_without_a_code_is_an_invalid_argument(page: WebView) -> None:
    before = len(page.messages())

    page.call("useBridge", "ws://127.0.0.1:1")
    reply = page.wait_for(before + 1)[before]

    assert (reply["type"], reply["code"]) == ("Error", -17)
    assert "pairing code" in reply["message"]


@pytest.mark.parametrize(("slowdown", "overlap"), [(1, 0.5), (4, 0.9), (8, 0.9)])
def test_listening_stays_live_on_a_slow_phone(
    browser: Any, assets: dict[str, bytes], dataset: Any, slowdown: int, overlap: float
) -> None:
    # Chromium's CPU throttling stands for a phone 4-8x slower than this machine; the page is
    # fed in real time as the extension's Java feeds it (webview.JAVA_LISTENING).
    chunk = np.zeros(1_600, np.float32)
    chunk[:] = dataset.test_clips[0][:1_600]
    with webview(browser, assets) as view:
        view.wait_for(2)
        cdp = view.page.context.new_cdp_session(view.page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        run = listen_in_real_time(view, pcm16(chunk), overlap=overlap, seconds=6, session=1)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})

    delays, window_ms = run["delays_ms"], max(run["window_ms"])
    hop_ms = 1000 * (1 - overlap)
    assert run["after_stop"] == []  # nothing after StopListening
    assert run["classified"] >= 6
    # Live: at worst the window being classified when the sound ended, then this one, and
    # the hop in which it fell due; a backlog would grow past that within seconds.
    assert max(delays) < hop_ms + 2 * window_ms + 150, (delays, window_ms)
    third = len(delays) // 3
    assert np.median(delays[-third:]) < np.median(delays[:third]) + window_ms  # not growing
    # Said once if, and only if, windows the page was given went unclassified.
    assert len(run["behind"]) == (1 if run["classified"] < run["due"] else 0), run
