"""The extension's Java side, run in a JVM (JPype) against stand-ins of App Inventor and Android.

Android and App Inventor cannot run here. The stand-ins under
extension/java/standins model what the real platforms document and do, each
citing its source: App Inventor's Form drops events before Screen.Initialize
and its clear() calls only OnClearListeners; Activity.runOnUiThread posts to
one UI thread, where anything thrown would crash the app (kept in
``crashes``); MediaExtractor reads WAV files as Android's does and refuses
anything else. What the component uses of them is checked against the real
APIs by tests/aix_build/test_api_check.py.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aix_build.build import compile_component
from aix_build.java import load_class
from aix_build.sources import ERROR_CODES_PATH
from model_export.audio.decode import decode_audio, write_wav
from tests.audio_fixtures import encode
from tests.conftest import TRICKY_LABELS, needs_aix_tools_or_skip

pytestmark = pytest.mark.slow

PACKAGE = "org.pac.classifier"
RUNTIME = "com.google.appinventor.components.runtime"
COMPONENT = f"{PACKAGE}.PersonalAudioClassifier"


class Java:
    """Classes of one compiled component and its stand-ins, in one class loader."""

    def __init__(self, classpath: list[Path]) -> None:
        import jpype

        self.jpype = jpype
        self.classpath = classpath

    def __call__(self, name: str) -> Any:
        return self.jpype.JClass(load_class(name, classpath=self.classpath))

    def field(self, obj: Any, name: str) -> Any:
        field = obj.getClass().getDeclaredField(name)
        field.setAccessible(True)
        return field.get(obj)

    def set_static(self, class_name: str, name: str, value: Any) -> None:
        field = self(class_name).class_.getDeclaredField(name)
        field.setAccessible(True)
        field.set(None, value)

    def call(self, obj: Any, name: str, *args: Any) -> Any:
        """Call a method that is not public (JPype shows only public members)."""
        for method in obj.getClass().getDeclaredMethods():
            if str(method.getName()) == name and len(method.getParameterTypes()) == len(args):
                method.setAccessible(True)
                return method.invoke(obj, *args)
        raise AttributeError(name)

    def runnable(self, action: Callable[[], Any]) -> Any:
        from jpype import JImplements, JOverride

        @JImplements("java.lang.Runnable")
        class Run:
            @JOverride
            def run(self) -> None:
                action()

        return Run()


@pytest.fixture(scope="module")
def java(tmp_path_factory: pytest.TempPathFactory) -> Java:
    needs_aix_tools_or_skip()
    work = tmp_path_factory.mktemp("java")
    cache = tmp_path_factory.mktemp("java-cache")
    classpath = compile_component(
        work, package=PACKAGE, asset_names=["pac_webview.html", "model.json"], cache_dir=cache
    )
    return Java(classpath)


class Phone:
    """A Form with the component on it, driven as App Inventor drives it: on the UI thread."""

    def __init__(self, java: Java, assets: Path) -> None:
        self.java = java
        java(f"{RUNTIME}.EventDispatcher").clear()
        self.form = java(f"{RUNTIME}.Form")()
        self.form.assetDirectory = java("java.io.File")(str(assets))
        self.form.cacheDir = java("java.io.File")(str(assets / "cache"))
        (assets / "cache").mkdir(exist_ok=True)
        made: list[Any] = []
        self.ui(lambda: made.append(java(COMPONENT)(self.form)))
        self.component = made[0]

    @property
    def webview(self) -> Any:
        return self.java.field(self.component, "webView")

    def ui(self, action: Callable[[], Any]) -> None:
        """Run ``action`` on the UI thread, then wait until the UI thread is idle."""
        failed: list[BaseException] = []

        def run() -> None:
            try:
                action()
            except BaseException as exc:  # the test's own mistake: raise it here, not in Java
                failed.append(exc)

        self.form.onUiThread(self.java.runnable(run))
        if failed:
            raise failed[0]

    def initialize(self) -> None:
        """The screen's Initialize: from now on, events reach the blocks."""
        self.ui(self.form.Initialize)

    def post(self, message: dict[str, Any], webview: Any = None) -> None:
        """What the page's JavaScript does: PersonalAudioClassifier.post(json)."""
        view = webview if webview is not None else self.webview
        view.javascriptInterface.post(json.dumps(message, ensure_ascii=False))
        self.form.idle()

    def events(self) -> list[tuple[str, list[Any]]]:
        records = self.java(f"{RUNTIME}.EventDispatcher").dispatched()
        return [(str(r[1]), list(r[2:])) for r in records if str(r[1]) != "Initialize"]

    def errors(self) -> list[int]:
        return [int(args[0]) for name, args in self.events() if name == "Error"]

    def scripts(self, webview: Any = None) -> list[str]:
        return [str(s) for s in (webview if webview is not None else self.webview).scripts()]

    def wait(self, until: Callable[[], bool], seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not until():
            assert time.monotonic() < deadline, (self.events(), self.scripts())
            time.sleep(0.01)
        self.form.idle()

    def started(self) -> None:
        self.post({"type": "PageStarted"})

    def ready(self) -> None:
        self.initialize()
        self.started()
        self.post({"type": "ClassifierReady", "labels": TRICKY_LABELS, "model": "mine"})

    def crashes(self) -> list[str]:
        return [str(t) for t in self.form.crashes]


@pytest.fixture
def phone(java: Java, tmp_path: Path) -> Iterator[Phone]:
    (tmp_path / "pac_webview.html").write_text("<html></html>")
    (tmp_path / "metadata.json").write_text('{"sample_rate_hz": 16000, "max_clip_samples": 160000}')
    record = java("android.media.AudioRecord")
    record.failInit = record.failStart = False
    java("android.media.MediaCodec").stuck = False
    phone = Phone(java, tmp_path)
    yield phone
    phone.ui(phone.component.onDestroy)
    assert phone.crashes() == []  # nothing the component did would have crashed the app
    assert int(record.open.get()) == 0  # no microphone left open


def yail(value: Any) -> Any:
    """A YailList (nested) as Python lists of str and float."""
    if hasattr(value, "toArray"):
        return [yail(v) for v in value.toArray()]
    if isinstance(value, int | float) or hasattr(value, "doubleValue"):
        return float(value)
    return str(value)


def served(phone: Phone, request_id: str) -> np.ndarray:
    """The float32 PCM the component serves the page for a clip."""
    response = phone.java.call(phone.component, "serve", f"https://pac.assets/pcm/{request_id}")
    assert response.getStatusCode() == 200
    return np.frombuffer(bytes(response.getData().readAllBytes()), "<f4")


def classify_script(phone: Phone) -> str:
    phone.wait(lambda: any("pac.classify" in s for s in phone.scripts()))
    (script,) = [s for s in phone.scripts() if "pac.classify" in s]
    return script


# --- the page ------------------------------------------------------------------------------


def test_the_component_opens_its_own_webview_on_its_assets(phone: Phone) -> None:
    webview = phone.webview

    assert str(webview.url) == "https://pac.assets/pac_webview.html"
    assert str(webview.javascriptInterfaceName) == "PersonalAudioClassifier"
    assert webview.settings.javaScriptEnabled
    response = phone.java.call(phone.component, "serve", "https://pac.assets/pac_webview.html")
    assert str(response.getMimeType()) == "text/html" and response.getStatusCode() == 200
    assert bytes(response.getData().readAllBytes()) == b"<html></html>"
    for url in ("https://pac.assets/missing.js", "https://example.com/tf.js"):
        assert phone.java.call(phone.component, "serve", url).getStatusCode() == 404


def test_classifier_ready_sets_labels_and_fires(phone: Phone) -> None:
    phone.ready()

    assert phone.events() == [("ClassifierReady", [])]
    assert yail(phone.component.Labels()) == TRICKY_LABELS
    assert str(phone.component.ModelName()) == "mine"


def test_classifier_ready_before_screen_initialize_reaches_the_blocks_after_it(
    phone: Phone,
) -> None:
    # The model loads while the screen is still being built: App Inventor drops that event.
    phone.started()
    phone.post({"type": "ClassifierReady", "labels": TRICKY_LABELS, "model": "mine"})
    phone.post({"type": "Error", "id": None, "code": -30, "message": "bridge away"})
    dropped = [str(r[1]) for r in phone.java(f"{RUNTIME}.EventDispatcher").dropped()]

    assert dropped == ["ClassifierReady", "Error"]
    assert phone.events() == []
    phone.initialize()

    assert [name for name, _ in phone.events()] == ["ClassifierReady", "Error"]


def test_a_page_that_never_starts_gives_minus_19(java: Java, tmp_path: Path) -> None:
    java.set_static(COMPONENT, "pageStartMs", 300)
    try:
        phone = Phone(java, tmp_path)
        phone.initialize()
        phone.wait(lambda: phone.errors() != [])
    finally:
        java.set_static(COMPONENT, "pageStartMs", 10_000)

    ((name, (code, message)),) = phone.events()
    assert (name, int(code)) == ("Error", -19)
    assert "did not start within 0.3 s" in str(message)
    phone.ui(phone.component.onDestroy)


def test_a_model_that_never_loads_gives_minus_19(java: Java, tmp_path: Path) -> None:
    java.set_static(COMPONENT, "modelLoadMs", 300)
    try:
        phone = Phone(java, tmp_path)
        phone.initialize()
        phone.started()
        phone.wait(lambda: phone.errors() != [])
    finally:
        java.set_static(COMPONENT, "modelLoadMs", 60_000)

    assert phone.errors() == [-19]
    assert "did not load the model" in str(phone.events()[0][1][1])
    phone.ui(phone.component.onDestroy)


def test_a_missing_page_asset_gives_minus_19_at_once(phone: Phone) -> None:
    phone.initialize()
    request = phone.java("android.webkit.WebResourceRequest")
    main = phone.java.jpype.JProxy(
        request, dict={"getUrl": lambda: None, "isForMainFrame": lambda: True}
    )
    response = phone.java.call(phone.component, "serve", "https://pac.assets/missing.html")

    phone.ui(lambda: phone.webview.client.onReceivedHttpError(phone.webview, main, response))

    assert phone.errors() == [-19]
    assert "could not load: HTTP 404" in str(phone.events()[0][1][1])


def test_a_renderer_that_dies_is_restarted_and_the_app_lives(phone: Phone) -> None:
    phone.ready()
    first = phone.webview
    detail = phone.java("android.webkit.RenderProcessGoneDetail").of(False)
    handled: list[bool] = []

    phone.ui(lambda: handled.append(bool(first.client.onRenderProcessGone(first, detail))))

    assert handled == [True]  # false would let Android kill the app with the renderer
    assert first.destroyed
    second = phone.webview
    assert not second.destroyed and str(second.url).endswith("pac_webview.html")
    assert phone.errors() == [-19]
    assert "stopped by Android to free memory" in str(phone.events()[-1][1][1])
    phone.ui(lambda: phone.component.ClassifySoundData("/x.wav"))  # not ready until it says so
    assert phone.errors() == [-19, -15]
    phone.post({"type": "PageStarted"}, webview=first)  # the old page is gone: ignored
    phone.post({"type": "ClassifierReady", "labels": ["a"], "model": "m"}, webview=first)
    assert [n for n, _ in phone.events()].count("ClassifierReady") == 1
    phone.post({"type": "PageStarted"}, webview=second)
    phone.post(
        {"type": "ClassifierReady", "labels": TRICKY_LABELS, "model": "mine"}, webview=second
    )
    assert [n for n, _ in phone.events()].count("ClassifierReady") == 2


def test_a_renderer_that_keeps_dying_is_not_restarted_forever(phone: Phone) -> None:
    phone.ready()
    views = phone.java("android.webkit.WebView").all
    made_before = len(views)
    for _ in range(4):
        view = phone.webview
        detail = phone.java("android.webkit.RenderProcessGoneDetail").of(True)
        phone.ui(lambda view=view, detail=detail: view.client.onRenderProcessGone(view, detail))

    assert len(views) - made_before == 3  # MAX_PAGE_RESTARTS
    assert phone.webview is None
    assert phone.errors() == [-19] * 4
    assert "after 3 restarts" in str(phone.events()[-1][1][1])


def test_the_page_is_granted_no_permission_even_if_it_asks(phone: Phone) -> None:
    request_class = phone.java("android.webkit.PermissionRequest")
    asks = [
        request_class("https://pac.assets", ["android.webkit.resource.AUDIO_CAPTURE"]),
        request_class("https://pac.assets", ["local-network-access"]),
        request_class("https://evil.example", ["android.webkit.resource.VIDEO_CAPTURE"]),
    ]

    for request in asks:
        phone.webview.chromeClient.onPermissionRequest(request)

    assert all(r.granted is None and r.denied for r in asks)


# --- lifecycle -----------------------------------------------------------------------------


def listening(phone: Phone, samples: np.ndarray | None = None) -> Any:
    record = phone.java("android.media.AudioRecord")
    source = samples if samples is not None else np.zeros(16_000, np.int16)
    record.source = phone.java.jpype.JArray(phone.java.jpype.JShort)(source.tolist())
    phone.ready()
    phone.ui(phone.component.StartListening)
    phone.wait(lambda: any("pac.listenChunk" in s for s in phone.scripts()))
    return record


def test_a_companion_reload_releases_the_microphone_and_the_webview(phone: Phone) -> None:
    record = listening(phone)
    webview = phone.webview
    assert int(record.open.get()) == 1

    phone.ui(phone.form.clear)  # every Companion reload; it never calls onDestroy

    assert int(record.open.get()) == 0
    assert webview.destroyed
    scripts = len(phone.scripts(webview))
    phone.post({"type": "GotClassification", "id": "clip-1", "result": [["a", 1.0]]}, webview)
    assert len(phone.scripts(webview)) == scripts
    assert [n for n, _ in phone.events()] == ["ClassifierReady"]


def test_pausing_the_app_stops_the_microphone_and_resuming_listens_again(phone: Phone) -> None:
    record = listening(phone)

    phone.ui(phone.form.pause)

    assert int(record.open.get()) == 0
    assert phone.scripts()[-1] == "pac.stopListening()"
    phone.ui(phone.form.resume)
    phone.wait(lambda: int(record.open.get()) == 1)
    assert "pac.startListening(0.5,0.5,2)" in phone.scripts()  # a new session
    phone.ui(phone.component.StopListening)
    phone.ui(phone.form.pause)
    phone.ui(phone.form.resume)
    assert int(record.open.get()) == 0  # it was not listening when paused


@pytest.mark.parametrize("failure", ["failInit", "failStart"])
def test_a_microphone_that_fails_is_released_and_can_be_opened_again(
    phone: Phone, failure: str
) -> None:
    record = phone.java("android.media.AudioRecord")
    setattr(record, failure, True)
    phone.ready()

    phone.ui(phone.component.StartListening)
    phone.wait(lambda: phone.errors() != [])

    assert phone.errors() == [-16]
    assert int(record.open.get()) == 0
    setattr(record, failure, False)
    phone.ui(phone.component.StartListening)
    phone.wait(lambda: int(record.open.get()) == 1)
    phone.ui(phone.component.StopListening)
    assert int(record.open.get()) == 0


# --- listening -----------------------------------------------------------------------------


def test_listening_records_at_16_khz_and_hands_chunks_to_the_page(phone: Phone) -> None:
    samples = (np.arange(4_000) % 200 - 100).astype(np.int16)
    record = listening(phone, samples)
    phone.ui(lambda: phone.component.OverlapFactor(0.75))  # restarts listening: session 2

    phone.wait(lambda: any(s.endswith(",16000,2)") for s in phone.scripts()))
    phone.ui(phone.component.StopListening)

    scripts = phone.scripts()
    assert int(record.openedRateHz) == 16_000
    assert "pac.startListening(0.75,0.5,2)" in scripts
    chunks = [s for s in scripts if s.startswith("pac.listenChunk(") and s.endswith(",2)")]
    first = base64.b64decode(chunks[0].split('"')[1])
    assert np.array_equal(np.frombuffer(first, "<i2")[:1_600], samples[:1_600])
    assert scripts[-1] == "pac.stopListening()"


def test_audio_waits_while_the_page_is_busy_and_goes_in_one_call(phone: Phone) -> None:
    samples = (np.arange(8_000) % 300 - 150).astype(np.int16)
    listening(phone, samples)

    time.sleep(0.4)  # the recorder delivers 5 chunks; the page has not answered the first
    phone.form.idle()
    calls = [s for s in phone.scripts() if s.startswith("pac.listenChunk(")]
    assert len(calls) == 1
    phone.post({"type": "ListenChunkDone", "id": "listening-1"})
    calls = [s for s in phone.scripts() if s.startswith("pac.listenChunk(")]
    assert len(calls) == 2
    sent = b"".join(base64.b64decode(c.split('"')[1]) for c in calls)
    assert np.array_equal(np.frombuffer(sent, "<i2"), samples)  # all of it, in order
    phone.ui(phone.component.StopListening)


def test_nothing_of_a_listening_fires_after_stop_listening(phone: Phone) -> None:
    listening(phone)
    result = [[TRICKY_LABELS[0], 0.9], [TRICKY_LABELS[1], 0.1], [TRICKY_LABELS[2], 0.0]]
    phone.post({"type": "GotClassification", "id": "listening-1-0", "result": result})
    assert [n for n, _ in phone.events()][-1] == "GotClassification"
    count = len(phone.events())

    phone.ui(phone.component.StopListening)
    # Already on their way from the page when StopListening returned:
    phone.post({"type": "GotClassification", "id": "listening-1-1", "result": result})
    phone.post({"type": "Error", "id": "listening-1", "code": -31, "message": "behind"})

    assert len(phone.events()) == count


# --- ClassifySoundData -----------------------------------------------------------------------


def test_classify_sound_data_round_trip(phone: Phone, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = (0.3 * rng.standard_normal(12_345)).astype(np.float32)
    wav = tmp_path / "clip.wav"
    write_wav(wav, y, sample_rate_hz=22_050)
    phone.ready()

    phone.ui(lambda: phone.component.ClassifySoundData(str(wav)))

    script = classify_script(phone)
    assert script == 'pac.classify("clip-1","https://pac.assets/pcm/clip-1",22050,-1,-1)'
    np.testing.assert_array_equal(served(phone, "clip-1"), decode_audio(wav)[0])
    result = [[TRICKY_LABELS[1], 0.7], [TRICKY_LABELS[0], 0.2], [TRICKY_LABELS[2], 0.1]]
    phone.post({"type": "GotClassification", "id": "clip-1", "result": result})

    name, (got,) = phone.events()[-1]
    assert name == "GotClassification"
    assert yail(got) == result
    assert "YailList" in str(got.getClass().getName())
    assert all("YailList" in str(pair.getClass().getName()) for pair in got.toArray())


def test_collect_sound_data_sends_the_clip_and_its_label_and_fires_sound_collected(
    phone: Phone, tmp_path: Path
) -> None:
    y = (0.3 * np.random.default_rng(2).standard_normal(8_000)).astype(np.float32)
    wav = tmp_path / "clip.wav"
    write_wav(wav, y, sample_rate_hz=8_000)
    phone.ready()
    label = TRICKY_LABELS[1]

    phone.ui(lambda: phone.component.CollectSoundData(str(wav), label))

    phone.wait(lambda: any("pac.collect" in s for s in phone.scripts()))
    (script,) = [s for s in phone.scripts() if "pac.collect" in s]
    quoted = json.dumps(label, ensure_ascii=False)
    assert script.startswith('pac.collect("clip-1","https://pac.assets/pcm/clip-1",8000,-1,-1,')
    assert (
        json.loads(
            script[len('pac.collect("clip-1","https://pac.assets/pcm/clip-1",8000,-1,-1,') : -1]
        )
        == label
    ), quoted
    np.testing.assert_array_equal(served(phone, "clip-1"), decode_audio(wav)[0])
    phone.post(
        {
            "type": "SoundCollected",
            "id": "clip-1",
            "label": label,
            "clip": "phone-1.wav",
            "clips": 6,
        }
    )

    name, args = phone.events()[-1]
    assert (name, [str(args[0]), int(args[1])]) == ("SoundCollected", [label, 6])


@pytest.mark.parametrize(
    ("codec", "sample_format"),
    [("pcm_u8", None), ("pcm_s24le", None), ("pcm_s32le", None), ("pcm_f32le", None)],
)
def test_wav_of_every_depth_reaches_the_page_as_python_reads_it(
    phone: Phone, tmp_path: Path, codec: str, sample_format: str | None
) -> None:
    rng = np.random.default_rng(1)
    stereo = (0.4 * rng.standard_normal((2, 3_000))).clip(-1, 1).astype(np.float32)
    wav = encode(tmp_path / "deep.wav", stereo, sample_rate_hz=16_000, container_format="wav",
                 codec_name=codec, sample_format=sample_format)  # fmt: skip
    phone.ready()

    phone.ui(lambda: phone.component.ClassifySoundData(str(wav)))
    classify_script(phone)

    python, rate = decode_audio(wav)  # what pac classify reads
    assert rate == 16_000
    # Android's WAV extractor hands every depth over as 16-bit, truncated (see the stand-in).
    np.testing.assert_allclose(served(phone, "clip-1"), python, rtol=0, atol=1 / 32768 + 1e-7)


def test_a_long_recording_is_cut_to_the_middle_the_model_uses(phone: Phone, tmp_path: Path) -> None:
    rate = 8_000
    y = (np.sin(np.arange(35 * rate) * 0.01) * np.linspace(0.1, 0.9, 35 * rate)).astype(np.float32)
    wav = tmp_path / "long.wav"
    write_wav(wav, y, sample_rate_hz=rate)
    phone.ready()

    phone.ui(lambda: phone.component.ClassifySoundData(str(wav)))

    script = classify_script(phone)
    first16, total16 = (int(v) for v in script.rstrip(")").split(",")[-2:])
    assert total16 == 35 * 16_000
    window16 = (total16 - 160_000) // 2  # the middle, as pac classify and the graph take it
    pcm = served(phone, "clip-1")
    start = first16 * rate // 16_000
    python = decode_audio(wav)[0]
    np.testing.assert_array_equal(pcm, python[start : start + pcm.size])
    assert start <= window16 * rate // 16_000 - 0.25 * rate  # the window, and a margin
    assert start + pcm.size >= (window16 + 160_000) * rate // 16_000 + 0.25 * rate
    assert pcm.size < 11 * rate  # not the 35 s of it


def test_a_stuck_decoder_gives_an_error_in_time_and_the_next_clip_works(
    phone: Phone, java: Java, tmp_path: Path
) -> None:
    wav = tmp_path / "clip.wav"
    write_wav(wav, np.zeros(4_000, np.float32) + 0.1, sample_rate_hz=16_000)
    phone.ready()
    java.set_static(COMPONENT, "decodeLimitMs", 300)
    java("android.media.MediaCodec").stuck = True
    try:
        start = time.monotonic()
        phone.ui(lambda: phone.component.ClassifySoundData(str(wav)))
        phone.wait(lambda: phone.errors() != [])
        took = time.monotonic() - start
    finally:
        java("android.media.MediaCodec").stuck = False
        java.set_static(COMPONENT, "decodeLimitMs", 20_000)

    assert phone.errors() == [-13] and took < 5
    assert "took too long" in str(phone.events()[-1][1][1])
    phone.ui(lambda: phone.component.ClassifySoundData(str(wav)))
    assert "pac.classify" in classify_script(phone)


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda d: d / "missing.3gp", -11, "no sound file at"),
        (lambda d: d, -11, "is a folder"),
        (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("hi"))[0], -12, "not an audio"),
        (lambda d: (d / "empty.3gp", (d / "empty.3gp").write_bytes(b""))[0], -23, "empty"),
        (
            lambda d: (d / "zero.wav", write_wav(d / "zero.wav", np.zeros(0), sample_rate_hz=8000))[
                0
            ],
            -23,
            "holds no samples",
        ),
    ],
)
def test_bad_files_give_their_error_codes(
    phone: Phone, tmp_path: Path, make: Callable[[Path], Path], code: int, words: str
) -> None:
    phone.ready()
    path = make(tmp_path)

    phone.ui(lambda: phone.component.ClassifySoundData(str(path)))
    phone.wait(lambda: phone.events()[-1][0] == "Error")

    name, (error_code, message) = phone.events()[-1]
    assert (name, int(error_code)) == ("Error", code)
    assert words in str(message) and path.name in str(message)


