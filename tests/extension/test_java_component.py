"""The extension's Java side, run in a JVM (JPype) against the stand-in App Inventor runtime.

Android and App Inventor cannot run here: the stand-ins under
extension/java/standins follow their documented signatures and record what
the component does (the WebView's scripts, dispatched events). Their
MediaExtractor reads WAV files as Android's does; anything else is refused,
as Android refuses what it cannot decode.
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
from model_export.audio.decode import write_wav
from tests.conftest import TRICKY_LABELS, needs_aix_tools_or_skip

pytestmark = pytest.mark.slow

PACKAGE = "org.pac.classifier"
RUNTIME = "com.google.appinventor.components.runtime"


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

    def call(self, obj: Any, name: str, *args: Any) -> Any:
        """Call a method that is not public (JPype shows only public members)."""
        for method in obj.getClass().getDeclaredMethods():
            if str(method.getName()) == name and len(method.getParameterTypes()) == len(args):
                method.setAccessible(True)
                return method.invoke(obj, *args)
        raise AttributeError(name)


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
    """A Form with the component on it, and what it has done so far."""

    def __init__(self, java: Java, assets: Path) -> None:
        self.java = java
        java(f"{RUNTIME}.EventDispatcher").clear()
        self.form = java(f"{RUNTIME}.Form")()
        self.form.assetDirectory = java("java.io.File")(str(assets))
        self.component = java(f"{PACKAGE}.PersonalAudioClassifier")(self.form)
        self.webview = java.field(self.component, "webView")

    def post(self, message: dict[str, Any]) -> None:
        """What the page's JavaScript does: PersonalAudioClassifier.post(json)."""
        self.webview.javascriptInterface.post(json.dumps(message, ensure_ascii=False))

    def events(self) -> list[tuple[str, list[Any]]]:
        records = self.java(f"{RUNTIME}.EventDispatcher").dispatched()
        return [(str(r[1]), list(r[2:])) for r in records]

    def scripts(self) -> list[str]:
        return [str(s) for s in self.webview.scripts()]

    def wait(self, until: Callable[[], bool], seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not until():
            assert time.monotonic() < deadline, (self.events(), self.scripts())
            time.sleep(0.01)

    def ready(self) -> None:
        self.post({"type": "ClassifierReady", "labels": TRICKY_LABELS, "model": "mine"})


@pytest.fixture
def phone(java: Java, tmp_path: Path) -> Iterator[Phone]:
    (tmp_path / "pac_webview.html").write_text("<html></html>")
    phone = Phone(java, tmp_path)
    yield phone
    phone.component.onDestroy()
    assert phone.webview.destroyed


def yail(value: Any) -> Any:
    """A YailList (nested) as Python lists of str and float."""
    if hasattr(value, "toArray"):
        return [yail(v) for v in value.toArray()]
    if isinstance(value, int | float) or hasattr(value, "doubleValue"):
        return float(value)
    return str(value)


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


def test_classify_sound_data_round_trip(phone: Phone, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = (0.3 * rng.standard_normal(12_345)).astype(np.float32)
    wav = tmp_path / "clip.wav"
    write_wav(wav, y, sample_rate_hz=22_050)
    phone.ready()

    phone.component.ClassifySoundData(str(wav))
    phone.wait(lambda: any("pac.classify" in s for s in phone.scripts()))

    (script,) = [s for s in phone.scripts() if "pac.classify" in s]
    assert script == 'pac.classify("clip-1","https://pac.assets/pcm/clip-1",22050)'
    pcm = phone.java.call(phone.component, "serve", "https://pac.assets/pcm/clip-1")
    samples = np.frombuffer(bytes(pcm.getData().readAllBytes()), "<i2")
    expected = np.clip(np.round(y * 32768), -32768, 32767).astype(np.int16)
    assert np.max(np.abs(samples.astype(int) - expected)) <= 1  # the WAV's own 16-bit samples
    result = [[TRICKY_LABELS[1], 0.7], [TRICKY_LABELS[0], 0.2], [TRICKY_LABELS[2], 0.1]]
    phone.post({"type": "GotClassification", "id": "clip-1", "result": result})

    name, (got,) = phone.events()[-1]
    assert name == "GotClassification"
    assert yail(got) == result
    assert "YailList" in str(got.getClass().getName())
    assert all("YailList" in str(pair.getClass().getName()) for pair in got.toArray())


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda d: d / "missing.3gp", -11, "no sound file at"),
        (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("hi"))[0], -12, "not an audio"),
    ],
)
def test_bad_files_give_their_error_codes(
    phone: Phone, tmp_path: Path, make: Callable[[Path], Path], code: int, words: str
) -> None:
    phone.ready()
    path = make(tmp_path)

    phone.component.ClassifySoundData(str(path))
    phone.wait(lambda: phone.events()[-1][0] == "Error")

    name, (error_code, message) = phone.events()[-1]
    assert (name, int(error_code)) == ("Error", code)
    assert words in str(message) and str(path) in str(message)


