"""General MIDI soundfonts through fluidsynth: labelled notes of every instrument and drum.

    python -m ear.render --out build/ear-data [--velocities 40,80,120]

Renders, to 16 kHz mono WAV under ``OUT/<soundfont>/``:

- ``drums/<kit>/n<note>-v<velocity>.wav``: every General MIDI percussion note (35-81) in
  every drum kit (``KITS``);
- ``melodic/p<program>/k<key>-v<velocity>-<length>.wav``: every one of the 128 programs at
  ``KEYS``, short and long (``LENGTHS_S``),

and ``manifest.json``: the packages and versions, and what was rendered. One fluidsynth run
per kit or program. Needs Debian's fluidsynth and its General MIDI soundfonts
(``./dev ear`` installs them as root). None of them is a source of ``bench/unseen.py``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from model_export.audio.decode import load_audio, write_wav  # noqa: E402

SAMPLE_RATE_HZ = 16_000
SLOT_SECONDS = 1.5
"""Each note starts this long after the one before, in one rendering; its clip is its slot."""
PERCUSSION_CHANNEL = 9
"""Channel 10 of General MIDI, counted from 0."""


@dataclass(frozen=True)
class SoundFont:
    name: str
    path: Path
    package: str


SOUNDFONTS = (
    SoundFont("fluidr3", Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), "fluid-soundfont-gm"),
    SoundFont("timgm6mb", Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), "timgm6mb-soundfont"),
    SoundFont(
        "musescore",
        Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3"),
        "musescore-general-soundfont",
    ),
)
PACKAGES = ("fluidsynth", *(font.package for font in SOUNDFONTS))
"""The Debian packages the ear's data comes from (``./dev ear`` installs them)."""

KITS = {0: "standard", 8: "room", 16: "power", 24: "electronic", 25: "tr808", 32: "jazz",
        40: "brush", 48: "orchestra"}  # fmt: skip
"""General MIDI drum kits: the program number on the percussion channel, and a name."""
PERCUSSION_NOTES = tuple(range(35, 82))
"""The General MIDI percussion key map: acoustic bass drum (35) to open triangle (81)."""
KEYS = (48, 60, 72)
"""Melodic notes: C3, C4 and C5."""
LENGTHS_S = {"short": 0.25, "long": 1.0}
MELODIC_VELOCITIES = (60, 110)


def _var(n: int) -> bytes:
    out = [n & 0x7F]
    while n > 0x7F:
        n >>= 7
        out.insert(0, (n & 0x7F) | 0x80)
    return bytes(out)


Note = tuple[int, int, int, float]
"""(program, key, velocity, seconds held): on the percussion channel the program is the kit."""


ALL_SOUND_OFF = 120
"""The MIDI controller that silences a channel at once, release tails included."""


def midi_file(notes: list[Note], *, channel: int = PERCUSSION_CHANNEL) -> bytes:
    """A format-0 standard MIDI file: ``notes`` on ``channel``, one every SLOT_SECONDS, with
    a program change before each note whose program is not the one before's, and All Sound
    Off at the end of each slot, so that no note sounds into the next slot."""
    ticks_per_beat = 480  # at the default 120 bpm: 960 ticks per second
    slot = round(SLOT_SECONDS * 960)
    events = b""
    program = -1
    for note_program, key, velocity, seconds in notes:
        hold = round(seconds * 960)
        if note_program != program:
            program = note_program
            events += _var(0) + bytes([0xC0 | channel, program])
        events += _var(0) + bytes([0x90 | channel, key, velocity])
        events += _var(hold) + bytes([0x80 | channel, key, 0])
        events += _var(slot - hold) + bytes([0xB0 | channel, ALL_SOUND_OFF, 0])
    events += _var(0) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, ticks_per_beat)
    return header + b"MTrk" + struct.pack(">I", len(events)) + events


