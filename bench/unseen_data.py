"""Datasets from sources that training never uses: other speech engines and real recordings.

Builds ``<out>/<task>/<group>/{train,test,test_phone}/<label>/*`` with
bench/synth.py's renderer and manifests. Every task trains on 5 clips per
label and tests on clips from a source the training split never uses:

* ``numbers``, ``words``: train on espeak-ng (the regression tasks' training
  clips); test on 5 Flite voices and 3 Festival voices (8 voices, 2 takes each),
  with white or pink noise at 10-25 dB SNR.
* ``voices``: two male speakers, Flite's ``rms`` and ``awb``; train on 5 short
  phrases, test on 12 other words and phrases.
* ``human_words``: 8 groups of 3 words. Train on espeak-ng; test on one
  speaker's real recording of each word (KTuberling's English sound theme).
* ``sounds``: real drum and percussion recordings (Debian hydrogen-drumkits):
  kick, snare, hi-hat, cymbal and tom. The 5 training recordings of a label
  come from 5 different kits; the test recordings from the other kits.
* ``same_sound``: one kit (BJA_Pacific), four drums recorded 8 times each:
  5 takes to train, the other 3 to test, like a student's clap against a knock.

Test clips get noise (10-25 dB SNR) and come as App Inventor SoundRecorder
copies (3GP, AMR-NB) in ``test_phone/``. The shifted-window scores are made
at evaluation time (bench/unseen.py).

Debian packages: flite, festival, festvox-kallpc16k, festvox-kdlpc16k,
festvox-us-slt-hts, hydrogen-drumkits, ktuberling-data (``./dev bench``
installs them).

    python bench/unseen_data.py --out bench/data/unseen [--tasks numbers,sounds]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import synth
from synth import Clip, Plan

TASKS = ("numbers", "words", "voices", "human_words", "sounds", "same_sound")
DRUMKITS = Path("/usr/share/hydrogen/data/drumkits")
KTUBERLING_EN = Path("/usr/share/ktuberling/sounds/en")
TEST_ENGINE_VOICES = (
    ("flite", "kal16"),
    ("flite", "kal"),
    ("flite", "slt"),
    ("flite", "rms"),
    ("flite", "awb"),
    ("festival", "kal_diphone"),
    ("festival", "ked_diphone"),
    ("festival", "cmu_us_slt_arctic_hts"),
)
TAKES_PER_VOICE = 2
VOICE_SPEAKERS = {"alex": "rms", "sam": "awb"}
VOICE_TRAIN_TEXTS = ("hello", "good night", "yes please", "how are you", "see you later")
VOICE_TEST_TEXTS = (
    "good morning",
    "thank you",
    "yes",
    "no",
    "one",
    "seven",
    "open",
    "close",
    "alarm",
    "hello there",
    "see you",
    "okay",
)
HUMAN_WORD_GROUPS = (
    ("eye", "nose", "mouth"),
    ("hat", "shoe", "coat"),
    ("ball", "flower", "umbrella"),
    ("ear", "hair", "tie"),
    ("moon_rocket", "moon_star", "moon_planet"),
    ("pizzeria_tomato", "pizzeria_cheese", "pizzeria_onion"),
    ("tv_car", "tv_train", "tv_bicycle"),
    ("egypt_camel", "egypt_pyramid", "egypt_donkey"),
)
DRUM_CATEGORIES = {
    "kick": r"(^|[^a-z])(bd|kick|bassdrum)",
    "snare": r"(^|[^a-z])(sn|sd|snare|jsnare|rsnare)(?!.*(rim|off|stick))",
    "hihat": r"(^|[^a-z])(hh|hihat|hat|chh|ohh)(?!.*(foot|pedal|pd))",
    "cymbal": r"(crash|ride|china|splash|^cc_|^rc_|^rd)(?!.*bell)",
    "tom": r"(^|[^a-z])(tm|tm2|tom|tomhigh|tommid|tomlow|floortom|ft|t1|t2)([^a-z]|$)",
}
DRUM_EXTENSIONS = (".wav", ".flac", ".aiff")
MAX_DRUM_TEST_PER_KIT = 3
MAX_RECORDING_S = 1.6
SAME_SOUND_KIT = "BJA_Pacific"
SAME_SOUND_DRUMS = {"kick": "BD", "snare": "SN", "hihat": "HH", "tom": "TM"}
SAME_SOUND_TRAIN_TAKES = (1, 2, 4, 6, 8)
SAME_SOUND_TEST_TAKES = (3, 5, 7)


def _engine_source(
    engine: str, voice: str, text: str, rng: random.Random, *, stretch: tuple[float, float]
) -> dict[str, Any]:
    return {
        "kind": engine,
        "voice": voice,
        "text": text,
        "duration_stretch": round(rng.uniform(*stretch), 2),
        "gain_db": round(rng.uniform(-6.0, 0.0), 1),
    }


def plan_engines(task: str, *, seed: int) -> Plan:
    """numbers / words: the regression task's espeak training clips; other engines to test."""
    base = synth.plan_task(task, seed=seed)
    rng = random.Random(f"{seed}:unseen:{task}")
    clips = [c for c in base.clips if c.split == "train"]
    for label in base.labels:
        i = 0
        for engine, voice in TEST_ENGINE_VOICES:
            for _ in range(TAKES_PER_VOICE):
                text = rng.choice([label, f"{label}.", f"{label}!"])
                src = _engine_source(engine, voice, text, rng, stretch=(0.85, 1.25))
                clips.append(synth._held_out("test", label, i, src, rng))
                i += 1
    return Plan(
        task,
        base.labels,
        clips,
        {
            "train": "espeak-ng, the regression task's training clips",
            "test": f"{TAKES_PER_VOICE} takes by each of {len(TEST_ENGINE_VOICES)} voices of "
            "other engines: " + ", ".join(f"{e} {v}" for e, v in TEST_ENGINE_VOICES) + "; "
            "duration stretch 0.85-1.25, '.', '!' or none, white/pink noise at 10-25 dB SNR",
        },
    )


