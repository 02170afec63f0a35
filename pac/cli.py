"""The ``pac`` command line. Contract: docs/cli.md.

Exit codes: 0 success, 1 bad input or a failed job (the message names the
file, field or limit), 2 bad command-line usage.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pac import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _warn(message: str) -> None:
    print(f"pac: warning: {message}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"pac: {message}", file=sys.stderr, flush=True)


class _Bars:
    """A tqdm progress bar on stderr for the current training stage (one at a time)."""

    def __init__(self) -> None:
        self._stage: str | None = None
        self._bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self._stage or self._bar is None or done < self._bar.n:
            self.close()
            self._stage = stage
            self._bar = tqdm(
                total=total,
                desc=stage,
                unit="clip" if stage == "features" else "epoch",
                file=sys.stderr,
                leave=False,
                disable=None,  # no bars when stderr is not a terminal (logs, CI)
                dynamic_ncols=True,
            )
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _can_print(text: str) -> bool:
    """Whether stdout's encoding has these characters (a Windows code page may not)."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _bounded_float(low: float, high: float, *, low_open: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        if not (low < value if low_open else low <= value) or not value <= high:
            interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
            raise argparse.ArgumentTypeError(f"must be in {interval}, got {text}")
        return value

    return parse


def _svg_path(text: str) -> Path:
    if not text.lower().endswith(".svg"):
        raise argparse.ArgumentTypeError(f"the picture is SVG: name it *.svg, got {text}")
    return Path(text)


def _train_config(args: argparse.Namespace) -> Any:
    from model_export.training.config import TrainConfig

    return TrainConfig(
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        optimizer=args.optimizer,
        batch_size=args.batch_size,
        train_fraction=args.train_fraction,
        seed=args.seed,
        window_seconds=args.window_seconds,
        background=args.background,
    )


def _print_train_report(report: Any, out_dir: Path) -> None:
    counts = [
        f"{k} ({v} clips)" if v else f"{k} (synthetic)" for k, v in report.clips_per_label.items()
    ]
    print(f"labels       : {', '.join(counts)}")
    if report.validation is None:
        print("validation   : none (train fraction 1.0 or too few clips)")
    else:
        print(
            f"validation   : {report.validation.accuracy:.1%} on {report.n_validation_clips} "
            f"held-out clips (trained on {report.n_train_clips}); final model uses all clips"
        )
    scores, copy_scores = report.feature_set.scores, report.feature_set.copy_scores
    chosen = (
        "all (too few clips to compare)"
        if scores is None or copy_scores is None
        else f"{report.feature_set.name} (cross-validated, clips | with their augmented "
        "copies: "
        + ", ".join(
            f"{name} {score:.0%} | {copy_scores[name]:.0%}" for name, score in scores.items()
        )
        + ")"
    )
    print(f"features     : {chosen}")
    prepare = (
        f", front-end {report.frontend_seconds:.1f} s (once)"
        if report.frontend_seconds >= 1.0
        else ""
    )
    print(
        f"time         : load {report.load_seconds:.1f} s, train {report.train_seconds:.1f} s, "
        f"export {report.save_seconds:.1f} s{prepare}"
    )
    print(f"model        : {out_dir}")


def cmd_train(args: argparse.Namespace) -> int:
    from model_export.jobs.train import train_model_dir

    config = _train_config(args)
    bars = _Bars()
    try:
        report = train_model_dir(
            args.data_dir,
            args.out,
            config=config,
            tool_version=__version__,
            warn=_warn,
            note=_note,
            progress=bars,
        )
    finally:
        bars.close()
    _print_train_report(report, args.out)
    return EXIT_OK


def _evaluation_json(report: Any) -> dict[str, Any]:
    ev = report.evaluation
    return {
        "accuracy": ev.accuracy,
        "labels": list(ev.labels),
        "confusion_matrix": [list(row) for row in ev.confusion_matrix],
        "per_clip": [
            {
                "path": str(r.clip.path),
                "label": r.clip.label,
                "predicted": r.predicted,
                "confidence": r.confidence,
            }
            for r in report.per_clip
        ],
    }


