"""bridge.server end to end: real WebSocket connections on 127.0.0.1, a real model."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from model_export.audio.decode import write_wav
from tests.bridge.running import CODE, Running

pytestmark = pytest.mark.slow

HELLO = {"type": "hello", "code": CODE, "client": "test", "protocol": 1}


@pytest.fixture
def served_model(model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(model_dir, tmp_path / "model"))


@pytest.fixture
def bridge(served_model: Path) -> Iterator[Running]:
    running = Running(served_model)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def wavs(dataset: Any, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """(base64 WAV, true label) for each held-out clip."""
    folder = tmp_path_factory.mktemp("wavs")
    out = []
    for i, (clip, label) in enumerate(zip(dataset.test_clips, dataset.test_labels, strict=True)):
        path = folder / f"{i}.wav"
        write_wav(path, clip, sample_rate_hz=16_000)
        out.append((base64.b64encode(path.read_bytes()).decode(), label))
    return out


async def paired(url: str, **kwargs: Any) -> Any:
    ws = await connect(url, **kwargs)
    await ws.send(json.dumps(HELLO))
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ClassifierReady"
    return ws


def request(request_id: str, audio: str) -> str:
    return json.dumps({"type": "ClassifySoundData", "id": request_id, "audio": audio})


def test_many_clients_each_get_every_answer_once(bridge: Running, wavs: list[Any]) -> None:
    async def client(n: int) -> list[tuple[str, str, str]]:
        ws = await paired(bridge.url)
        answers: dict[str, Any] = {}
        expected = {}
        async with ws:
            for batch in range(0, 20, 5):
                for i in range(batch, batch + 5):
                    audio, label = wavs[(n + i) % len(wavs)]
                    expected[f"{n}-{i}"] = label
                    await ws.send(request(f"{n}-{i}", audio))
                for _ in range(5):
                    message = json.loads(await ws.recv())
                    assert message["type"] == "GotClassification", message
                    assert message["id"] not in answers
                    answers[message["id"]] = message["result"]
                await asyncio.sleep(0.3)  # a phone's pace
        return [(rid, expected[rid], answers[rid][0][0]) for rid in expected]

    async def main() -> list[list[tuple[str, str, str]]]:
        return await asyncio.gather(*(client(n) for n in range(50)))

    results = [row for rows in asyncio.run(main()) for row in rows]

    assert len(results) == 1000
    assert all(truth == got for _, truth, got in results)
    requests = [r for r in bridge.log if r["event"] == "classify"]
    assert len(requests) == 1000 and all(r["ms"] >= 0 for r in requests)


def test_a_wrong_code_is_refused_and_closed(bridge: Running) -> None:
    async def main() -> tuple[dict[str, Any], int | None]:
        async with connect(bridge.url) as ws:
            await ws.send(json.dumps({**HELLO, "code": "ZZZZZZ"}))
            message = json.loads(await ws.recv())
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            return message, closed.value.rcvd.code if closed.value.rcvd else None

    message, close_code = asyncio.run(main())

    assert (message["type"], message["code"], close_code) == ("Error", -26, 4001)


def test_a_page_from_another_site_cannot_connect(bridge: Running) -> None:
    async def main() -> int:
        with pytest.raises(InvalidStatus) as refused:
            await connect(bridge.url, origin="https://evil.example")  # type: ignore[arg-type]
        return int(refused.value.response.status_code)

    assert asyncio.run(main()) == 403

    async def extension() -> None:  # the extension's own WebView page may
        ws = await paired(bridge.url, origin="https://pac.assets")
        await ws.close()

    asyncio.run(extension())


def test_bad_audio_gets_errors_and_the_connection_stays_open(
    bridge: Running, wavs: list[Any]
) -> None:
    long = np.zeros(16_000 * 11, np.float32)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"pac-long-{os.getpid()}.wav"
    write_wav(path, long, sample_rate_hz=16_000)
    too_long = base64.b64encode(path.read_bytes()).decode()
    path.unlink()

    async def main() -> list[dict[str, Any]]:
        ws = await paired(bridge.url)
        async with ws:
            await ws.send(request("junk", base64.b64encode(b"not audio at all").decode()))
            await ws.send(request("long", too_long))
            replies = [json.loads(await ws.recv()) for _ in range(2)]
            await ws.send(request("good", wavs[0][0]))
            replies.append(json.loads(await ws.recv()))
        return replies

    replies = sorted(asyncio.run(main()), key=lambda m: m["id"])

    assert [(m["id"], m["type"], m.get("code")) for m in replies] == [
        ("good", "GotClassification", None),
        ("junk", "Error", -13),
        ("long", "Error", -24),
    ]


def test_a_retrain_reloads_under_load_without_failures(
    bridge: Running, served_model: Path, wavs: list[Any]
) -> None:
    retrained = served_model.with_name("retrained")
    shutil.copytree(served_model, retrained)
    metadata = json.loads((retrained / "metadata.json").read_text())
    metadata["labels"] = ["A", "B", "C"]
    (retrained / "metadata.json").write_text(json.dumps(metadata))

    async def main() -> tuple[list[dict[str, Any]], list[str]]:
        ws = await paired(bridge.url)
        messages: list[dict[str, Any]] = []
        sent = []
        async with ws:
            for i in range(40):
                if i == 10:  # what pac train's atomic write does: a new folder renamed in
                    old = served_model.with_name("old")
                    served_model.rename(old)
                    retrained.rename(served_model)
                await ws.send(request(str(i), wavs[i % len(wavs)][0]))
                sent.append(str(i))
                messages.append(json.loads(await ws.recv()))
                await asyncio.sleep(0.06)

            def done() -> bool:
                answered = {m.get("id") for m in messages if m["type"] != "ClassifierReady"}
                ready = any(m["type"] == "ClassifierReady" for m in messages)
                return ready and answered >= set(sent)

            while not done():
                messages.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
        return messages, sent

    messages, sent = asyncio.run(main())

    answers = [m for m in messages if m["type"] == "GotClassification"]
    assert sorted(m["id"] for m in answers) == sorted(sent)  # zero failed requests
    assert [m for m in messages if m["type"] == "Error"] == []
    (ready,) = [m for m in messages if m["type"] == "ClassifierReady"]
    assert ready["labels"] == ["A", "B", "C"]
    assert answers[-1]["result"][0][0] in ("A", "B", "C")


def test_a_broken_model_never_replaces_a_working_one(
    bridge: Running, served_model: Path, wavs: list[Any]
) -> None:
    (served_model / "metadata.json").write_text('{"format": "pac-model", "format_')
    deadline = time.monotonic() + 10
    while not any(r["event"] == "reload_failed" for r in bridge.log):
        assert time.monotonic() < deadline
        time.sleep(0.1)

    async def main() -> dict[str, Any]:
        ws = await paired(bridge.url)
        async with ws:
            await ws.send(request("after", wavs[0][0]))
            return dict(json.loads(await ws.recv()))

    reply = asyncio.run(main())

    assert reply["type"] == "GotClassification" and reply["result"][0][0] == wavs[0][1]


def test_pac_bridge_starts_and_stops_cleanly_on_sigterm(served_model: Path) -> None:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pac", "bridge", str(served_model), "--port", "0",
         "--host", "127.0.0.1", "--code", CODE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()
    started = time.perf_counter() - start
    assert first.startswith("bridge       : ws://127.0.0.1:"), first
    url = first.split(": ", 1)[1].strip()

    async def hello() -> None:
        ws = await paired(url)
        await ws.close()

    asyncio.run(hello())
    stop = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(10)
    stopped = time.perf_counter() - stop

    assert code == 0, proc.stderr.read() if proc.stderr else ""
    assert stopped < 2.0
    assert started < 10.0  # the 2 s target is measured by bench/bridge_load.py


def test_a_client_over_the_in_flight_limit_waits_instead_of_being_refused(
    bridge: Running, wavs: list[Any]
) -> None:
    # 60 requests sent at once, and 40 more one at a time as fast as the answers come:
    # back-pressure, not Error -28, whatever the pace.
    async def main() -> list[dict[str, Any]]:
        ws = await paired(bridge.url)
        replies = []
        async with ws:
            for i in range(60):
                await ws.send(request(f"burst-{i}", wavs[i % len(wavs)][0]))
            replies += [json.loads(await asyncio.wait_for(ws.recv(), 30)) for _ in range(60)]
            for i in range(40):
                await ws.send(request(f"step-{i}", wavs[i % len(wavs)][0]))
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
        return replies

    replies = asyncio.run(main())

    assert [m["type"] for m in replies] == ["GotClassification"] * 100
    assert len({m["id"] for m in replies}) == 100


def test_empty_and_endless_audio_get_their_codes(bridge: Running, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    write_wav(empty, np.zeros(0, np.float32), sample_rate_hz=16_000)
    endless = tmp_path / "endless.wav"  # a header that promises 11 s; decoding stops at 10
    write_wav(endless, np.zeros(16_000 * 11, np.float32), sample_rate_hz=16_000)

    async def main() -> list[dict[str, Any]]:
        ws = await paired(bridge.url)
        async with ws:
            await ws.send(request("empty", base64.b64encode(empty.read_bytes()).decode()))
            await ws.send(request("endless", base64.b64encode(endless.read_bytes()).decode()))
            return [json.loads(await ws.recv()) for _ in range(2)]

    replies = sorted(asyncio.run(main()), key=lambda m: m["id"])

    assert [(m["id"], m["code"]) for m in replies] == [("empty", -23), ("endless", -24)]
    assert replies[0]["message"] == "the audio holds no samples"


def test_deeply_nested_json_gets_minus_20_and_the_connection_stays_open(
    bridge: Running, wavs: list[Any]
) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        ws = await paired(bridge.url)
        async with ws:
            await ws.send("[" * 100_000 + "]" * 100_000)
            error = json.loads(await ws.recv())
            await ws.send(request("after", wavs[0][0]))
            return error, json.loads(await ws.recv())

    error, after = asyncio.run(main())

    assert (error["type"], error["code"]) == ("Error", -20)
    assert after["type"] == "GotClassification"


def test_pac_send_gets_an_answer_for_each_of_90_files(
    bridge: Running, dataset: Any, tmp_path: Path
) -> None:
    files = []
    for i in range(90):
        path = tmp_path / f"{i:02d}.wav"
        write_wav(path, dataset.test_clips[i % len(dataset.test_clips)], sample_rate_hz=16_000)
        files.append(str(path))

    proc = subprocess.run(
        [sys.executable, "-m", "pac", "send", bridge.url, "--code", CODE, *files, "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    messages = [json.loads(line) for line in proc.stdout.splitlines()]
    answers = [m for m in messages if m["type"] == "GotClassification"]
    assert sorted(int(m["id"]) for m in answers) == list(range(1, 91))
    assert [m for m in messages if m["type"] == "Error"] == []


def test_pac_bridge_does_not_collect_clips(bridge: Running, dataset: Any, tmp_path: Path) -> None:
    """CollectSoundData (protocol 1.1) is for pac studio's bridge; pac bridge says so."""
    path = tmp_path / "a.wav"
    write_wav(path, dataset.test_clips[0], sample_rate_hz=16_000)
    proc = subprocess.run(
        [sys.executable, "-m", "pac", "send", bridge.url, "--code", CODE, str(path),
         "--collect", "clap"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "this bridge does not collect clips; pac studio does (code -32)" in proc.stderr


def run_bridge_until_ready(served_model: Path, tmp_path: Path, **env: str) -> Any:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pac", "bridge", str(served_model), "--port", "0", "--code", CODE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PAC_CACHE_DIR": str(tmp_path / "cache"), **env},
    )  # fmt: skip
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Ctrl-C"):
            break
    return proc, "".join(lines)


