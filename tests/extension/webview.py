"""Run the extension's WebView page in real headless Chromium, with a fake of the Java side.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright; nothing is
downloaded. ``https://pac.assets/`` is served from a dict of files, as the
extension's ``shouldInterceptRequest`` serves its assets, and
``window.PersonalAudioClassifier.post(json)`` collects the messages that
Java's ``addJavascriptInterface`` object would receive.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.helpers import skip_or_fail_on_ci

REPO = Path(__file__).resolve().parents[2]
JS_DIR = REPO / "extension" / "js"
ASSET_BASE = "https://pac.assets/"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def needs_or_skip() -> None:
    """Skip (or fail on CI) when Chromium, Playwright or the JS bundle's tools are missing."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (./dev setup)")
    if not (JS_DIR / "node_modules" / "esbuild").is_dir() or shutil.which("node") is None:
        problems.append(f"node or {JS_DIR / 'node_modules'} is missing (cd extension/js && npm ci)")
    skip_or_fail_on_ci("the WebView tests need", problems)


class WebView:
    """One page of the WebView runtime; ``messages`` are what Java would have received."""

    def __init__(self, page: Any, files: dict[str, bytes]) -> None:
        self.page = page
        self.files = files

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(m) for m in self.page.evaluate("window.__posted")]

    def wait_for(self, count: int, timeout_ms: float = 60_000) -> list[dict[str, Any]]:
        """Wait until ``count`` messages have been posted; return them all."""
        self.page.wait_for_function(f"window.__posted.length >= {count}", timeout=timeout_ms)
        return self.messages()

    def call(self, function: str, *args: Any) -> None:
        """What Java's evaluateJavascript does: call ``pac.<function>(args...)``."""
        self.page.evaluate(f"(args) => window.pac.{function}(...args)", list(args))

    def classify_pcm(
        self,
        request_id: str,
        pcm_f32: bytes,
        sample_rate_hz: int,
        first_model_sample: int = -1,
        total_model_samples: int = -1,
    ) -> None:
        """What Java does after MediaCodec: serve the float32 PCM, then call ``pac.classify``."""
        name = f"pcm/{request_id}"
        self.files[name] = pcm_f32
        self.page.evaluate(
            "([id, url, rate, first, total]) => window.pac.classify(id, url, rate, first, total)",
            [
                request_id,
                ASSET_BASE + name,
                sample_rate_hz,
                first_model_sample,
                total_model_samples,
            ],
        )


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile: a Playwright browser context."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pac-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        # Chromium asks before a page reaches the local network (Local Network Access), as
        # bridge mode does; the user (or, on a phone, the app) allows it for the page.
        context.grant_permissions(["local-network-access"], origin=ASSET_BASE.rstrip("/"))
        try:
            yield context
        finally:
            context.close()


@contextmanager
def webview(browser: Any, assets: dict[str, bytes]) -> Iterator[WebView]:
    """Open ``pac_webview.html`` with ``assets`` (bundle + model files) at ``ASSET_BASE``."""
    from playwright.sync_api import Route

    files = dict(assets)

    def serve(route: Route) -> None:
        url = route.request.url
        if not url.startswith(ASSET_BASE):
            route.abort()  # nothing else: the page must work offline
            return
        name = url.removeprefix(ASSET_BASE)
        if name not in files:
            route.fulfill(status=404, body=b"")
            return
        kind = {
            ".html": "text/html",
            ".js": "text/javascript",
            ".json": "application/json",
            ".wasm": "application/wasm",
        }.get(Path(name).suffix, "application/octet-stream")
        route.fulfill(status=200, body=files[name], headers={"Content-Type": kind})

    page = browser.new_page()
    try:
        page.route("**/*", serve)
        page.add_init_script(
            "window.__posted = [];"
            "window.PersonalAudioClassifier = { post: (json) => window.__posted.push(json) };"
        )
        page.goto(ASSET_BASE + "pac_webview.html")
        yield WebView(page, files)
    finally:
        page.close()


