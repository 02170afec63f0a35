"""The studio's figures, measured as a student meets them (docs/benchmarks.md).

  train scale   ``pac train`` wall time and peak memory at 15, 90 and 810 clips: cold (no
                cached features), warm (the same clips again), and after adding 5 clips;
                per clip beyond the first 15
  studio        ``pac studio`` start -> page usable; end of a recording -> its spectrogram
                on screen; Train -> trained model for 3 labels x 5 clips on a warm server

The clips: the bundled number words (pac/samples), each made into many different clips by
a random speed, pitch-free gain, noise and shift, so that a big project is 3 labels of
distinct recordings. Run: ``./dev bench`` or ``.venv/bin/python bench/studio_speed.py [--only
train|studio] [--sizes 15,90,810]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soxr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model_export.audio.decode import load_audio  # noqa: E402
from tests.studio.sounds import SAMPLES, wav_bytes  # noqa: E402

LABELS = ("one", "seven", "eleven")


def make_clips(folder: Path, n_clips: int, *, seed: int = 0, start: int = 0) -> None:
    """``n_clips`` distinct WAV clips over the 3 labels, from the bundled words."""
    rng = np.random.default_rng(seed + start)
    sources = {
        label: [
            load_audio(p, sample_rate_hz=16_000)
            for p in sorted((SAMPLES / "train" / label).glob("*.wav"))
            + sorted((SAMPLES / "test" / label).glob("*.wav"))
        ]
        for label in LABELS
    }
    for i in range(n_clips):
        label = LABELS[i % len(LABELS)]
        y = sources[label][rng.integers(len(sources[label]))]
        y = soxr.resample(y, 16_000, 16_000 / rng.uniform(0.85, 1.15))
        y = y * 10 ** (rng.uniform(-8, 4) / 20)
        clip = np.zeros(round(16_000 * rng.uniform(1.0, 1.6)), np.float32)
        at = rng.integers(0, max(1, clip.size - y.size))
        clip[at : at + y.size] += y[: clip.size - at]
        clip += rng.normal(0, 10 ** (rng.uniform(-4, -2.3)), clip.size).astype(np.float32)
        (folder / label).mkdir(parents=True, exist_ok=True)
        (folder / label / f"c{start + i:04d}.wav").write_bytes(wav_bytes(clip))


def peak_rss_mb(data: Path, out: Path, env: dict[str, str]) -> float:
    """Peak RSS of one ``pac train`` (GNU time's maximum resident set size)."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "pac", "train", str(data),
         "--out", str(out)],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    return int(result.stderr.strip().splitlines()[-1]) / 1024