def test_every_kind_of_path_a_block_passes_is_read(phone: Phone, tmp_path: Path) -> None:
    y = (0.2 * np.sin(np.arange(3_000) * 0.05)).astype(np.float32)
    (tmp_path / "app").mkdir()
    write_wav(tmp_path / "app" / "clap sound.wav", y, sample_rate_hz=16_000)
    spaced = tmp_path / "my recordings" / "clap sound.wav"
    spaced.parent.mkdir()
    write_wav(spaced, y, sample_rate_hz=16_000)
    phone.form.contentResolver.files.put(
        "content://media/external/audio/7", phone.java("java.io.File")(str(spaced))
    )
    paths = [
        str(spaced),  # SoundRecorder's AfterSoundRecorded
        spaced.as_uri(),  # file:///.../my%20recordings/clap%20sound.wav
        "content://media/external/audio/7",
        "clap sound.wav",  # a media file of the app
        "//clap sound.wav",  # App Inventor's legacy asset form
    ]
    phone.ready()

    for i, path in enumerate(paths, start=1):
        phone.ui(lambda path=path: phone.component.ClassifySoundData(path))
        phone.wait(lambda i=i: any(f'"clip-{i}"' in s for s in phone.scripts()))
        np.testing.assert_array_equal(served(phone, f"clip-{i}"), decode_audio(spaced)[0])

    assert phone.errors() == []
    # Copies are deleted, right after the decoder thread has handed the clip to the page.
    phone.wait(lambda: list((tmp_path / "cache").iterdir()) == [])


