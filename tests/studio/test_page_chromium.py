"""The studio page in real headless Chromium, with a fake microphone fed from WAV files.

``pac studio`` runs as a user runs it (a process of its own). Each label gets its own
browser, whose fake microphone loops that label's word (FACTS.md §5); the page records
5 clips per label through the microphone, trains, tests a clip it never heard, builds the
.aix, and shows the phone's pairing. axe-core checks every view. Screenshots of every view
at desktop and phone width go to $PAC_SCREENSHOTS (docs/images holds the README's).
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from websockets.sync.client import connect as ws_connect

from model_export.audio.decode import load_audio
from tests.extension.webview import CHROMIUM, CHROMIUM_FLAGS, JS_DIR, needs_or_skip
from tests.studio.sounds import SAMPLES, wav_bytes
from tests.studio.sounds import tone as sine

pytestmark = pytest.mark.slow

LABELS = ("one", "seven", "eleven")
VIEWS = ("sounds", "train", "test", "export", "phone", "try")
AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"


def hum(freq_hz: float) -> np.ndarray:
    """A hummed note: a 1 s sine with its octave, faded in and out."""
    y = sine(freq_hz, 1.0, 0.3) + sine(2 * freq_hz, 1.0, 0.1)
    return y * np.hanning(y.size).astype(np.float32)


def microphone_loop(label: str, path: Path) -> Path:
    """The label's training words, each in the middle of its own 1 s: any 1.5 s recorded
    from it holds a whole word (and parts of its neighbours, as a real room would)."""
    parts = []
    for clip in sorted((SAMPLES / "train" / label).glob("*.wav")):
        y = load_audio(clip, sample_rate_hz=16_000)[:16_000]
        period = np.zeros(16_000, np.float32)
        start = (16_000 - y.size) // 2
        period[start : start + y.size] = y
        parts.append(period)
    path.write_bytes(wav_bytes(np.concatenate(parts)))
    return path


@contextmanager
def studio(project: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PAC_CACHE_DIR": str(project.parent / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "pac", "studio", str(project), "--port", str(port),
         "--bridge-port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
        assert match, line
        yield match.group(0)
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def browser(fake_microphone: Path | None = None, **context: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    args = [*CHROMIUM_FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
    if fake_microphone is not None:
        args.append(f"--use-file-for-fake-audio-capture={fake_microphone}")
    with tempfile.TemporaryDirectory(prefix="pac-studio-") as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=args,
            accept_downloads=True, **context,
        )  # fmt: skip
        ctx.grant_permissions(["microphone"])
        try:
            yield ctx
        finally:
            ctx.close()


def open_page(ctx: Any, url: str) -> Any:
    """The page, with its script errors and console errors (CSP violations among them)
    collected in ``page.errors``; axe-core is served from the studio's own origin."""
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    page.route(
        "**/static/__axe.min.js",
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
    )
    page.goto(url)
    page.wait_for_selector("#add-label-form button:not([disabled])")
    return page


