"""``pac send``: a bridge client for extension developers (the ``websockets`` library).

It says hello, sends each file as a ClassifySoundData request (ids "1", "2",
... in file order), with at most ``MAX_IN_FLIGHT`` unanswered at a time, as
the protocol asks, and reports every message it receives until each request
has its answer.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bridge.protocol import MAX_IN_FLIGHT, PROTOCOL_VERSION


class SendError(RuntimeError):
    """The bridge could not be reached, refused the client, or closed early."""


async def send_files(
    url: str,
    code: str,
    files: Sequence[Path],
    *,
    on_message: Callable[[dict[str, Any]], None],
    timeout_s: float = 60.0,
    collect_label: str | None = None,
) -> list[dict[str, Any]]:
    """Send ``files``; call ``on_message`` for each message; return them all.

    With ``collect_label``, each file goes to the studio's project as a clip of that
    label (CollectSoundData, protocol 1.1) instead of being classified.

    ``timeout_s`` bounds the wait for the bridge to answer anything (the
    connection, the hello, and then each answer), not the whole run.
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

    received: list[dict[str, Any]] = []
    try:
        async with connect(url, max_size=None, open_timeout=min(10.0, timeout_s)) as ws:
            hello = {
                "type": "hello",
                "code": code,
                "client": "pac send",
                "protocol": PROTOCOL_VERSION,
            }
            await ws.send(json.dumps(hello))
            queue = list(enumerate(files, start=1))
            pending: set[str] = set()
            ready = False
            while not ready or pending or queue:
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout_s))
                received.append(message)
                on_message(message)
                if message.get("type") == "ClassifierReady":
                    ready = True
                elif message.get("id") in pending:
                    pending.discard(message["id"])
                while ready and queue and len(pending) < MAX_IN_FLIGHT:
                    number, path = queue.pop(0)
                    audio = base64.b64encode(_read(path)).decode()
                    request = {"type": "ClassifySoundData", "id": str(number), "audio": audio}
                    if collect_label is not None:
                        request.update(type="CollectSoundData", label=collect_label)
                    pending.add(str(number))
                    await ws.send(json.dumps(request))
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise SendError(f"cannot connect to {url}: {exc}") from exc
    except ConnectionClosed as exc:
        raise SendError(f"the bridge closed the connection ({exc.rcvd})") from exc
    except asyncio.TimeoutError as exc:  # TimeoutError itself from Python 3.11
        raise SendError(f"no answer from {url} within {timeout_s:g} s") from exc
    return received


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SendError(f"{path}: cannot be read ({exc.strerror or exc})") from None
