"""The bridge's WebSocket server: a thin adapter around ``bridge.protocol.Session``.

* Inference never runs on the event loop. Clips are decoded in memory (small
  ones on the loop, big ones in a worker thread), then classified in batches
  (whatever is waiting, up to ``MAX_BATCH``) by one LiteRT call in a worker
  thread; clips that come while a batch runs make the next one.
* Back-pressure: a connection with ``MAX_IN_FLIGHT`` requests out is not read
  until one is answered; the WebSocket library's flow control then stops
  reading its socket, and the client simply waits.
* Hot reload: a watcher polls the model folder; a model that loads replaces
  the old one and every paired client hears ClassifierReady. Requests already
  batched finish on the model they started with. A folder that does not load
  (half-written, broken) is logged and ignored: the working model stays.
* One structured log line (JSON) per request and per event, on stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bridge.protocol import (
    ALLOWED_ORIGINS,
    CLOSE_WRONG_CODE,
    HELLO_TIMEOUT_SECONDS,
    IDLE_TIMEOUT_SECONDS,
    MAX_AUDIO_SECONDS,
    MAX_MESSAGE_BYTES,
    WRONG_CODE_DELAY_SECONDS,
    Action,
    Classify,
    Close,
    Collect,
    Send,
    Session,
    error,
)
from model_export.audio.decode import AudioDecodeError, load_audio
from model_export.model_folder.inference import LoadedModel, ranked
from model_export.model_folder.layout import TFLITE_MODEL_FILENAME
from model_export.model_folder.metadata import METADATA_FILENAME

INLINE_DECODE_BYTES = 256 * 1024
"""Clips up to this size (a few seconds of WAV, a minute of AMR) are decoded on the event
loop, in about a millisecond; bigger ones in a worker thread. A burst of small clips then
decodes without threads taking the GIL from each other (in-step p99 200 -> 165 ms)."""
MAX_BATCH = 8
"""Clips per LiteRT call. Bigger batches are no faster per clip here (the graph's input is
each clip padded to 10 s), and smaller ones answer the first clips of a burst sooner."""
RELOAD_POLL_SECONDS = 0.5

Log = Callable[[dict[str, Any]], None]
Collector = Callable[[str, bytes, str], Awaitable[dict[str, Any]]]
"""``collect(label, audio, client)`` stores a phone's clip and answers ``label``, ``clip`` and
``clips`` (protocol 1.1); it raises ClipError to refuse (NO_SUCH_LABEL, EMPTY_CLIP, ...)."""


def run_until_stopped(serve: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``serve(stop)`` in a new event loop; Ctrl-C or SIGTERM sets ``stop``."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Windows has no signal handlers in asyncio: Ctrl-C raises KeyboardInterrupt.
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await serve(stop)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def json_log(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), file=sys.stderr, flush=True)


class ClipError(Exception):
    """A clip that cannot be classified: ``name`` is its ERROR_CODES name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def decode_clip(audio: bytes, *, sample_rate_hz: int, name: str = "audio") -> np.ndarray:
    """Decode an audio file's bytes (any format PyAV reads) in memory, at the model rate.

    Raises ClipError: EMPTY_CLIP, CLIP_TOO_LONG (decoding stops at MAX_AUDIO_SECONDS, so
    a small file holding hours of audio costs no more than 10 s of it) or DECODE_FAILED.
    """
    try:
        return load_audio(
            audio, sample_rate_hz=sample_rate_hz, name=name, max_seconds=MAX_AUDIO_SECONDS
        )
    except AudioDecodeError as exc:
        reason = {
            "EMPTY_CLIP": "the audio holds no samples",
            "CLIP_TOO_LONG": f"the audio is longer than {MAX_AUDIO_SECONDS:g} s, "
            "the most the bridge takes",
        }.get(exc.error_name, f"the audio cannot be decoded: {exc.reason}")
        raise ClipError(exc.error_name, reason) from exc


@dataclass
class _Pending:
    clip: np.ndarray
    future: asyncio.Future[list[list[Any]]]


