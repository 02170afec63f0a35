"""model_export.export: the deployable TF.js and TFLite folders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from model_export.export import export_model_dir
from model_export.metadata import METADATA_FILENAME, MetadataError
from model_export.model_dir import LoadedModel, ModelDirError
from tests.helpers import Array, leftovers, snapshot

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_tfjs_copies_model_json_shards_and_metadata(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tfjs"

    written = export_model_dir(model_dir, out, fmt="tfjs")

    assert written == sorted(out.iterdir())
    names = {p.name for p in written}
    shards = {p.name for p in model_dir.glob("*.bin")}
    assert names == {"model.json", METADATA_FILENAME} | shards
    for name in names:
        assert (out / name).read_bytes() == (model_dir / name).read_bytes(), name
    assert leftovers(tmp_path) == []


@pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")
def test_tflite_runs_and_matches_the_saved_model(
    model_dir: Path, tmp_path: Path, test_windows: Array, rng: np.random.Generator
) -> None:
    import tensorflow as tf

    out = tmp_path / "tflite"

    written = export_model_dir(model_dir, out, fmt="tflite")

    assert {p.name for p in written} == {"model.tflite", METADATA_FILENAME}
    assert (out / METADATA_FILENAME).read_bytes() == (model_dir / METADATA_FILENAME).read_bytes()
    windows = np.concatenate(
        [
            test_windows,
            np.zeros((1, 16_000), np.float32),
            rng.uniform(-1, 1, (1, 16_000)).astype(np.float32),
        ]
    )
    interpreter = tf.lite.Interpreter(model_path=str(out / "model.tflite"))
    (inp,) = interpreter.get_input_details()
    (outp,) = interpreter.get_output_details()
    interpreter.resize_tensor_input(inp["index"], [1, 16_000])
    interpreter.allocate_tensors()
    rows = []
    for window in windows:
        interpreter.set_tensor(inp["index"], window[None, :])
        interpreter.invoke()
        rows.append(interpreter.get_tensor(outp["index"])[0])

    expected = LoadedModel(model_dir).predict(windows)
    np.testing.assert_allclose(np.stack(rows), expected, rtol=0, atol=1e-4)


def test_export_replaces_an_earlier_export(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    export_model_dir(model_dir, out, fmt="tflite")

    export_model_dir(model_dir, out, fmt="tfjs")

    assert not (out / "model.tflite").exists()
    assert (out / "model.json").is_file()
    assert leftovers(tmp_path) == []


def test_unknown_format(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format must be one of tfjs, tflite; got 'onnx'"):
        export_model_dir(model_dir, tmp_path / "out", fmt="onnx")

    assert list(tmp_path.iterdir()) == []


def test_export_into_the_model_folder_is_refused(
    copy_model_dir: Callable[[str], Path],
) -> None:
    model = copy_model_dir("model")
    before = snapshot(model)

    with pytest.raises(ValueError, match="export folder must differ from the model folder"):
        export_model_dir(model, model, fmt="tfjs")

    assert snapshot(model) == before


def test_export_refuses_a_non_model_folder(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "essay.txt").write_text("draft")

    with pytest.raises(ModelDirError, match="refusing to replace it"):
        export_model_dir(model_dir, out, fmt="tfjs")

    assert snapshot(out) == {"essay.txt": b"draft"}


def test_export_of_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="missing; is .* a model made by 'pac train'"):
        export_model_dir(tmp_path, tmp_path.parent / "out", fmt="tfjs")


def test_tfjs_export_without_model_json_writes_nothing(
    copy_model_dir: Callable[[str], Path], tmp_path: Path
) -> None:
    model = copy_model_dir("model")
    (model / "model.json").unlink()
    out = tmp_path / "tfjs"

    with pytest.raises(ValueError, match=r"model\.json: missing; re-run 'pac train'"):
        export_model_dir(model, out, fmt="tfjs")

    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_tfjs_converter_imports_with_captured_stdout(tmp_path: Path) -> None:
    # In-process callers (pytest, a GUI, a notebook without IPython) replace sys.stdout;
    # tensorflow_decision_forests then tries to ``import IPython`` to print a banner.
    script = textwrap.dedent(
        """
        import io, sys
        from pathlib import Path
        from model_export.export import saved_model_to_tfjs
        sys.stdout = io.StringIO()
        try:
            saved_model_to_tfjs(Path(sys.argv[1]), Path(sys.argv[2]))
        except ImportError as exc:
            print(f"import failed: {exc!r}", file=sys.__stderr__)
            sys.exit(3)
        except Exception:
            pass  # the missing SavedModel; the converter did import
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "TFDF_DISABLE_WELCOME_MESSAGE"}

    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "missing"), str(tmp_path / "out")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 0, proc.stderr[-2000:]