JAVA_LISTENING = """
// What the extension's Java does while listening (PersonalAudioClassifier, Listening.Outbox),
// in the page, so that timing is real: AudioRecord hands over a 0.1 s chunk every 0.1 s of
// wall-clock time, whatever the page is doing; audio recorded while the page is busy is
// gathered and sent in one pac.listenChunk call once the page has said ListenChunkDone.
(args) => new Promise((resolve) => {
  const { chunkB64, overlap, seconds, session } = args;
  const chunkSamples = 1600;
  const chunkMs = 100;
  const bytes = Uint8Array.from(atob(chunkB64), (c) => c.charCodeAt(0));
  const posted = [];
  const sent = [];  // [performance.now() when sent, chunks in the call]
  let gathered = 0;  // chunks recorded and not yet sent
  let busy = false;
  let recorded = 0;
  const t0 = performance.now();
  const original = window.PersonalAudioClassifier.post;
  function send() {
    if (gathered === 0) { busy = false; return; }
    busy = true;
    const n = gathered;
    gathered = 0;
    const all = new Uint8Array(bytes.length * n);
    for (let i = 0; i < n; i++) all.set(bytes, i * bytes.length);
    let binary = '';
    for (let i = 0; i < all.length; i += 0x8000) {
      binary += String.fromCharCode(...all.subarray(i, i + 0x8000));
    }
    const start = performance.now();
    const before = posted.filter(([, m]) => m.type === 'GotClassification').length;
    window.pac.listenChunk(btoa(binary), 16000, session);
    const classified = posted.filter(([, m]) => m.type === 'GotClassification').length - before;
    sent.push([start, n, performance.now() - start, classified]);
  }
  window.PersonalAudioClassifier.post = (json) => {
    const message = JSON.parse(json);
    posted.push([performance.now(), message]);
    if (message.type === 'ListenChunkDone') setTimeout(send, 0);  // Java answers on its thread
  };
  function record() {
    const due = Math.floor((performance.now() - t0) / chunkMs);  // chunks the microphone made
    if (due > recorded) {
      gathered += due - recorded;
      recorded = due;
      if (!busy) send();
    }
    if (performance.now() - t0 < seconds * 1000) {
      setTimeout(record, 10);
      return;
    }
    window.pac.stopListening();
    const stopped = performance.now();
    setTimeout(() => {
      window.PersonalAudioClassifier.post = original;
      resolve({ t0, stopped, posted, sent, chunkMs, chunkSamples });
    }, 2000);
  }
  window.pac.startListening(overlap, 0, session);
  record();
})
"""


def listen_in_real_time(
    view: WebView,
    chunk_pcm16: bytes,
    *,
    overlap: float,
    seconds: float,
    session: int,
    window_samples: int = 16_000,
) -> dict[str, Any]:
    """Listen for ``seconds`` of wall-clock time as Java would, then stop; the figures.

    Returns delays (ms) from the moment the last sample of each classified window was
    recorded to its GotClassification, the windows classified and skipped, the in-page time
    of each listenChunk call that classified a window, and the messages after stopListening.
    """
    import base64
    import math

    out = view.page.evaluate(
        JAVA_LISTENING,
        {
            "chunkB64": base64.b64encode(chunk_pcm16).decode(),
            "overlap": overlap,
            "seconds": seconds,
            "session": session,
        },
    )
    hop = max(1, round(window_samples * (1 - overlap)))
    delays, after_stop, behind = [], [], []
    for at, message in out["posted"]:
        if at > out["stopped"]:
            after_stop.append(message)
        if message["type"] == "Error" and message["code"] == -31:
            behind.append(message)
        if message["type"] != "GotClassification":
            continue
        number = int(message["id"].rsplit("-", 1)[1])
        last_sample = window_samples + number * hop
        recorded_at = out["t0"] + math.ceil(last_sample / out["chunkSamples"]) * out["chunkMs"]
        delays.append(at - recorded_at)
    # The windows the page was given: audio gathered while the page was busy when listening
    # stopped is never sent, so wall-clock seconds overcount them.
    received = sum(chunks for _, chunks, _, _ in out["sent"]) * out["chunkSamples"]
    due = 0 if received < window_samples else 1 + (received - window_samples) // hop
    return {
        "delays_ms": delays,
        "classified": len(delays),
        "due": due,
        "window_ms": [ms for _, _, ms, classified in out["sent"] if classified],
        "after_stop": after_stop,
        "behind": behind,
    }