def test_a_file_the_app_may_not_read_is_not_an_unsupported_format(phone: Phone) -> None:
    phone.form.contentResolver.denied.add("content://other.app/secret")
    phone.ready()

    for path in ("content://other.app/secret", "content://other.app/gone", "clap.wav"):
        phone.ui(lambda path=path: phone.component.ClassifySoundData(path))
    phone.wait(lambda: len(phone.errors()) == 3)

    assert phone.errors() == [-18, -11, -11]
    messages = [str(args[1]) for _, args in phone.events()[-3:]]
    assert "may not read content://other.app/secret" in messages[0]
    assert "media file of the app" in messages[2]


def test_calls_before_the_model_is_ready_give_minus_15(phone: Phone, tmp_path: Path) -> None:
    phone.initialize()
    phone.ui(lambda: phone.component.ClassifySoundData(str(tmp_path / "x.wav")))
    phone.ui(phone.component.StartListening)

    assert phone.errors() == [-15, -15]


def test_a_model_that_fails_to_load_gives_minus_8(phone: Phone) -> None:
    phone.initialize()
    phone.started()
    phone.post({"type": "Error", "id": None, "code": -8, "message": "cannot load the model"})

    assert [(n, int(a[0]), str(a[1])) for n, a in phone.events()] == [
        ("Error", -8, "cannot load the model")
    ]


