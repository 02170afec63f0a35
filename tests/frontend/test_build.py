"""model_export.frontend.build: the converters import even when stdout is not a real file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_tfjs_converter_imports_with_captured_stdout() -> None:
    # In-process callers (pytest, a GUI, a notebook without IPython) replace sys.stdout;
    # tensorflow_decision_forests, which the converter imports, then tries to
    # ``import IPython`` to print a banner unless quiet_environment() switched it off.
    script = textwrap.dedent(
        """
        import io, sys
        from model_export.frontend.build import import_tensorflow_quietly
        sys.stdout = io.StringIO()
        import_tensorflow_quietly()
        try:
            from tensorflowjs.converters import tf_saved_model_conversion_v2
        except ImportError as exc:
            print(f"import failed: {exc!r}", file=sys.__stderr__)
            sys.exit(3)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "TFDF_DISABLE_WELCOME_MESSAGE"}

    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 0, proc.stderr[-2000:]
