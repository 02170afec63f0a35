"""Drum sounds rendered from General MIDI soundfonts: the first data of "an ear of our own".

    python bench/ear_data.py --out bench/data/ear [--velocities 40,80,120]

Renders every drum note of five categories (kick, snare, hihat, cymbal, tom: the
categories of ``bench/unseen.py``'s ``sounds`` task) in every drum kit of every
soundfont Debian ships, with fluidsynth, to 16 kHz mono WAV:
``OUT/<soundfont>/<kit>/<category>/<note>-v<velocity>.wav``, and a ``manifest.json``
naming each soundfont's package and version.

None of these packages is a source of ``bench/unseen.py`` (which uses hydrogen-drumkits
and ktuberling-data), so a model trained on them can be scored there honestly.

Needs Debian's fluidsynth, fluid-soundfont-gm, timgm6mb-soundfont and
musescore-general-soundfont (``./dev bench`` installs them as root).
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
sys.path.insert(0, str(REPO))

from model_export.audio.decode import load_audio, write_wav  # noqa: E402

SAMPLE_RATE_HZ = 16_000
NOTE_SECONDS = 1.2


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

KITS = {0: "standard", 8: "room", 16: "power", 24: "electronic", 25: "tr808", 32: "jazz",
        40: "brush", 48: "orchestra"}  # fmt: skip
"""General MIDI drum kits: the program number on the percussion channel, and a name."""

CATEGORIES = {
    "kick": (35, 36),
    "snare": (38, 40),
    "hihat": (42, 44, 46),
    "cymbal": (49, 51, 52, 55, 57, 59),
    "tom": (41, 43, 45, 47, 48, 50),
}
"""General MIDI percussion notes of each category (the key map of channel 10)."""


SLOT_SECONDS = 1.5
"""Each note starts this long after the one before, in one rendering per kit; its clip is
its slot."""


def _var(n: int) -> bytes:
    out = [n & 0x7F]
    while n > 0x7F:
        n >>= 7
        out.insert(0, (n & 0x7F) | 0x80)
    return bytes(out)


def midi_file(*, program: int, notes: list[tuple[int, int]], seconds: float) -> bytes:
    """A format-0 standard MIDI file: drum ``notes`` ((note, velocity), ...) on the
    percussion channel (10) with kit ``program``, one every SLOT_SECONDS, each held
    ``seconds``."""
    ticks_per_beat = 480  # at the default 120 bpm: 960 ticks per second
    hold = round(seconds * 960)
    rest = round(SLOT_SECONDS * 960) - hold
    channel = 9
    events = _var(0) + bytes([0xC0 | channel, program])
    for i, (note, velocity) in enumerate(notes):
        events += _var(0 if i == 0 else rest) + bytes([0x90 | channel, note, velocity])
        events += _var(hold) + bytes([0x80 | channel, note, 0])
    events += _var(rest) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, ticks_per_beat)
    return header + b"MTrk" + struct.pack(">I", len(events)) + events


def render(font: SoundFont, midi: bytes, work: Path) -> np.ndarray:
    """The MIDI file through fluidsynth: mono float32 at SAMPLE_RATE_HZ."""
    source, out = work / "kit.mid", work / "kit.wav"
    source.write_bytes(midi)
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "1.0", "-r", str(SAMPLE_RATE_HZ), "-F", str(out),
         "-T", "wav", "-O", "s16", str(font.path), str(source)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return load_audio(out, sample_rate_hz=SAMPLE_RATE_HZ)


def package_version(package: str) -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/data/ear"))
    parser.add_argument("--velocities", default="40,80,120")
    args = parser.parse_args()
    if shutil.which("fluidsynth") is None:
        sys.exit("fluidsynth is missing: apt-get install fluidsynth (./dev bench does, as root)")
    fonts = [f for f in SOUNDFONTS if f.path.is_file()]
    if not fonts:
        sys.exit("no soundfont found: apt-get install fluid-soundfont-gm timgm6mb-soundfont ...")
    velocities = [int(v) for v in args.velocities.split(",")]
    manifest: dict[str, object] = {
        "sample_rate_hz": SAMPLE_RATE_HZ,
        "note_seconds": NOTE_SECONDS,
        "fluidsynth": package_version("fluidsynth"),
        "soundfonts": {
            f.name: {"package": f.package, "version": package_version(f.package)} for f in fonts
        },  # fmt: skip
        "kits": KITS,
        "categories": CATEGORIES,
        "velocities": velocities,
    }
    count = 0
    slot = round(SLOT_SECONDS * SAMPLE_RATE_HZ)
    with tempfile.TemporaryDirectory(prefix="pac-ear-") as tmp:
        for font in fonts:
            for program, kit in KITS.items():
                plan = [(category, note, velocity) for category, notes in CATEGORIES.items()
                        for note in notes for velocity in velocities]  # fmt: skip
                midi = midi_file(
                    program=program, notes=[(n, v) for _, n, v in plan], seconds=NOTE_SECONDS
                )
                audio = render(font, midi, Path(tmp))
                for i, (category, note, velocity) in enumerate(plan):
                    clip = audio[i * slot : (i + 1) * slot]
                    folder = args.out / font.name / kit / category
                    folder.mkdir(parents=True, exist_ok=True)
                    write_wav(
                        folder / f"{note}-v{velocity}.wav", clip, sample_rate_hz=SAMPLE_RATE_HZ
                    )
                    count += 1
            print(f"[ear] {font.name}: rendered", flush=True)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"[ear] {count} clips in {args.out}")


if __name__ == "__main__":
    main()