def test_a_malformed_message_becomes_an_error_event(phone: Phone) -> None:
    phone.initialize()
    phone.webview.javascriptInterface.post("{not json")
    phone.form.idle()

    ((name, (code, message)),) = phone.events()
    assert (name, int(code)) == ("Error", -2) and "bad message" in str(message)


def test_a_refused_microphone_gives_minus_14(phone: Phone) -> None:
    phone.ready()
    phone.form.grantPermissions = False

    phone.ui(phone.component.StartListening)

    assert list(phone.form.askedPermissions) == ["android.permission.RECORD_AUDIO"]
    assert phone.errors() == [-14]


def test_out_of_range_properties_give_minus_17_and_keep_the_old_value(phone: Phone) -> None:
    phone.initialize()
    phone.ui(lambda: phone.component.OverlapFactor(0.95))
    phone.ui(lambda: phone.component.MinimumConfidence(-0.1))

    assert phone.errors() == [-17, -17]
    assert float(phone.component.OverlapFactor()) == 0.5
    assert float(phone.component.MinimumConfidence()) == 0.5


def test_bridge_url_reaches_the_page_once_it_has_started(phone: Phone) -> None:
    url = "ws://192.168.1.20:8765?code=AB12CD"
    phone.ui(lambda: phone.component.BridgeUrl(f"  {url} "))  # before the page has said anything

    assert str(phone.component.BridgeUrl()) == url
    assert phone.scripts() == []
    assert phone.webview.settings.mixedContentMode == 0  # ws:// from the https page
    phone.ready()
    phone.ui(lambda: phone.component.BridgeUrl(""))

    assert phone.scripts() == [f'pac.useBridge("{url}")', 'pac.useBridge("")']