def plan_voices(*, seed: int) -> Plan:
    rng = random.Random(f"{seed}:unseen:voices")
    labels = tuple(VOICE_SPEAKERS)
    clips = []
    for label, voice in VOICE_SPEAKERS.items():
        for i, text in enumerate(VOICE_TRAIN_TEXTS):
            src = _engine_source("flite", voice, text, rng, stretch=(0.9, 1.1))
            clips.append(Clip("train", label, f"{label}_{i:02d}", src))
        for i, text in enumerate(VOICE_TEST_TEXTS):
            src = _engine_source("flite", voice, text, rng, stretch=(0.8, 1.25))
            clips.append(synth._held_out("test", label, i, src, rng))
    return Plan(
        "voices",
        labels,
        clips,
        {
            "speakers": {k: f"flite {v}" for k, v in VOICE_SPEAKERS.items()},
            "train": f"{list(VOICE_TRAIN_TEXTS)}, duration stretch 0.9-1.1, clean",
            "test": f"other words and phrases {list(VOICE_TEST_TEXTS)}, duration stretch "
            "0.8-1.25, white/pink noise at 10-25 dB SNR",
        },
    )


def plan_human_words(group: Sequence[str], *, seed: int) -> Plan:
    """Three words: espeak-ng to train, one person's recording of each to test."""
    rng = random.Random(f"{seed}:unseen:human:{'-'.join(group)}")
    labels = tuple(name.split("_")[-1] for name in group)
    clips = synth.espeak_train_clips(labels, rng)
    for label, name in zip(labels, group, strict=True):
        src = _recording(KTUBERLING_EN / f"{name}.ogg", rng)
        clips.append(synth._held_out("test", label, 0, src, rng))
    return Plan(
        "-".join(labels),
        labels,
        clips,
        {
            "train": "espeak-ng, 5 clips per word (the regression tasks' voices and ranges)",
            "test": f"a person's recording of each word ({KTUBERLING_EN}, Debian "
            "ktuberling-data), white/pink noise at 10-25 dB SNR",
        },
    )


def _recording(path: Path, rng: random.Random) -> dict[str, Any]:
    return {
        "kind": "recording",
        "source": str(path),  # not "path": the manifest's "path" is the clip written
        "max_s": MAX_RECORDING_S,
        "peak_dbfs": round(rng.uniform(-12.0, -1.0), 1),
    }


def drum_recordings(root: Path = DRUMKITS) -> dict[str, dict[str, list[Path]]]:
    """``{category: {kit: [files]}}`` for the DRUM_CATEGORIES, by file name."""
    found: dict[str, dict[str, list[Path]]] = {c: {} for c in DRUM_CATEGORIES}
    for kit in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(kit.iterdir()):
            if path.suffix.lower() not in DRUM_EXTENSIONS:
                continue
            name = path.stem.lower()
            matches = [c for c, rx in DRUM_CATEGORIES.items() if re.search(rx, name)]
            if len(matches) == 1:
                found[matches[0]].setdefault(kit.name, []).append(path)
    return found