def _print_evaluation(report: Any) -> None:
    ev = report.evaluation
    width = max(len(label) for label in ev.labels)
    print(f"accuracy: {ev.accuracy:.1%} ({ev.n_clips} clips)")
    print("confusion matrix (rows: true label, columns: predicted):")
    print(" " * (width + 2) + "  ".join(f"{label:>{width}}" for label in ev.labels))
    for label, row in zip(ev.labels, ev.confusion_matrix, strict=True):
        print(f"{label:>{width}}  " + "  ".join(f"{v:>{width}}" for v in row))
    wrong = [r for r in report.per_clip if r.predicted != r.clip.label]
    for r in wrong:
        print(
            f"  wrong: {r.clip.path} is {r.clip.label}, "
            f"predicted {r.predicted} ({r.confidence:.2f})"
        )


def cmd_evaluate(args: argparse.Namespace) -> int:
    from model_export.jobs.evaluate import evaluate_model_dir, plot_confusion

    report = evaluate_model_dir(args.model_dir, args.data_dir, warn=_warn)
    if args.plot:
        plot_confusion(
            report.evaluation, args.plot, title=f"{args.model_dir.name} on {args.data_dir.name}"
        )
    if args.json:
        print(json.dumps(_evaluation_json(report), ensure_ascii=False))
    else:
        _print_evaluation(report)
        if args.plot:
            print(f"plot: {args.plot}")
    return EXIT_OK


def cmd_classify(args: argparse.Namespace) -> int:
    from bridge.protocol import ERROR_CODES
    from model_export.jobs.classify import classify_files

    results = classify_files(args.model_dir, args.files)
    failed = False
    out: list[dict[str, Any]] = []
    for path, result in results:
        if isinstance(result, Exception):
            failed = True
            print(f"pac: error: {result}", file=sys.stderr)
            name = result.error_name
            error = {"code": ERROR_CODES[name], "name": name, "message": str(result)}
            out.append({"path": str(path), "error": error})
            continue
        if args.json:
            out.append({"path": str(path), "classification": result})
        else:
            print(f"{path}: " + ", ".join(f"{label} {conf:.3f}" for label, conf in result))
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    return EXIT_FAILED if failed else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from model_export.jobs.export import export_model_dir

    for path in export_model_dir(args.model_dir, args.out, fmt=args.format):
        print(path)
    return EXIT_OK


def _print_aix_report(report: Any) -> None:
    print(
        f"extension    : {report.path} ({report.size_bytes / 1e6:.1f} MB, {report.seconds:.1f} s)"
    )
    print(f"component    : {report.package}.PersonalAudioClassifier")
    print(f"labels       : {', '.join(report.labels)}")
    if report.dexer is None:
        print(
            "companion    : no d8 found, so the .aix has no classes.jar. It works in built apps\n"
            "               (Build > Android App), but the AI Companion cannot load it. To test\n"
            "               with the Companion, run `pac get-d8` once (it downloads Google's d8,\n"
            "               if you agree) and build again. With the Android SDK, pass\n"
            "               --d8 <sdk>/build-tools/<version>/d8 (or set ANDROID_HOME) instead."
        )
    else:
        print(f"companion    : classes.jar made with d8 from {report.dexer.source}")


def cmd_build_aix(args: argparse.Namespace) -> int:
    from aix_build.build import build_aix
    from model_export.frontend.cache import cache_root

    report = build_aix(
        args.model_dir,
        args.out,
        package=args.package,
        d8=args.d8,
        android_jar=args.android_jar,
        cache_dir=cache_root(),
        note=_note,
    )
    _print_aix_report(report)
    return EXIT_OK