def test_a_console_without_block_characters_gets_the_qr_code_as_a_picture(
    served_model: Path, tmp_path: Path
) -> None:
    # A Windows console code page, as when the output is redirected there.
    proc, out = run_bridge_until_ready(served_model, tmp_path, PYTHONIOENCODING="cp1252")
    proc.terminate()
    proc.wait(10)

    picture = tmp_path / "cache" / "bridge-qr.png"
    assert f"QR code      : {picture}" in out
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert "\u2588" not in out


def test_ctrl_c_stops_the_bridge_where_asyncio_has_no_signal_handlers(
    served_model: Path, tmp_path: Path
) -> None:
    # Windows: loop.add_signal_handler raises NotImplementedError; Ctrl-C is KeyboardInterrupt.
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import asyncio, pathlib\n"
        "def refuse(self, *args, **kwargs):\n"
        f"    pathlib.Path({str(tmp_path / 'refused')!r}).touch()\n"
        "    raise NotImplementedError\n"
        "asyncio.AbstractEventLoop.add_signal_handler = refuse\n"
        "import asyncio.unix_events\n"
        "asyncio.unix_events._UnixSelectorEventLoop.add_signal_handler = refuse\n"
    )
    proc, _ = run_bridge_until_ready(
        served_model, tmp_path, PYTHONPATH=f"{shim}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    )

    proc.send_signal(signal.SIGINT)
    code = proc.wait(10)

    assert (tmp_path / "refused").exists()  # the bridge met no signal handlers
    assert code == 0
    assert proc.stderr is not None and "bridge stopped" in proc.stderr.read()
