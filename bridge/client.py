"""``pac send``: a bridge client for extension developers (the ``websockets`` library).

It says hello, sends each file as a ClassifySoundData request (ids "1", "2",
... in file order), and reports every message it receives, until each request
has its answer.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bridge.protocol import PROTOCOL_VERSION


class SendError(RuntimeError):
    """The bridge could not be reached, refused the client, or closed early."""


async def send_files(
    url: str,
    code: str,
    files: Sequence[Path],
    *,
    on_message: Callable[[dict[str, Any]], None],
    timeout_s: float = 60.0,
) -> list[dict[str, Any]]:
    """Send ``files``; call ``on_message`` for each message; return them all."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

    received: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(timeout_s):
            async with connect(url, max_size=None, open_timeout=10) as ws:
                hello = {
                    "type": "hello",
                    "code": code,
                    "client": "pac send",
                    "protocol": PROTOCOL_VERSION,
                }
                await ws.send(json.dumps(hello))
                pending = set()
                ready = False
                async for frame in ws:
                    message = json.loads(frame)
                    received.append(message)
                    on_message(message)
                    if message.get("type") == "ClassifierReady" and not ready:
                        ready = True
                        for i, path in enumerate(files, start=1):
                            audio = base64.b64encode(path.read_bytes()).decode()
                            request = {"type": "ClassifySoundData", "id": str(i), "audio": audio}
                            pending.add(str(i))
                            await ws.send(json.dumps(request))
                    elif message.get("id") in pending:
                        pending.discard(message["id"])
                    if ready and not pending:
                        break
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise SendError(f"cannot connect to {url}: {exc}") from exc
    except ConnectionClosed as exc:
        raise SendError(f"the bridge closed the connection ({exc.rcvd})") from exc
    except TimeoutError as exc:
        raise SendError(f"no answer from {url} within {timeout_s:g} s") from exc
    return received