def cmd_get_d8(args: argparse.Namespace) -> int:
    import os

    from aix_build.dex import cached_r8_path
    from aix_build.r8 import R8_SHA256, R8_URL, R8_VERSION, URL_ENV, download_r8
    from model_export.frontend.cache import cache_root

    dest = cached_r8_path(cache_root())
    if dest.is_file() and not args.force:
        print(f"d8           : already in {dest}; pac build-aix uses it (--force to fetch again)")
        return EXIT_OK
    url = os.environ.get(URL_ENV) or R8_URL
    print(
        f"pac get-d8 downloads r8 {R8_VERSION}, Google's Android dexer (it contains d8; about\n"
        f"20 MB, Apache-2.0), from\n  {url}\n"
        f"checks its SHA-256 ({R8_SHA256[:16]}...) and keeps it in\n  {dest}\n"
        "pac build-aix then makes classes.jar with it, which the AI Companion needs.\n"
        "Running it needs Java (`java` on PATH)."
    )
    if not args.yes:
        if not sys.stdin.isatty():
            print("pac: error: not downloading without your consent: run `pac get-d8 --yes`",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        try:
            answer = input("Download it? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing downloaded")
            return EXIT_FAILED

    progress_shown = False

    def progress(done: int) -> None:
        nonlocal progress_shown
        progress_shown = True
        print(f"\rdownloaded {done / 1e6:5.1f} MB", end="", file=sys.stderr, flush=True)

    try:
        path = download_r8(cache_root(), url=url, progress=progress)
    finally:
        if progress_shown:  # end the progress line, also before an error message
            print(file=sys.stderr)
    print(f"d8           : {path} (r8 {R8_VERSION}, SHA-256 checked)")
    return EXIT_OK


def cmd_bridge(args: argparse.Namespace) -> int:
    import segno

    from bridge.addresses import lan_addresses
    from bridge.protocol import new_code
    from bridge.server import Bridge, run_until_stopped
    from model_export.frontend.cache import cache_root

    code = args.code or new_code()
    if len(code) < 4 or not code.isalnum():
        raise ValueError(f"--code {code!r}: use at least 4 letters or digits")
    bridge = Bridge(args.model_dir, code=code)

    def urls(port: int) -> list[tuple[str, str]]:
        """(URL, where it comes from): the one the QR code holds first."""
        if args.host not in ("0.0.0.0", ""):
            return [(f"ws://{args.host}:{port}", "")]
        return [(f"ws://{a.ip}:{port}", a.interface) for a in lan_addresses()]

    def ready(port: int) -> None:
        found = urls(port)
        if not found:
            print(
                f"bridge       : ws://127.0.0.1:{port} (this laptop only)\n"
                "               No network: this laptop has no address a phone can reach.\n"
                "               Connect it to the same Wi-Fi as the phone, and start\n"
                "               pac bridge again."
            )
        for i, (url, source) in enumerate(found):
            print(
                f"{'bridge' if i == 0 else '':<12} : {url}" + (f"   ({source})" if source else "")
            )
        if len(found) > 1:
            print(f"{'':<15}The phone needs the one on its own network; the first is on")
            print(f"{'':<15}the default route, which usually is the Wi-Fi.")
        print(f"pairing code : {code}")
        print(f"model        : {args.model_dir} ({', '.join(bridge.model.labels)})")
        if found:
            url = found[0][0]
            print(f"BridgeUrl    : {url}?code={code}   (the QR code holds this)")
            qr = segno.make(f"{url}?code={code}", error="m")
            if _can_print("\u2580\u2584\u2588"):
                qr.terminal(out=sys.stdout, compact=True)
            else:  # a console code page without block characters (Windows, redirected)
                picture = cache_root() / "bridge-qr.png"
                picture.parent.mkdir(parents=True, exist_ok=True)
                qr.save(str(picture), scale=8)
                print(f"QR code      : {picture} (open it, and scan it with the phone)")
            print(f"try it       : pac send {url} --code {code} FILE.wav")
        print("Ctrl-C stops the bridge.", flush=True)

    run_until_stopped(lambda stop: bridge.run(args.host, args.port, ready=ready, stop=stop))
    _note("bridge stopped")
    return EXIT_OK


def cmd_studio(args: argparse.Namespace) -> int:
    from studio.project import PROJECT_FILENAME, Project, check_name
    from studio.server import default_projects_folder, run_studio

    project = None
    if args.project is None:
        root = default_projects_folder()
        root.mkdir(parents=True, exist_ok=True)
    else:
        folder = args.project.resolve()
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{args.project}: not a folder")
        if (
            folder.is_dir()
            and not (folder / PROJECT_FILENAME).exists()
            and any(p for p in folder.iterdir() if not p.name.startswith("."))
            and not (folder / "clips").is_dir()
        ):
            raise ValueError(
                f"{args.project}: this folder has files but is not a studio project; "
                "give a new or empty folder (a project folder holds pac-project.json)"
            )
        check_name(folder.name, what="project")
        Project.open(folder)
        root, project = folder.parent, folder.name
    run_studio(
        root,
        project=project,
        port=args.port if args.port is not None else 8080,
        port_fixed=args.port is not None,
        bridge_port=args.bridge_port,
        open_browser=not args.no_browser,
        tool_version=__version__,
    )
    _note("studio stopped")
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    import asyncio

    from bridge.client import SendError, send_files

    names = {str(i): str(path) for i, path in enumerate(args.files, start=1)}
    failed = False

    def show(message: dict[str, Any]) -> None:
        nonlocal failed
        failed |= message.get("type") == "Error"
        if args.json:
            print(json.dumps(message, ensure_ascii=False), flush=True)
        elif message.get("type") == "GotClassification":
            result = ", ".join(f"{label} {conf:.3f}" for label, conf in message["result"])
            print(f"{names.get(message['id'], message['id'])}: {result}", flush=True)
        elif message.get("type") == "ClassifierReady":
            print(f"ready: {message['model']} ({', '.join(message['labels'])})", flush=True)
        elif message.get("type") == "SoundCollected":
            where = names.get(message["id"], message["id"])
            print(
                f"{where}: collected into {message['label']} as {message['clip']} "
                f"({message['clips']} clips)",
                flush=True,
            )
        else:
            where = names.get(str(message.get("id")), "bridge")
            print(
                f"pac: error: {where}: {message.get('message')} (code {message.get('code')})",
                file=sys.stderr,
                flush=True,
            )

    for path in args.files:
        if not path.is_file():
            raise ValueError(f"{path}: no such file")
    try:
        asyncio.run(
            send_files(args.url, args.code, args.files, on_message=show, collect_label=args.collect)
        )
    except SendError as exc:
        print(f"pac: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED if failed else EXIT_OK


def samples_dir() -> Path:
    """The bundled sample clips (the project's own espeak-ng recordings)."""
    return Path(str(importlib.resources.files("pac") / "samples" / "numbers"))


def cmd_demo(args: argparse.Namespace) -> int:
    from model_export.jobs.evaluate import evaluate_model_dir, plot_confusion
    from model_export.jobs.export import export_model_dir
    from model_export.jobs.train import train_model_dir
    from model_export.training.config import TrainConfig

    samples = samples_dir()
    out: Path = args.out
    model_dir, export_dir, plot = out / "model", out / "tfjs", out / "confusion.svg"
    aix = out / "numbers.aix"
    print(f"Training on the bundled sample clips in {samples / 'train'}")
    bars = _Bars()
    try:
        report = train_model_dir(
            samples / "train",
            model_dir,
            config=TrainConfig(),
            tool_version=__version__,
            warn=_warn,
            note=_note,
            progress=bars,
        )
    finally:
        bars.close()
    _print_train_report(report, model_dir)
    print(f"\nEvaluating on clips from other voices, with noise, in {samples / 'test'}")
    evaluation = evaluate_model_dir(model_dir, samples / "test", warn=_warn)
    _print_evaluation(evaluation)
    plot_confusion(evaluation.evaluation, plot, title="pac demo")
    t0 = time.perf_counter()
    exported = export_model_dir(model_dir, export_dir, fmt="tfjs")
    export_seconds = time.perf_counter() - t0
    inference = sorted(evaluation.inference_ms)
    print(f"\ninference    : {inference[len(inference) // 2]:.1f} ms per clip (median, Python)")
    print(f"export       : {export_seconds:.1f} s -> {', '.join(p.name for p in exported)}")
    print("\nBuilding the App Inventor extension, with the model inside")
    from aix_build.build import build_aix
    from aix_build.java import JavaError
    from model_export.frontend.cache import cache_root

    try:
        _print_aix_report(build_aix(model_dir, aix, cache_dir=cache_root(), note=_note))
        built = True
    except JavaError as exc:
        built = False
        print(f"extension    : not built: {exc}")
    print(
        f"outputs      : model {model_dir}\n"
        f"               tfjs  {export_dir}\n"
        f"               plot  {plot}"
        + (
            f"\n               .aix  {aix}  (App Inventor: Palette > Extension > Import extension)"
            if built
            else ""
        )
    )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pac",
        description="Personal Audio Classifier: train, test and export a sound classifier.",
    )
    parser.add_argument("--version", action="version", version=f"pac {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from model_export.model_folder.layout import FORMATS
    from model_export.training.config import (
        MAX_LEARNING_RATE,
        MAX_WINDOW_SECONDS,
        MIN_WINDOW_SECONDS,
        OPTIMIZERS,
        TrainConfig,
    )

    defaults = TrainConfig()
    p = sub.add_parser("train", help="train a classifier on a folder of labelled clips")
    p.add_argument(
        "data_dir", type=Path, metavar="DATA_DIR", help="one sub-folder of clips per label"
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="MODEL_DIR",
        help="folder to write the model to (replaced if it holds a model)",
    )
    p.add_argument(
        "--epochs",
        type=_positive_int,
        default=defaults.epochs,
        metavar="N",
        help="passes over the clips (default %(default)s)",
    )
    p.add_argument(
        "--learning-rate",
        type=_bounded_float(0.0, MAX_LEARNING_RATE, low_open=True),
        default=defaults.learning_rate,
        metavar="X",
        help="optimizer step size (default %(default)s)",
    )
    p.add_argument(
        "--optimizer", choices=OPTIMIZERS, default=defaults.optimizer, help="default %(default)s"
    )
    p.add_argument(
        "--batch-size",
        type=_positive_int,
        default=defaults.batch_size,
        metavar="N",
        help="clips per training step (default %(default)s)",
    )
    p.add_argument(
        "--train-fraction",
        type=_bounded_float(0.0, 1.0, low_open=True),
        default=defaults.train_fraction,
        metavar="F",
        help="share of clips to train on; the rest validates, then the final model "
        "trains on all (default %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        metavar="N",
        help="for a reproducible model (default %(default)s)",
    )
    p.add_argument(
        "--window-seconds",
        type=_bounded_float(MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS),
        default=defaults.window_seconds,
        metavar="S",
        help=f"length of audio the model hears, {MIN_WINDOW_SECONDS:g} to "
        f"{MAX_WINDOW_SECONDS:g} (default %(default)s)",
    )
    p.add_argument(
        "--background",
        action="store_true",
        help='add a "background" label for room noise and silence',
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="test a model on a folder of labelled clips")
    p.add_argument("model_dir", type=Path, metavar="MODEL_DIR")
    p.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--plot", type=_svg_path, metavar="FILE.svg", help="write a confusion-matrix picture (SVG)"
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("classify", help="classify audio files")
    p.add_argument("model_dir", type=Path, metavar="MODEL_DIR")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON array")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("export", help="write the deployable model files")
    p.add_argument("model_dir", type=Path, metavar="MODEL_DIR")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write to")
    p.add_argument("--format", choices=FORMATS, default=FORMATS[0], help="default %(default)s")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "build-aix", help="build an App Inventor extension (.aix) with the model inside"
    )
    p.add_argument("model_dir", type=Path, metavar="MODEL_DIR")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.aix", help="file to write")
    p.add_argument(
        "--package",
        default="org.pac.classifier",
        metavar="NAME",
        help="Java package of the component (default %(default)s); give each classifier in "
        "one app its own",
    )
    p.add_argument("--d8", type=Path, metavar="PATH", help="the d8 dexer (or an r8 jar) to use")
    p.add_argument("--android-jar", type=Path, metavar="PATH", help="an android.jar for d8's --lib")
    p.set_defaults(func=cmd_build_aix)

    p = sub.add_parser(
        "get-d8",
        help="download Google's d8 (in r8), so that build-aix makes the Companion's classes.jar",
    )
    p.add_argument("--yes", action="store_true", help="agree to the download without a prompt")
    p.add_argument("--force", action="store_true", help="download again even if it is there")
    p.set_defaults(func=cmd_get_d8)

    p = sub.add_parser("bridge", help="serve a model to the App Inventor Companion over WebSocket")
    p.add_argument("model_dir", type=Path, metavar="MODEL_DIR")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=8765, help="port (default %(default)s; 0 picks one)")
    p.add_argument("--code", help="pairing code (default: a new random 6-character code)")
    p.set_defaults(func=cmd_bridge)

    p = sub.add_parser("send", help="send audio files to a running bridge and print its answers")
    p.add_argument("url", metavar="URL", help="the bridge's ws:// URL")
    p.add_argument("--code", required=True, help="the pairing code pac bridge printed")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print every message as one JSON line")
    p.add_argument(
        "--collect",
        metavar="LABEL",
        help="send the files to pac studio's project as clips of LABEL, instead of classifying",
    )
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("studio", help="the web page to record, train, test and export (local)")
    p.add_argument(
        "project",
        type=Path,
        nargs="?",
        metavar="PROJECT_DIR",
        help="a project folder to open (new or existing; default: the projects in "
        "Documents/PAC projects)",
    )
    p.add_argument(
        "--port", type=int, help="the page's port on 127.0.0.1 (default 8080, or the next free)"
    )
    p.add_argument(
        "--bridge-port",
        type=int,
        default=8765,
        help="the phone bridge's port on every network (default %(default)s)",
    )
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.set_defaults(func=cmd_studio)

    p = sub.add_parser("demo", help="train, evaluate and export on the bundled sample clips")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("pac-demo"),
        metavar="DIR",
        help="where to write the demo's outputs (default ./pac-demo)",
    )
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Labels and paths in any script must never crash the output on a console whose
        # code page lacks them (Windows): what it cannot show becomes "?".
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    from aix_build.dex import DexError
    from aix_build.java import JavaError
    from aix_build.r8 import DownloadError
    from model_export.audio.dataset import DatasetError
    from model_export.audio.decode import AudioDecodeError
    from model_export.features.pretrained import PretrainedWeightsError
    from model_export.frontend.cache import FrontEndUnavailableError
    from model_export.model_folder.layout import ModelDirError
    from model_export.model_folder.metadata import MetadataError

    expected: tuple[type[BaseException], ...] = (
        AudioDecodeError,
        DatasetError,
        MetadataError,
        ModelDirError,
        PretrainedWeightsError,
        FrontEndUnavailableError,
        DexError,
        DownloadError,
        JavaError,
        ValueError,
        OSError,
    )
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except expected as exc:
        print(f"pac: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("pac: interrupted; nothing was written", file=sys.stderr)
        return 130
