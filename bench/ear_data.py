"""Drum sounds rendered from General MIDI soundfonts, in the categories of ``bench/unseen.py``.

    python bench/ear_data.py --out bench/data/ear [--velocities 40,80,120]

Renders every drum note of five categories (kick, snare, hihat, cymbal, tom: the
categories of ``bench/unseen.py``'s ``sounds`` task) in every drum kit of every
soundfont Debian ships (``ear.render``), to 16 kHz mono WAV:
``OUT/<soundfont>/<kit>/<category>/<note>-v<velocity>.wav``, and a ``manifest.json``
naming each soundfont's package and version. The ear's own data (``python -m ear.render``)
has every drum note and every melodic program of the same soundfonts.

None of these packages is a source of ``bench/unseen.py`` (which uses hydrogen-drumkits
and ktuberling-data), so a model trained on them can be scored there honestly.

Needs Debian's fluidsynth, fluid-soundfont-gm, timgm6mb-soundfont and
musescore-general-soundfont (``./dev bench`` installs them as root).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ear.render import (  # noqa: E402
    KITS,
    SAMPLE_RATE_HZ,
    available_fonts,
    package_version,
    render_slots,
)

NOTE_SECONDS = 1.2

CATEGORIES = {
    "kick": (35, 36),
    "snare": (38, 40),
    "hihat": (42, 44, 46),
    "cymbal": (49, 51, 52, 55, 57, 59),
    "tom": (41, 43, 45, 47, 48, 50),
}
"""General MIDI percussion notes of each category (the key map of channel 10)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/data/ear"))
    parser.add_argument("--velocities", default="40,80,120")
    args = parser.parse_args()
    fonts = available_fonts()
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
    with tempfile.TemporaryDirectory(prefix="pac-ear-") as tmp:
        for font in fonts:
            plan = [(program, category, note, velocity) for program in KITS
                    for category, notes in CATEGORIES.items() for note in notes
                    for velocity in velocities]  # fmt: skip
            notes = [(program, note, velocity, NOTE_SECONDS) for program, _, note, velocity in plan]
            paths = [
                args.out / font.name / KITS[program] / category / f"{note}-v{velocity}.wav"
                for program, category, note, velocity in plan
            ]
            render_slots(font, notes=notes, paths=paths, work=Path(tmp))
            count += len(plan)
            print(f"[ear] {font.name}: rendered", flush=True)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"[ear] {count} clips in {args.out}")


if __name__ == "__main__":
    main()
