"""Synthetic speech and sound datasets for the cross-voice accuracy benchmark.

Builds, for each task, ``<out>/<task>/{train,test,stress}/<label>/*.wav`` (16 kHz
mono 16-bit PCM) plus ``<out>/<task>/{test,stress}_phone/<label>/*.3gp``: the
same clips encoded as AMR-NB 3GP the way App Inventor's SoundRecorder stores
them.
``manifest.json`` lists, for every clip, how it was made (voice, pitch, speed,
amplitude, text, noise type and SNR, or the sound-synthesis parameters) and
what came out (duration, RMS, median F0).

Protocol (FACTS.md sections 5 and 6). Every task has three splits:

* TRAIN: 5 clips per label, clean.
* TEST (the issue's protocol): 12 clips per label, white or pink noise at an
  SNR drawn from 10-25 dB. What defines a label (the word, the speaker, the
  prosody style, the sound's synthesis parameters) is drawn from the same
  ranges as TRAIN; what the user does not control changes: for numbers and
  words, 12 voice identities (accent + variant) whose variants never occur in
  TRAIN, each saying every label once so that no voice is tied to a label;
  for voices and emotions, whose tasks are defined by their speakers (two
  voices; one voice), new renditions by the same speakers; for sounds, the
  level and (half the time) a room.
* STRESS: as TEST, but the label-defining parameters come from ranges that
  TRAIN never uses, on both sides: numbers and words at other pitches and
  speeds with '.', '!' or '?' intonation; voices at other speeds and pitches
  and in other phrases ("hello there", "oh, hello"); emotions with each
  style's speed, loudness, pitch and pitch range outside its training range
  (so that, for example, a fast "happy" is as fast as a slow "angry"); sounds
  with other pitches, decays, bands, partials and numbers of repetitions.
  It measures how far a model extrapolates from 5 clips.

TEST and STRESS clips also come as AMR-NB 3GP in ``test_phone/`` and
``stress_phone/``.

One extra task, ``emotions_other_voices``, has no target: the emotions styles
from 2 training voices, tested on 12 other voices (see plan_emotions).

Every clip is trimmed and padded exactly like FACTS.md section 5
(``silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse pad 0.1 0.1``)
before noise is added; the SNR is measured over the trimmed content (the clip
without its 0.1 s pads).

Builds are deterministic for a given ``--seed`` and the installed espeak-ng /
sox / ffmpeg, and idempotent: a task whose manifest matches the current plan is
skipped, and a task is written to a temporary folder that is renamed into place
only when complete.

Usage::

    python bench/synth.py --out bench/data [--tasks numbers,words] [--jobs 2]
    python bench/synth.py --demo-samples pac/samples
    python bench/synth.py --check bench/data      # re-print the sanity table
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

SYNTH_VERSION = 4  # 4: sox without dither (-D), so a clip renders to the same bytes every time
SAMPLE_RATE_HZ = 16000
PHONE_SAMPLE_RATE_HZ = 8000
SOX = ("sox", "-V1", "-D")
"""Every sox run: quiet, and no dither. sox dithers with random noise whenever an effect
(``remix``, ``vol``) leaves more precision than a 16-bit pipe carries, so the same clip
rendered twice differed by a few LSBs, and trimming at a threshold made its length differ."""
DEFAULT_SEED = 20250601
PAD_S = 0.1

TRIM_PAD_EFFECTS = (
    "silence",
    "1",
    "0.01",
    "0.5%",
    "reverse",
    "silence",
    "1",
    "0.01",
    "0.5%",
    "reverse",
    "pad",
    str(PAD_S),
    str(PAD_S),
)
# App Inventor's SoundRecorder: THREE_GPP container, AMR_NB encoder, 8 kHz.
AMR_NB_ARGS = ("-ar", "8000", "-ac", "1", "-c:a", "libopencore_amrnb", "-b:a", "12.2k")

TASKS = ("numbers", "words", "voices", "emotions", "sounds")
"""The tasks issue 2 sets its targets on: the paper's four and a non-speech one."""
EXTRA_TASKS = ("emotions_other_voices",)
"""Measured and reported beside TASKS, with no target: see plan_emotions."""
ALL_TASKS = TASKS + EXTRA_TASKS
LABELS: dict[str, tuple[str, ...]] = {
    "numbers": ("one", "seven", "eleven"),
    "words": ("open", "close", "alarm"),
    "voices": ("alex", "sam"),
    "emotions": ("angry", "happy", "sad"),
    "sounds": ("clap", "whistle", "knock", "bell", "cough"),
}
N_TRAIN = 5
N_TEST = 12
EVAL_SPLITS = ("test", "stress")
"""Held-out splits: label-defining parameters inside (test) or outside (stress) TRAIN's ranges."""
MAX_DURATION_S = 1.8
SNR_RANGE_DB = (10.0, 25.0)

# espeak-ng 1.51 accents whose output differs from each other. "en" is British
# English; "en-gb" ignores +variants and "en-us-nyc" sounds exactly like
# "en-us", so neither is used.
ACCENTS = (
    "en",
    "en-us",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
)
# Training voices of the numbers/words tasks (cycled: m3, f2, m1, m3, f2).
TRAIN_VOICES = ("en-us+m3", "en+f2", "en-gb-x-rp+m1")
TRAIN_VARIANTS = frozenset(v.split("+")[1] for v in TRAIN_VOICES)
# Test variants: natural-sounding ones (no robots, whisper, croak), none in TRAIN.
TEST_FEMALE_VARIANTS = (
    "f1",
    "f3",
    "f4",
    "f5",
    "Annie",
    "Alicia",
    "belinda",
    "aunty",
    "linda",
    "grandma",
    "steph",
)
TEST_MALE_VARIANTS = (
    "m2",
    "m4",
    "m5",
    "m6",
    "m7",
    "klatt",
    "klatt2",
    "klatt3",
    "klatt4",
    "Andy",
    "Lee",
    "Michael",
    "Mike",
    "edward",
    "grandpa",
    "robert",
    "travis",
    "victor",
)
assert not TRAIN_VARIANTS & set(TEST_FEMALE_VARIANTS + TEST_MALE_VARIANTS)

# voices task: the label is the speaker identity (accent + variant).
SPEAKERS = {"alex": "en-us+m3", "sam": "en-gb-x-rp+f4"}
# emotions task: one speaker in every split, as the issue defines the task.
EMOTION_VOICE = "en-us+m3"
# emotions_other_voices: TRAIN voices (one male, one female); TEST uses 12 other variants.
EMOTION_TRAIN_VOICES = ("en-us+m3", "en+f2")

# Demo samples bundled with the package (pac/samples/numbers).
DEMO_TRAIN_VOICES = ("en-us+m3", "en+f2", "en-gb-x-rp+m1")
DEMO_TEST_VOICES = ("en-gb-scotland+f4", "en-us+m5", "en-029+klatt2", "en-gb-x-gbclan+Annie")
DEMO_N_TRAIN = 6
DEMO_MAX_DURATION_S = 1.2
DEMO_SNR_RANGE_DB = (20.0, 30.0)

Range = tuple[float, float]
FloatArray = NDArray[np.floating[Any]]


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Clip:
    """One clip to render. ``source['kind']`` is ``'speech'`` or ``'sound'``."""

    split: str
    label: str
    stem: str
    source: dict[str, Any]
    noise: dict[str, Any] | None = None
    phone: bool = False
    max_duration_s: float = MAX_DURATION_S


