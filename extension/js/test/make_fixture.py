"""Build the JS runtime's test fixture with the real exporter: ``pac train`` on synthetic clips.

Output directory (default ``extension/js/test/.fixture/``, git-ignored):

- ``model/``  a model folder written by ``model_export.jobs.train`` (window 16000 samples)
- ``input.f32``  raw little-endian float32, shape [N_CLIPS, WINDOW_SAMPLES]: one held-out
  clip of each label, then digital silence and loud noise
- ``expected.json``  what Python's LiteRT inference gives for ``input.f32``, in label order,
  and the true label of each held-out clip

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
from model_export.jobs.train import train_model_dir  # noqa: E402
from model_export.model_folder.inference import LoadedModel  # noqa: E402
from model_export.training.config import TrainConfig  # noqa: E402
from tests import synthetic  # noqa: E402

SEED = 1234
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
        clips = load_dataset(held_out, sample_rate_hz=MODEL_SAMPLE_RATE_HZ, warn=print)
        rng = np.random.default_rng(SEED)
        windows = np.concatenate(
            [
                np.stack([model.window(y) for y in clips]),
                np.zeros((1, model.window_samples), np.float32),
                np.clip(0.8 * rng.standard_normal((1, model.window_samples)), -1, 1),
            ]
        ).astype(np.float32)
        windows.astype("<f4").tofile(staging / "input.f32")
        expected = {
            "labels": list(model.labels),
            "window_samples": model.window_samples,
            "n_clips": len(windows),
            "truth": [clip.label for clip in held_out],
            "probabilities": model.predict(windows).tolist(),
        }
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
