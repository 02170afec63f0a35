"""Every command of the light install runs without TensorFlow or any front-end tool.

Each command runs in a fresh interpreter where importing TensorFlow, Keras, the
TF.js converter, the ONNX packages or livekit-wakeword fails, as in a
`pip install personal-audio-classifier` without the `frontend` extra (.ci/run
also installs the built wheel in such a venv). Only a window pac does not ship
needs them, and says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import needs_aix_tools_or_skip

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BLOCKED = ("tensorflow", "keras", "tensorflowjs", "onnx", "onnxruntime", "livekit", "matplotlib")


def pac_blocked(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import sys
        for name in {BLOCKED!r}:
            sys.modules[name] = None  # importing it now raises ImportError
        from pac.cli import main
        code = main({list(args)!r})
        for name in {BLOCKED!r}:
            assert sys.modules.get(name) is None, name
        sys.exit(code)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_demo_train_evaluate_classify_export_and_build_aix_need_no_tensorflow(
    tmp_path: Path,
) -> None:
    needs_aix_tools_or_skip()
    samples = REPO / "pac" / "samples" / "numbers"

    demo = pac_blocked("demo", "--out", "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert (tmp_path / "demo" / "numbers.aix").is_file()
    runs = [
        ("train", str(samples / "train"), "--out", "m"),
        ("evaluate", "m", str(samples / "test"), "--plot", "c.svg"),
        ("classify", "m", str(next((samples / "test" / "one").glob("*.wav")))),
        ("export", "m", "--out", "t", "--format", "tflite"),
        ("build-aix", "m", "--out", "m.aix"),
    ]
    for args in runs:
        proc = pac_blocked(*args, cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.stderr[-3000:])


def test_a_window_pac_does_not_ship_says_what_to_install(tmp_path: Path) -> None:
    samples = REPO / "pac" / "samples" / "numbers" / "train"

    proc = pac_blocked("train", str(samples), "--out", "m", "--window-seconds", "1.5", cwd=tmp_path)

    assert proc.returncode == 1
    assert "pip install 'personal-audio-classifier[frontend]'" in proc.stderr
    assert not (tmp_path / "m").exists()
