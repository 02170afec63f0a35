"""Accuracy on audio from sources that training never used, as a student's app meets it.

    python bench/unseen.py [--data bench/data/unseen] [--tasks numbers,sounds] [--seeds 0,1,2]
                           [--without-ear]

Each task (bench/unseen_data.py, which this script runs when data is missing)
trains on 5 clips per label and is scored three ways on its test clips:

* ``test``: the clip as a WAV file (``pac classify``, ``ClassifySoundData``);
* ``phone``: the same clip as App Inventor's SoundRecorder stores it (3GP, AMR-NB);
* ``shifted``: the clip inside a longer stretch of its own background noise, in
  the window that continuous listening hands the model when the sound's
  centre is 0.25 s before or after the window's centre (two scores per clip).

Reported per task: accuracy, the mean over seeds, with a 95% Wilson interval
for the number of distinct test clips (seeds re-train the model; they do not
add clips), and each view's confusion counts over all seeds with each label's
recall (which labels are taken for which). ``human_words`` pools its groups,
each a model of its own.
Writes ``bench/results/unseen.json``. ``--without-ear`` trains as pac did before the ear
(docs/ear.md): its view is not offered and ``all`` leaves its numbers out; the other features
are the same numbers from the same front-end, so the two runs differ by the ear alone.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import load_split, predicted_labels  # noqa: E402
from unseen_data import TASKS  # noqa: E402

from model_export import MODEL_SAMPLE_RATE_HZ  # noqa: E402
from model_export.frontend.cache import frontend_for  # noqa: E402
from model_export.training.config import TrainConfig  # noqa: E402
from model_export.training.train import train_classifier  # noqa: E402

SHIFT_SECONDS = 0.25
VIEWS = ("test", "phone", "shifted")
TARGET = 0.95


@dataclass(frozen=True)
class Group:
    """One trained model's data: training clips and the test clips in each view."""

    train: tuple[list[np.ndarray], list[str]]
    views: dict[str, tuple[list[np.ndarray], list[str]]]