def test_error_codes_match_the_shared_table(java: Java) -> None:
    table = json.loads(ERROR_CODES_PATH.read_text(encoding="utf-8"))["codes"]
    codes = java(f"{PACKAGE}.ErrorCodes").class_

    java_codes = {}
    for field in codes.getDeclaredFields():
        field.setAccessible(True)
        java_codes[str(field.getName())] = int(field.getInt(None))

    assert java_codes == {entry["name"]: entry["code"] for entry in table}


def test_strings_for_javascript_are_quoted_safely(java: Java) -> None:
    quote = java(f"{PACKAGE}.Json").class_.getDeclaredMethod(
        "quote", java("java.lang.String").class_
    )
    quote.setAccessible(True)

    for text in [*TRICKY_LABELS, "</script><script>alert(1)</script>", 'a\\b"c\n']:
        quoted = str(quote.invoke(None, text))
        assert json.loads(quoted) == text
        assert "<" not in quoted and "\u2028" not in quoted and "\n" not in quoted


def to_mono(java: Java, pcm: bytes, *, channels: int, encoding: int) -> np.ndarray:
    """AudioDecoder.toMono: interleaved PCM in an AudioFormat encoding -> mono, as float64."""
    method = next(
        m
        for m in java(f"{PACKAGE}.AudioDecoder").class_.getDeclaredMethods()
        if str(m.getName()) == "toMono"
    )
    method.setAccessible(True)
    jpype = java.jpype
    args = (jpype.JArray(jpype.JByte)(pcm), jpype.JInt(channels), jpype.JInt(encoding), "x")
    return np.array(method.invoke(None, *args), dtype=np.float64)