def check_accessibility(page: Any, view: str) -> None:
    """axe-core's WCAG A/AA rules on the view as shown: no violations."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url="/static/__axe.min.js")  # under the page's own CSP
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    assert result == [], f"{view}: {json.dumps(result, indent=1)}"


def test_record_train_test_and_export_in_the_page(tmp_path: Path) -> None:
    needs_or_skip()
    assert AXE.is_file(), "cd extension/js && npm ci (axe-core)"
    shots = Path(os.environ.get("PAC_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    project = tmp_path / "Numbers"
    with studio(project) as url:
        # Three labels, five clips each, recorded through each label's microphone.
        for label in LABELS:
            mic = microphone_loop(label, tmp_path / f"{label}.wav")
            with browser(mic) as ctx:
                page = open_page(ctx, url)
                page.fill("#new-label-name", label)
                page.click("#add-label-form button")
                page.check("#record-five")
                page.click(f"button[aria-label='Record clips for {label}']")
                card = page.locator(f"section[aria-label='Label {label}']")
                card.locator(".count", has_text="5 clips").wait_for(timeout=60_000)
                # Every clip shows its spectrogram, drawn from the server's picture.
                card.locator("canvas.spectrogram").nth(4).wait_for()
                widths = card.locator("canvas.spectrogram").evaluate_all(
                    "cs => cs.map(c => c.width)"
                )
                assert len(widths) == 5 and min(widths) > 140, widths  # 1.5 s = 147 frames
                assert page.errors == []
        clips = sorted((project / "clips").rglob("rec-*.wav"))
        assert len(clips) == 15

        with browser(microphone_loop("eleven", tmp_path / "eleven.wav")) as ctx:
            page = open_page(ctx, url)
            page.click("#tab-train")
            page.click("#train-button")
            page.locator("#train-result .big").wait_for(timeout=120_000)
            assert "% right on 3 clips" in page.inner_text("#train-result")

            # A clip training never heard, from a file; then one from the microphone.
            page.click("#tab-test")
            page.set_input_files("#test-file", str(SAMPLES / "test" / "seven" / "seven_02.wav"))
            page.locator("#test-result .big").wait_for()
            assert page.inner_text("#test-result .big") == "It sounds like: seven"
            page.select_option("#truth", "eleven")
            page.click("#test-record")
            page.locator("#test-history tbody tr").nth(1).wait_for(timeout=30_000)
            assert page.inner_text("#test-result .big") == "It sounds like: eleven"
            assert "1 of 1 right" in page.inner_text("#test-history")

            page.click("#tab-export")
            page.click("#build-aix")
            link = page.locator("#aix-result a")
            link.wait_for(timeout=180_000)
            with page.expect_download() as download:
                link.click()
            aix = download.value.path()
            names = zipfile.ZipFile(io.BytesIO(Path(aix).read_bytes())).namelist()
            assert any(n.endswith("/model.json") for n in names), names
            assert download.value.suggested_filename == "Numbers.aix"

            # "Try the extension": the .aix's own page, the studio playing Java.
            page.click("#tab-try")
            page.click("#try-start")
            page.locator("#try-log li.ClassifierReady").wait_for(timeout=60_000)
            held_out = SAMPLES / "test" / "seven" / "seven_03.wav"
            page.set_input_files("#try-file", str(held_out))
            page.locator("#try-log li.GotClassification").wait_for(timeout=30_000)
            with page.expect_download() as saved:
                page.click("#try-export")
            log = json.loads(Path(saved.value.path()).read_text(encoding="utf-8"))
            assert [e["event"] for e in log["events"]] == ["ClassifierReady", "GotClassification"]
            expected = json.loads(
                subprocess.run(
                    [sys.executable, "-m", "pac", "classify", str(project / "model"),
                     str(held_out), "--json"],
                    check=True, capture_output=True, text=True,
                ).stdout
            )[0]["classification"]  # fmt: skip
            got = log["events"][1]["result"]
            assert [label for label, _ in got] == [label for label, _ in expected]
            np.testing.assert_allclose(
                [c for _, c in got], [c for _, c in expected], rtol=0, atol=1e-3
            )
            # StartListening on the microphone (its loop of "eleven"), then StopListening.
            page.fill("#try-confidence", "0.5")
            page.click("#try-listen")
            heard = page.locator("#try-log li.GotClassification")
            heard.nth(2).wait_for(timeout=30_000)
            page.click("#try-stop")
            time.sleep(0.5)
            count = heard.count()
            time.sleep(2.0)
            assert heard.count() == count  # nothing after StopListening
            listened = [json.loads(t.split("result = ", 1)[1]) for t in heard.all_inner_texts()[1:]]
            # Windows fall anywhere in the microphone's loop, some across two words: most of
            # them, not all, hear "eleven".
            assert sum(r[0][0] == "eleven" for r in listened) > len(listened) / 2, listened
            assert page.locator("#try-log li.Error").count() == 0
            assert page.errors == []

            page.click("#tab-phone")
            page.locator("#phone-info .code").wait_for(timeout=30_000)
            code = page.inner_text("#phone-info .code")
            assert re.fullmatch(r"[A-Z2-9]{6}", code)
            assert f"?code={code}" in page.inner_text("#phone-info")
            assert page.locator("#phone-info img").first.evaluate("i => i.naturalWidth") > 0
            assert page.errors == []

            # A phone stays connected while another (pac send --collect) sends 5 clips into a
            # new label; the page shows them "from phone"; a retrain reaches the first phone.
            port = re.search(r"ws://[^:]+:(\d+)\?code=", page.inner_text("#phone-info"))
            assert port, page.inner_text("#phone-info")
            bridge_url = f"ws://127.0.0.1:{port.group(1)}"
            page.click("#tab-sounds")
            page.fill("#new-label-name", "hum")
            page.click("#add-label-form button")
            page.locator("section[aria-label='Label hum']").wait_for()
            with ws_connect(bridge_url) as phone:
                phone.send(json.dumps({"type": "hello", "protocol": 1.1, "code": code}))
                assert json.loads(phone.recv(30))["type"] == "ClassifierReady"
                hums = []
                for f in (110, 125, 140, 155, 170):
                    hums.append(tmp_path / f"hum{f}.wav")
                    hums[-1].write_bytes(wav_bytes(hum(f)))
                sent = subprocess.run(
                    [sys.executable, "-m", "pac", "send", bridge_url, "--code", code,
                     "--collect", "hum", *map(str, hums)],
                    capture_output=True, text=True, timeout=120,
                )  # fmt: skip
                assert sent.returncode == 0, sent.stderr
                assert sent.stdout.count("collected into hum") == 5
                card = page.locator("section[aria-label='Label hum']")
                card.locator(".count", has_text="5 clips").wait_for(timeout=30_000)
                assert card.locator(".clip-info", has_text="from phone").count() == 5
                page.click("#tab-train")
                page.click("#train-button")
                again = json.loads(phone.recv(120))
                assert again["type"] == "ClassifierReady"
                assert again["labels"] == ["eleven", "hum", "one", "seven"]
            page.click("#tab-phone")
            page.locator("#phone-feed li", has_text="collected hum").first.wait_for()

            for width, height, name in ((1200, 900, "desktop"), (390, 844, "phone")):
                page.set_viewport_size({"width": width, "height": height})
                for view in VIEWS:
                    page.click(f"#tab-{view}")
                    time.sleep(0.3)
                    page.screenshot(path=str(shots / f"studio-{view}-{name}.png"), full_page=True)
                    check_accessibility(page, f"{view} at {name} width")
                # Nothing is wider than a phone's screen.
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, (name, overflow)
