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
* ``effects``: everyday sound effects from the sounds of Debian games (see
  EFFECT_SOURCES): footsteps, door, explosion, splash and crowd. A label's 5
  training recordings come from the fewest packages that hold 5 of them
  (training_packages); its test recordings from its other packages, at most
  3 from each, so that no package is on both sides. The packages are
  downloaded (``apt-get download``, not installed) and unpacked into
  ``bench/data/debs/``; GCompris's sounds are read from its Qt resource
  bundles (read_rcc). Recordings are cut to 3 s.

Test clips get noise (10-25 dB SNR) and come as App Inventor SoundRecorder
copies (3GP, AMR-NB) in ``test_phone/``. The shifted-window scores are made
at evaluation time (bench/unseen.py).

Debian packages: flite, festival, festvox-kallpc16k, festvox-kdlpc16k,
festvox-us-slt-hts, hydrogen-drumkits, ktuberling-data (``./dev bench``
installs them); for ``effects``, which downloads them itself (about 300 MB):
abe-data, amphetamine-data, btanks-data, bzflag-data, caveexpress-data,
cavepacker-data, chromium-bsu-data, enigma-data, freeciv-data,
frozen-bubble-data, gcompris-qt-data, heroes-sound-effects, kolf,
lincity-ng-data, minetest-data, mirrormagic-data, pingus-data,
plee-the-bear-data, seahorse-adventures, tuxfootball, tuxtype-data.

    python bench/unseen_data.py --out bench/data/unseen [--tasks numbers,sounds]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import synth
from synth import Clip, Plan

TASKS = ("numbers", "words", "voices", "human_words", "sounds", "same_sound", "effects")
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


# ------------------------------------------------------------------ effects


