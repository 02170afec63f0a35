"""Build the tiny TF.js graph-model fixture used by the JS runtime tests.

The fixture goes through the same route as the real exporter (FACTS.md §4):
Keras 3 ``model.export`` (SavedModel) -> ``tensorflowjs_converter`` with
``--input_format tf_saved_model --output_format tfjs_graph_model``.

Output directory (default ``extension/js/test/.fixture/``, git-ignored):

- ``model/``  model.json + group1-shard*.bin + metadata.json (window 1600 samples)
- ``input.f32``  raw little-endian float32, shape [N_CLIPS, WINDOW_SAMPLES]
- ``expected.json``  Keras probabilities for ``input.f32``, in label order

Run with the project venv:  ``.venv/bin/python extension/js/test/make_fixture.py [OUT_DIR]``
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

FIXTURE_FORMAT_VERSION = 1
SAMPLE_RATE_HZ = 16000
WINDOW_SAMPLES = 1600
LABELS = ["clap", "silence", "whistle"]
N_CLIPS = 4
SEED = 1234

DEFAULT_OUT_DIR = Path(__file__).resolve().parent / ".fixture"


def build_keras_model() -> Any:
    """Input [batch, WINDOW_SAMPLES] float32 -> Dense softmax over len(LABELS)."""
    import keras

    rng = np.random.default_rng(SEED)
    inputs = keras.Input(shape=(WINDOW_SAMPLES,), dtype="float32", name="pcm")
    dense = keras.layers.Dense(len(LABELS), activation="softmax", name="probabilities")
    outputs = dense(inputs)
    model = keras.Model(inputs, outputs, name="pac_fixture")
    # Weights big enough that the softmax is far from uniform on the test input.
    kernel = rng.normal(0.0, 0.05, size=(WINDOW_SAMPLES, len(LABELS))).astype(np.float32)
    bias = np.array([0.1, -0.2, 0.05], dtype=np.float32)
    dense.set_weights([kernel, bias])
    return model


def make_input_pcm() -> np.ndarray[Any, np.dtype[np.float32]]:
    """Seeded PCM in [-1, 1], shape [N_CLIPS, WINDOW_SAMPLES], float32."""
    rng = np.random.default_rng(SEED + 1)
    pcm = rng.uniform(-1.0, 1.0, size=(N_CLIPS, WINDOW_SAMPLES)).astype(np.float32)
    return pcm


def convert(saved_model_dir: Path, model_dir: Path) -> None:
    converter = Path(sys.executable).with_name("tensorflowjs_converter")
    cmd = [
        str(converter) if converter.exists() else "tensorflowjs_converter",
        "--input_format",
        "tf_saved_model",
        "--output_format",
        "tfjs_graph_model",
        "--signature_name",
        "serving_default",
        "--saved_model_tags",
        "serve",
        str(saved_model_dir),
        str(model_dir),
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_OUT_DIR
    model = build_keras_model()
    pcm = make_input_pcm()
    probabilities = np.asarray(model.predict(pcm, verbose=0), dtype=np.float32)

    # Build into a temp dir next to the target, then rename, so a half-built
    # fixture never looks complete to the tests.
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fixture-staging-", dir=out_dir.parent))
    try:
        saved_model_dir = staging / "saved_model"
        model.export(str(saved_model_dir), verbose=False)
        model_dir = staging / "model"
        convert(saved_model_dir, model_dir)
        shutil.rmtree(saved_model_dir)
        metadata = {
            "format": "pac-model",
            "format_version": FIXTURE_FORMAT_VERSION,
            "labels": LABELS,
            "sample_rate_hz": SAMPLE_RATE_HZ,
            "window_samples": WINDOW_SAMPLES,
            "window_seconds": WINDOW_SAMPLES / SAMPLE_RATE_HZ,
        }
        (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
        pcm.astype("<f4").tofile(staging / "input.f32")
        expected = {
            "labels": LABELS,
            "window_samples": WINDOW_SAMPLES,
            "n_clips": N_CLIPS,
            "probabilities": probabilities.tolist(),
        }
        (staging / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        (staging / ".gitignore").write_text("*\n")
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
