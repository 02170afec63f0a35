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

    def classify_pcm16(self, request_id: str, pcm16: bytes, sample_rate_hz: int) -> None:
        """What Java does after MediaCodec: serve the PCM, then call ``pac.classify``."""
        name = f"pcm/{request_id}"
        self.files[name] = pcm16
        self.page.evaluate(
            "([id, url, rate]) => window.pac.classify(id, url, rate)",
            [request_id, ASSET_BASE + name, sample_rate_hz],
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