def wilson_interval(successes: float, n: int, *, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``successes / n``."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def listening_window(
    clip: np.ndarray, *, shift_samples: int, window_samples: int, seed: int
) -> np.ndarray:
    """The window continuous listening sees with the clip's centre ``shift_samples`` off centre.

    The clip sits in a stretch of white noise at the level of its own first
    50 ms (its recorded background), so the window never holds digital silence
    that the clip did not have.
    """
    rng = np.random.default_rng(seed)
    floor = float(np.sqrt(np.mean(clip[: MODEL_SAMPLE_RATE_HZ // 20].astype(np.float64) ** 2)))
    margin = window_samples + abs(shift_samples)
    stream = (rng.standard_normal(len(clip) + 2 * margin) * floor).astype(np.float32)
    stream[margin : margin + len(clip)] = clip
    start = margin + len(clip) // 2 - shift_samples - window_samples // 2
    return stream[start : start + window_samples]


def shifted_views(
    clips: Sequence[np.ndarray], truth: Sequence[str], *, window_samples: int
) -> tuple[list[np.ndarray], list[str]]:
    shift = round(SHIFT_SECONDS * MODEL_SAMPLE_RATE_HZ)
    windows, labels = [], []
    for i, (clip, label) in enumerate(zip(clips, truth, strict=True)):
        for sign in (-1, 1):
            windows.append(
                listening_window(
                    clip, shift_samples=sign * shift, window_samples=window_samples, seed=i
                )
            )
            labels.append(label)
    return windows, labels


def load_group(folder: Path, *, window_samples: int) -> Group:
    test = load_split(folder / "test")
    return Group(
        train=load_split(folder / "train"),
        views={
            "test": test,
            "phone": load_split(folder / "test_phone"),
            "shifted": shifted_views(*test, window_samples=window_samples),
        },
    )


Confusion = dict[str, dict[str, int]]
"""``confusion[truth][predicted]``: how many clips of ``truth`` were labelled ``predicted``."""


def tally(confusion: Confusion, truth: Sequence[str], predicted: Sequence[str]) -> int:
    """Add each (truth, predicted) pair to ``confusion``; return how many are right."""
    for t, p in zip(truth, predicted, strict=True):
        row = confusion.setdefault(t, {})
        row[p] = row.get(p, 0) + 1
    return sum(t == p for t, p in zip(truth, predicted, strict=True))


def recall(confusion: Confusion) -> dict[str, float]:
    """Each label's share of its clips labelled right, labels sorted."""
    return {t: row.get(t, 0) / sum(row.values()) for t, row in sorted(confusion.items())}


def run_task(
    groups: Sequence[Group], *, frontend: Any, config: TrainConfig, seeds: Sequence[int]
) -> dict[str, Any]:
    counts = {v: sum(len(g.views[v][1]) for g in groups) for v in VIEWS}
    per_seed: dict[str, list[float]] = {v: [] for v in VIEWS}
    confusion: dict[str, Confusion] = {v: {} for v in VIEWS}
    chosen: dict[str, int] = {}
    for seed in seeds:
        hits = dict.fromkeys(VIEWS, 0)
        for g in groups:
            result = train_classifier(
                *g.train, frontend=frontend, config=replace(config, seed=seed)
            )
            chosen[result.feature_set.name] = chosen.get(result.feature_set.name, 0) + 1
            for v in VIEWS:
                clips, truth = g.views[v]
                predicted = predicted_labels(
                    result.classifier, result.labels, clips, config.window_samples
                )
                hits[v] += tally(confusion[v], truth, predicted)
        for v in VIEWS:
            per_seed[v].append(hits[v] / counts[v])
    row: dict[str, Any] = {"clips": counts, "accuracy_per_seed": per_seed, "feature_sets": chosen}
    row["confusion"] = confusion
    row["recall"] = {v: recall(confusion[v]) for v in VIEWS}
    row["accuracy"] = {v: float(np.mean(a)) for v, a in per_seed.items()}
    # Shifted views are two per clip; the interval counts distinct clips.
    distinct = {v: counts[v] // (2 if v == "shifted" else 1) for v in VIEWS}
    row["wilson95"] = {
        v: wilson_interval(row["accuracy"][v] * distinct[v], distinct[v]) for v in VIEWS
    }
    return row


def without_the_ear() -> None:
    """Make training choose among the views pac had before the ear (see the docstring)."""
    from model_export.features.layout import EAR
    from model_export.training import feature_sets

    with_ear = feature_sets.feature_projection

    def projection(name: str, feature_dim: int) -> np.ndarray:
        matrix = with_ear(name, feature_dim)
        return matrix[:, : EAR.start] if name == "all" else matrix

    feature_sets.FEATURE_SETS = tuple(v for v in feature_sets.FEATURE_SETS if v != "ear")
    feature_sets.CANDIDATES = tuple(c for c in feature_sets.CANDIDATES if "ear" not in c)
    setattr(feature_sets, "feature_projection", projection)  # noqa: B010 (mypy: no assigning a def)


def ensure_data(data: Path, tasks: Sequence[str]) -> None:
    """Build the tasks' data that is missing or stale (unseen_data.py skips the rest)."""
    print(f"checking {', '.join(tasks)} in {data} ...", file=sys.stderr)
    script = ROOT / "bench" / "unseen_data.py"
    command = [sys.executable, str(script), "--out", str(data), "--tasks", ",".join(tasks)]
    subprocess.run(command, check=True)


def frontend_of(config: TrainConfig) -> Any:
    """The cached front-end for ``config``'s window (built once, with a message, when missing)."""
    return frontend_for(
        window_samples=config.window_samples,
        analysis_samples=config.analysis_samples,
        on_build=lambda message: print(message, file=sys.stderr),
    )


def write_report(
    out: Path,
    config: TrainConfig,
    seeds: Sequence[int],
    rows: dict[str, dict[str, Any]],
    *,
    without_ear: bool = False,
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "config": config.to_json(),
        "seeds": list(seeds),
        "without_ear": without_ear,
        "tasks": rows,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten {out}")


def print_table(rows: dict[str, dict[str, Any]], config: TrainConfig, seeds: Sequence[int]) -> None:
    print(
        f"\nwindow {config.window_seconds:g} s, seeds {list(seeds)}; accuracy (mean over seeds) "
        "and 95% Wilson interval"
    )
    width = max(len(t) for t in [*rows, "mean"])
    print(f"{'task':<{width}} {'clips':>5}  " + "  ".join(f"{v:<19}" for v in VIEWS))
    for task, row in rows.items():
        cells = []
        for v in VIEWS:
            lo, hi = row["wilson95"][v]
            cells.append(f"{row['accuracy'][v]:6.1%} [{lo:5.1%}-{hi:5.1%}]")
        print(f"{task:<{width}} {row['clips']['test']:>5}  " + "  ".join(cells))
    means = [np.mean([r["accuracy"][v] for r in rows.values()]) for v in VIEWS]
    print(f"{'mean':<{width}} {'':>5}  " + "  ".join(f"{m:6.1%}{'':<13}" for m in means))
    worst = min(min(r["accuracy"].values()) for r in rows.values())
    print(f"lowest cell {worst:.1%} (target {TARGET:.0%} on every cell)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "unseen")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--window-seconds", type=float, default=TrainConfig().window_seconds)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "unseen.json")
    parser.add_argument("--without-ear", action="store_true", help="the views before the ear")
    args = parser.parse_args(argv)
    if args.without_ear:
        without_the_ear()
    tasks = [t for t in args.tasks.split(",") if t]
    seeds = [int(s) for s in args.seeds.split(",")]
    ensure_data(args.data, tasks)
    config = TrainConfig(window_seconds=args.window_seconds)
    frontend = frontend_of(config)
    rows = {}
    for task in tasks:
        folders = sorted(p.parent for p in (args.data / task).glob("*/manifest.json"))
        groups = [load_group(f, window_samples=config.window_samples) for f in folders]
        rows[task] = run_task(groups, frontend=frontend, config=config, seeds=seeds)
        print(task, json.dumps(rows[task]["accuracy"]), file=sys.stderr)
        by_label = rows[task]["recall"]["test"]
        if len(by_label) <= 12:
            shares = ", ".join(f"{label} {share:.0%}" for label, share in by_label.items())
            print(f"  right per label (test): {shares}", file=sys.stderr)
    print_table(rows, config, seeds)
    write_report(args.out, config, seeds, rows, without_ear=args.without_ear)
    return 0


if __name__ == "__main__":
    sys.exit(main())
