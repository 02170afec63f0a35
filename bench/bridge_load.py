"""The companion bridge under load, on loopback, as ``pac bridge`` runs.

    python bench/bridge_load.py [--clients 30] [--seconds 10]

Prints:

* ``pac bridge`` start-up: command start to its URL line;
* round trips with ``--clients`` clients each sending one 1 s WAV a second
  (p50, p99, max), at random phases (phones on their own) and in step (a
  teacher's "go!": every client sends in the same instant);
* bridge throughput: 32 clients sending as fast as the limits let them
  (8 in flight each) for 5 s, in answered requests a second;
* raw batched inference in this process on the same clips (LoadedModel.predict,
  batches of 32), with and without decoding the WAV bytes, and the ratio.

Targets: start in about 2 s or less; p99 <= 100 ms with 30 clients at random
phases and <= 150 ms in step; bridge throughput >= 80% of raw batched inference.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.server import decode_clip  # noqa: E402
from model_export.audio.decode import write_wav  # noqa: E402
from model_export.model_folder.inference import LoadedModel  # noqa: E402
from tests import synthetic  # noqa: E402

CODE = "BENCH1"


async def client(
    url: str, wav: str, *, seconds: float, period: float, inflight: int, start_at: float | None
) -> list[float]:
    """A clip every ``period`` s, at most ``inflight`` unanswered; the round trips in ms.

    ``start_at`` (a ``time.perf_counter()`` instant) puts every client in step; None
    starts each at a random phase.
    """
    from websockets.asyncio.client import connect

    times: list[float] = []
    async with connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "hello", "code": CODE, "client": "bench", "protocol": 1}))
        await ws.recv()
        sent: dict[str, float] = {}
        slots = asyncio.Semaphore(inflight)

        async def receive(count: int) -> None:
            for _ in range(count):
                message = json.loads(await ws.recv())
                assert message["type"] == "GotClassification", message
                times.append(1000 * (time.perf_counter() - sent.pop(message["id"])))
                slots.release()

        if start_at is None:
            await asyncio.sleep(random.uniform(0, period))  # phones on their own
        else:
            await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        n = 0
        receiver: asyncio.Task[None] | None = None
        begin = time.perf_counter() if start_at is None else start_at
        end = begin + seconds
        requests = []
        while time.perf_counter() < end:
            await slots.acquire()
            sent[str(n)] = time.perf_counter()
            requests.append(str(n))
            await ws.send(json.dumps({"type": "ClassifySoundData", "id": str(n), "audio": wav}))
            n += 1
            if receiver is None:
                receiver = asyncio.create_task(receive(10**9))
            # The next send on the period's grid (in step, the same instant for everyone).
            await asyncio.sleep(max(0.0, begin + n * period - time.perf_counter()))
        while sent:
            await asyncio.sleep(0.01)
        if receiver is not None:
            receiver.cancel()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pac-bench-bridge-") as tmp:
        work = Path(tmp)
        data = synthetic.write_dataset(work / "data", per_label=5, seed=7)
        subprocess.run(
            [sys.executable, "-m", "pac", "train", str(data), "--out", str(work / "model")],
            check=True,
            capture_output=True,
        )
        clip = synthetic.clips(per_label=1, seed=3)[0][0]
        y = np.zeros(16_000, np.float32)
        y[: min(clip.size, 16_000)] = clip[:16_000]
        write_wav(work / "clip.wav", y, sample_rate_hz=16_000)
        wav_bytes = (work / "clip.wav").read_bytes()
        wav = base64.b64encode(wav_bytes).decode()

        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "pac", "bridge", str(work / "model"), "--host", "127.0.0.1",
             "--port", "0", "--code", CODE],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        line = proc.stdout.readline()
        startup = time.perf_counter() - start
        url = line.split(": ", 1)[1].strip()
        try:
            steady = asyncio.run(
                _gather(url, wav, args.clients, seconds=args.seconds, period=1.0, inflight=1)
            )
            in_step = asyncio.run(
                _gather(
                    url, wav, args.clients, seconds=args.seconds, period=1.0, inflight=1, step=True
                )
            )
            flood = asyncio.run(_gather(url, wav, 32, seconds=5.0, period=0.05, inflight=8))
        finally:
            proc.terminate()
            proc.wait(10)

        model = LoadedModel(work / "model")
        model.predict([y] * 32)
        start = time.perf_counter()
        for _ in range(10):
            model.predict([y] * 32)
        raw = 320 / (time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(5):
            model.predict([decode_clip(wav_bytes, sample_rate_hz=16_000) for _ in range(32)])
        raw_decoding = 160 / (time.perf_counter() - start)

    flood_count = sum(len(ts) for ts in flood)
    throughput = flood_count / 5.0
    print(f"pac bridge start-up (command start to URL): {startup:.2f} s   target about 2 s")
    for name, runs, target in (("random phases", steady, 100), ("in step", in_step, 150)):
        times = np.array([t for ts in runs for t in ts])
        print(
            f"{args.clients} clients x 1 clip/s for {args.seconds:g} s, {name}: {times.size} "
            f"round trips, p50 {np.percentile(times, 50):.1f} ms, p99 "
            f"{np.percentile(times, 99):.1f} ms, max {times.max():.1f} ms   "
            f"target p99 <= {target} ms"
        )
    print(f"bridge throughput (32 clients, 8 in flight each): {throughput:.0f} clips/s")
    print(
        f"raw batched inference in-process: {raw:.0f} clips/s ({raw_decoding:.0f} clips/s "
        f"with decoding); bridge/raw {throughput / raw:.0%}, bridge/raw-with-decoding "
        f"{throughput / raw_decoding:.0%}   target >= 80%"
    )
    return 0


async def _gather(
    url: str, wav: str, n: int, *, seconds: float, period: float, inflight: int, step: bool = False
) -> list[list[float]]:
    start_at = time.perf_counter() + 1.0 if step else None  # after every client has paired
    return list(
        await asyncio.gather(
            *(
                client(
                    url, wav, seconds=seconds, period=period, inflight=inflight, start_at=start_at
                )
                for _ in range(n)
            )
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
