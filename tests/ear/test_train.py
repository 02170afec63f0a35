"""ear/train.py: the classes and categories the ear is taught."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ear.render import PERCUSSION_NOTES
from ear.train import DRUM_CATEGORIES, SOUND_EFFECT_PROGRAMS, category_of, class_of, dataset
from model_export.audio.decode import write_wav


def test_every_percussion_note_is_in_exactly_one_group() -> None:
    notes = [n for group in DRUM_CATEGORIES.values() for n in group]
    assert sorted(notes) == list(PERCUSSION_NOTES)


def test_classes_and_categories_come_from_the_renderer_s_layout() -> None:
    data = Path("/data")
    assert class_of(data / "fluidr3/drums/tr808/n41-v80.wav", data) == "drum-41"
    assert class_of(data / "musescore/melodic/p57/k48-v60-short.wav", data) == "program-57"
    assert category_of("drum-41") == category_of("drum-50") == "tom"
    assert category_of("drum-49") == category_of("drum-51") == "cymbal"
    assert category_of("program-57") == category_of("program-63") == "family-7"  # brass
    assert category_of("program-0") != category_of("program-8")


def test_the_data_leaves_out_sound_effects_and_silent_notes(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    sound = (0.3 * rng.standard_normal(8_000)).astype(np.float32)
    clips = {
        "fluidr3/melodic/p0/k60-v60-long.wav": sound,
        f"fluidr3/melodic/p{SOUND_EFFECT_PROGRAMS[-1]}/k60-v60-long.wav": sound,  # gunshot
        "timgm6mb/drums/jazz/n38-v80.wav": sound,
        "timgm6mb/drums/jazz/n81-v80.wav": np.zeros(8_000, np.float32),  # a kit without it
    }
    for name, clip in clips.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write_wav(tmp_path / name, clip, sample_rate_hz=16_000)

    x, y, font, classes, fonts = dataset(tmp_path, copies=1, seed=0)

    assert classes == ["drum-38", "drum-81", "program-0"]  # the silent clip's class stays named
    assert fonts == ["fluidr3", "timgm6mb"]
    assert x.shape == (4, 49, 64) and x.dtype == np.float16  # 2 clips x (centred + 1 copy)
    assert sorted(y.tolist()) == [0, 0, 2, 2] and sorted(font.tolist()) == [0, 0, 1, 1]
