"""A studio on a real socket, driven through aiohttp's test client, as the page drives it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from studio.app import Studio, make_app


class Api:
    """Requests with the studio page's own Origin; ``call`` returns (status, JSON)."""

    def __init__(self, client: TestClient, studio: Studio) -> None:
        self.client = client
        self.studio = studio
        self.origin = f"http://127.0.0.1:{studio.port}"

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = {"Origin": self.origin, **(headers or {})}
        kwargs: dict[str, Any] = {"headers": sent}
        if body is not None:
            kwargs["json"] = body
        if data is not None:
            kwargs["data"] = data
            sent.setdefault("Content-Type", "application/octet-stream")
        response: ClientResponse = await self.client.request(method, path, **kwargs)
        raw = await response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, answer = await self.call(method, path, **kwargs)
        assert status < 300, (status, answer)
        return answer

    async def events(self) -> asyncio.Queue[dict[str, Any]]:
        """Every server-sent event from now on, parsed."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        response = await self.client.get("/api/events")
        await response.content.readline()  # ": connected"

        async def read() -> None:
            async for line in response.content:
                if line.startswith(b"data: "):
                    await queue.put(json.loads(line[6:]))

        task = asyncio.create_task(read())
        self._tasks = [*getattr(self, "_tasks", []), task]
        return queue


async def wait_for(
    queue: asyncio.Queue[dict[str, Any]], types: set[str], timeout: float = 120.0
) -> dict[str, Any]:
    while True:
        event = await asyncio.wait_for(queue.get(), timeout)
        if event.get("type") in types:
            return event


def run_studio(root: Path, body: Callable[[Api], Awaitable[None]], **studio_kwargs: Any) -> None:
    """Run ``body`` against a fresh studio whose projects folder is ``root``."""

    async def main() -> None:
        studio = Studio(root, port=0, bridge_host="127.0.0.1", bridge_port=0, **studio_kwargs)
        server = TestServer(make_app(studio), host="127.0.0.1")
        async with TestClient(server) as client:
            studio.port = server.port  # type: ignore[assignment]
            api = Api(client, studio)
            try:
                await body(api)
            finally:
                for task in getattr(api, "_tasks", []):
                    task.cancel()

    asyncio.run(main())
