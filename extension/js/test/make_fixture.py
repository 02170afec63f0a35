"""Build the JS runtime's test fixture with the real exporter: ``pac train`` on synthetic clips.

Output directory (default ``extension/js/test/.fixture/``, git-ignored):

- ``model/``  a model folder written by ``model_export.jobs.train`` (window 16000 samples)
- ``clips/NN.f32``  raw little-endian float32 mono clips of different lengths: one held-out
  clip of each label placed off-centre in 0.5-3 s, digital silence, loud noise, a clip
  longer than the graph's maximum, and one held-out clip at 8 kHz (to be resampled)
- ``expected.json``  for each clip: its file, rate, true label (or null) and what Python's
  LiteRT inference gives for it (Python's resampler brings the 8 kHz clip to 16 kHz), in
  label order; and ``resampling``: golden vectors of the contract's resampler
  (``resampling/<from>-<to>.in.f32`` and ``.out.f32``, what Python's gives)

Run with the project venv:  ``.venv/bin/python extension/js/test/make_fixture.py [OUT_DIR]``
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from model_export import MODEL_SAMPLE_RATE_HZ  # noqa: E402
from model_export.audio.dataset import load_dataset, scan_dataset  # noqa: E402
from model_export.audio.resample import resample  # noqa: E402
from model_export.jobs.train import train_model_dir  # noqa: E402
from model_export.model_folder.inference import LoadedModel  # noqa: E402
from model_export.training.config import TrainConfig  # noqa: E402
from tests import synthetic  # noqa: E402

SEED = 1234
RESAMPLING_CASES = ((8_000, 16_000), (11_025, 16_000), (22_050, 16_000), (44_100, 16_000),
                    (48_000, 16_000), (16_000, 8_000), (17_170, 16_000))  # fmt: skip
"""Rate pairs of the golden vectors: the phone's and laptops' rates, the phone channel's
downsampling, and a ratio with no small terms."""
CONFIG = TrainConfig(epochs=20, augment_copies=3, seed=0)
DEFAULT_OUT_DIR = Path(__file__).resolve().parent / ".fixture"


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_OUT_DIR
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Build next to the target, then rename, so a half-built fixture never looks complete.
    staging = Path(tempfile.mkdtemp(prefix=".fixture-staging-", dir=out_dir.parent))
    try:
        train_dir = synthetic.write_dataset(staging / "train", per_label=4, seed=SEED)
        test_dir = synthetic.write_dataset(staging / "test", per_label=1, seed=SEED + 1)
        model_dir = staging / "model"
        train_model_dir(
            train_dir, model_dir, config=CONFIG, tool_version="fixture", warn=print, note=print
        )
        model = LoadedModel(model_dir)
        held_out = scan_dataset(test_dir)
        decoded = load_dataset(held_out, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=print)
        rng = np.random.default_rng(SEED)
        rate = MODEL_SAMPLE_RATE_HZ
        clips: list[tuple[np.ndarray, int, str | None]] = []
        for y, clip, seconds in zip(decoded, held_out, (0.5, 1.7, 3.0), strict=True):
            room = max(0, round(seconds * rate) - y.size)
            lead = int(rng.integers(0, room + 1))
            noise = synthetic.pink_noise(y.size + room, rng, rms=0.002)
            noise[lead : lead + y.size] += y
            clips.append((noise[: max(y.size, round(seconds * rate))], rate, clip.label))
        clips.append((np.zeros(round(1.2 * rate), np.float32), rate, None))
        clips.append((np.clip(0.8 * rng.standard_normal(round(0.8 * rate)), -1, 1), rate, None))
        long = synthetic.pink_noise(model.max_clip_samples + 3 * rate, rng, rms=0.002)
        centre = long.size // 2
        long[centre : centre + decoded[0].size] += decoded[0]
        clips.append((long, rate, held_out[0].label))
        clips.append(
            (resample(decoded[1], orig_sr_hz=rate, target_sr_hz=8_000), 8_000, held_out[1].label)
        )

        (staging / "clips").mkdir()
        entries = []
        for i, (y, clip_rate, truth) in enumerate(clips):
            name = f"clips/{i:02d}.f32"
            np.asarray(y, "<f4").tofile(staging / name)
            at_model_rate = resample(
                np.asarray(y, np.float32), orig_sr_hz=clip_rate, target_sr_hz=rate
            )
            entries.append(
                {
                    "file": name,
                    "rate_hz": clip_rate,
                    "samples": int(np.asarray(y).size),
                    "truth": truth,
                    "probabilities": model.predict([at_model_rate])[0].tolist(),
                }
            )
        (staging / "resampling").mkdir()
        golden = []
        for from_hz, to_hz in RESAMPLING_CASES:
            n = round(0.05 * from_hz)
            t = np.arange(n) / from_hz
            y = (0.4 * np.sin(2 * np.pi * 440.0 * t) + 0.3 * rng.standard_normal(n)).clip(-1, 1)
            name = f"resampling/{from_hz}-{to_hz}"
            np.asarray(y, "<f4").tofile(staging / f"{name}.in.f32")
            out = resample(np.asarray(y, np.float32), orig_sr_hz=from_hz, target_sr_hz=to_hz)
            np.asarray(out, "<f4").tofile(staging / f"{name}.out.f32")
            golden.append({"from_hz": from_hz, "to_hz": to_hz, "file": name})
        expected = {"labels": list(model.labels), "clips": entries, "resampling": golden}
        (staging / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        (staging / ".gitignore").write_text("*\n")
        for folder in (train_dir, test_dir):
            shutil.rmtree(folder)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    print(f"fixture written to {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
