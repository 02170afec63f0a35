"""A bridge serving on a free loopback port in a thread of its own, for tests."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from bridge.server import Bridge, Collector

CODE = "AB12CD"


class Running:
    """A Bridge serving on a free port in a thread of its own, with its log."""

    def __init__(self, model_dir: Path, *, collect: Collector | None = None) -> None:
        self.log: list[dict[str, Any]] = []
        self.bridge = Bridge(model_dir, code=CODE, log=self.log.append, collect=collect)
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(30), "the bridge did not start"

    def _run(self) -> None:
        def ready(port: int) -> None:
            self.port = port
            self._ready.set()

        self._loop.run_until_complete(self.bridge.run("127.0.0.1", 0, ready=ready, stop=self._stop))

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
