"""model_export.model_folder.inference: a model folder run on LiteRT, with no TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_export.model_folder.inference import LoadedModel, ranked
from model_export.model_folder.layout import TFLITE_MODEL_FILENAME, ModelDirError
from model_export.model_folder.metadata import METADATA_FILENAME, MetadataError
from tests import synthetic
from tests.helpers import windows_of

REPO = Path(__file__).resolve().parents[2]


def _edit_metadata(model: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = model / METADATA_FILENAME
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def test_ranked_is_highest_first_and_keeps_label_order_on_ties() -> None:
    probabilities = np.array([0.25, 0.5, 0.25], np.float32)

    assert ranked(("a", "b", "c"), probabilities) == [["b", 0.5], ["a", 0.25], ["c", 0.25]]


@pytest.mark.slow
def test_loaded_model_matches_the_trained_classifier(
    model_dir: Path, trained: Any, dataset: Any, rng: np.random.Generator
) -> None:
    # The exported graph trims and centres each clip itself; the trained classifier is
    # given windows centred by the reference implementation in numpy.
    clips = [
        *dataset.test_clips,
        np.zeros(20_000, np.float32),
        rng.uniform(-1, 1, 11_000).astype(np.float32),
        np.zeros(0, np.float32),
    ]

    loaded = LoadedModel(model_dir)

    assert loaded.labels == trained.labels
    assert (loaded.max_clip_samples, loaded.sample_rate_hz) == (160_000, 16_000)
    # Probabilities are in [0, 1]; float32 graphs that order their sums differently agree
    # to a few float32 steps of 1.0 (6e-8 each), whatever the CPU.
    np.testing.assert_allclose(
        loaded.predict(clips),
        trained.classifier.predict(windows_of(clips, window_samples=16_000)),
        rtol=0,
        atol=1e-5,
    )
    # One at a time or in a batch: the same answer.
    np.testing.assert_allclose(
        loaded.predict(clips[:1]), loaded.predict(clips)[:1], rtol=0, atol=1e-5
    )


@pytest.mark.slow
def test_a_sound_moved_inside_a_longer_clip_gets_the_same_answer(
    model_dir: Path, dataset: Any
) -> None:
    # Continuous listening hands over buffers with the sound anywhere in them.
    clip = dataset.test_clips[0]
    loaded = LoadedModel(model_dir)
    moved = [
        np.concatenate([np.zeros(lead, np.float32), clip, np.zeros(trail, np.float32)])
        for lead, trail in ((0, 0), (4_000, 0), (0, 6_000), (9_000, 3_000))
    ]

    probabilities = loaded.predict(moved)

    np.testing.assert_allclose(probabilities, probabilities[:1].repeat(4, 0), rtol=0, atol=1e-5)


@pytest.mark.slow
def test_a_clip_longer_than_the_maximum_keeps_its_middle(model_dir: Path, dataset: Any) -> None:
    loaded = LoadedModel(model_dir)
    clip = dataset.test_clips[0]
    middle = np.concatenate([np.zeros(80_000, np.float32), clip, np.zeros(80_000, np.float32)])
    long = np.concatenate(
        [np.full(30_000, 0.9, np.float32), middle, np.full(30_000, 0.9, np.float32)]
    )

    np.testing.assert_allclose(
        loaded.predict([long]),
        loaded.predict([middle[: loaded.max_clip_samples]]),
        rtol=0,
        atol=1e-6,
    )
    assert loaded.classify(long)[0][0] == loaded.classify(clip)[0][0]


@pytest.mark.slow
def test_classify_takes_a_decoded_clip_of_any_length(model_dir: Path, dataset: Any) -> None:
    loaded = LoadedModel(model_dir)

    for clip, label in zip(dataset.test_clips, dataset.test_labels, strict=True):
        result = loaded.classify(clip)
        assert result[0][0] == label
        assert sorted(name for name, _ in result) == sorted(synthetic.LABELS)
        assert [c for _, c in result] == sorted((c for _, c in result), reverse=True)


@pytest.mark.slow
def test_labels_that_disagree_with_the_outputs_are_refused(
    copy_model_dir: Callable[[str], Path],
) -> None:
    model = copy_model_dir("model")
    _edit_metadata(model, lambda d: d["labels"].append("extra"))

    with pytest.raises(ModelDirError) as excinfo:
        LoadedModel(model)

    assert str(excinfo.value) == (
        f"{model}: the model has 3 outputs but metadata.json lists 4 labels"
    )


@pytest.mark.slow
def test_wrong_format_version_is_refused_on_load(copy_model_dir: Callable[[str], Path]) -> None:
    model = copy_model_dir("model")
    _edit_metadata(model, lambda d: d.update(format_version=1))

    with pytest.raises(MetadataError, match=r"'format_version' is 1; .* run 'pac train' again"):
        LoadedModel(model)


@pytest.mark.slow
def test_missing_tflite_is_refused_on_load(copy_model_dir: Callable[[str], Path]) -> None:
    model = copy_model_dir("model")
    (model / TFLITE_MODEL_FILENAME).unlink()

    with pytest.raises(ModelDirError) as excinfo:
        LoadedModel(model)

    assert str(excinfo.value) == (
        f"{model / TFLITE_MODEL_FILENAME}: missing; this model folder is from an older pac, "
        "re-run 'pac train'"
    )


@pytest.mark.slow
def test_a_damaged_tflite_is_refused_on_load(copy_model_dir: Callable[[str], Path]) -> None:
    model = copy_model_dir("model")
    (model / TFLITE_MODEL_FILENAME).write_bytes(b"not a flatbuffer at all")

    with pytest.raises(ModelDirError, match=r"model\.tflite: not a readable TFLite model"):
        LoadedModel(model)


def test_missing_model_dir_is_refused_on_load(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="no such model directory"):
        LoadedModel(tmp_path / "nope")


@pytest.mark.slow
def test_inference_never_imports_tensorflow(model_dir: Path, dataset: Any) -> None:
    # What pac classify, pac evaluate and the bridge load: it must start in a fraction of a
    # second, so neither TensorFlow nor Keras may be imported, even indirectly.
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from pac.cli import main
        code = main(["classify", sys.argv[1], sys.argv[2]])
        code |= main(["evaluate", sys.argv[1], sys.argv[3]])
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("heavy:", heavy)
        sys.exit(code or bool(heavy))
        """
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(model_dir),
            str(dataset.test_paths[0]),
            str(dataset.test_dir),
        ],
        cwd=REPO,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "heavy: []" in proc.stdout