@dataclass
class Plan:
    """All clips of one dataset plus the description that goes into its manifest."""

    name: str
    labels: tuple[str, ...]
    clips: list[Clip]
    protocol: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        blob = json.dumps(
            {
                "version": SYNTH_VERSION,
                "name": self.name,
                "labels": self.labels,
                "clips": [asdict(c) for c in self.clips],
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _uniform(rng: random.Random, lo_hi: Range, *, ndigits: int = 3) -> float:
    return round(rng.uniform(*lo_hi), ndigits)


def _split_pick(
    rng: random.Random, split: str, train: Range, test: Sequence[Range], *, ndigits: int = 3
) -> float:
    """A value from ``train`` for TRAIN clips, else from one of the disjoint stress ranges."""
    if split == "train":
        return _uniform(rng, train, ndigits=ndigits)
    return _uniform(rng, rng.choice(list(test)), ndigits=ndigits)


def _noise(rng: random.Random, snr_range_db: Range) -> dict[str, Any]:
    return {
        "type": rng.choice(["white", "pink"]),
        "snr_db": round(rng.uniform(*snr_range_db), 1),
        "seed": rng.getrandbits(31),
    }


def _held_out(split: str, label: str, i: int, source: dict[str, Any], rng: random.Random) -> Clip:
    """Clip ``i`` of a held-out split: noise added, also rendered as a phone recording."""
    return Clip(
        split, label, f"{label}_{i:02d}", source, noise=_noise(rng, SNR_RANGE_DB), phone=True
    )


def _test_voices(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct test identities, half female, half male, random accents."""
    n_f = n // 2
    variants = rng.sample(TEST_FEMALE_VARIANTS, n_f) + rng.sample(TEST_MALE_VARIANTS, n - n_f)
    rng.shuffle(variants)
    return [f"{rng.choice(ACCENTS)}+{v}" for v in variants]


def _speech(
    voice: str, text: str, *, pitch: int, speed_wpm: int, amplitude: int, ssml: bool = False
) -> dict[str, Any]:
    return {
        "kind": "speech",
        "voice": voice,
        "text": text,
        "pitch": pitch,
        "speed_wpm": speed_wpm,
        "amplitude": amplitude,
        "ssml": ssml,
    }


def trained_speech(text: str, voice: str, rng: random.Random) -> dict[str, Any]:
    """``text`` said by ``voice`` in the numbers/words training ranges of pitch, speed, level."""
    return _speech(
        voice,
        rng.choice([text, f"{text}."]),
        pitch=rng.randint(40, 60),
        speed_wpm=rng.randint(150, 175),
        amplitude=rng.randint(90, 110),
    )


def espeak_train_clips(labels: Sequence[str], rng: random.Random) -> list[Clip]:
    """N_TRAIN clips per label, each saying its label, by TRAIN_VOICES in turn."""
    return [
        Clip(
            "train",
            label,
            f"{label}_{i:02d}",
            trained_speech(label, TRAIN_VOICES[i % len(TRAIN_VOICES)], rng),
        )
        for label in labels
        for i in range(N_TRAIN)
    ]


def plan_words(task: str, *, seed: int) -> Plan:
    """numbers / words: one word per label, cross-voice test."""
    rng = random.Random(f"{seed}:{task}")
    labels = LABELS[task]
    clips: list[Clip] = []

    clips += espeak_train_clips(labels, rng)
    stress_voices = _test_voices(rng, N_TEST)
    for label in labels:
        for i, voice in enumerate(stress_voices):
            text = rng.choice([label, f"{label}.", f"{label}!", f"{label}?"])
            src = _speech(
                voice,
                text,
                pitch=rng.randint(25, 75),
                speed_wpm=rng.randint(125, 200),
                amplitude=rng.randint(70, 130),
            )
            clips.append(_held_out("stress", label, i, src, rng))
    # TEST: the training ranges, spoken by other voices, with noise.
    rng = random.Random(f"{seed}:{task}:test")
    test_voices = _test_voices(rng, N_TEST)
    for label in labels:
        for i, voice in enumerate(test_voices):
            clips.append(_held_out("test", label, i, trained_speech(label, voice, rng), rng))
    return Plan(
        task,
        labels,
        clips,
        {
            "train_voices": list(TRAIN_VOICES),
            "test_voices": test_voices,
            "stress_voices": stress_voices,
            "train": "pitch 40-60, speed 150-175 wpm, amplitude 90-110, clean",
            "test": "other voices; pitch 40-60, speed 150-175 wpm, amplitude 90-110, "
            "white/pink noise at 10-25 dB SNR",
            "stress": "other voices; pitch 25-75, speed 125-200 wpm, amplitude 70-130, "
            "'.', '!' or '?' intonation, white/pink noise at 10-25 dB SNR",
        },
    )


def plan_voices(*, seed: int) -> Plan:
    """voices: label = speaker identity; TEST changes speed, pitch, context, noise."""
    rng = random.Random(f"{seed}:voices")
    labels = LABELS["voices"]
    clips: list[Clip] = []
    contexts = ["hello", "hello!", "hello?", "hello there", "oh, hello", "well hello"]
    for label in labels:
        voice = SPEAKERS[label]
        for i in range(N_TRAIN):
            src = _speech(
                voice,
                "hello",
                pitch=rng.randint(48, 52),
                speed_wpm=rng.randint(150, 170),
                amplitude=rng.randint(95, 105),
            )
            clips.append(Clip("train", label, f"{label}_{i:02d}", src))
        for i in range(N_TEST):
            offset = rng.choice([-1, 1]) * rng.randint(3, 5)
            speed = rng.randint(120, 144) if i % 2 else rng.randint(176, 200)
            src = _speech(
                voice,
                contexts[i % len(contexts)],
                pitch=50 + offset,
                speed_wpm=speed,
                amplitude=rng.randint(70, 130),
            )
            clips.append(_held_out("stress", label, i, src, rng))
    rng = random.Random(f"{seed}:voices:test")
    for label in labels:
        for i in range(N_TEST):
            src = _speech(
                SPEAKERS[label],
                rng.choice(["hello", "hello."]),
                pitch=rng.randint(48, 52),
                speed_wpm=rng.randint(150, 170),
                amplitude=rng.randint(70, 130),
            )
            clips.append(_held_out("test", label, i, src, rng))
    return Plan(
        "voices",
        labels,
        clips,
        {
            "speakers": SPEAKERS,
            "train": "'hello', pitch 48-52, speed 150-170 wpm, clean",
            "test": "same speaker; 'hello', pitch 48-52, speed 150-170 wpm, amplitude 70-130, "
            "white/pink noise at 10-25 dB SNR",
            "stress": "same speaker; pitch 50 +/- 3..5, speed 120-144 or 176-200 wpm, "
            f"texts {contexts}, white/pink noise at 10-25 dB SNR",
        },
    )


# Prosody per emotion: (train range, stress ranges) for speed, amplitude, pitch, range %.
EMOTION_STYLES: dict[str, dict[str, Any]] = {
    "angry": {
        "text": "Hello!",
        "speed_wpm": ((195, 215), [(182, 192), (218, 235)]),
        "amplitude": ((170, 185), [(155, 168), (187, 195)]),
        "pitch": ((42, 50), [(36, 41), (51, 56)]),
        "range_pct": ((190, 230), [(170, 188), (232, 260)]),
    },
    "happy": {
        "text": "Hello!",
        "speed_wpm": ((155, 168), [(142, 153), (170, 180)]),
        "amplitude": ((100, 115), [(88, 98), (117, 125)]),
        "pitch": ((74, 82), [(68, 73), (83, 90)]),
        "range_pct": ((150, 175), [(135, 148), (178, 200)]),
    },
    "sad": {
        "text": "hello.",
        "speed_wpm": ((100, 112), [(90, 98), (114, 122)]),
        "amplitude": ((48, 60), [(38, 46), (62, 68)]),
        "pitch": ((20, 28), [(15, 19), (29, 34)]),
        "range_pct": ((30, 45), [(20, 28), (47, 60)]),
    },
}


def plan_emotions(task: str, *, seed: int) -> Plan:
    """'hello' in three prosody styles standing for angry, happy and sad.

    ``emotions`` is the issue's task, "one voice saying hello in three prosody
    styles": the same speaker in every split, like the two speakers of the
    voices task. Its held-out clips are new renditions of each style (test: the
    training ranges; stress: outside them) with noise.

    ``emotions_other_voices`` trains on 2 voices and tests on 12 others: it asks
    a model to tell a style from a speaker it has never heard, which 5 clips of
    1-2 speakers cannot teach (docs/benchmarks.md). It was the emotions task up
    to synth_version 2 and keeps that task's clips.
    """
    one_voice = task == "emotions"
    key = "emotions:one-voice" if one_voice else "emotions"  # the v2 streams for the latter
    rng = random.Random(f"{seed}:{key}")
    labels = LABELS["emotions"]
    train_voices = (EMOTION_VOICE,) if one_voice else EMOTION_TRAIN_VOICES
    clips: list[Clip] = []

    def style(label: str, split: str, rng: random.Random) -> dict[str, int]:
        s = EMOTION_STYLES[label]
        return {
            k: round(_split_pick(rng, split, s[k][0], s[k][1]))
            for k in ("speed_wpm", "amplitude", "pitch", "range_pct")
        }

    def source(label: str, voice: str, p: dict[str, int]) -> dict[str, Any]:
        text = (
            f'<speak><prosody range="{p["range_pct"]}%">'
            f"{EMOTION_STYLES[label]['text']}</prosody></speak>"
        )
        return _speech(
            voice,
            text,
            pitch=p["pitch"],
            speed_wpm=p["speed_wpm"],
            amplitude=p["amplitude"],
            ssml=True,
        )

    def held_out_voices(rng: random.Random) -> list[str]:
        return [EMOTION_VOICE] * N_TEST if one_voice else _test_voices(rng, N_TEST)

    for label in labels:
        for i in range(N_TRAIN):
            voice = train_voices[i % len(train_voices)]
            clips.append(
                Clip(
                    "train",
                    label,
                    f"{label}_{i:02d}",
                    source(label, voice, style(label, "train", rng)),
                )
            )
    stress_voices = held_out_voices(rng)
    for label in labels:
        for i, voice in enumerate(stress_voices):
            clips.append(
                _held_out(
                    "stress", label, i, source(label, voice, style(label, "stress", rng)), rng
                )
            )
    rng = random.Random(f"{seed}:{key}:test")
    test_voices = held_out_voices(rng)
    for label in labels:
        for i, voice in enumerate(test_voices):
            clips.append(
                _held_out("test", label, i, source(label, voice, style(label, "train", rng)), rng)
            )
    speakers: dict[str, Any] = (
        {"voice": EMOTION_VOICE}
        if one_voice
        else {
            "train_voices": list(EMOTION_TRAIN_VOICES),
            "test_voices": test_voices,
            "stress_voices": stress_voices,
        }
    )
    who = "the training voice" if one_voice else "other voices"
    return Plan(
        task,
        labels,
        clips,
        {
            **speakers,
            "test": f"{who}, each style's training ranges, white/pink noise at 10-25 dB SNR",
            "stress": f"{who}, each style's stress ranges, white/pink noise at 10-25 dB SNR",
            "styles": EMOTION_STYLES,
            "note": "each style value is (train range, [stress ranges]); espeak -p/-s/-a plus "
            "SSML <prosody range>",
        },
    )


# Sound parameters: (train range, stress ranges). Stress ranges never overlap train.
SOUND_RANGES: dict[str, dict[str, tuple[Range, list[Range]]]] = {
    "clap": {
        "center_hz": ((1300, 2000), [(850, 1150), (2300, 2900)]),
        "width_oct": ((1.2, 1.6), [(0.9, 1.1), (1.7, 2.0)]),
        "decay_s": ((0.035, 0.055), [(0.022, 0.030), (0.062, 0.080)]),
        "gap_s": ((0.28, 0.36), [(0.18, 0.24), (0.40, 0.46)]),
    },
    "whistle": {
        "freq_hz": ((1500, 2000), [(1050, 1350), (2250, 2800)]),
        "vibrato_hz": ((4.5, 6.0), [(3.0, 4.0), (6.8, 8.0)]),
        "vibrato_cents": ((25, 45), [(12, 20), (50, 70)]),
        "dur_s": ((0.6, 0.85), [(0.35, 0.5), (0.95, 1.15)]),
        "glide": ((-0.05, -0.02), [(-0.10, -0.07), (0.02, 0.05)]),
        "breath": ((0.02, 0.04), [(0.05, 0.08)]),
    },
    "knock": {
        "thump_hz": ((95, 135), [(65, 85), (150, 200)]),
        "decay_s": ((0.04, 0.06), [(0.025, 0.035), (0.07, 0.09)]),
        "tick_hz": ((1200, 1800), [(700, 1000), (2100, 2800)]),
        "gap_s": ((0.16, 0.22), [(0.11, 0.14), (0.26, 0.32)]),
    },
    "bell": {
        "freq_hz": ((650, 950), [(420, 580), (1050, 1400)]),
        "decay_s": ((0.28, 0.38), [(0.18, 0.25), (0.42, 0.50)]),
        "gap_s": ((0.0, 0.0), [(0.30, 0.42)]),
    },
    "cough": {
        "voice_hz": ((120, 160), [(85, 105), (190, 240)]),
        "f1_hz": ((450, 600), [(350, 420), (630, 750)]),
        "f2_hz": ((1300, 1700), [(1000, 1220), (1780, 2100)]),
        "decay_s": ((0.07, 0.10), [(0.05, 0.062), (0.11, 0.14)]),
        "dur_s": ((0.22, 0.30), [(0.16, 0.20), (0.32, 0.38)]),
        "gap_s": ((0.0, 0.0), [(0.30, 0.40)]),
    },
}
BELL_PARTIALS = {"A": (1.0, 2.0, 2.76, 5.40), "B": (1.0, 2.32, 4.25, 6.63)}


def _sound_params(label: str, split: str, rng: random.Random) -> dict[str, Any]:
    """Synthesis parameters: TRAIN's ranges for train and test, the other ranges for stress."""
    test = split == "stress"  # parameters outside the training ranges
    p: dict[str, Any] = {
        k: _split_pick(rng, "test" if test else "train", tr, te)
        for k, (tr, te) in SOUND_RANGES[label].items()
    }
    if label == "clap":
        p["count"] = rng.choice([1, 4]) if test else rng.choice([2, 3])
        if p["count"] == 4:
            p["gap_s"] = _uniform(rng, (0.18, 0.24))
        p["micro_bursts"] = rng.choice([2, 4]) if test else 3
    elif label == "knock":
        if test and rng.random() < 0.5:
            p["count"], p["gap_s"] = rng.choice([4, 5]), _uniform(rng, (0.11, 0.14))
        elif test:
            p["count"], p["gap_s"] = 2, _uniform(rng, (0.26, 0.32))
        else:
            p["count"] = rng.choice([2, 3])
    elif label == "bell":
        p["partials"] = rng.choice(["A", "B"]) if test else "A"
        p["count"] = rng.choice([1, 2]) if test else 1
        if p["count"] == 2:
            p["decay_s"] = _uniform(rng, (0.18, 0.25))
    elif label == "cough":
        p["count"] = rng.choice([1, 2]) if test else 1
        if p["count"] == 2:
            p["dur_s"] = _uniform(rng, (0.16, 0.20))
    # Level (peak dBFS) and, for held-out clips, a small room.
    held_out = split != "train"
    p["peak_dbfs"] = _uniform(rng, (-12.0, -2.0) if held_out else (-4.0, -1.0), ndigits=1)
    p["reverb"] = rng.randint(20, 45) if held_out and rng.random() < 0.5 else 0
    return p


def plan_sounds(*, seed: int) -> Plan:
    rng = random.Random(f"{seed}:sounds")
    labels = LABELS["sounds"]
    clips: list[Clip] = []
    # STRESS first, with the plan's original random stream, so that its clips stay
    # those of synth_version 1's "test" split; TEST has a stream of its own.
    for split, n in (("train", N_TRAIN), ("stress", N_TEST), ("test", N_TEST)):
        if split == "test":
            rng = random.Random(f"{seed}:sounds:test")
        for label in labels:
            for i in range(n):
                src = {
                    "kind": "sound",
                    "sound": label,
                    "seed": rng.getrandbits(31),
                    **_sound_params(label, split, rng),
                }
                held_out = split != "train"
                noise = _noise(rng, SNR_RANGE_DB) if held_out else None
                clips.append(
                    Clip(split, label, f"{label}_{i:02d}", src, noise=noise, phone=held_out)
                )
    return Plan(
        "sounds",
        labels,
        clips,
        {
            "ranges": {
                k: {kk: {"train": vv[0], "stress": vv[1]} for kk, vv in v.items()}
                for k, v in SOUND_RANGES.items()
            },
            "train": "dry, peak -4..-1 dBFS, clean; clap 2-3 claps, knock 2-3 knocks, "
            "bell 1 strike (partials A), cough 1 cough",
            "test": "parameters and repetitions as in train, peak -12..-2 dBFS, half with sox "
            "reverb 20-45, white/pink noise at 10-25 dB SNR",
            "stress": "parameters from the stress ranges, peak -12..-2 dBFS, half with sox reverb "
            "20-45, white/pink noise at 10-25 dB SNR; clap 1 or 4 claps, knock 2 "
            "(slow) or 4-5 (fast) knocks, bell 1-2 strikes (partials A or B), "
            "cough 1-2 coughs",
            "bell_partials": BELL_PARTIALS,
        },
    )


def plan_task(task: str, *, seed: int = DEFAULT_SEED) -> Plan:
    if task in ("numbers", "words"):
        return plan_words(task, seed=seed)
    if task == "voices":
        return plan_voices(seed=seed)
    if task in ("emotions", "emotions_other_voices"):
        return plan_emotions(task, seed=seed)
    if task == "sounds":
        return plan_sounds(seed=seed)
    raise ValueError(f"unknown task {task!r}; expected one of {', '.join(ALL_TASKS)}")


def plan_demo(*, seed: int = DEFAULT_SEED) -> Plan:
    """The numbers demo bundled in ``pac/samples``: 6 train and 4 test clips per label."""
    rng = random.Random(f"{seed}:demo")
    labels = LABELS["numbers"]
    clips: list[Clip] = []
    for label in labels:
        for i in range(DEMO_N_TRAIN):
            voice = DEMO_TRAIN_VOICES[i % len(DEMO_TRAIN_VOICES)]
            src = _speech(
                voice,
                label,
                pitch=rng.randint(40, 60),
                speed_wpm=rng.randint(165, 185),
                amplitude=rng.randint(90, 110),
            )
            clips.append(
                Clip("train", label, f"{label}_{i:02d}", src, max_duration_s=DEMO_MAX_DURATION_S)
            )
        for i, voice in enumerate(DEMO_TEST_VOICES):
            src = _speech(
                voice,
                label,
                pitch=rng.randint(35, 65),
                speed_wpm=rng.randint(160, 190),
                amplitude=rng.randint(85, 115),
            )
            clips.append(
                Clip(
                    "test",
                    label,
                    f"{label}_{i:02d}",
                    src,
                    noise=_noise(rng, DEMO_SNR_RANGE_DB),
                    max_duration_s=DEMO_MAX_DURATION_S,
                )
            )
    return Plan(
        "numbers",
        labels,
        clips,
        {
            "train_voices": list(DEMO_TRAIN_VOICES),
            "test_voices": list(DEMO_TEST_VOICES),
            "train": "pitch 40-60, speed 165-185 wpm, clean",
            "test": "pitch 35-65, speed 160-190 wpm, white/pink noise at 20-30 dB SNR",
        },
    )


# ------------------------------------------------------------------ audio helpers


def _run(cmd: Sequence[str], *, stdin: bytes | None = None) -> bytes:
    proc = subprocess.run(list(cmd), input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {err}\n  cmd: {cmd}")
    return proc.stdout


def sox_effects(
    y: FloatArray, effects: Sequence[str], *, sample_rate_hz: int = SAMPLE_RATE_HZ
) -> FloatArray:
    """Run float samples through sox effects.

    y : FloatArray [shape=(n,)], values within [-1, 1] (sox clips beyond).
    Returns float32 [shape=(m,)] at ``SAMPLE_RATE_HZ``.
    """
    raw = ("-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1")
    cmd = [
        *SOX,
        *raw,
        "-r",
        str(sample_rate_hz),
        "-",
        *raw,
        "-r",
        str(SAMPLE_RATE_HZ),
        "-",
        *effects,
    ]
    out = _run(cmd, stdin=np.asarray(y, dtype="<f4").tobytes())
    return np.frombuffer(out, dtype="<f4").astype(np.float32)


def espeak_to_audio(
    *, voice: str, text: str, pitch: int, speed_wpm: int, amplitude: int, ssml: bool = False
) -> FloatArray:
    """espeak-ng speech, trimmed and padded (FACTS.md section 5), at 16 kHz.

    Returns float32 [shape=(n,)] in [-1, 1].
    """
    cmd = [
        "espeak-ng",
        "-v",
        voice,
        "-p",
        str(pitch),
        "-s",
        str(speed_wpm),
        "-a",
        str(amplitude),
        "--stdout",
    ]
    if ssml:
        cmd.append("-m")
    return _to_clip([*cmd, text])


def colored_noise(kind: str, n: int, rng: np.random.Generator) -> FloatArray:
    """Unit-RMS white or pink (1/f power) noise, float64 [shape=(n,)]."""
    w = rng.standard_normal(n)
    if kind == "pink":
        spec = np.fft.rfft(w)
        f = np.fft.rfftfreq(n, d=1.0 / SAMPLE_RATE_HZ)
        f[0] = f[1] if n > 1 else 1.0
        w = np.fft.irfft(spec / np.sqrt(f), n=n)
    elif kind != "white":
        raise ValueError(f"noise type must be 'white' or 'pink', not {kind!r}")
    return w / max(float(np.sqrt(np.mean(w**2))), 1e-12)


def content(y: FloatArray) -> FloatArray:
    """The clip without its ``PAD_S`` pads (what the SNR and RMS are measured on)."""
    pad = round(PAD_S * SAMPLE_RATE_HZ)
    return y[pad:-pad] if len(y) > 2 * pad + 10 else y


def add_noise(y: FloatArray, *, kind: str, snr_db: float, seed: int) -> tuple[FloatArray, float]:
    """Add noise at ``snr_db`` relative to the content power; rescale if it would clip.

    Returns (noisy float32 [shape=(n,)], gain applied to avoid clipping).
    """
    rng = np.random.default_rng(seed)
    p_sig = float(np.mean(content(y).astype(np.float64) ** 2))
    noise = colored_noise(kind, len(y), rng) * math.sqrt(p_sig / 10 ** (snr_db / 10))
    out = y + noise
    peak = float(np.max(np.abs(out)))
    gain = min(1.0, 0.97 / peak) if peak > 0 else 1.0
    return (out * gain).astype(np.float32), gain


def write_wav(path: Path, y: FloatArray) -> None:
    """16 kHz mono 16-bit PCM WAV."""
    pcm = np.clip(np.round(np.asarray(y, dtype=np.float64) * 32767), -32768, 32767)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(pcm.astype("<i2").tobytes())


def read_wav(path: Path) -> tuple[FloatArray, int]:
    """Mono 16-bit WAV to (float32 [shape=(n,)] in [-1, 1], sample rate in Hz)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: expected mono 16-bit PCM")
        sr = w.getframerate()
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, sr


def encode_amr_nb(wav_path: Path, out_path: Path) -> FloatArray:
    """Encode like App Inventor's SoundRecorder (AMR-NB 12.2k in 3GP) and decode it back.

    Returns the decoded float32 audio at 8 kHz, for checks.
    """
    _run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(wav_path),
            *AMR_NB_ARGS,
            "-fflags",
            "+bitexact",
            str(out_path),
        ]
    )
    out = _run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(out_path),
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            str(PHONE_SAMPLE_RATE_HZ),
            "-",
        ]
    )
    return np.frombuffer(out, dtype="<f4").astype(np.float32)


def dbfs(x: FloatArray) -> float:
    rms = float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2))) if len(x) else 0.0
    return round(20 * math.log10(max(rms, 1e-9)), 1)


def f0_stats(y: FloatArray, *, sample_rate_hz: int = SAMPLE_RATE_HZ) -> dict[str, float]:
    """Median F0 (Hz) and F0 spread p90/p10 (semitones) by frame autocorrelation.

    Frames of 50 ms every 10 ms, Hann-windowed; the autocorrelation is divided
    by the window's own (Boersma 1993) so that long lags are not penalised.
    A frame is voiced when its normalised peak in 50-400 Hz exceeds 0.6 and it
    is within 30 dB of the loudest frame. Returns zeros when fewer than 3
    frames are voiced.
    """
    frame, hop = int(0.05 * sample_rate_hz), int(0.01 * sample_rate_hz)
    lag_lo, lag_hi = sample_rate_hz // 400, sample_rate_hz // 50
    none = {"f0_median_hz": 0.0, "f0_spread_st": 0.0}
    if len(y) < frame + hop:
        return none
    win = np.hanning(frame)
    idx = np.arange(0, len(y) - frame, hop)[:, None] + np.arange(frame)[None, :]
    frames = y[idx].astype(np.float64)
    frames = (frames - frames.mean(axis=1, keepdims=True)) * win
    energy = np.sum(frames**2, axis=1)

    def autocorr(x: FloatArray) -> FloatArray:
        spec = np.fft.rfft(x, n=2 * frame, axis=-1)
        return np.asarray(
            np.fft.irfft(np.abs(spec) ** 2, axis=-1)[..., : lag_hi + 1], dtype=np.float64
        )

    ac = autocorr(frames) / np.maximum(autocorr(frames)[:, :1], 1e-12)
    ac_win = autocorr(win)
    ac = ac / np.maximum(ac_win / ac_win[0], 1e-3)
    search = ac[:, lag_lo:]
    lags = lag_lo + np.argmax(search, axis=1)
    peak = search[np.arange(len(ac)), lags - lag_lo]
    voiced = (peak > 0.6) & (energy > energy.max() * 1e-3)
    if voiced.sum() < 3:
        return none
    f0 = sample_rate_hz / lags[voiced]
    p10, p50, p90 = np.percentile(f0, [10, 50, 90])
    return {
        "f0_median_hz": round(float(p50), 1),
        "f0_spread_st": round(float(12 * math.log2(p90 / p10)), 2),
    }


# ------------------------------------------------------------------ sound synthesis


def _env(n: int, *, t0_s: float, attack_s: float, decay_s: float) -> FloatArray:
    """Linear attack then exponential decay starting at ``t0_s``, float64 [shape=(n,)]."""
    t = np.arange(n) / SAMPLE_RATE_HZ - t0_s
    rise = np.clip(t / max(attack_s, 1e-4), 0.0, 1.0)
    fall = np.exp(-np.maximum(t - attack_s, 0.0) / decay_s)
    return np.where(t < 0, 0.0, rise * fall)


def _band_noise(rng: np.random.Generator, n: int, effects: Sequence[str]) -> FloatArray:
    """White noise through sox filter ``effects``, normalised to unit RMS."""
    x = sox_effects(rng.standard_normal(n) * 0.05, effects)[:n].astype(np.float64)
    return x / max(float(np.sqrt(np.mean(x**2))), 1e-12)


def _tone(freq_hz: FloatArray) -> FloatArray:
    """Sine following an instantaneous-frequency track (phase-continuous)."""
    return np.asarray(np.sin(2 * np.pi * np.cumsum(freq_hz) / SAMPLE_RATE_HZ), dtype=np.float64)


def _band(center_hz: float, width_oct: float) -> str:
    lo = center_hz * 2 ** (-width_oct / 2)
    hi = min(center_hz * 2 ** (width_oct / 2), 7600.0)
    return f"{lo:.0f}-{hi:.0f}"


def synth_clap(p: dict[str, Any], rng: np.random.Generator) -> FloatArray:
    n = int((0.15 + p["count"] * p["gap_s"] + 6 * p["decay_s"]) * SAMPLE_RATE_HZ)
    noise = _band_noise(rng, n, ["sinc", _band(p["center_hz"], p["width_oct"])])
    env = np.zeros(n)
    for k in range(p["count"]):
        t0 = 0.05 + k * p["gap_s"] * rng.uniform(0.92, 1.08)
        amp = rng.uniform(0.7, 1.0)
        t = t0
        for _ in range(p["micro_bursts"] - 1):  # the hands' several contact points
            env += amp * rng.uniform(0.4, 0.8) * _env(n, t0_s=t, attack_s=0.0005, decay_s=0.003)
            t += rng.uniform(0.003, 0.007)
        env += amp * _env(n, t0_s=t, attack_s=0.001, decay_s=p["decay_s"])
    return noise * env


def synth_whistle(p: dict[str, Any], rng: np.random.Generator) -> FloatArray:
    n = int((p["dur_s"] + 0.1) * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    glide = 1 + p["glide"] * np.exp(-t / 0.06)
    vib = 2 ** (
        p["vibrato_cents"] / 1200 * np.sin(2 * np.pi * p["vibrato_hz"] * t + rng.uniform(0, 6.28))
    )
    freq = p["freq_hz"] * glide * vib
    wobble = 1 + 0.1 * np.sin(2 * np.pi * rng.uniform(2, 4) * t)
    tone = (_tone(freq) + 0.06 * _tone(2 * freq)) * wobble
    env = np.clip(t / 0.04, 0, 1) * np.clip((p["dur_s"] - t) / 0.07, 0, 1)
    breath = _band_noise(rng, n, ["sinc", f"{p['freq_hz'] * 0.7:.0f}-6000"])
    return np.asarray((tone + float(p["breath"]) * 3 * breath) * env, dtype=np.float64)


def synth_knock(p: dict[str, Any], rng: np.random.Generator) -> FloatArray:
    n = int((0.1 + p["count"] * p["gap_s"] + 6 * p["decay_s"]) * SAMPLE_RATE_HZ)
    tick = _band_noise(rng, n, ["sinc", _band(p["tick_hz"], 1.2)])
    out = np.zeros(n)
    t = np.arange(n) / SAMPLE_RATE_HZ
    for k in range(p["count"]):
        t0 = 0.05 + k * p["gap_s"] * rng.uniform(0.9, 1.1)
        amp = rng.uniform(0.75, 1.0)
        tk = np.maximum(t - t0, 0.0)
        freq = p["thump_hz"] * (1 + 0.4 * np.exp(-tk / 0.012))
        thump = _tone(freq) * _env(n, t0_s=t0, attack_s=0.002, decay_s=p["decay_s"])
        body = _tone(np.full(n, 2.7 * p["thump_hz"])) * _env(
            n, t0_s=t0, attack_s=0.001, decay_s=p["decay_s"] / 2
        )
        click = tick * _env(n, t0_s=t0, attack_s=0.0005, decay_s=0.006)
        out += amp * (thump + 0.35 * body + 0.5 * click)
    return out


def synth_bell(p: dict[str, Any], rng: np.random.Generator) -> FloatArray:
    n = int(1.45 * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    partials = BELL_PARTIALS[p["partials"]]
    amps = (1.0, 0.55, 0.4, 0.22)
    strike = _band_noise(rng, n, ["sinc", "2000-7000"])
    out = np.zeros(n)
    for k in range(p["count"]):
        t0 = 0.03 + k * p["gap_s"]
        for j, (ratio, a) in enumerate(zip(partials, amps, strict=True)):
            f = p["freq_hz"] * ratio
            if f > 7500:
                continue
            beat = 1 + 0.15 * np.sin(2 * np.pi * rng.uniform(1, 3) * t)  # slight shimmer
            env = _env(n, t0_s=t0, attack_s=0.002, decay_s=p["decay_s"] / (1 + 0.7 * j))
            out += a * _tone(np.full(n, f * rng.uniform(0.998, 1.002))) * env * beat
        out += 0.3 * strike * _env(n, t0_s=t0, attack_s=0.0005, decay_s=0.004)
    fade = np.clip((t[-1] - t) / 0.12, 0, 1)  # cap the tail at 1.45 s
    return np.asarray(out * fade, dtype=np.float64)


def synth_cough(p: dict[str, Any], rng: np.random.Generator) -> FloatArray:
    n = int((0.15 + p["count"] * max(p["gap_s"], p["dur_s"]) + 0.2) * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    noise = _band_noise(
        rng,
        n,
        [
            "sinc",
            "200-4000",
            "equalizer",
            f"{p['f1_hz']:.0f}",
            "1.2q",
            "+10",
            "equalizer",
            f"{p['f2_hz']:.0f}",
            "1.5q",
            "+8",
        ],
    )
    saw = 2 * ((np.cumsum(np.full(n, p["voice_hz"])) / SAMPLE_RATE_HZ) % 1.0) - 1
    voiced = sox_effects(
        0.3 * saw, ["lowpass", f"{p['f2_hz']:.0f}", "equalizer", f"{p['f1_hz']:.0f}", "1q", "+8"]
    )[:n]
    voiced = voiced / max(float(np.sqrt(np.mean(voiced**2))), 1e-12)
    out = np.zeros(n)
    for k in range(p["count"]):
        t0 = 0.05 + k * p["gap_s"]
        burst = 0.6 * _env(n, t0_s=t0, attack_s=0.008, decay_s=0.03) + 0.4 * _env(
            n, t0_s=t0, attack_s=0.012, decay_s=p["decay_s"]
        )
        gate = np.clip((t0 + p["dur_s"] - t) / 0.03, 0, 1)
        vgate = _env(n, t0_s=t0 + 0.01, attack_s=0.02, decay_s=0.06)
        out += (noise * burst + 0.45 * voiced * vgate) * gate
    return out


SYNTHS: dict[str, Callable[[dict[str, Any], np.random.Generator], FloatArray]] = {
    "clap": synth_clap,
    "whistle": synth_whistle,
    "knock": synth_knock,
    "bell": synth_bell,
    "cough": synth_cough,
}


def sound_to_audio(p: dict[str, Any]) -> FloatArray:
    """Render a ``kind='sound'`` source: synthesis, level, optional reverb, trim and pad."""
    rng = np.random.default_rng(p["seed"])
    y = SYNTHS[p["sound"]](p, rng)
    y = y / max(float(np.max(np.abs(y))), 1e-9) * 10 ** (p["peak_dbfs"] / 20)
    if p["reverb"]:
        y = np.concatenate([y, np.zeros(int(0.3 * SAMPLE_RATE_HZ))])
        y = sox_effects(y, ["reverb", str(p["reverb"]), "50", "40"])
    return sox_effects(y, TRIM_PAD_EFFECTS)


def _to_clip(cmd: Sequence[str], effects: Sequence[str] = ()) -> FloatArray:
    """Run ``cmd``, which writes a WAV to stdout; then sox: mono 16 kHz, ``effects``, trim, pad."""
    wav = _run(cmd)
    raw = ("-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1")
    out = _run(
        [
            *SOX, "-t", "wav", "-", *raw, "-r", str(SAMPLE_RATE_HZ), "-",
            *effects, *TRIM_PAD_EFFECTS,
        ],
        stdin=wav,
    )  # fmt: skip
    return np.frombuffer(out, dtype="<f4").astype(np.float32)


def _tts_to_clip(command: Sequence[str], *, text: str, gain_db: float) -> FloatArray:
    """Run a TTS ``command`` that reads ``text`` on stdin and writes ``OUT`` (a WAV path)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "tts.wav")
        _run([out if arg == "OUT" else arg for arg in command], stdin=text.encode())
        return _to_clip([*SOX, out, "-t", "wav", "-"], ["vol", f"{gain_db}dB"])


def flite_to_audio(p: dict[str, Any]) -> FloatArray:
    """A ``kind='flite'`` source: Flite's voice ``p['voice']`` (kal, kal16, awb, rms, slt)."""
    stretch = f"duration_stretch={p['duration_stretch']}"
    command = ["flite", "-voice", p["voice"], "--setf", stretch, "-f", "/dev/stdin", "-o", "OUT"]
    return _tts_to_clip(command, text=p["text"], gain_db=p["gain_db"])


def festival_to_audio(p: dict[str, Any]) -> FloatArray:
    """A ``kind='festival'`` source: Festival's ``text2wave`` with voice ``p['voice']``."""
    stretch = f"(Parameter.set 'Duration_Stretch {p['duration_stretch']})"
    command = ["text2wave", "-eval", f"(voice_{p['voice']})", "-eval", stretch, "-o", "OUT"]
    return _tts_to_clip(command, text=p["text"], gain_db=p["gain_db"])


def recording_to_audio(p: dict[str, Any]) -> FloatArray:
    """A ``kind='recording'`` source: the file ``p['source']``, mono, cut to ``p['max_s']``.

    The leading silence is trimmed first; a sound that rings on past
    ``max_s`` fades out over its last 0.2 s, as a student would stop recording.
    """
    cut = [
        "silence", "1", "0.01", "0.5%", "trim", "0", str(p["max_s"]),
        "fade", "t", "0", str(p["max_s"]), "0.2",
        "norm", str(p["peak_dbfs"]),
    ]  # fmt: skip
    return _to_clip([*SOX, p["source"], "-t", "wav", "-", "remix", "-"], cut)


SOURCE_RENDERERS: dict[str, Callable[[dict[str, Any]], FloatArray]] = {
    "sound": sound_to_audio,
    "flite": flite_to_audio,
    "festival": festival_to_audio,
    "recording": recording_to_audio,
}
"""Renderers of every source kind but espeak speech (which render_clip retries when too long)."""


# ------------------------------------------------------------------ rendering


def render_clip(clip: Clip, root: str) -> dict[str, Any]:
    """Render one clip under ``root``; returns its manifest entry. Runs in a worker."""
    src = dict(clip.source)
    if src["kind"] == "speech":
        speech_args = {
            k: src[k] for k in ("voice", "text", "pitch", "speed_wpm", "amplitude", "ssml")
        }
        y = espeak_to_audio(**speech_args)
        tries = 0
        while len(y) / SAMPLE_RATE_HZ > clip.max_duration_s and tries < 6:
            tries += 1  # too long: speak faster (recorded in the manifest)
            speech_args["speed_wpm"] = round(speech_args["speed_wpm"] * 1.12)
            y = espeak_to_audio(**speech_args)
        src["speed_wpm"] = speech_args["speed_wpm"]
    else:
        y = SOURCE_RENDERERS[src["kind"]](src)
    clean = y
    entry: dict[str, Any] = {"split": clip.split, "label": clip.label, **src}
    if clip.noise is not None:
        y, gain = add_noise(
            y, kind=clip.noise["type"], snr_db=clip.noise["snr_db"], seed=clip.noise["seed"]
        )
        entry["noise"] = clip.noise["type"]
        entry["snr_db"] = clip.noise["snr_db"]
        entry["noise_seed"] = clip.noise["seed"]
        if gain < 1.0:
            entry["anti_clip_gain"] = round(gain, 4)
    else:
        entry["noise"] = None
    wav_rel = Path(clip.split) / clip.label / f"{clip.stem}.wav"
    wav_path = Path(root) / wav_rel
    wav_path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(wav_path, y)
    entry["path"] = wav_rel.as_posix()
    entry["duration_s"] = round(len(y) / SAMPLE_RATE_HZ, 3)
    entry["rms_dbfs"] = dbfs(y)
    entry["content_rms_dbfs"] = dbfs(content(clean))
    entry["peak_dbfs"] = round(20 * math.log10(max(float(np.max(np.abs(y))), 1e-9)), 1)
    if src["kind"] in ("speech", "flite", "festival"):
        entry.update(f0_stats(clean))
    if clip.phone:
        phone_rel = Path(f"{clip.split}_phone") / clip.label / f"{clip.stem}.3gp"
        (Path(root) / phone_rel).parent.mkdir(parents=True, exist_ok=True)
        decoded = encode_amr_nb(wav_path, Path(root) / phone_rel)
        entry["phone_path"] = phone_rel.as_posix()
        entry["phone_duration_s"] = round(len(decoded) / PHONE_SAMPLE_RATE_HZ, 3)
        entry["phone_rms_dbfs"] = dbfs(decoded)
    return entry


def _render_star(args: tuple[Clip, str]) -> dict[str, Any]:
    return render_clip(*args)


def manifest_is_complete(folder: Path, digest: str) -> bool:
    mf = folder / "manifest.json"
    if not mf.is_file():
        return False
    try:
        m = json.loads(mf.read_text())
    except (OSError, ValueError):
        return False
    if m.get("synth_version") != SYNTH_VERSION or m.get("plan_digest") != digest:
        return False
    for c in m.get("clips", []):
        for key in ("path", "phone_path"):
            if key in c and not (folder / c[key]).is_file():
                return False
    return bool(m.get("clips"))


def _readme(plan: Plan, manifest: dict[str, Any]) -> str:
    lines = [
        f"Benchmark dataset '{plan.name}' (bench/synth.py, synth_version "
        f"{SYNTH_VERSION}, seed {manifest['seed']}).",
        "",
        f"labels: {', '.join(plan.labels)}",
        "counts: " + json.dumps(manifest["counts"]),
        "",
        "protocol:",
    ]
    lines += [f"  {k}: {json.dumps(v)}" for k, v in plan.protocol.items()]
    lines += [
        "",
        "All WAVs are 16 kHz mono 16-bit, trimmed with sox 'silence 1 0.01 0.5% "
        "reverse silence 1 0.01 0.5% reverse pad 0.1 0.1'.",
        "test_phone/ and stress_phone/ hold the test and stress clips encoded like App "
        "Inventor's SoundRecorder:",
        "  ffmpeg -i in.wav -ar 8000 -ac 1 -c:a libopencore_amrnb -b:a 12.2k out.3gp",
        "manifest.json lists each clip's voice/pitch/speed/amplitude/text (speech) or "
        "synthesis parameters (sounds), noise type, SNR, duration and RMS.",
        "",
    ]
    return "\n".join(lines)


def _tool_versions() -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, check=False, text=True)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"

    return {
        "espeak-ng": first_line(["espeak-ng", "--version"]),
        "sox": first_line(["sox", "--version"]),
        "ffmpeg": first_line(["ffmpeg", "-version"]),
    }


def build_plans(
    plans: Sequence[Plan],
    out_dirs: Sequence[Path],
    *,
    jobs: int,
    seed: int,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Render every plan that is not already complete; returns the finished folders."""
    todo: list[tuple[Plan, Path, Path]] = []
    for plan, dest in zip(plans, out_dirs, strict=True):
        digest = plan.digest()
        for stale in dest.parent.glob(f".tmp-{dest.name}-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed run
        if not force and manifest_is_complete(dest, digest):
            log(f"[synth] {dest}: complete (plan {digest}), skipping")
            continue
        tmp = dest.parent / f".tmp-{dest.name}-{os.getpid()}"
        tmp.mkdir(parents=True)
        todo.append((plan, dest, tmp))
    if not todo:
        return [Path(d) for d in out_dirs]
    work = [(clip, str(tmp)) for plan, _, tmp in todo for clip in plan.clips]
    t0 = time.monotonic()
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            entries = list(pool.map(_render_star, work, chunksize=4))
    else:
        entries = [_render_star(w) for w in work]
    log(f"[synth] rendered {len(work)} clips in {time.monotonic() - t0:.1f} s with {jobs} job(s)")
    tools = _tool_versions()
    pos = 0
    for plan, dest, tmp in todo:
        plan_entries = entries[pos : pos + len(plan.clips)]
        pos += len(plan.clips)
        counts: dict[str, dict[str, int]] = {}
        for e in plan_entries:
            counts.setdefault(e["split"], {}).setdefault(e["label"], 0)
            counts[e["split"]][e["label"]] += 1
        for split in EVAL_SPLITS:
            phone = [e for e in plan_entries if e["split"] == split and e.get("phone_path")]
            if phone:
                counts[f"{split}_phone"] = {
                    lab: sum(1 for e in phone if e["label"] == lab) for lab in plan.labels
                }
        manifest = {
            "format": "pac-synth-manifest",
            "synth_version": SYNTH_VERSION,
            "name": plan.name,
            "seed": seed,
            "plan_digest": plan.digest(),
            "sample_rate_hz": SAMPLE_RATE_HZ,
            "labels": list(plan.labels),
            "counts": counts,
            "protocol": plan.protocol,
            "tools": tools,
            "clips": plan_entries,
        }
        (tmp / "README.txt").write_text(_readme(plan, manifest))
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        old = dest.parent / f".old-{dest.name}-{os.getpid()}"
        if dest.exists():
            dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
        log(f"[synth] wrote {dest}")
    return [Path(d) for d in out_dirs]


# ------------------------------------------------------------------ sanity report


def sanity_report(
    folder: Path, *, max_duration_s: float = MAX_DURATION_S, log: Callable[[str], None] = print
) -> list[str]:
    """Print duration/RMS per split and label from a manifest; return the problems."""
    m = json.loads((folder / "manifest.json").read_text())
    problems: list[str] = []
    log(f"== {folder} ({m['name']}, plan {m['plan_digest']})")
    log(
        f"   {'split':<6} {'label':<8} {'n':>3}  {'dur min/mean/max s':<20} "
        f"{'rms dBFS min/mean/max':<22} {'F0 med Hz':>9} {'phone rms':>9}"
    )
    for split in ("train", *EVAL_SPLITS):
        for label in m["labels"]:
            cs = [c for c in m["clips"] if c["split"] == split and c["label"] == label]
            if not cs:
                continue
            d = np.array([c["duration_s"] for c in cs])
            r = np.array([c["rms_dbfs"] for c in cs])
            f0 = [c["f0_median_hz"] for c in cs if c.get("f0_median_hz")]
            ph = [c["phone_rms_dbfs"] for c in cs if "phone_rms_dbfs" in c]
            log(
                f"   {split:<6} {label:<8} {len(cs):>3}  "
                f"{d.min():.2f}/{d.mean():.2f}/{d.max():.2f}{'':<8} "
                f"{r.min():6.1f}/{r.mean():6.1f}/{r.max():6.1f}   "
                f"{np.median(f0) if f0 else 0:9.0f} "
                f"{np.mean(ph) if ph else float('nan'):9.1f}"
            )
            for c in cs:
                if c["duration_s"] > max_duration_s:
                    problems.append(f"{c['path']}: {c['duration_s']} s > {max_duration_s} s")
                if c["duration_s"] < 2 * PAD_S + 0.1:
                    problems.append(f"{c['path']}: only {c['duration_s']} s (silent?)")
                if c["content_rms_dbfs"] < -45 or c["rms_dbfs"] < -50:
                    problems.append(f"{c['path']}: near silent ({c['content_rms_dbfs']} dBFS)")
                if c.get("phone_path") and c.get("phone_rms_dbfs", 0) < -55:
                    problems.append(f"{c['phone_path']}: phone clip near silent")
    for p in problems:
        log(f"   PROBLEM {p}")
    return problems


def folder_size_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# ------------------------------------------------------------------ entry points


def build_tasks(
    out: Path, tasks: Sequence[str], *, jobs: int = 2, seed: int = DEFAULT_SEED, force: bool = False
) -> list[str]:
    """Build ``<out>/<task>`` for each task; returns all sanity problems."""
    out.mkdir(parents=True, exist_ok=True)
    plans = [plan_task(t, seed=seed) for t in tasks]
    folders = build_plans(plans, [out / t for t in tasks], jobs=jobs, seed=seed, force=force)
    problems: list[str] = []
    for f in folders:
        problems += sanity_report(f)
        print(f"   size {folder_size_bytes(f) / 1e6:.2f} MB")
    return problems


DEMO_README = """\
# Demo samples: numbers (one, seven, eleven)

These are the project's own synthetic recordings, made with the espeak-ng
text-to-speech engine (Debian espeak-ng, GPL-3.0 program; the audio it
produces is ours to ship). No human voices are included.

- `numbers/train/<label>/*.wav`: 6 clips per label, from the voices
  {train_voices}, pitch 40-60, speed 165-185 wpm, clean.
- `numbers/test/<label>/*.wav`: 4 clips per label, from other voices
  ({test_voices}), pitch 35-65, speed 160-190 wpm, with white or pink
  noise added at 20-30 dB SNR.
- `numbers/manifest.json`: voice, pitch, speed, noise and SNR of every clip.

All clips are 16 kHz mono 16-bit WAV, trimmed with sox
`silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse pad 0.1 0.1` and at
most {max_s} s long. Regenerate them (deterministic, seed {seed}) with:

    python bench/synth.py --demo-samples pac/samples
"""


def build_demo(
    dest: Path, *, jobs: int = 2, seed: int = DEFAULT_SEED, force: bool = False
) -> list[str]:
    dest.mkdir(parents=True, exist_ok=True)
    plan = plan_demo(seed=seed)
    [folder] = build_plans([plan], [dest / "numbers"], jobs=jobs, seed=seed, force=force)
    readme = DEMO_README.format(
        train_voices=", ".join(f"`{v}`" for v in DEMO_TRAIN_VOICES),
        test_voices=", ".join(f"`{v}`" for v in DEMO_TEST_VOICES),
        max_s=DEMO_MAX_DURATION_S,
        seed=seed,
    )
    readme_path = dest / "README.md"
    if not readme_path.is_file() or readme_path.read_text() != readme:
        readme_path.write_text(readme)
    problems = sanity_report(folder, max_duration_s=DEMO_MAX_DURATION_S)
    size = folder_size_bytes(dest)
    print(f"   size of {dest}: {size / 1e6:.3f} MB")
    if size >= 1_000_000:
        problems.append(f"{dest} is {size} bytes (limit 1 MB)")
    return problems


def _check_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox", "ffmpeg") if shutil.which(t) is None]
    if missing:
        sys.exit(
            f"missing tools: {', '.join(missing)} "
            "(apt-get install -y espeak-ng sox ffmpeg libavcodec-extra)"
        )
    enc = subprocess.run(
        ["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, check=False
    ).stdout
    if "libopencore_amrnb" not in enc:
        sys.exit("ffmpeg has no libopencore_amrnb encoder (apt-get install libavcodec-extra)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, help="dataset root (default bench/data)")
    ap.add_argument(
        "--tasks",
        default=",".join(ALL_TASKS),
        help=f"comma-separated subset of {','.join(ALL_TASKS)}",
    )
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true", help="rebuild even if complete")
    ap.add_argument(
        "--demo-samples",
        type=Path,
        metavar="DIR",
        help="build the bundled numbers demo into DIR (e.g. pac/samples)",
    )
    ap.add_argument(
        "--check",
        type=Path,
        metavar="DIR",
        help="only print the sanity report of the datasets under DIR",
    )
    args = ap.parse_args(argv)
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = sorted(set(tasks) - set(ALL_TASKS))
    if unknown:
        ap.error(f"unknown task(s) {unknown}; choose from {', '.join(ALL_TASKS)}")
    if args.check:
        problems = []
        for mf in sorted(args.check.glob("*/manifest.json")):
            problems += sanity_report(mf.parent)
        return 1 if problems else 0
    _check_tools()
    t0 = time.monotonic()
    problems = []
    if args.demo_samples:
        problems += build_demo(args.demo_samples, jobs=args.jobs, seed=args.seed, force=args.force)
    if args.out or not args.demo_samples:
        problems += build_tasks(
            args.out or Path("bench/data"), tasks, jobs=args.jobs, seed=args.seed, force=args.force
        )
    print(f"[synth] done in {time.monotonic() - t0:.1f} s, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
