"""The exported TF.js model gives the same probabilities in Node as model.tflite in Python.

Runs ``extension/js/tools/predict.mjs`` (needs ``node`` and ``cd extension/js && npm ci``).
Skipped when either is missing, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_export.model_folder.inference import LoadedModel
from tests import synthetic
from tests.helpers import Array, skip_or_fail_on_ci

REPO = Path(__file__).resolve().parents[2]
JS_DIR = REPO / "extension" / "js"
PREDICT = JS_DIR / "tools" / "predict.mjs"


def node_or_skip() -> str:
    """Path of ``node``; skips (or fails on CI) when the JS runtime cannot run."""
    node = shutil.which("node")
    problems = []
    if node is None:
        problems.append("`node` is not on PATH")
    if not (JS_DIR / "node_modules" / "@tensorflow" / "tfjs").is_dir():
        problems.append(f"{JS_DIR / 'node_modules'} is missing; run `cd extension/js && npm ci`")
    skip_or_fail_on_ci("TF.js parity needs Node", problems)
    assert node is not None
    return node


def run_predict(node: str, model_dir: Path, clips: list[Array], tmp_path: Path) -> dict[str, Any]:
    paths = []
    for i, clip in enumerate(clips):
        paths.append(tmp_path / f"clip{i}.f32")
        paths[-1].write_bytes(np.ascontiguousarray(clip, dtype="<f4").tobytes())
    proc = subprocess.run(
        [node, str(PREDICT), str(model_dir), *map(str, paths), "--backend", "cpu"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_node_modules_skips_locally_but_fails_on_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(f"{__name__}.JS_DIR", tmp_path)
    monkeypatch.setenv("CI", ci)

    with pytest.raises(outcome, match="npm ci"):
        node_or_skip()


@pytest.mark.slow
def test_node_cpu_backend_matches_python(model_dir: Path, dataset: Any, tmp_path: Path) -> None:
    node = node_or_skip()
    rng = np.random.default_rng(3)
    loud = np.clip(rng.standard_normal(12_000) * 0.8, -1, 1).astype(np.float32)
    clips = [
        np.zeros(16_000, np.float32),  # digital silence: the log-mel floor everywhere
        loud,  # clipped, full-scale noise
        synthetic.pink_noise(30_000, rng, rms=0.01),
        *dataset.test_clips[::2],  # one held-out clip of each label
    ]
    assert len(clips) >= 4

    result = run_predict(node, model_dir, clips, tmp_path)

    loaded = LoadedModel(model_dir)
    assert result["backend"] == "cpu"
    assert tuple(result["labels"]) == loaded.labels
    js = np.asarray(result["probabilities"], dtype=np.float64)
    python = loaded.predict(clips)
    assert js.shape == python.shape == (len(clips), len(loaded.labels))
    np.testing.assert_allclose(js, python, rtol=0, atol=1e-4)
    # The held-out clips are confidently recognised in both runtimes.
    assert [loaded.labels[i] for i in js[3:].argmax(axis=1)] == list(synthetic.LABELS)


@pytest.mark.slow
def test_a_head_on_the_ear_alone_matches_in_node(
    ear_model_dir: Path, dataset: Any, tmp_path: Path
) -> None:
    """The ear inside the exported graph: a head that reads only its 64 numbers gives the
    same probabilities in Node TF.js as on LiteRT, and they differ from clip to clip."""
    node = node_or_skip()
    clips = [*dataset.test_clips, synthetic.pink_noise(20_000, np.random.default_rng(4), rms=0.05)]

    result = run_predict(node, ear_model_dir, clips, tmp_path)

    js = np.asarray(result["probabilities"], dtype=np.float64)
    python = LoadedModel(ear_model_dir).predict(clips)
    np.testing.assert_allclose(js, python, rtol=0, atol=1e-4)
    assert np.ptp(python, axis=0).max() > 0.1  # the ear's numbers move the answer
