"""The exported TF.js model gives the same probabilities in Node as the SavedModel in Python.

Runs ``extension/js/tools/predict.mjs`` (needs ``node`` and ``cd extension/js && npm ci``).
Skipped when either is missing, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_export.model_folder.inference import LoadedModel
from tests import synthetic
from tests.helpers import Array

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
    if problems:
        message = "TF.js parity needs Node: " + "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: this test must run)")
        pytest.skip(message)
    assert node is not None
    return node


def run_predict(node: str, model_dir: Path, windows: Array, tmp_path: Path) -> dict[str, Any]:
    pcm_path = tmp_path / "input.f32"
    pcm_path.write_bytes(np.ascontiguousarray(windows, dtype="<f4").tobytes())
    proc = subprocess.run(
        [node, str(PREDICT), str(model_dir), str(pcm_path), "--backend", "cpu"],
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
def test_node_cpu_backend_matches_python(
    model_dir: Path, test_windows: Array, tmp_path: Path
) -> None:
    node = node_or_skip()
    rng = np.random.default_rng(3)
    loud = np.clip(rng.standard_normal(16_000) * 0.8, -1, 1).astype(np.float32)
    windows = np.concatenate(
        [
            np.zeros((1, 16_000), np.float32),  # digital silence: the log-mel floor everywhere
            loud[None, :],  # clipped, full-scale noise
            synthetic.pink_noise(16_000, rng, rms=0.01)[None, :],
            test_windows[::2],  # one held-out clip of each label
        ]
    )
    assert len(windows) >= 4

    result = run_predict(node, model_dir, windows, tmp_path)

    loaded = LoadedModel(model_dir)
    assert result["backend"] == "cpu"
    assert tuple(result["labels"]) == loaded.labels
    js = np.asarray(result["probabilities"], dtype=np.float64)
    python = loaded.predict(windows)
    assert js.shape == python.shape == (len(windows), len(loaded.labels))
    np.testing.assert_allclose(js, python, rtol=0, atol=1e-4)
    # The held-out clips are confidently recognised in both runtimes.
    assert [loaded.labels[i] for i in js[3:].argmax(axis=1)] == list(synthetic.LABELS)
