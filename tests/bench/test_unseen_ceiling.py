"""bench/unseen_ceiling.py's grouping of test clips by source (the training is pac train's)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.audio_fixtures import encode, tone

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import unseen_ceiling  # noqa: E402


def test_source_is_the_recording_s_folder_or_the_engine_s_voice() -> None:
    kit = {"source": "/usr/share/hydrogen/data/drumkits/The Black Pearl 1.0/Ride.wav"}
    speech = {"kind": "flite", "voice": "awb", "text": "seven"}
    assert unseen_ceiling.source_of(kit) == "The Black Pearl 1.0"
    assert unseen_ceiling.source_of(speech) == "flite awb"


def test_load_sourced_pairs_each_clip_with_its_manifest_source(tmp_path: Path) -> None:
    entries = []
    for i, (label, voice) in enumerate([("one", "awb"), ("two", "rms"), ("one", "rms")]):
        path = f"test/{label}/{label}_{i:02d}.wav"
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        # A different length per clip, so the decoded clip shows which file it is.
        y = tone(sample_rate_hz=16000, duration_s=0.3 + 0.1 * i)
        encode(
            tmp_path / path, y, sample_rate_hz=16000, container_format="wav", codec_name="pcm_s16le"
        )
        entries.append(
            {"split": "test", "label": label, "kind": "flite", "voice": voice, "path": path}
        )
    (tmp_path / "manifest.json").write_text(json.dumps({"clips": entries}))

    found = unseen_ceiling.load_sourced(tmp_path, "test", "path")

    by_length = {
        round(len(c) / 16000, 1): (label, source)
        for c, label, source in zip(found.clips, found.labels, found.sources, strict=True)
    }
    assert by_length == {
        0.3: ("one", "flite awb"),
        0.4: ("two", "flite rms"),
        0.5: ("one", "flite rms"),
    }
    held_out, truth = found.where([s == "flite rms" for s in found.sources])
    assert sorted(truth) == ["one", "two"]
    assert sorted(round(len(c) / 16000, 1) for c in held_out) == [0.4, 0.5]
    assert all(isinstance(c, np.ndarray) for c in held_out)


def test_a_task_whose_sources_are_its_labels_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        unseen_ceiling.main(["--tasks", "numbers,voices"])
    assert exit_info.value.code == 2
    assert "--tasks: 'voices' is not one of numbers, words, sounds" in capsys.readouterr().err