def plan_sounds(*, seed: int) -> Plan:
    """Drum categories: 5 training recordings from 5 kits, test recordings from the others."""
    rng = random.Random(f"{seed}:unseen:sounds")
    found = drum_recordings()
    labels = tuple(DRUM_CATEGORIES)
    clips: list[Clip] = []
    protocol: dict[str, Any] = {}
    for label in labels:
        kits = sorted(found[label])
        if len(kits) < synth.N_TRAIN + 2:
            raise SystemExit(f"{DRUMKITS}: only {len(kits)} kits have a {label}; need 7")
        rng.shuffle(kits)
        train_kits, test_kits = kits[: synth.N_TRAIN], kits[synth.N_TRAIN :]
        for i, kit in enumerate(train_kits):
            path = rng.choice(found[label][kit])
            clips.append(Clip("train", label, f"{label}_{i:02d}", _recording(path, rng)))
        i = 0
        for kit in test_kits:
            files = found[label][kit]
            for path in rng.sample(files, min(MAX_DRUM_TEST_PER_KIT, len(files))):
                clips.append(synth._held_out("test", label, i, _recording(path, rng), rng))
                i += 1
        protocol[label] = {"train_kits": train_kits, "test_kits": test_kits}
    return Plan(
        "sounds",
        labels,
        clips,
        {
            "source": f"{DRUMKITS} (Debian hydrogen-drumkits)",
            "kits": protocol,
            "train": "one recording from each of 5 kits, clean, peak -12..-1 dBFS",
            "test": f"up to {MAX_DRUM_TEST_PER_KIT} recordings from each other kit, "
            "white/pink noise at 10-25 dB SNR",
        },
    )


def plan_same_sound(*, seed: int) -> Plan:
    rng = random.Random(f"{seed}:unseen:same_sound")
    labels = tuple(SAME_SOUND_DRUMS)
    clips: list[Clip] = []
    for label, prefix in SAME_SOUND_DRUMS.items():
        for split, takes in (("train", SAME_SOUND_TRAIN_TAKES), ("test", SAME_SOUND_TEST_TAKES)):
            for i, take in enumerate(takes):
                src = _recording(DRUMKITS / SAME_SOUND_KIT / f"{prefix}_{take:02d}.aiff", rng)
                if split == "train":
                    clips.append(Clip("train", label, f"{label}_{i:02d}", src))
                else:
                    clips.append(synth._held_out("test", label, i, src, rng))
    return Plan(
        "same_sound",
        labels,
        clips,
        {
            "source": f"{DRUMKITS / SAME_SOUND_KIT} (Debian hydrogen-drumkits)",
            "drums": SAME_SOUND_DRUMS,
            "train": f"takes {list(SAME_SOUND_TRAIN_TAKES)} of each drum, clean",
            "test": f"takes {list(SAME_SOUND_TEST_TAKES)}, white/pink noise at 10-25 dB SNR",
        },
    )


def plans_for(task: str, *, seed: int) -> list[Plan]:
    """One plan per group of the task (one group but for human_words)."""
    if task in ("numbers", "words"):
        return [plan_engines(task, seed=seed)]
    if task == "voices":
        return [plan_voices(seed=seed)]
    if task == "human_words":
        return [plan_human_words(g, seed=seed) for g in HUMAN_WORD_GROUPS]
    if task == "sounds":
        return [plan_sounds(seed=seed)]
    if task == "same_sound":
        return [plan_same_sound(seed=seed)]
    raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")


def build(out: Path, tasks: Sequence[str], *, jobs: int, seed: int) -> list[Path]:
    """Render every group of ``tasks`` under ``out/<task>/<group>``; returns the folders."""
    plans, dests = [], []
    for task in tasks:
        for plan in plans_for(task, seed=seed):
            plans.append(replace(plan, name=f"{task}/{plan.name}"))
            dests.append(out / task / plan.name)
    for d in dests:
        d.parent.mkdir(parents=True, exist_ok=True)
    return synth.build_plans(plans, dests, jobs=jobs, seed=seed)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=Path("bench/data/unseen"))
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    args = ap.parse_args(argv)
    tasks = [t for t in args.tasks.split(",") if t]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        ap.error(f"unknown task(s) {unknown}; choose from {', '.join(TASKS)}")
    missing = [p for p in (DRUMKITS, KTUBERLING_EN) if not p.is_dir()]
    if missing:
        raise SystemExit(f"missing {', '.join(map(str, missing))}: ./dev bench installs them")
    build(args.out, tasks, jobs=args.jobs, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