class Bridge:
    """Serves one model folder to WebSocket clients (see the module docstring)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        code: str,
        log: Log = json_log,
        name: str | None = None,
        collect: Collector | None = None,
    ) -> None:
        """``name``: the model's name in ClassifierReady (by default the folder's name).
        ``collect``: serve CollectSoundData with it (the studio); without, it is refused."""
        self.model_dir = model_dir
        self._name = name
        self.collect = collect
        self.code = code
        self.log = log
        self.model = LoadedModel(model_dir)
        self.sessions: dict[Any, Session] = {}
        self.wrong_codes: defaultdict[str, int] = defaultdict(int)
        self._decoders = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pac-decode")
        self._inference = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pac-infer")
        self._queue: asyncio.Queue[_Pending] | None = None
        self._signature = self._model_signature()

    @property
    def model_name(self) -> str:
        return self._name or self.model_dir.resolve().name

    # --- inference -----------------------------------------------------------------------

    async def classify(self, audio: bytes) -> list[list[Any]]:
        """Decode in a worker, then classify in the next batch; raises ClipError."""
        loop = asyncio.get_running_loop()
        rate_hz = self.model.sample_rate_hz
        if len(audio) <= INLINE_DECODE_BYTES:
            clip = decode_clip(audio, sample_rate_hz=rate_hz)
        else:
            clip = await loop.run_in_executor(
                self._decoders, lambda: decode_clip(audio, sample_rate_hz=rate_hz)
            )
        assert self._queue is not None
        future: asyncio.Future[list[list[Any]]] = loop.create_future()
        await self._queue.put(_Pending(clip, future))
        return await future

    async def _batcher(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            # Whatever is waiting, up to MAX_BATCH, with no wait for more: clips that come
            # while this batch runs make the next one.
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            model = self.model  # the batch finishes on the model it started with
            try:
                probabilities = await loop.run_in_executor(
                    self._inference, model.predict, [p.clip for p in batch]
                )
            except Exception as exc:
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(
                            ClipError("CLASSIFICATION_FAILED", f"the model failed: {exc}")
                        )
                continue
            for pending, row in zip(batch, probabilities, strict=True):
                if not pending.future.done():
                    pending.future.set_result(ranked(model.labels, row))

    # --- hot reload ----------------------------------------------------------------------

    def _model_signature(self) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name in (METADATA_FILENAME, TFLITE_MODEL_FILENAME):
            try:
                st = (self.model_dir / name).stat()
                parts.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except OSError:
                parts.append(None)
        return tuple(parts)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_POLL_SECONDS)
            signature = self._model_signature()
            if signature == self._signature:
                continue
            await asyncio.sleep(RELOAD_POLL_SECONDS)  # let a writer finish
            if self._model_signature() != signature or signature == self._signature:
                continue  # still changing, or reload() ran meanwhile (the studio after training)
            await self.reload()

    async def reload(self) -> bool:
        """Load the model folder now; on success every paired client hears ClassifierReady.

        A folder that does not load is logged and the working model stays (False).
        """
        loop = asyncio.get_running_loop()
        self._signature = self._model_signature()
        try:
            model = await loop.run_in_executor(self._inference, LoadedModel, self.model_dir)
        except Exception as exc:
            self.log({"event": "reload_failed", "reason": str(exc)})
            return False
        self.model = model
        self.log({"event": "reloaded", "labels": list(model.labels)})
        for ws, session in list(self.sessions.items()):
            await self._perform(ws, session, session.model_changed(model.labels, self.model_name))
        return True

    # --- connections ---------------------------------------------------------------------

    async def handler(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        address = str(ws.remote_address[0]) if ws.remote_address else "?"
        session = Session(
            code=self.code,
            labels=self.model.labels,
            model=self.model_name,
            collecting=self.collect is not None,
        )
        self.sessions[ws] = session
        tasks: set[asyncio.Task[None]] = set()
        # Back-pressure: with MAX_IN_FLIGHT requests out, the handler stops reading; the
        # library's flow control then stops reading the socket, and the client waits.
        room = asyncio.Event()
        room.set()
        try:
            while not session.closed:
                await room.wait()
                limit = IDLE_TIMEOUT_SECONDS if session.paired else HELLO_TIMEOUT_SECONDS
                try:
                    frame = await asyncio.wait_for(ws.recv(), limit)
                except asyncio.TimeoutError:  # TimeoutError itself from Python 3.11
                    await self._perform(ws, session, session.idle())
                    break
                was_paired = session.paired
                actions = self._receive(session, frame)
                if session.paired and not was_paired:
                    self.log({"event": "paired", "client": session.client, "address": address})
                if any(isinstance(a, Close) and a.code == CLOSE_WRONG_CODE for a in actions):
                    self.wrong_codes[address] += 1
                    self.log({"event": "refused", "address": address})
                    await asyncio.sleep(
                        min(10.0, WRONG_CODE_DELAY_SECONDS * self.wrong_codes[address])
                    )
                for action in actions:
                    if isinstance(action, Classify | Collect):
                        task = asyncio.create_task(self._answer(ws, session, action, room))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    else:
                        await self._perform(ws, session, [action])
                if not session.has_room():
                    room.clear()
        except ConnectionClosed:
            pass
        finally:
            self.sessions.pop(ws, None)
            if session.paired:
                self.log({"event": "left", "client": session.client, "address": address})
            for task in tasks:
                task.cancel()

    def _receive(self, session: Session, frame: str | bytes) -> list[Action]:
        """The session's actions for one frame; a failure of ours answers Error -20."""
        try:
            if isinstance(frame, str):
                return session.receive(frame)
            return session.binary()
        except Exception as exc:  # a bug here must not close the connection (1011)
            self.log({"event": "internal_error", "client": session.client, "error": repr(exc)})
            return [error(None, "BAD_MESSAGE", "the bridge could not read this message")]

    async def _answer(
        self, ws: Any, session: Session, request: Classify | Collect, room: asyncio.Event
    ) -> None:
        """Classify a clip, or hand it to the collector (CollectSoundData); answer; log."""
        address = str(ws.remote_address[0]) if ws.remote_address else "?"
        start = time.perf_counter()
        try:
            if isinstance(request, Classify):
                result = await self.classify(request.audio)
                actions = session.classified(request.id, result)
                outcome = result[0][0] if result else ""
            else:
                assert self.collect is not None  # the session refuses it without a collector
                answer = await self.collect(request.label, request.audio, session.client)
                actions = session.collected(request.id, answer)
                outcome = f"collected {request.label}"
        except ClipError as exc:
            actions = session.failed(request.id, exc.name, str(exc))
            outcome = exc.name
        except Exception as exc:  # a thread that died: answer, and keep serving
            actions = session.failed(request.id, "CLASSIFICATION_FAILED", f"failed: {exc!r}")
            outcome = "CLASSIFICATION_FAILED"
        if session.has_room():
            room.set()
        self.log(
            {
                "event": "classify" if isinstance(request, Classify) else "collect",
                "client": session.client,
                "id": request.id,
                **({"label": request.label} if isinstance(request, Collect) else {}),
                "bytes": len(request.audio),
                "ms": round(1000 * (time.perf_counter() - start), 1),
                "outcome": outcome,
                "address": address,
            }
        )
        await self._perform(ws, session, actions)

    async def _perform(self, ws: Any, session: Session, actions: list[Action]) -> None:
        from websockets.exceptions import ConnectionClosed

        for action in actions:
            try:
                if isinstance(action, Send):
                    await ws.send(json.dumps(action.message, ensure_ascii=False))
                elif isinstance(action, Close):
                    await ws.close(action.code, action.reason)
            except ConnectionClosed:
                return

    async def run(
        self, host: str, port: int, *, ready: Callable[[int], None], stop: asyncio.Event
    ) -> None:
        """Serve until ``stop`` is set; ``ready(port)`` is called once listening."""
        from websockets.asyncio.server import serve
        from websockets.typing import Origin

        self._queue = asyncio.Queue()
        background = [asyncio.create_task(self._batcher()), asyncio.create_task(self._watch())]
        try:
            async with serve(
                self.handler,
                host,
                port,
                origins=[None if o is None else Origin(o) for o in ALLOWED_ORIGINS],
                max_size=MAX_MESSAGE_BYTES,
                close_timeout=1.0,
                ping_interval=20.0,
            ) as server:
                (bound_port,) = {s.getsockname()[1] for s in server.sockets}
                ready(bound_port)
                await stop.wait()
                server.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(server.wait_closed(), 1.5)
        finally:
            for task in background:
                task.cancel()
            self._decoders.shutdown(wait=False, cancel_futures=True)
            self._inference.shutdown(wait=False, cancel_futures=True)