def _takes(pattern: str, counts: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """``pattern`` (with ``{name}`` and ``{i}``) for takes 1..n of each ``(name, n)``."""
    return tuple(pattern.format(name=name, i=i) for name, n in counts for i in range(1, n + 1))


EFFECT_DEBS = Path(__file__).resolve().parent / "data" / "debs"
"""Where the effects task's packages are downloaded and unpacked, one folder each."""
EFFECT_MAX_S = 3.0
MAX_EFFECT_TEST_PER_PACKAGE = 3
MIN_EFFECT_PACKAGES = 3
MIN_EFFECT_TEST = 5
DEB_VERSION_FILE = ".deb-version"
RCC_MEMBER = ".rcc:"
"""``<bundle>.rcc:<resource>``: a file inside a Qt resource bundle of the package."""
MINETEST = "usr/share/games/minetest/games/minetest_game/mods"
GCOMPRIS = "usr/share/gcompris-qt/rcc"
GCOMPRIS_MEMORY = f"{GCOMPRIS}/memory-sound.rcc:/gcompris/src/activities/memory-sound/resource"
EFFECT_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "footsteps": {
        "minetest-data": _takes(
            f"{MINETEST}/default/sounds/default_{{name}}_footstep.{{i}}.ogg",
            [
                ("dirt", 2),
                ("grass", 3),
                ("gravel", 4),
                ("hard", 3),
                ("ice", 3),
                ("metal", 3),
                ("sand", 3),
                ("snow", 5),
                ("wood", 2),
            ],
        ),
        "amphetamine-data": ("usr/share/games/amphetamine/sounds/step.wav",),
        "btanks-data": ("usr/share/games/btanks/data/sounds/man-steps.ogg",),
        "cavepacker-data": ("usr/share/games/cavepacker/sounds/step.ogg",),
        "freeciv-data": ("usr/share/games/freeciv/stdsounds/foot3.ogg",),
        "gcompris-qt-data": (
            f"{GCOMPRIS}/reversecount.rcc:/gcompris/src/activities/reversecount/resource/"
            "icy_walk.wav",
        ),
    },
    "door": {
        "minetest-data": (
            *(
                f"{MINETEST}/doors/sounds/doors_{door}_{action}.ogg"
                for door in ("door", "fencegate", "glass_door", "steel_door")
                for action in ("open", "close")
            ),
            f"{MINETEST}/xpanes/sounds/xpanes_steel_bar_door_open.ogg",
            f"{MINETEST}/xpanes/sounds/xpanes_steel_bar_door_close.ogg",
        ),
        "abe-data": ("usr/share/games/abe/sounds/door.wav",),
        "gcompris-qt-data": (f"{GCOMPRIS_MEMORY}/LRDoor_Open_2_LA.ogg",),
        "mirrormagic-data": (
            "usr/share/games/mirrormagic/sounds/snd_classic/door.wav",
            "usr/share/games/mirrormagic/sounds/snd_classic/gate.wav",
        ),
        "seahorse-adventures": ("usr/share/games/seahorse-adventures/data/sfx/door.wav",),
    },
    "explosion": {
        "btanks-data": tuple(
            f"usr/share/games/btanks/data/sounds/{name}.ogg"
            for name in ("explosion", "dirt-bullet-explosion", "vehicle-explosion2")
        ),
        "bzflag-data": ("usr/share/games/bzflag/explosion.wav", "usr/share/games/bzflag/boom.wav"),
        "chromium-bsu-data": tuple(
            f"usr/share/games/chromium-bsu/wav/{name}.wav"
            for name in ("exploBig", "exploStd", "boom")
        ),
        "enigma-data": tuple(
            f"usr/share/games/enigma/soundsets/enigma/explosion{i}.wav" for i in range(3)
        ),
        "freeciv-data": (
            "usr/share/games/freeciv/stdsounds/LrgExpl.ogg",
            "usr/share/games/freeciv/stdsounds/SmlExpl.ogg",
        ),
        "heroes-sound-effects": ("usr/share/games/heroes/sfx/explo01.wav",),
        "minetest-data": (f"{MINETEST}/tnt/sounds/tnt_explode.ogg",),
        "tuxtype-data": ("usr/share/tuxtype/sounds/explosion.wav",),
    },
    "splash": {
        "caveexpress-data": ("usr/share/games/caveexpress/sounds/water-impact.ogg",),
        "enigma-data": ("usr/share/games/enigma/soundsets/enigma/dropinwater.wav",),
        "freeciv-data": (
            "usr/share/games/freeciv/stdsounds/Splash.ogg",
            "usr/share/games/freeciv/stdsounds/inh2o.ogg",
        ),
        "kolf": ("usr/share/kolf/sounds/puddle.wav",),
        # wading: steps that splash (2-2.5 s), the only minetest sounds of water
        "minetest-data": _takes(
            f"{MINETEST}/default/sounds/default_{{name}}_footstep.{{i}}.ogg", [("water", 3)]
        ),
        "pingus-data": ("usr/share/games/pingus/data/sounds/splash.wav",),
        "plee-the-bear-data": ("usr/share/games/plee-the-bear/sound/splash.ogg",),
    },
    "crowd": {
        "frozen-bubble-data": ("usr/share/games/frozen-bubble/snd/applause.ogg",),
        "gcompris-qt-data": (f"{GCOMPRIS_MEMORY}/LRApplauses_1_LA_cut.ogg",),
        "heroes-sound-effects": (
            "usr/share/games/heroes/sfx/foule1.wav",
            "usr/share/games/heroes/sfx/foule2.wav",
        ),
        "lincity-ng-data": tuple(
            f"usr/share/games/lincity-ng/sounds/SportsCroud{i}.wav" for i in (1, 2, 3)
        ),
        "tuxfootball": tuple(
            f"usr/share/games/tuxfootball/sound/crowd{name}.wav" for name in ("ooh", "cheer", "boo")
        ),
        "tuxtype-data": ("usr/share/tuxtype/sounds/cheer.wav",),
    },
}
"""Each label's recordings: Debian package -> files in it (bookworm's paths).

Picked by their names, with their durations and levels checked; GCompris's
canal-lock gates are left out (machinery more than doors).
"""
RCC_COMPRESSED, RCC_DIRECTORY, RCC_ZSTD = 0x1, 0x2, 0x4


def effect_packages() -> list[str]:
    return sorted({p for by_package in EFFECT_SOURCES.values() for p in by_package})


def effect_path(root: Path, package: str, member: str) -> Path:
    """Where ``member`` of ``package`` is once unpacked under ``root``.

    A resource of a Qt bundle (``<bundle>.rcc:<resource>``) is the copy that
    fetch_effects takes out of the bundle, under ``<bundle>.rcc.d/``.
    """
    bundle, sep, resource = member.partition(RCC_MEMBER)
    if sep:
        return root / package / f"{bundle}.rcc.d" / resource.lstrip("/")
    return root / package / member


def effect_recordings(
    root: Path = EFFECT_DEBS, sources: dict[str, dict[str, tuple[str, ...]]] = EFFECT_SOURCES
) -> dict[str, dict[str, list[str]]]:
    """``{label: {package: [member]}}``: the ``sources`` that are unpacked under ``root``."""
    found: dict[str, dict[str, list[str]]] = {}
    for label, by_package in sources.items():
        found[label] = {}
        for package, members in by_package.items():
            there = [m for m in members if effect_path(root, package, m).is_file()]
            if there:
                found[label][package] = there
    return found


