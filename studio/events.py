"""Server-sent events to every open studio page: training progress, project changes, phones."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web

QUEUE_LENGTH = 200
"""Events a slow page may fall behind by; beyond that it misses some (progress, mostly)."""
HEARTBEAT_SECONDS = 15.0


class Events:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()

    def publish(self, event: dict[str, Any]) -> None:
        """Send to every page; call on the event loop."""
        for queue in self._queues:
            if queue.qsize() < QUEUE_LENGTH:  # room is kept for close()'s None
                queue.put_nowait(event)

    def close(self) -> None:
        """End every stream (the studio is stopping)."""
        for queue in self._queues:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LENGTH + 1)
        self._queues.add(queue)
        try:
            await response.write(b": connected\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except asyncio.TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                if event is None:
                    break
                data = json.dumps(event, ensure_ascii=False)
                await response.write(f"data: {data}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._queues.discard(queue)
        return response