@pytest.mark.parametrize(
    ("encoding", "dtype", "scale", "offset"),
    [
        (3, "u1", 128.0, 128.0),
        (2, "<i2", 32768.0, 0.0),
        (22, "<i4", 2.0**31, 0.0),
        (4, "<f4", 1.0, 0.0),
    ],
)
def test_every_pcm_encoding_a_decoder_may_report_is_read(
    java: Java, encoding: int, dtype: str, scale: float, offset: float
) -> None:
    # Stock Android hands out 16-bit; other builds' extractors and decoders may not.
    rng = np.random.default_rng(encoding)
    stereo = rng.uniform(-0.9, 0.9, (500, 2))
    raw = (
        np.round(stereo * scale + offset).astype(dtype) if dtype != "<f4" else stereo.astype(dtype)
    )
    mono = to_mono(java, raw.tobytes(), channels=2, encoding=encoding)

    expected = ((raw.astype(np.float64) - offset) / scale).mean(axis=1)
    np.testing.assert_allclose(mono, expected, rtol=0, atol=1e-7)


def test_24_bit_packed_pcm_is_read(java: Java) -> None:
    values = np.array([0, 1, -1, 8_388_607, -8_388_608, 123_456], np.int64)
    packed = b"".join(int(v & 0xFFFFFF).to_bytes(3, "little") for v in values)
    mono = to_mono(java, packed, channels=1, encoding=21)

    np.testing.assert_allclose(mono, values / 2**23, rtol=0, atol=1e-7)


def test_a_page_restart_in_the_background_does_not_open_the_microphone(phone: Phone) -> None:
    record = listening(phone)
    phone.ui(phone.form.pause)
    view = phone.webview
    detail = phone.java("android.webkit.RenderProcessGoneDetail").of(False)
    phone.ui(lambda: view.client.onRenderProcessGone(view, detail))  # low memory, in background

    phone.post({"type": "PageStarted"})
    phone.post({"type": "ClassifierReady", "labels": TRICKY_LABELS, "model": "mine"})

    assert int(record.open.get()) == 0  # still paused: no recording in the background
    phone.ui(phone.form.resume)
    phone.wait(lambda: int(record.open.get()) == 1)