def training_packages(counts: dict[str, int], n: int = synth.N_TRAIN) -> tuple[str, ...]:
    """The packages that give a label its ``n`` training recordings (``counts``: per package).

    The fewest packages that hold ``n`` recordings between them; of those, the
    ones holding the fewest (so that the most are left to test), then the first
    by name. Every other package is the label's test source.
    """
    names = sorted(counts)
    for k in range(1, len(names) + 1):
        enough = [c for c in itertools.combinations(names, k) if sum(counts[p] for p in c) >= n]
        if enough:
            return min(enough, key=lambda c: (sum(counts[p] for p in c), c))
    raise ValueError(f"only {sum(counts.values())} recordings; {n} are needed to train")


def _effect(root: Path, package: str, member: str, rng: random.Random) -> dict[str, Any]:
    src = _recording(effect_path(root, package, member), rng)
    return {**src, "max_s": EFFECT_MAX_S, "package": package, "file": member}


def plan_effects(*, seed: int, root: Path = EFFECT_DEBS) -> Plan:
    """Sound effects: 5 training recordings per label from some packages, tests from the others."""
    rng = random.Random(f"{seed}:unseen:effects")
    found = effect_recordings(root)
    labels = tuple(EFFECT_SOURCES)
    clips: list[Clip] = []
    split: dict[str, Any] = {}
    for label in labels:
        files = found[label]
        if len(files) < MIN_EFFECT_PACKAGES:
            raise SystemExit(
                f"{root}: {label} recordings in {len(files)} packages ({', '.join(files)}), "
                f"need {MIN_EFFECT_PACKAGES}: python bench/unseen_data.py --tasks effects "
                "downloads them"
            )
        train = training_packages({p: len(f) for p, f in files.items()})
        shuffled = {p: rng.sample(files[p], len(files[p])) for p in train}
        rounds = max(len(f) for f in shuffled.values())
        picks = [(p, shuffled[p][k]) for k in range(rounds) for p in train if k < len(shuffled[p])]
        for i, (package, member) in enumerate(picks[: synth.N_TRAIN]):
            src = _effect(root, package, member, rng)
            clips.append(Clip("train", label, f"{label}_{i:02d}", src))
        test: dict[str, int] = {}
        for package in sorted(set(files) - set(train)):
            members = files[package]
            for member in rng.sample(members, min(MAX_EFFECT_TEST_PER_PACKAGE, len(members))):
                src = _effect(root, package, member, rng)
                clips.append(synth._held_out("test", label, sum(test.values()), src, rng))
                test[package] = test.get(package, 0) + 1
        if sum(test.values()) < MIN_EFFECT_TEST:
            raise SystemExit(
                f"{root}: {label} has {sum(test.values())} test recordings from packages "
                f"other than {', '.join(train)}; need {MIN_EFFECT_TEST}"
            )
        used = dict.fromkeys(train, 0)
        for package, _ in picks[: synth.N_TRAIN]:
            used[package] += 1
        split[label] = {"train": used, "test": test}
    versions = {}
    for package in sorted({p for s in split.values() for side in s.values() for p in side}):
        version_file = root / package / DEB_VERSION_FILE
        versions[package] = version_file.read_text().strip() if version_file.is_file() else None
    return Plan(
        "effects",
        labels,
        clips,
        {
            "source": f"sounds of Debian packages (apt-get download), unpacked in {root}; "
            "each clip's 'package' and 'file' name it",
            "packages": versions,
            "recordings_per_package": split,
            "train": f"{synth.N_TRAIN} recordings per label from the fewest packages that hold "
            f"{synth.N_TRAIN}, clean, cut to {EFFECT_MAX_S:g} s, peak -12..-1 dBFS",
            "test": f"up to {MAX_EFFECT_TEST_PER_PACKAGE} recordings from each other package, "
            f"cut to {EFFECT_MAX_S:g} s, white/pink noise at 10-25 dB SNR",
        },
    )