def bench_train(sizes: list[int]) -> None:
    print("pac train at scale (wall time of the command; peak memory from GNU time)")
    print(f"{'clips':>6} {'run':<8} {'seconds':>8} {'ms/clip>15':>11} {'peak MB':>8}")
    base: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pac-bench-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "PAC_CACHE_DIR": str(root / "cache")}
        # The front-end is prebuilt; warm the page cache of the interpreter and packages.
        make_clips(root / "warmup", 6)
        subprocess.run([sys.executable, "-m", "pac", "train", str(root / "warmup"), "--out",
                        str(root / "warmup-model")], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        for n in sizes:
            data = root / f"data{n}"
            make_clips(data, n)
            runs = [("cold", data), ("warm", data)]
            for name, folder in runs:
                start = time.perf_counter()
                peak = peak_rss_mb(folder, root / f"model{n}", env)
                seconds = time.perf_counter() - start
                base.setdefault(name, seconds) if n == sizes[0] else None
                per = (
                    ""
                    if n == sizes[0] or name not in base
                    else f"{1000 * (seconds - base[name]) / (n - sizes[0]):.1f}"
                )
                print(f"{n:>6} {name:<8} {seconds:>8.2f} {per:>11} {peak:>8.0f}", flush=True)
            make_clips(data, 5, start=n)  # five more clips, then retrain
            start = time.perf_counter()
            peak = peak_rss_mb(data, root / f"model{n}", env)
            print(f"{n + 5:>6} {'+5 clips':<8} {time.perf_counter() - start:>8.2f} {'':>11} "
                  f"{peak:>8.0f}", flush=True)  # fmt: skip
            shutil.rmtree(data)


def bench_studio(repeats: int = 5) -> None:
    """Start -> usable page, recording -> spectrogram, Train (3 x 5) on a warm server."""
    from playwright.sync_api import sync_playwright

    from tests.extension.webview import CHROMIUM, CHROMIUM_FLAGS

    print("pac studio (headless Chromium; medians of", repeats, "runs)")
    starts, pictures, trains = [], [], []
    with tempfile.TemporaryDirectory(prefix="pac-bench-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "PAC_CACHE_DIR": str(root / "cache")}
        mic = root / "mic.wav"
        make_clips(root / "mic", 3)
        mic.write_bytes(next((root / "mic").rglob("*.wav")).read_bytes())
        args = [
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic}",
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
            for run in range(repeats):
                project = root / f"P{run}"
                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    port = s.getsockname()[1]
                page = browser.new_page(bypass_csp=True)  # wait_for_function evaluates strings
                t0 = time.perf_counter()
                process = subprocess.Popen(
                    [sys.executable, "-m", "pac", "studio", str(project), "--port", str(port),
                     "--bridge-port", "0", "--no-browser"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                )  # fmt: skip
                try:
                    assert process.stdout is not None
                    url = re.search(r"http://\S+", process.stdout.readline())
                    assert url
                    page.goto(url.group(0))
                    page.wait_for_selector("#add-label-form button:not([disabled])")
                    starts.append(time.perf_counter() - t0)

                    make_clips(project / "clips", 15)  # 3 labels x 5 clips, as files
                    page.fill("#new-label-name", "extra")
                    page.click("#add-label-form button")
                    page.uncheck("#record-five")
                    page.select_option("#clip-seconds", "1")
                    page.click("button[aria-label='Record clips for extra']")
                    page.wait_for_function(
                        "document.querySelector('#countdown').textContent.startsWith('Recording')"
                    )
                    page.wait_for_function(
                        "document.querySelector('#countdown').textContent === 'Saved.'"
                    )
                    t1 = time.perf_counter()
                    page.wait_for_selector(
                        "section[aria-label='Label extra'] canvas.spectrogram[width='97']"
                    )
                    pictures.append(time.perf_counter() - t1)
                    shutil.rmtree(project / "clips" / "extra")
                    page.reload()
                    page.wait_for_selector("#add-label-form button:not([disabled])")
                    page.click("#tab-train")
                    # Warm: one training first, then the timed one.
                    for timed in (False, True):
                        page.evaluate("document.querySelector('#status').textContent = ''")
                        t2 = time.perf_counter()
                        page.click("#train-button")
                        page.wait_for_function(
                            "document.querySelector('#status').textContent.startsWith('Trained')",
                            timeout=120_000,
                        )
                        if timed:
                            trains.append(time.perf_counter() - t2)
                finally:
                    process.terminate()
                    process.wait(10)
                    page.close()
            browser.close()
    for name, values, target in (
        ("studio start -> page usable", starts, 3.0),
        ("end of recording -> spectrogram on screen", pictures, 0.3),
        ("Train -> trained model, 3 x 5 clips, warm", trains, 3.0),
    ):
        print(f"  {name:<44} median {statistics.median(values):6.3f} s  "
              f"max {max(values):6.3f} s  (target <= {target:g} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("train", "studio"))
    parser.add_argument("--sizes", default="15,90,810")
    args = parser.parse_args()
    if args.only in (None, "train"):
        bench_train([int(s) for s in args.sizes.split(",")])
    if args.only in (None, "studio"):
        bench_studio()
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
