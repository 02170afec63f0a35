"""The ``pac`` command line: exit codes, stdout/stderr, and what lands on disk.

Exit codes (pac/cli.py): 0 success, 1 bad input or a failed job with one
``pac: error: ...`` message on stderr naming the problem, 2 usage errors.

Success paths run ``python -m pac`` in a subprocess, as a user would. The
bad-input matrix calls ``pac.cli.main`` in-process (same code, same return
code, no 4 s TensorFlow start-up per case); one subprocess case checks that
the in-process results carry over.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest

from pac import __version__
from pac.cli import main
from tests import synthetic
from tests.helpers import Dataset, leftovers, snapshot

REPO = Path(__file__).resolve().parents[1]


def pac(*args: Any, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pac ARGS`` as a user would (stdout a pipe, no test-only settings)."""
    env = {k: v for k, v in os.environ.items() if k != "TFDF_DISABLE_WELCOME_MESSAGE"}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "pac", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def run_main(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def copy_dataset(source: Path, dest: Path, *, labels: tuple[str, ...], per_label: int) -> Path:
    """A small dataset: ``per_label`` WAVs of each of ``labels`` copied from ``source``."""
    for label in labels:
        (dest / label).mkdir(parents=True)
        for wav in sorted((source / label).glob("*.wav"))[:per_label]:
            shutil.copy2(wav, dest / label / wav.name)
    return dest


def assert_clean_failure(code: int, out: str, err: str, *, names: str) -> None:
    """Exit 1, nothing on stdout, and stderr ends with ``pac: error: ...`` naming the problem
    (training may have drawn progress bars before it)."""
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    assert "pac: error: " in err, err
    message = err[err.index("pac: error: ") :]
    assert names in message, message


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from ``tmp_path`` so that paths in messages are short and literal."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- usage errors: exit 2 before anything is loaded ----------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "data", "--out", "m", "--optimizer", "adagrad"], "invalid choice: 'adagrad'"),
        (["train", "data", "--out", "m", "--epochs", "0"], "--epochs: must be a positive integer"),
        (["train", "data", "--out", "m", "--batch-size", "-3"], "--batch-size"),
        (["train", "data", "--out", "m", "--learning-rate", "fast"], "--learning-rate"),
        (["train", "data", "--out", "m", "--learning-rate", "0"], "--learning-rate"),
        (["train", "data", "--out", "m", "--learning-rate", "nan"], "--learning-rate"),
        (["train", "data", "--out", "m", "--train-fraction", "0"], "--train-fraction"),
        (["train", "data", "--out", "m", "--train-fraction", "1.5"], "--train-fraction"),
        (["train", "data", "--out", "m", "--window-seconds", "0.5"], "--window-seconds"),
        (["train", "data", "--out", "m", "--window-seconds", "2.5"], "--window-seconds"),
        (["train", "data"], "--out"),
        (["classify", "m"], "FILE"),
        (["export", "m", "--out", "e", "--format", "onnx"], "invalid choice: 'onnx'"),
        (["fly"], "invalid choice: 'fly'"),
        ([], "COMMAND"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    proc = pac(*args, cwd=tmp_path)

    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("usage: pac")
    assert message in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_version() -> None:
    proc = pac("--version")

    assert (proc.returncode, proc.stdout.strip()) == (0, f"pac {__version__}")


# --- train ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_train_with_every_option(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "model"

    proc = pac(
        "train", dataset.train_dir, "--out", out,
        "--epochs", 5, "--learning-rate", 0.01, "--optimizer", "sgd", "--batch-size", 8,
        "--train-fraction", 0.75, "--seed", 3, "--window-seconds", 2,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "error" not in proc.stderr
    report = {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in proc.stdout.splitlines())
    }
    assert set(report) == {"labels", "validation", "features", "time", "model"}
    assert report["model"] == str(out)
    assert report["labels"] == "chirp (4 clips), noise (4 clips), tone (4 clips)"

    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["format"] == "pac-model"
    assert metadata["format_version"] == 2
    assert metadata["labels"] == list(synthetic.LABELS)
    assert (metadata["window_samples"], metadata["window_seconds"]) == (32_000, 2.0)
    assert metadata["sample_rate_hz"] == 16_000
    assert metadata["max_clip_samples"] == 160_000
    assert metadata["input"]["shape"] == [None, 160_000]
    training = metadata["training"]
    hyper = training["hyperparameters"]
    assert {k: hyper[k] for k in ("epochs", "learning_rate", "optimizer", "batch_size")} == {
        "epochs": 5, "learning_rate": 0.01, "optimizer": "sgd", "batch_size": 8,
    }  # fmt: skip
    assert (hyper["train_fraction"], hyper["seed"], hyper["window_seconds"]) == (0.75, 3, 2.0)
    assert training["clips_per_label"] == {"chirp": 4, "noise": 4, "tone": 4}
    assert (training["n_train_clips"], training["n_validation_clips"]) == (9, 3)
    matrix = np.asarray(training["confusion_matrix"])
    assert matrix.shape == (3, 3) and matrix.sum() == 3
    assert matrix.sum(axis=1).tolist() == [1, 1, 1]  # one held-out clip per label
    assert training["validation_accuracy"] == pytest.approx(np.trace(matrix) / 3)
    # 3 training clips per label: 3-fold cross-validation chose the feature set.
    scores, copy_scores = training["feature_set_scores"], training["feature_set_copy_scores"]
    assert set(scores) == set(copy_scores) == {"all", "speech", "cepstral", "cepstral+ear"}
    # the ear only when it beats every candidate without it on the augmented copies too
    ear_wins = copy_scores["cepstral+ear"] > max(
        s for n, s in copy_scores.items() if "ear" not in n
    )
    chosen = training["feature_set"].split("+")
    assert ("ear" in chosen) == ear_wins
    if not ear_wins:  # the best of the others on the clips, ties averaged
        best = max(s for n, s in scores.items() if "ear" not in n)
        tied = {n for n, s in scores.items() if s == best and "ear" not in n}
        assert {view for name in tied for view in name.split("+")} == set(chosen)
    assert report["features"].startswith(
        f"{training['feature_set']} (cross-validated, clips | with their augmented copies: "
    )
    created = datetime.datetime.fromisoformat(metadata["created_at"])
    assert created.tzinfo is not None
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs(now - created) < datetime.timedelta(minutes=10)
    assert metadata["tool"] == {"name": "pac", "version": __version__}
    assert (out / "model.json").is_file() and (out / "model.tflite").is_file()
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_train_with_a_cached_front_end_never_imports_tensorflow(
    dataset: Dataset, frontend: Any, tmp_path: Path
) -> None:
    script = (
        "import sys\n"
        "from pac.cli import main\n"
        "code = main(['train', sys.argv[1], '--out', sys.argv[2], '--epochs', '2'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "print('heavy:', heavy)\n"
        "sys.exit(code or bool(heavy))\n"
    )

    proc = subprocess.run(
        [sys.executable, "-c", script, str(dataset.train_dir), str(tmp_path / "model")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "heavy: []" in proc.stdout
    assert "preparing the feature front-end" not in proc.stderr


@pytest.mark.slow
def test_retraining_replaces_an_existing_model(
    dataset: Dataset,
    copy_model_dir: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = copy_model_dir("model")
    (out / "stale.txt").write_text("left by the old model")
    old_metadata = json.loads((out / "metadata.json").read_text())

    code, stdout, err = run_main(
        capsys, "train", dataset.train_dir, "--out", out, "--epochs", 2, "--seed", 5
    )

    assert code == 0, err
    assert not (out / "stale.txt").exists()
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["training"]["hyperparameters"]["seed"] == 5
    assert old_metadata["training"]["hyperparameters"]["seed"] != 5
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_train_with_background_and_no_validation(
    dataset: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    args = ["--background", "--train-fraction", 1, "--epochs", 2]

    code, stdout, err = run_main(capsys, "train", dataset.train_dir, "--out", out, *args)

    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0] == (
        "labels       : background (synthetic), chirp (4 clips), noise (4 clips), tone (4 clips)"
    )
    assert lines[1] == "validation   : none (train fraction 1.0 or too few clips)"
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["labels"] == ["background", *synthetic.LABELS]
    training = metadata["training"]
    assert training["validation_accuracy"] is None
    assert training["confusion_matrix"] is None
    assert (training["n_train_clips"], training["n_validation_clips"]) == (12, 0)


# --- evaluate ------------------------------------------------------------------------------


@pytest.mark.slow
def test_evaluate_json_and_plot(model_dir: Path, dataset: Dataset, tmp_path: Path) -> None:
    plot = tmp_path / "confusion.svg"

    proc = pac("evaluate", model_dir, dataset.test_dir, "--json", "--plot", plot)

    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)  # the whole of stdout is one JSON value...
    assert isinstance(report, dict)  # ...an object
    assert proc.stdout.count("\n") == 1
    assert {"accuracy", "labels", "confusion_matrix", "per_clip"} <= set(report)
    labels = report["labels"]
    assert labels == list(synthetic.LABELS)
    per_clip = report["per_clip"]
    assert [Path(c["path"]) for c in per_clip] == sorted(dataset.test_paths)  # sorted by path
    # Rows are true labels, columns predicted ones, and they agree with per_clip.
    recount = np.zeros((len(labels), len(labels)), int)
    for c in per_clip:
        assert c["label"] == Path(c["path"]).parent.name
        assert 1 / len(labels) <= c["confidence"] <= 1.0
        recount[labels.index(c["label"]), labels.index(c["predicted"])] += 1
    assert report["confusion_matrix"] == recount.tolist()
    assert report["accuracy"] == pytest.approx(np.trace(recount) / len(per_clip))
    assert report["accuracy"] == 1.0
    svg = ElementTree.fromstring(plot.read_text(encoding="utf-8"))
    counts = [int(t.text or "") for t in svg.iter() if t.get("class") == "count"]
    assert counts == [v for row in report["confusion_matrix"] for v in row]
    assert [p.name for p in tmp_path.iterdir()] == ["confusion.svg"]  # no temporary file left


@pytest.mark.slow
def test_evaluate_text_report(
    model_dir: Path, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, "evaluate", model_dir, dataset.test_dir)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "accuracy: 100.0% (6 clips)"
    assert lines[1] == "confusion matrix (rows: true label, columns: predicted):"
    assert lines[2].split() == list(synthetic.LABELS)
    assert [line.split() for line in lines[3:]] == [
        ["chirp", "2", "0", "0"],
        ["noise", "0", "2", "0"],
        ["tone", "0", "0", "2"],
    ]


# --- classify ------------------------------------------------------------------------------


def assert_ranked(classification: list[list[Any]], *, labels: tuple[str, ...]) -> None:
    assert sorted(label for label, _ in classification) == sorted(labels)
    confidences = [confidence for _, confidence in classification]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.slow
def test_classify_json(model_dir: Path, dataset: Dataset) -> None:
    files = dataset.test_paths[::2]  # one clip of each label

    proc = pac("classify", model_dir, *files, "--json")

    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list)
    assert [r["path"] for r in results] == [str(f) for f in files]
    for r, path in zip(results, files, strict=True):
        assert_ranked(r["classification"], labels=synthetic.LABELS)
        assert r["classification"][0][0] == path.parent.name


@pytest.mark.slow
def test_classify_reports_a_bad_file_and_still_classifies_the_good_ones(
    model_dir: Path, dataset: Dataset, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(np.random.default_rng(0).bytes(3000))
    good = dataset.test_paths[0], dataset.test_paths[-1]

    empty = tmp_path / "empty.3gp"
    empty.write_bytes(b"")

    proc = pac("classify", model_dir, good[0], bad, good[1], empty, "--json")

    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0].startswith(f"pac: error: {bad}: ")
    assert proc.stderr.splitlines()[1] == f"pac: error: {empty}: is empty (0 bytes)"
    results = json.loads(proc.stdout)
    assert [r["path"] for r in results] == [str(p) for p in (good[0], bad, good[1], empty)]
    for r in (results[0], results[2]):
        assert_ranked(r["classification"], labels=synthetic.LABELS)
    assert results[1]["error"]["code"] == -13 and results[1]["error"]["name"] == "DECODE_FAILED"
    assert results[3]["error"] == {
        "code": -23,
        "name": "EMPTY_CLIP",
        "message": f"{empty}: is empty (0 bytes)",
    }


@pytest.mark.slow
def test_classify_text_output(
    model_dir: Path, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dataset.test_paths[::2]

    code, out, err = run_main(capsys, "classify", model_dir, *files)

    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == len(files)
    for line, path in zip(lines, files, strict=True):
        name, _, ranking = line.rpartition(": ")
        assert name == str(path)
        pairs = [item.split(" ") for item in ranking.split(", ")]
        assert sorted(label for label, _ in pairs) == sorted(synthetic.LABELS)
        assert pairs[0][0] == path.parent.name
        assert all(len(conf.split(".")[1]) == 3 for _, conf in pairs)  # 3 decimals


# --- export --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "expected"), [("tfjs", "model.json"), ("tflite", "model.tflite")])
def test_export(model_dir: Path, tmp_path: Path, fmt: str, expected: str) -> None:
    out = tmp_path / "deploy"

    proc = pac("export", model_dir, "--out", out, "--format", fmt)

    assert proc.returncode == 0, proc.stderr
    listed = [Path(line) for line in proc.stdout.splitlines()]
    assert listed == sorted(out.iterdir())
    assert {expected, "metadata.json"} <= {p.name for p in listed}


# --- bad input: exit 1, the problem named, nothing written ---------------------------------


def _corrupt_file(data: Path) -> str:
    bad = data / "tone" / "bad.wav"
    bad.write_bytes(np.random.default_rng(1).bytes(2048))
    return f"{bad.relative_to(data.parent)}: not a decodable audio file"


def _notes_file(data: Path) -> str:
    (data / "tone" / "notes.txt").write_text("recorded on Tuesday")
    return "data/tone/notes.txt: not an audio file"


def _empty_label(data: Path) -> str:
    (data / "clap").mkdir()
    return "data/clap: label folder has no audio files"


def _single_label(data: Path) -> str:
    shutil.rmtree(data / "chirp")
    return "data: found 1 label folder (tone); at least 2 are needed"


def _missing_data(data: Path) -> str:
    shutil.rmtree(data)
    return "data: no such directory"


@pytest.mark.parametrize(
    "spoil", [_missing_data, _corrupt_file, _notes_file, _empty_label, _single_label]
)
def test_train_on_bad_data_writes_nothing(
    dataset: Dataset,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    spoil: Callable[[Path], str],
) -> None:
    data = copy_dataset(dataset.train_dir, in_tmp / "data", labels=("chirp", "tone"), per_label=2)
    names = spoil(data)

    code, out, err = run_main(capsys, "train", "data", "--out", "model", "--epochs", 1)

    assert_clean_failure(code, out, err, names=names)
    assert not (in_tmp / "model").exists()
    assert leftovers(in_tmp) == []


def test_train_refuses_to_replace_a_folder_that_is_not_a_model(
    dataset: Dataset, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_dataset(dataset.train_dir, in_tmp / "data", labels=("chirp", "tone"), per_label=2)
    homework = in_tmp / "homework"
    homework.mkdir()
    (homework / "essay.txt").write_text("due Friday")

    code, out, err = run_main(capsys, "train", "data", "--out", "homework", "--epochs", 1)

    assert_clean_failure(code, out, err, names="homework: exists, is not empty")
    assert "features" not in err, "the --out check must come before training, not after"
    assert snapshot(homework) == {"essay.txt": b"due Friday"}
    assert leftovers(in_tmp) == []


@pytest.fixture
def unknown_label_data(dataset: Dataset, in_tmp: Path) -> Path:
    data = copy_dataset(dataset.test_dir, in_tmp / "data", labels=("tone",), per_label=1)
    shutil.copytree(data / "tone", data / "whistle")
    return data


@pytest.mark.slow
def test_evaluate_with_a_label_the_model_does_not_know(
    model_dir: Path, unknown_label_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, "evaluate", model_dir, "data")

    assert code == 1
    assert out == ""
    assert err.startswith("pac: error: ")  # the wording: see the test below


@pytest.mark.slow
def test_evaluate_unknown_label_message_names_folder_and_labels(
    model_dir: Path, unknown_label_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, "evaluate", model_dir, "data")

    assert err == (
        "pac: error: data/whistle: label 'whistle' is not one of the model's labels "
        "(chirp, noise, tone)\n"
    )


@pytest.mark.parametrize("command", ["classify", "evaluate", "export"])
def test_missing_model_dir(
    dataset: Dataset, in_tmp: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    commands: dict[str, list[Any]] = {
        "classify": ["classify", "nope", dataset.test_paths[0]],
        "evaluate": ["evaluate", "nope", dataset.test_dir],
        "export": ["export", "nope", "--out", "deploy"],
    }
    args = commands[command]

    code, out, err = run_main(capsys, *args)

    assert_clean_failure(code, out, err, names="nope: no such model directory")
    assert list(in_tmp.iterdir()) == []


@pytest.mark.slow
def test_export_refuses_to_replace_a_folder_that_is_not_a_model(
    model_dir: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    music = in_tmp / "music"
    music.mkdir()
    (music / "song.mp3").write_bytes(b"ID3")

    code, out, err = run_main(capsys, "export", model_dir, "--out", "music")

    assert_clean_failure(code, out, err, names="music: exists, is not empty")
    assert snapshot(music) == {"song.mp3": b"ID3"}


@pytest.mark.slow
def test_bad_input_in_a_real_process(dataset: Dataset, tmp_path: Path) -> None:
    """The in-process results above carry over: exit status 1, one line on stderr, no stdout."""
    data = copy_dataset(dataset.train_dir, tmp_path / "data", labels=("tone",), per_label=1)

    proc = pac("train", "data", "--out", "model", cwd=tmp_path)

    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        f"pac: error: {data.relative_to(tmp_path)}: found 1 label folder (tone); at least 2 are "
        "needed to train a classifier\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# --- demo ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_ends_with_an_aix_ready_to_import(tmp_path: Path) -> None:
    from tests.conftest import needs_aix_tools_or_skip

    needs_aix_tools_or_skip()

    proc = pac("demo", "--out", tmp_path / "demo", cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    aix = tmp_path / "demo" / "numbers.aix"
    with zipfile.ZipFile(aix) as archive:
        names = archive.namelist()
    assert "org.pac.classifier/files/AndroidRuntime.jar" in names
    assert "org.pac.classifier/assets/model.json" in names
    assert f"extension    : {tmp_path / 'demo' / 'numbers.aix'}" in proc.stdout
    assert "companion    : " in proc.stdout  # whether the Companion can load it, and how
    assert "Import extension" in proc.stdout
    for name in ("model/model.tflite", "tfjs/model.json", "confusion.svg"):
        assert (tmp_path / "demo" / name).is_file()


def test_a_plot_that_is_not_svg_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "m", "d", "--plot", "confusion.png"])

    assert exit_info.value.code == 2
    assert "the picture is SVG: name it *.svg, got confusion.png" in capsys.readouterr().err
