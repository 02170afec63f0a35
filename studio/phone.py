"""The companion bridge inside the studio: the same ``bridge.server.Bridge``, on its own port.

It serves one project's model (the one the page opened last that has a model), and
reloads it the moment training finishes. What the bridge logs becomes the page's list
of connected phones and its live feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bridge.addresses import lan_addresses
from bridge.server import Bridge, Collector, json_log

FEED_LENGTH = 50


class Phone:
    """At most one running bridge; ``serve`` switches it to another project's model."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        code: str,
        publish: Callable[[dict[str, Any]], None],
        collect: Callable[[str], Collector] | None = None,
    ) -> None:
        """``collect(project)``: the collector for a project's bridge (CollectSoundData)."""
        self.host = host
        self.port = port
        self.code = code
        self.publish = publish
        self.collector = collect
        self.project: str | None = None
        self.bridge: Bridge | None = None
        self.bound_port: int | None = None
        self.error: str | None = None
        self.devices: dict[tuple[str, str], dict[str, Any]] = {}
        self.feed: deque[dict[str, Any]] = deque(maxlen=FEED_LENGTH)
        self._urls: list[dict[str, str]] = []
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def _log(self, record: dict[str, Any]) -> None:
        json_log(record)
        event = record.get("event")
        now = time.time()
        key = (str(record.get("client", "")), str(record.get("address", "")))
        if event == "paired":
            self.devices[key] = {"client": key[0], "address": key[1], "last_seen": now}
        elif event == "left":
            self.devices.pop(key, None)
        elif event in ("classify", "collect"):
            if key in self.devices:
                self.devices[key]["last_seen"] = now
            entry = {
                "client": key[0],
                "address": key[1],
                "outcome": record.get("outcome", ""),
                "time": now,
            }
            self.feed.appendleft(entry)
        else:
            return
        self.publish({"type": "phone", "event": event, "project": self.project, **self.state()})

    async def serve(self, project: str, model_dir: Path) -> None:
        """Serve ``model_dir`` (which must hold a model); a no-op if it already does."""
        if self.bridge is not None and self.bridge.model_dir == model_dir:
            return
        await self.stop()
        self.error = None
        bridge = Bridge(
            model_dir,
            code=self.code,
            log=self._log,
            name=project,
            collect=None if self.collector is None else self.collector(project),
        )
        self.bridge, self.project = bridge, project
        self.devices.clear()
        self._stop = asyncio.Event()
        ready = asyncio.get_running_loop().create_future()

        def on_ready(port: int) -> None:
            self.bound_port = port
            if not ready.done():
                ready.set_result(port)

        async def run() -> None:
            assert self._stop is not None
            try:
                await bridge.run(self.host, self.port, ready=on_ready, stop=self._stop)
            except OSError as exc:
                self.error = f"the phone bridge cannot use port {self.port}: {exc.strerror}"
                if not ready.done():
                    ready.set_result(None)

        self._task = asyncio.create_task(run())
        await ready
        self.urls()
        if self.bound_port is None:  # the port is taken: nothing serves; a later try may work
            self.bridge = self.project = None

    async def reload(self, model_dir: Path) -> None:
        if self.bridge is not None and self.bridge.model_dir == model_dir:
            await self.bridge.reload()

    async def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        self.bridge = self._task = self._stop = None
        self.bound_port = None
        self.project = None
        self._urls = []

    def urls(self) -> list[dict[str, str]]:
        """The bridge's address on each network, found again (the laptop may have changed
        Wi-Fi); ``state`` shows what was found last, so a phone's every clip costs nothing."""
        if self.bound_port is None:
            self._urls = []
        else:
            self._urls = [
                {"url": f"ws://{a.ip}:{self.bound_port}", "interface": a.interface}
                for a in lan_addresses()
            ]
        return self._urls

    def state(self) -> dict[str, Any]:
        return {
            "running": self.bridge is not None and self.bound_port is not None,
            "project": self.project,
            "code": self.code,
            "port": self.bound_port,
            "urls": self._urls,
            "error": self.error,
            "devices": sorted(self.devices.values(), key=lambda d: -d["last_seen"]),
            "feed": list(self.feed),
        }
