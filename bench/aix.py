"""The App Inventor extension, measured as users meet it.

    python bench/aix.py [--model MODEL_DIR] [--runs 3]

Prints, for one model (default: one trained here on tests/synthetic clips):

* ``pac build-aix`` start to end, as a command (cold: empty pac cache; warm:
  median of ``--runs`` more), and the .aix size;
* JS inference per 1 s clip in headless Chromium, on the page and assets of
  that .aix (median of 20, timed inside the page: base64 PCM in, one
  GotClassification out; the listening path, which involves no fetch), and
  the whole ClassifySoundData path (PCM served by the fake Java side, then the
  answer), next to Python's ``LoadedModel.predict`` on the same clip in the
  same run.

Targets (issue 8): a warm build in 10 s or less, an .aix of 8 MB or less,
30 ms or less per 1 s clip in Chromium.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model_export.model_folder.inference import LoadedModel  # noqa: E402
from tests import synthetic  # noqa: E402
from tests.extension.webview import WebView, chromium, webview  # noqa: E402

PAC = [sys.executable, "-m", "pac"]


def train_model(out: Path) -> Path:
    data = synthetic.write_dataset(out / "data", per_label=5, seed=7)
    subprocess.run([*PAC, "train", str(data), "--out", str(out / "model")], check=True)
    return out / "model"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def in_page_ms(view: WebView, pcm16: bytes, repeats: int) -> list[float]:
    """Milliseconds per 1 s window, timed inside the page around pac.listenChunk."""
    chunk = base64.b64encode(pcm16).decode()
    return [
        float(
            view.page.evaluate(
                """(chunk) => {
                    window.pac.startListening(0, 0, 1);
                    const t0 = performance.now();
                    window.pac.listenChunk(chunk, 16000, 1);
                    const ms = performance.now() - t0;
                    window.pac.stopListening();
                    return ms;
                }""",
                chunk,
            )
        )
        for _ in range(repeats)
    ]


def round_trip_ms(view: WebView, pcm_f32: bytes, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        before = len(view.messages())
        start = time.perf_counter()
        view.classify_pcm(f"bench-{i}", pcm_f32, 16_000)
        view.wait_for(before + 1)
        times.append(1000 * (time.perf_counter() - start))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a model folder (default: train one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pac-bench-aix-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "PAC_CACHE_DIR": str(work / "cache")}
        model = args.model or train_model(work)
        out = work / "bench.aix"
        command = [*PAC, "build-aix", str(model), "--out", str(out)]
        cold = timed(command, env)
        warm = [timed(command, env) for _ in range(args.runs)]
        size_mb = out.stat().st_size / 1e6

        clip = synthetic.clips(per_label=1, seed=3)[0][0]
        y = np.zeros(16_000, np.float32)
        y[: min(clip.size, 16_000)] = clip[:16_000]
        pcm16 = np.clip(np.round(y * 32768), -32768, 32767).astype("<i2").tobytes()
        loaded = LoadedModel(model)
        loaded.predict([y])
        python_ms = []
        for _ in range(20):
            start = time.perf_counter()
            loaded.predict([y])
            python_ms.append(1000 * (time.perf_counter() - start))

        with zipfile.ZipFile(out) as aix:
            assets = {
                n.split("/assets/", 1)[1]: aix.read(n) for n in aix.namelist() if "/assets/" in n
            }
        with chromium() as browser, webview(browser, assets) as view:
            view.wait_for(2)
            in_page_ms(view, pcm16, 3)  # warm-up
            page_ms = in_page_ms(view, pcm16, 20)
            trip_ms = round_trip_ms(view, y.astype("<f4").tobytes(), 10)

    print(
        f"pac build-aix (command, start to end): cold {cold:.1f} s, warm median "
        f"{statistics.median(warm):.1f} s of {len(warm)}   target <= 10 s warm"
    )
    print(f".aix size: {size_mb:.2f} MB   target <= 8 MB")
    print(
        f"Chromium, 1 s clip, in the page: median {statistics.median(page_ms):.1f} ms "
        f"(min {min(page_ms):.1f})   target <= 30 ms"
    )
    print(
        f"Chromium, ClassifySoundData path (PCM fetched, answer posted): median "
        f"{statistics.median(trip_ms):.1f} ms"
    )
    print(
        f"Python LoadedModel.predict, same clip, same run: median "
        f"{statistics.median(python_ms):.1f} ms   ratio Chromium/Python "
        f"{statistics.median(page_ms) / statistics.median(python_ms):.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