def test_calls_before_the_model_is_ready_give_minus_15(phone: Phone, tmp_path: Path) -> None:
    phone.component.ClassifySoundData(str(tmp_path / "x.wav"))
    phone.component.StartListening()

    assert [(n, int(a[0])) for n, a in phone.events()] == [("Error", -15), ("Error", -15)]


def test_a_model_that_fails_to_load_gives_minus_8(phone: Phone) -> None:
    phone.post({"type": "Error", "id": None, "code": -8, "message": "cannot load the model"})

    assert [(n, int(a[0]), str(a[1])) for n, a in phone.events()] == [
        ("Error", -8, "cannot load the model")
    ]


def test_a_malformed_message_becomes_an_error_event(phone: Phone) -> None:
    phone.webview.javascriptInterface.post("{not json")

    ((name, (code, message)),) = phone.events()
    assert (name, int(code)) == ("Error", -2) and "bad message" in str(message)


def test_a_refused_microphone_gives_minus_14(phone: Phone) -> None:
    phone.ready()
    phone.form.grantPermissions = False

    phone.component.StartListening()

    assert list(phone.form.askedPermissions) == ["android.permission.RECORD_AUDIO"]
    name, (code, _message) = phone.events()[-1]
    assert (name, int(code)) == ("Error", -14)


def test_listening_records_at_16_khz_and_hands_chunks_to_the_page(phone: Phone) -> None:
    record = phone.java("android.media.AudioRecord")
    samples = (np.arange(4_000) % 200 - 100).astype(np.int16)
    record.source = phone.java.jpype.JArray(phone.java.jpype.JShort)(samples.tolist())
    phone.ready()
    phone.component.OverlapFactor(0.75)

    phone.component.StartListening()
    phone.wait(lambda: sum("pac.listenChunk" in s for s in phone.scripts()) >= 2)
    phone.component.StopListening()

    scripts = phone.scripts()
    assert int(record.openedRateHz) == 16_000
    assert scripts[0] == "pac.startListening(0.75,0.5)"
    chunks = [s for s in scripts if s.startswith("pac.listenChunk(")]
    first = base64.b64decode(chunks[0].split('"')[1])
    assert chunks[0].endswith(",16000)")
    assert np.array_equal(np.frombuffer(first, "<i2"), samples[:1_600])
    assert scripts[-1] == "pac.stopListening()"


def test_out_of_range_properties_give_minus_17_and_keep_the_old_value(phone: Phone) -> None:
    phone.component.OverlapFactor(0.95)
    phone.component.MinimumConfidence(-0.1)

    assert [(n, int(a[0])) for n, a in phone.events()] == [("Error", -17), ("Error", -17)]
    assert float(phone.component.OverlapFactor()) == 0.5
    assert float(phone.component.MinimumConfidence()) == 0.5


def test_bridge_url_reaches_the_page_once_it_has_started(phone: Phone) -> None:
    url = "ws://192.168.1.20:8765?code=AB12CD"
    phone.component.BridgeUrl(f"  {url} ")  # before the page has said anything

    assert str(phone.component.BridgeUrl()) == url
    assert phone.scripts() == []
    assert phone.webview.settings.mixedContentMode == 0  # ws:// from the https page
    phone.ready()
    phone.component.BridgeUrl("")

    assert phone.scripts() == [f'pac.useBridge("{url}")', 'pac.useBridge("")']


def test_only_the_extension_page_gets_the_permissions_it_asks_for(phone: Phone) -> None:
    request_class = phone.java("android.webkit.PermissionRequest")
    ours = request_class("https://pac.assets", ["local-network-access"])
    theirs = request_class("https://evil.example", ["local-network-access"])

    phone.webview.chromeClient.onPermissionRequest(ours)
    phone.webview.chromeClient.onPermissionRequest(theirs)

    assert [str(r) for r in ours.granted] == ["local-network-access"] and not ours.denied
    assert theirs.granted is None and theirs.denied


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
