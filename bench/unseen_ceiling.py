"""Where bench/unseen.py's misses come from: too few sources, or features that fall short.

    python bench/unseen_ceiling.py [--data bench/data/unseen] [--tasks numbers,words] [--seeds 0]
                                   [--without-ear]

bench/unseen.py trains each model on 5 clips per label from few sources (one
speech engine; one recording from each of 5 drum kits) and tests on others. When
it misses, either 5 clips do not show the model enough variety, or the
front-end's features do not separate the labels at all. This script tells the
two apart with leave-one-source-out: for each source of the test clips (a
speech engine's voice, a drum kit) it trains ``pac train``'s model on the
task's training clips plus the test clips of every other source (as WAV, with
their noise), and scores the held-out source's clips as WAV and as phone copies.

High figures say the features suffice and variety in the training clips is
what the 5-clip model lacks; figures near bench/unseen.py's say more clips of
the same kind will not help, the features are the limit. Every test clip is
held out once per seed. Needs bench/unseen.py's data (it builds what is
missing). Writes ``bench/results/unseen_ceiling.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import correct, load_split  # noqa: E402
from unseen import ensure_data, frontend_of, without_the_ear, write_report  # noqa: E402

from model_export import MODEL_SAMPLE_RATE_HZ  # noqa: E402
from model_export.audio.dataset import load_dataset, scan_dataset  # noqa: E402
from model_export.training.config import TrainConfig  # noqa: E402
from model_export.training.train import train_classifier  # noqa: E402

TASKS = ("numbers", "words", "sounds")
"""The tasks whose test clips come from several sources that are not the labels
(in ``voices`` each speaker is a label; ``same_sound`` and ``human_words`` have
one source per label)."""
VIEWS = {"test": ("test", "path"), "phone": ("test_phone", "phone_path")}
"""Scored views: the folder of each view's clips and the manifest field that names them."""


@dataclass(frozen=True)
class Sourced:
    """Clips with their labels and the source each came from."""

    clips: list[np.ndarray]
    labels: list[str]
    sources: list[str]

    def where(self, keep: Sequence[bool]) -> tuple[list[np.ndarray], list[str]]:
        chosen = [i for i, k in enumerate(keep) if k]
        return [self.clips[i] for i in chosen], [self.labels[i] for i in chosen]


def source_of(entry: dict[str, Any]) -> str:
    """Where a manifest's clip came from: a recording's folder (a drum kit) or an engine's voice."""
    if "source" in entry:
        return Path(entry["source"]).parent.name
    return f"{entry['kind']} {entry['voice']}"


def load_sourced(folder: Path, split: str, path_field: str) -> Sourced:
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = {e[path_field]: e for e in manifest["clips"] if path_field in e}
    found = scan_dataset(folder / split, min_labels=1)
    clips = load_dataset(found, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=lambda _: None)
    sources = [source_of(entries[c.path.relative_to(folder).as_posix()]) for c in found]
    return Sourced(clips, [c.label for c in found], sources)


def run_task(
    folder: Path, *, frontend: Any, config: TrainConfig, seeds: Sequence[int]
) -> dict[str, Any]:
    train_clips, train_labels = load_split(folder / "train")
    views = {v: load_sourced(folder, split, field) for v, (split, field) in VIEWS.items()}
    sources = sorted(set(views["test"].sources))
    per_seed: dict[str, list[float]] = {v: [] for v in VIEWS}
    chosen: dict[str, int] = {}
    for seed in seeds:
        hits = dict.fromkeys(VIEWS, 0)
        for held in sources:
            extra_clips, extra_labels = views["test"].where(
                [s != held for s in views["test"].sources]
            )
            result = train_classifier(
                [*train_clips, *extra_clips],
                [*train_labels, *extra_labels],
                frontend=frontend,
                config=replace(config, seed=seed),
            )
            chosen[result.feature_set.name] = chosen.get(result.feature_set.name, 0) + 1
            for v, view in views.items():
                clips, truth = view.where([s == held for s in view.sources])
                hits[v] += correct(
                    result.classifier, result.labels, clips, truth, config.window_samples
                )
        for v in VIEWS:
            per_seed[v].append(hits[v] / len(views[v].labels))
    return {
        "sources": sources,
        "clips": {v: len(views[v].labels) for v in VIEWS},
        "accuracy_per_seed": per_seed,
        "accuracy": {v: float(np.mean(a)) for v, a in per_seed.items()},
        "feature_sets": chosen,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "unseen")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--seeds", default="0")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "unseen_ceiling.json"
    )
    parser.add_argument("--without-ear", action="store_true", help="as bench/unseen.py's")
    args = parser.parse_args(argv)
    if args.without_ear:
        without_the_ear()
    tasks = [t for t in args.tasks.split(",") if t]
    for task in tasks:
        if task not in TASKS:
            parser.error(
                f"--tasks: {task!r} is not one of {', '.join(TASKS)} (the tasks whose test "
                "clips come from sources other than their labels)"
            )
    seeds = [int(s) for s in args.seeds.split(",")]
    ensure_data(args.data, tasks)
    config = TrainConfig()
    frontend = frontend_of(config)
    rows = {}
    for task in tasks:
        folder = args.data / task / task
        rows[task] = run_task(folder, frontend=frontend, config=config, seeds=seeds)
        print(task, json.dumps(rows[task]["accuracy"]), file=sys.stderr)
    print(f"\nleave one source out, seeds {seeds}: accuracy on the held-out sources' clips")
    print(f"{'task':<8} {'sources':>7} {'clips':>5}  {'test':>6}  {'phone':>6}  views chosen")
    for task, row in rows.items():
        views = ", ".join(f"{k} x{n}" for k, n in sorted(row["feature_sets"].items()))
        print(
            f"{task:<8} {len(row['sources']):>7} {row['clips']['test']:>5}  "
            f"{row['accuracy']['test']:6.1%}  {row['accuracy']['phone']:6.1%}  {views}"
        )
    write_report(args.out, config, seeds, rows, without_ear=args.without_ear)
    return 0


if __name__ == "__main__":
    sys.exit(main())
