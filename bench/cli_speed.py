"""Start-to-end wall time of the ``pac`` commands, as a user runs them.

    python bench/cli_speed.py [--runs 3]

Each figure is the median of ``--runs`` fresh processes (``.venv/bin/pac ...``),
timed from process start to exit, on the bundled sample clips: ``pac train``
on 3 labels x 5 clips, then ``pac classify`` of one clip, ``pac evaluate`` of
12 clips and ``pac export``. A bare ``python -c "import tensorflow"`` is timed
in the same run, for scale.

``pac train`` is timed twice: with the feature front-end already in the cache
(every run after the first for a window size), and cold, with an empty cache
(the first run after installing or upgrading pac), which builds it with
TensorFlow. The cache lives in a temporary folder; the user's is untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "pac" / "samples" / "numbers"
TARGETS_S = {"classify": 2.0, "train (cached front-end)": 8.0}
"""The issue's targets (issue 7): start-to-end seconds on a 2-core machine."""


def wall_seconds(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pac = str(Path(sys.executable).with_name("pac"))
    with tempfile.TemporaryDirectory(prefix="pac-cli-speed-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        for label_dir in sorted((SAMPLES / "train").iterdir()):
            (data / label_dir.name).mkdir(parents=True)
            for clip in sorted(label_dir.glob("*.wav"))[:5]:
                shutil.copy2(clip, data / label_dir.name / clip.name)
        model = tmp / "model"
        one_clip = str(sorted((SAMPLES / "test").glob("*/*.wav"))[0])
        env = {**os.environ, "PAC_CACHE_DIR": str(tmp / "cache")}

        def cold_train() -> list[str]:
            shutil.rmtree(tmp / "cache", ignore_errors=True)
            return [pac, "train", str(data), "--out", str(model)]

        commands: dict[str, list[str] | None] = {
            "import tensorflow (bare, for scale)": [sys.executable, "-c", "import tensorflow"],
            "train (empty cache: builds the front-end)": None,
            "train (cached front-end)": [pac, "train", str(data), "--out", str(model)],
            "classify": [pac, "classify", str(model), one_clip],
            "evaluate": [pac, "evaluate", str(model), str(SAMPLES / "test")],
            "export": [pac, "export", str(model), "--out", str(tmp / "tfjs")],
        }
        print(f"median of {args.runs} runs, {os.cpu_count()} CPUs, start-to-end wall time")
        for name, cmd in commands.items():
            times = [
                wall_seconds(cmd if cmd is not None else cold_train(), env)
                for _ in range(args.runs)
            ]
            target = TARGETS_S.get(name)
            verdict = "" if target is None else f"  (target <= {target:g} s)"
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(f"  {name:<44} {statistics.median(times):6.2f} s   [{runs}]{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
