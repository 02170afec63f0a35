"""The live bridge fuzzed over real sockets, while a well-behaved client keeps using it.

Each example opens a connection and sends random and malformed text and binary
frames, frames over the size limit, and hellos in any order. Every reply must
be a well-formed message, a connection may only close with the protocol's own
codes, and the witness client must get every answer throughout.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bridge.protocol import MAX_MESSAGE_BYTES
from model_export.audio.decode import write_wav
from tests.bridge.running import CODE, Running

pytestmark = pytest.mark.slow

HELLO = {"type": "hello", "code": CODE, "client": "fuzz", "protocol": 1}
ALLOWED_CLOSE_CODES = {1000, 1009, 4001, 4002, 4003}
"""Normal, frame too big, pairing refused, unsupported protocol, idle: never 1011."""
OVERSIZED = object()


class Witness:
    """A paired client in a thread of its own: one clip, its answer, again, until stopped."""

    def __init__(self, url: str, audio: str) -> None:
        self.url, self.audio = url, audio
        self.answers: list[dict[str, Any]] = []
        self.failure: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()

    async def _run(self) -> None:
        try:
            async with connect(self.url) as ws:
                await ws.send(json.dumps(HELLO))
                assert json.loads(await ws.recv())["type"] == "ClassifierReady"
                n = 0
                while not self._stop.is_set():
                    request = {"type": "ClassifySoundData", "id": f"w{n}", "audio": self.audio}
                    await ws.send(json.dumps(request))
                    self.answers.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
                    n += 1
                    await asyncio.sleep(0.05)
        except BaseException as exc:  # reported by stop()
            self.failure = exc

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)


@pytest.fixture(scope="module")
def live(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    served = Path(shutil.copytree(model_dir, tmp_path_factory.mktemp("fuzz") / "model"))
    running = Running(served)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def wav(dataset: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("fuzz-wav") / "clip.wav"
    write_wav(path, dataset.test_clips[0], sample_rate_hz=16_000)
    return base64.b64encode(path.read_bytes()).decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
hellos = st.fixed_dictionaries(
    {"type": st.just("hello")},
    optional={
        "code": st.sampled_from([CODE, CODE.lower(), "WRONG1", ""]) | json_values,
        "protocol": st.sampled_from([1, 2]) | json_values,
        "client": json_values,
    },
).map(json.dumps)
requests = st.fixed_dictionaries(
    {"type": st.just("ClassifySoundData")},
    optional={
        "id": st.text(max_size=5) | json_values,
        "audio": st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()) | json_values,
    },
).map(json.dumps)
frames = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300),
    json_values.map(json.dumps),
    hellos,
    requests,
    st.just("[" * 50_000),
    st.just(OVERSIZED),
)


def well_formed(message: dict[str, Any]) -> bool:
    if message.get("type") == "Error":
        return set(message) == {"type", "id", "code", "message"} and message["code"] < 0
    if message.get("type") == "ClassifierReady":
        return isinstance(message["labels"], list)
    return message.get("type") == "GotClassification" and isinstance(message["result"], list)


async def fuzz_one(url: str, sequence: list[Any]) -> None:
    async with connect(url, max_size=None) as ws:
        try:
            for frame in sequence:
                if frame is OVERSIZED:
                    frame = "x" * (MAX_MESSAGE_BYTES + 1)
                await ws.send(frame)
            while True:
                reply = await asyncio.wait_for(ws.recv(), 0.2)
                assert isinstance(reply, str)
                assert well_formed(json.loads(reply)), reply
        except asyncio.TimeoutError:
            return
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            assert code in ALLOWED_CLOSE_CODES, (code, closed)


def test_random_frames_never_break_the_server_or_its_other_clients(live: Running, wav: str) -> None:
    witness = Witness(live.url, wav)

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(frames, min_size=1, max_size=6))
    def fuzz(sequence: list[Any]) -> None:
        asyncio.run(fuzz_one(live.url, sequence))

    try:
        fuzz()
    finally:
        witness.stop()

    assert witness.failure is None, repr(witness.failure)
    assert len(witness.answers) >= 20
    assert all(m["type"] == "GotClassification" for m in witness.answers), witness.answers[-3:]
    assert not [r for r in live.log if r["event"] == "internal_error"]
