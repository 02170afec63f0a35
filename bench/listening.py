"""Continuous listening on a slow phone: the delay from sound to GotClassification.

    python bench/listening.py [--seconds 20] [--rates 1,4,8] [--overlaps 0.5,0.9]

The extension's own WebView page (from a .aix built here) runs in headless
Chromium, with the CPU slowed by Chromium's DevTools ``Emulation.setCPUThrottlingRate``
(4x is about a mid-range phone, where a window takes about 100 ms; 8x a slow
one). The page is driven as the extension's Java drives it: a 0.1 s chunk of
microphone audio every 0.1 s of wall-clock time, gathered while the page is busy
and handed over once it is done (tests/extension/webview.py, ``JAVA_LISTENING``).

Prints, per CPU slowdown and OverlapFactor: the hop; the page's time per
window; the delay from the last sample of each classified window to its
GotClassification (median, 95th percentile, max) over the first and the last
third of the run (a backlog would make the last third worse); windows
classified and skipped; and messages after StopListening (must be 0).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import synthetic  # noqa: E402
from tests.extension.webview import chromium, listen_in_real_time, webview  # noqa: E402

PAC = [sys.executable, "-m", "pac"]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rates", default="1,4,8", help="CPU slowdowns")
    parser.add_argument("--overlaps", default="0.5,0.9")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pac-bench-listening-") as tmp:
        work = Path(tmp)
        data = synthetic.write_dataset(work / "data", per_label=5, seed=7)
        subprocess.run([*PAC, "train", str(data), "--out", str(work / "model")], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run([*PAC, "build-aix", str(work / "model"), "--out", str(work / "b.aix")],
                       check=True, capture_output=True)  # fmt: skip
        with zipfile.ZipFile(work / "b.aix") as aix:
            assets = {
                n.split("/assets/", 1)[1]: aix.read(n) for n in aix.namelist() if "/assets/" in n
            }
        clip = synthetic.clips(per_label=1, seed=3)[0][0]
        chunk = np.zeros(1_600, np.float32)
        chunk[: min(1_600, clip.size)] = clip[:1_600]
        pcm16 = np.clip(np.round(chunk * 32768), -32768, 32767).astype("<i2").tobytes()

        print(
            "slowdown  overlap  hop ms  window ms (median)  delay ms first third p50/p95/max  "
            "last third p50/p95/max  classified/due  after stop"
        )
        session = 0
        with chromium() as browser, webview(browser, assets) as view:
            view.wait_for(2)
            cdp = view.page.context.new_cdp_session(view.page)
            for rate in (float(r) for r in args.rates.split(",")):
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                for overlap in (float(o) for o in args.overlaps.split(",")):
                    session += 1
                    run = listen_in_real_time(
                        view, pcm16, overlap=overlap, seconds=args.seconds, session=session
                    )
                    delays = run["delays_ms"]
                    third = max(1, len(delays) // 3)
                    first, last = delays[:third], delays[-third:]
                    hop_ms = 1000 * (1 - overlap)
                    print(
                        f"{rate:>6g}x  {overlap:>7g}  {hop_ms:>6.0f}  "
                        f"{statistics.median(run['window_ms']):>18.0f}  "
                        f"{percentile(first, 50):>7.0f} / {percentile(first, 95):>5.0f} / "
                        f"{max(first):>5.0f}        "
                        f"{percentile(last, 50):>5.0f} / {percentile(last, 95):>5.0f} / "
                        f"{max(last):>5.0f}   {run['classified']:>5} / {run['due']:<5}  "
                        f"{len(run['after_stop'])}",
                        flush=True,
                    )
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