def read_rcc(blob: bytes, path: str) -> bytes:
    """The file ``path`` (``/folder/name``) of a Qt resource bundle (``.rcc``, format 1-3).

    The format (Qt's rcc): ``qres``, then four big-endian u32: the version and
    the offsets of the tree, the data and the names. A tree node is 14 bytes
    (22 from version 2, which appends a modification time): its name's offset
    (u32) and flags (u16), then for a folder the number of its children and the
    index of the first (u32 each), for a file a country and a language (u16
    each) and its data's offset (u32). The root is node 0. A name is its length
    in UTF-16 units (u16), a hash (u32) and its UTF-16BE text. A file's data is
    its size (u32) and its bytes; compressed ones are zlib behind a u32 length.
    """
    if blob[:4] != b"qres":
        raise ValueError("not a Qt resource bundle")
    version, tree, data, names = struct.unpack_from(">4I", blob, 4)
    node_size = 22 if version >= 2 else 14

    def node(index: int) -> tuple[int, int]:
        name_offset, flags = struct.unpack_from(">IH", blob, tree + index * node_size)
        return name_offset, flags

    def name(offset: int) -> str:
        (length,) = struct.unpack_from(">H", blob, names + offset)
        start = names + offset + 6
        return blob[start : start + 2 * length].decode("utf-16-be")

    index = 0
    for part in (p for p in path.split("/") if p):
        if not node(index)[1] & RCC_DIRECTORY:
            raise KeyError(path)
        count, first = struct.unpack_from(">II", blob, tree + index * node_size + 6)
        children = [c for c in range(first, first + count) if name(node(c)[0]) == part]
        if not children:
            raise KeyError(path)
        index = children[0]
    flags = node(index)[1]
    if flags & RCC_DIRECTORY:
        raise KeyError(f"{path} is a folder")
    (offset,) = struct.unpack_from(">I", blob, tree + index * node_size + 10)
    (size,) = struct.unpack_from(">I", blob, data + offset)
    payload = blob[data + offset + 4 : data + offset + 4 + size]
    if flags & RCC_ZSTD:
        raise ValueError(f"{path}: zstd-compressed, which this reader does not read")
    return zlib.decompress(payload[4:]) if flags & RCC_COMPRESSED else payload


def _tool(cmd: Sequence[str]) -> str:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _unpack(root: Path, package: str) -> None:
    """``dpkg-deb -x`` the downloaded .deb into ``root/package`` (whole or not at all)."""
    debs = sorted(root.glob(f"{package}_*.deb"), key=lambda p: p.stat().st_mtime)
    if not debs:
        raise SystemExit(f"apt-get download left no {package}_*.deb in {root}")
    tmp = root / f".tmp-{package}-{os.getpid()}"
    _tool(["dpkg-deb", "-x", str(debs[-1]), str(tmp)])
    version = _tool(["dpkg-deb", "--field", str(debs[-1]), "Version"]).strip()
    (tmp / DEB_VERSION_FILE).write_text(version + "\n")
    tmp.rename(root / package)
    for deb in debs:
        deb.unlink()


def _take_out_resources(root: Path) -> None:
    """Copy the Qt-bundle members of EFFECT_SOURCES out of their unpacked bundles."""
    for by_package in EFFECT_SOURCES.values():
        for package, members in by_package.items():
            for member in members:
                bundle, sep, resource = member.partition(RCC_MEMBER)
                out = effect_path(root, package, member)
                rcc = root / package / f"{bundle}.rcc"
                if not sep or out.is_file() or not rcc.is_file():
                    continue
                try:
                    data = read_rcc(rcc.read_bytes(), resource)
                except KeyError:
                    print(f"[effects] {rcc} has no {resource}", file=sys.stderr)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                part = out.with_name(out.name + ".part")
                part.write_bytes(data)
                part.rename(out)


def fetch_effects(root: Path = EFFECT_DEBS) -> None:
    """Download and unpack the packages of EFFECT_SOURCES that ``root`` lacks.

    ``apt-get download`` needs no root; unpacked packages stay in
    ``root/<package>/`` (the .debs are deleted) and are not fetched again.
    Then the resources of Qt bundles are taken out of them (effect_path).
    """
    for stale in root.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed run
    missing = [p for p in effect_packages() if not (root / p).is_dir()]
    if missing:
        tools = [t for t in ("apt-get", "dpkg-deb") if shutil.which(t) is None]
        if tools:
            raise SystemExit(f"effects: {' and '.join(tools)} (Debian) needed to get {missing}")
        root.mkdir(parents=True, exist_ok=True)
        print(f"[effects] apt-get download into {root}: {' '.join(missing)}", file=sys.stderr)
        got = subprocess.run(
            ["apt-get", "download", *missing], cwd=root, stdout=sys.stderr, check=False
        )
        if got.returncode != 0:
            raise SystemExit("apt-get download failed (as root, apt-get update may help)")
        for package in missing:
            _unpack(root, package)
    _take_out_resources(root)


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
    if task == "effects":
        return [plan_effects(seed=seed)]
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
    needed = {"human_words": KTUBERLING_EN, "sounds": DRUMKITS, "same_sound": DRUMKITS}
    missing = sorted({str(needed[t]) for t in tasks if t in needed and not needed[t].is_dir()})
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: ./dev bench installs them")
    if "effects" in tasks:
        fetch_effects()
    build(args.out, tasks, jobs=args.jobs, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
