"""Accuracy and speed benchmark on synthetic versions of the PAC paper's tasks.

    python bench/accuracy.py [--data bench/data] [--tasks numbers,words,...] [--seeds 0,1,2]

For each task: train on 5 clips per label (espeak-ng voices), then measure
accuracy on two held-out splits, each also as App Inventor's SoundRecorder
stores it (AMR-NB 3GP, ``*_phone/``):

* ``test/``: the issue's protocol. Unseen voices and noise; what defines a
  label (word, speaker, prosody style, sound parameters) within the training
  ranges.
* ``stress/``: the same, with those parameters outside the training ranges.

The mean is over the issue's tasks (``synth.TASKS``); the extra tasks
(``synth.EXTRA_TASKS``, emotions across speakers) are listed after it.

Prints a table and writes ``bench/results/accuracy.json``. Data comes from
``bench/synth.py``, which this script runs when a split is missing.

Reported per task: accuracy (mean over seeds), training seconds once the
backbone is loaded (median over seeds), Python inference ms per 1 s clip
(median), and TF.js in Node on the CPU ms per clip (median; pure-JS ``cpu``
backend and ``wasm`` backend).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model_export import MODEL_SAMPLE_RATE_HZ  # noqa: E402
from model_export.audio.dataset import load_dataset, scan_dataset  # noqa: E402
from model_export.audio.preprocess import centre_in_window  # noqa: E402
from model_export.frontend.cache import frontend_for  # noqa: E402
from model_export.jobs.train import train_model_dir  # noqa: E402
from model_export.model_folder.inference import LoadedModel  # noqa: E402
from model_export.training.config import TrainConfig  # noqa: E402
from model_export.training.train import Classifier, train_classifier  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from synth import ALL_TASKS, TASKS  # noqa: E402
from synth import EVAL_SPLITS as HELD_OUT  # noqa: E402

EVAL_SPLITS = tuple(f"{split}{kind}" for split in HELD_OUT for kind in ("", "_phone"))
"""test, test_phone, stress, stress_phone: the folders each task is scored on."""
NODE_PREDICT = ROOT / "extension" / "js" / "tools" / "predict.mjs"


def _quiet(_: str) -> None:
    pass


def load_split(folder: Path) -> tuple[list[np.ndarray], list[str]]:
    clips = scan_dataset(folder, min_labels=1)
    return load_dataset(clips, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=_quiet), [
        c.label for c in clips
    ]


def predicted_labels(
    model: Classifier, labels: tuple[str, ...], clips: Sequence[np.ndarray], window_samples: int
) -> list[str]:
    """The model's top label for each clip, through the exported graph's preprocessing."""
    windows = np.stack(
        [
            centre_in_window(c, window_samples=window_samples, sample_rate_hz=MODEL_SAMPLE_RATE_HZ)
            for c in clips
        ]
    )
    return [labels[i] for i in model.predict(windows).argmax(axis=1)]


def correct(
    model: Classifier,
    labels: tuple[str, ...],
    clips: Sequence[np.ndarray],
    truth: Sequence[str],
    window_samples: int,
) -> int:
    """How many clips the model labels right."""
    predicted = predicted_labels(model, labels, clips, window_samples)
    return sum(p == t for p, t in zip(predicted, truth, strict=True))


def accuracy(
    model: Classifier,
    labels: tuple[str, ...],
    clips: list[np.ndarray],
    truth: list[str],
    window_samples: int,
) -> float:
    return correct(model, labels, clips, truth, window_samples) / len(truth)


def node_timing(
    model_dir: Path, clips: list[np.ndarray], backend: str, repeat: int
) -> float | None:
    """Median ms per clip of the exported TF.js model in Node (tools/predict.mjs)."""
    if not (ROOT / "extension" / "js" / "node_modules").is_dir():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, clip in enumerate(clips):
            paths.append(str(Path(tmp) / f"{i}.f32"))
            np.asarray(clip, "<f4").tofile(paths[-1])
        command = ["node", str(NODE_PREDICT), str(model_dir), *paths]
        out = subprocess.run(
            [*command, "--backend", backend, "--repeat", str(repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
    return float(json.loads(out.stdout)["timing_ms"]["median_per_clip"])


def ensure_data(data: Path, tasks: list[str]) -> None:
    missing = [t for t in tasks if not all((data / t / s).is_dir() for s in EVAL_SPLITS)]
    if missing:
        print(f"synthesising {', '.join(missing)} into {data} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "synth.py"),
                "--out",
                str(data),
                "--tasks",
                ",".join(missing),
            ],
            check=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--tasks", default=",".join(ALL_TASKS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--analysis-seconds", type=float, default=TrainConfig().analysis_seconds)
    parser.add_argument("--window-seconds", type=float, default=1.0)
    parser.add_argument("--no-speed", action="store_true", help="skip the TF.js timings")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "accuracy.json")
    args = parser.parse_args()
    tasks = [t for t in args.tasks.split(",") if t]
    seeds = [int(s) for s in args.seeds.split(",")]
    ensure_data(args.data, tasks)
    base = TrainConfig(analysis_seconds=args.analysis_seconds, window_seconds=args.window_seconds)

    # The front-end is built once (TensorFlow) or read from the cache; training time is
    # measured after that, as ``pac train`` spends it once the cache has the front-end.
    frontend = frontend_for(
        window_samples=base.window_samples,
        analysis_samples=base.analysis_samples,
        on_build=lambda message: print(message, file=sys.stderr),
    )
    warm_clips, warm_labels = load_split(args.data / tasks[0] / "train")
    train_classifier(warm_clips, warm_labels, frontend=frontend, config=replace(base, epochs=1))

    rows: list[dict[str, Any]] = []
    for task in tasks:
        train_clips, train_labels = load_split(args.data / task / "train")
        tests = {split: load_split(args.data / task / split) for split in EVAL_SPLITS}
        row: dict[str, Any] = {
            "task": task,
            "has_target": task in TASKS,
            "labels": sorted(set(train_labels)),
            "train_clips_per_label": len(train_clips) // len(set(train_labels)),
            "test_clips": {k: len(v[0]) for k, v in tests.items()},
        }
        accs: dict[str, list[float]] = {k: [] for k in tests}
        train_s = []
        for seed in seeds:
            config = replace(base, seed=seed)
            t0 = time.perf_counter()
            result = train_classifier(train_clips, train_labels, frontend=frontend, config=config)
            train_s.append(time.perf_counter() - t0)
            for split, (clips, truth) in tests.items():
                accs[split].append(
                    accuracy(result.classifier, result.labels, clips, truth, config.window_samples)
                )
        row["accuracy"] = {k: float(np.mean(v)) for k, v in accs.items()}
        row["accuracy_per_seed"] = accs
        row["train_seconds_median"] = float(np.median(train_s))

        if not args.no_speed:
            with tempfile.TemporaryDirectory() as tmp:
                model_dir = Path(tmp) / "model"
                train_model_dir(
                    args.data / task / "train",
                    model_dir,
                    config=base,
                    tool_version="bench",
                    warn=_quiet,
                )
                loaded = LoadedModel(model_dir)
                clips = tests["test"][0][:10]
                times = []
                for _ in range(5):
                    for clip in clips:
                        t0 = time.perf_counter()
                        loaded.predict([clip])
                        times.append(1000.0 * (time.perf_counter() - t0))
                row["python_ms_per_clip"] = float(np.median(times))
                row["tfjs_cpu_ms_per_clip"] = node_timing(model_dir, clips[:3], "cpu", 2)
                row["tfjs_wasm_ms_per_clip"] = node_timing(model_dir, clips, "wasm", 5)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)

    print_table(rows, base, seeds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"config": base.to_json(), "seeds": seeds, "tasks": rows}, indent=2) + "\n"
    )
    print(f"\nwritten {args.out}")
    return 0


def print_table(rows: list[dict[str, Any]], config: TrainConfig, seeds: list[int]) -> None:
    print(
        f"\nwindow {config.window_seconds:g} s, analysis {config.analysis_seconds:g} s, "
        f"seeds {seeds}, {os.cpu_count()} CPUs"
    )
    width = max([len("mean")] + [len(r["task"]) for r in rows])
    heads = ("test", "phone", "stress", "phone")
    print(
        f"{'task':<{width}} " + " ".join(f"{h:>6}" for h in heads) + f" {'train s':>8} "
        f"{'py ms':>6} {'js cpu':>7} {'js wasm':>8}"
    )

    def fmt(v: float | None, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    def line(r: dict[str, Any]) -> str:
        return (
            f"{r['task']:<{width}} "
            + " ".join(f"{fmt(r['accuracy'].get(s), '.1%'):>6}" for s in EVAL_SPLITS)
            + f" {r['train_seconds_median']:>8.2f} {fmt(r.get('python_ms_per_clip'), '.1f'):>6} "
            f"{fmt(r.get('tfjs_cpu_ms_per_clip'), '.0f'):>7} "
            f"{fmt(r.get('tfjs_wasm_ms_per_clip'), '.1f'):>8}"
        )

    targeted = [r for r in rows if r["has_target"]]
    for r in targeted:
        print(line(r))
    if targeted:
        means = [np.mean([r["accuracy"][s] for r in targeted]) for s in EVAL_SPLITS]
        print(f"{'mean':<{width}} " + " ".join(f"{m:>6.1%}" for m in means))
    for r in rows:
        if not r["has_target"]:
            print(line(r) + "  (no target)")


if __name__ == "__main__":
    sys.exit(main())