def render(font: SoundFont, midi: bytes, work: Path) -> np.ndarray:
    """The MIDI file through fluidsynth, dry (its reverb and chorus off: training adds rooms,
    and a slot must not carry the one before's tail): mono float32 at SAMPLE_RATE_HZ."""
    source, out = work / "notes.mid", work / "notes.wav"
    source.write_bytes(midi)
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "1.0", "-r", str(SAMPLE_RATE_HZ),
         "-F", str(out), "-T", "wav", "-O", "s16", str(font.path), str(source)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return load_audio(out, sample_rate_hz=SAMPLE_RATE_HZ)


def render_slots(
    font: SoundFont,
    *,
    notes: list[Note],
    paths: list[Path],
    work: Path,
    channel: int = PERCUSSION_CHANNEL,
) -> None:
    """Render ``notes`` in one fluidsynth run and write each note's slot to its path."""
    audio = render(font, midi_file(notes, channel=channel), work)
    slot = round(SLOT_SECONDS * SAMPLE_RATE_HZ)
    for i, path in enumerate(paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, audio[i * slot : (i + 1) * slot], sample_rate_hz=SAMPLE_RATE_HZ)


def package_version(package: str) -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def available_fonts() -> list[SoundFont]:
    """The soundfonts installed here; exits naming what is missing if fluidsynth or all are."""
    if shutil.which("fluidsynth") is None:
        sys.exit("fluidsynth is missing: apt-get install fluidsynth (./dev ear does, as root)")
    fonts = [f for f in SOUNDFONTS if f.path.is_file()]
    if not fonts:
        sys.exit(f"no soundfont found: apt-get install {' '.join(PACKAGES[1:])}")
    return fonts


def render_all(out: Path, *, velocities: list[int]) -> dict[str, object]:
    """Render every drum note and melodic program of every installed soundfont into ``out``."""
    fonts = available_fonts()
    count = 0
    with tempfile.TemporaryDirectory(prefix="pac-ear-") as tmp:
        for font in fonts:
            # One fluidsynth run for the drums and one for the rest: loading a font takes
            # seconds (a compressed .sf3 most).
            root = out / font.name
            drums = [(program, n, v, 1.0) for program in KITS for n in PERCUSSION_NOTES
                     for v in velocities]  # fmt: skip
            render_slots(
                font, notes=drums, work=Path(tmp),
                paths=[root / "drums" / KITS[p] / f"n{n}-v{v}.wav" for p, n, v, _ in drums],
            )  # fmt: skip
            lengths = {s: name for name, s in LENGTHS_S.items()}
            melodic = [(program, k, v, s) for program in range(128) for k in KEYS
                       for v in MELODIC_VELOCITIES for s in LENGTHS_S.values()]  # fmt: skip
            render_slots(
                font, notes=melodic, work=Path(tmp), channel=0,
                paths=[root / "melodic" / f"p{p}" / f"k{k}-v{v}-{lengths[s]}.wav"
                       for p, k, v, s in melodic],
            )  # fmt: skip
            count += len(drums) + len(melodic)
            print(f"[ear] {font.name}: rendered", flush=True)
    manifest: dict[str, object] = {
        "sample_rate_hz": SAMPLE_RATE_HZ,
        "slot_seconds": SLOT_SECONDS,
        "packages": {p: package_version(p) for p in PACKAGES if p == "fluidsynth"}
        | {f.package: package_version(f.package) for f in fonts},
        "soundfonts": {f.name: f.package for f in fonts},
        "kits": KITS,
        "percussion_notes": list(PERCUSSION_NOTES),
        "drum_velocities": velocities,
        "keys": list(KEYS),
        "melodic_velocities": list(MELODIC_VELOCITIES),
        "lengths_s": LENGTHS_S,
        "clips": count,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ear.render", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=REPO / "build" / "ear-data")
    parser.add_argument("--velocities", default="40,80,120", help="of the drums")
    args = parser.parse_args(argv)
    manifest = render_all(args.out, velocities=[int(v) for v in args.velocities.split(",")])
    print(f"[ear] {manifest['clips']} clips in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
