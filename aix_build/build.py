"""``pac build-aix``: a model folder in, an App Inventor extension (.aix) out.

Everything is checked before anything is written; the .aix appears whole or
not at all. The same inputs give a byte-identical file (``dateBuilt`` is the
model's ``created_at``). Layout (FACTS.md §1; docs/extension.md)::

    <package>/components.json
    <package>/files/component_build_infos.json
    <package>/files/AndroidRuntime.jar       the component's JVM classes only
    <package>/classes.jar                    dex, for the Companion (when d8 is found)
    <package>/assets/...                     WebView runtime + model files, flat
    <package>/aiwebres/icon.png
    <package>/LICENSE
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aix_build import sources
from aix_build.describe import build_info_json, components_json, read_component
from aix_build.dex import Dexer, dex, find_dexer
from aix_build.icon import icon_png
from aix_build.java import compile_java
from aix_build.package import zip_bytes
from model_export.model_folder.layout import TFJS_MODEL_FILENAME, ModelDirError
from model_export.model_folder.metadata import METADATA_FILENAME, read_metadata

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
"""App Inventor refuses an uploaded file over 15 MB (its default limit): the .aix, and so
every asset in it."""
EXTENSION_INFO = "pac_extension.json"
"""An asset written by the build: the model's name, for ModelName."""


class BuildError(ValueError):
    """The inputs cannot make a working extension; the message says which and why."""


@dataclass(frozen=True)
class BuildReport:
    path: Path
    size_bytes: int
    package: str
    labels: tuple[str, ...]
    dexer: Dexer | None
    seconds: float


def check_labels(labels: list[str], *, source: str) -> None:
    """Labels travel as JSON and Java strings, so any text works except control characters."""
    for label in labels:
        bad = [ch for ch in label if unicodedata.category(ch) in ("Cc", "Cf", "Cs")]
        if bad or label != label.strip():
            what = f"control character U+{ord(bad[0]):04X}" if bad else "leading or trailing space"
            raise BuildError(
                f"{source}: label {label!r} has a {what}; App Inventor blocks cannot show it. "
                "Rename the label's folder and run pac train again"
            )


def model_assets(model_dir: Path, metadata: dict[str, Any]) -> dict[str, bytes]:
    """The model folder's files for the TF.js runtime: model.json, its shards, metadata.json.

    ``metadata`` is the folder's metadata.json, already read and validated.
    """
    metadata_path = model_dir / METADATA_FILENAME
    check_labels(list(metadata["labels"]), source=str(metadata_path))
    manifest_path = model_dir / TFJS_MODEL_FILENAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        shards = [path for group in manifest["weightsManifest"] for path in group["paths"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelDirError(f"{manifest_path}: not a readable TF.js model ({exc})") from exc
    files = {TFJS_MODEL_FILENAME: manifest_path.read_bytes()}
    for name in shards:
        if "/" in name or name in files or name.startswith("."):
            raise ModelDirError(f"{manifest_path}: weight file {name!r} cannot be a flat asset")
        path = model_dir / name
        if not path.is_file():
            raise ModelDirError(f"{path}: missing; the model folder is incomplete")
        files[name] = path.read_bytes()
    files[METADATA_FILENAME] = metadata_path.read_bytes()
    return files


def standin_classes(cache_dir: Path) -> Path:
    """The stand-ins compiled once per source version (never shipped)."""
    digest = hashlib.sha256()
    for path in sources.standin_sources():
        digest.update(path.relative_to(sources.STANDINS).as_posix().encode())
        digest.update(path.read_bytes())
    folder = cache_dir / "aix" / f"standins-{digest.hexdigest()[:16]}"
    if not (folder / ".complete").is_file():
        compile_java(sources.standin_sources(), classpath=[], out_dir=folder)
        (folder / ".complete").write_text("")
    return folder


def compile_component(
    work: Path,
    *,
    package: str,
    asset_names: list[str],
    cache_dir: Path,
    android_jar: Path | None = None,
) -> list[Path]:
    """Stage and compile the component for ``package``.

    Returns the classpath to load it from: its classes folder, then the stand-ins.
    With ``android_jar``, Android's own classes come from it (ahead of the stand-ins).
    """
    standins = standin_classes(cache_dir)
    staged = sources.stage_sources(work / "src", package=package, asset_names=asset_names)
    classes = work / "classes"
    classpath = [standins] if android_jar is None else [android_jar, standins]
    compile_java(staged, classpath=classpath, out_dir=classes)
    return [classes, standins]


def _license_text() -> bytes:
    notices = [sources.LICENSE_PATH.read_text(encoding="utf-8").strip(), ""]
    notices += ["This extension's assets bundle these npm packages, under their licenses:"]
    lock = json.loads((sources.JS_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for path, entry in sorted(lock.get("packages", {}).items()):
        if path and not entry.get("dev"):
            notices.append(
                f"- {path.removeprefix('node_modules/')} {entry.get('version')} "
                f"({entry.get('license', 'see the package')})"
            )
    return ("\n".join(notices) + "\n").encode()


def build_aix(
    model_dir: Path,
    out: Path,
    *,
    package: str = sources.DEFAULT_PACKAGE,
    d8: Path | None = None,
    android_jar: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    cache_dir: Path,
    note: Callable[[str], None] = lambda message: None,
    model_name: str | None = None,
) -> BuildReport:
    """Build the .aix for ``model_dir`` at ``out``; see the module docstring.

    ``model_name`` (what the ModelName block gives) is the model folder's name by default.
    """
    start = time.perf_counter()
    try:
        sources.check_package_name(package)
    except sources.SourcesError as exc:
        raise BuildError(str(exc)) from exc
    if out.suffix != ".aix":
        raise BuildError(f"--out {out}: the file name must end in .aix")
    if not out.parent.is_dir():
        raise BuildError(f"--out {out}: no folder {out.parent}")
    if android_jar is not None and not android_jar.is_file():
        raise BuildError(f"--android-jar {android_jar}: no such file")
    metadata = read_metadata(model_dir)
    assets = model_assets(model_dir, metadata)
    try:
        assets.update(sources.js_assets())
    except sources.SourcesError as exc:
        raise BuildError(str(exc)) from exc
    model_name = model_name or model_dir.resolve().name
    assets[EXTENSION_INFO] = (
        json.dumps({"model_name": model_name}, ensure_ascii=False) + "\n"
    ).encode()
    for name, data in assets.items():
        if len(data) > MAX_UPLOAD_BYTES:
            raise BuildError(
                f"asset {name} is {len(data) / 1e6:.1f} MB; App Inventor takes at most "
                f"{MAX_UPLOAD_BYTES / 1e6:.1f} MB"
            )
    dexer = find_dexer(d8, environ=environ, cache_dir=cache_dir)

    root = package
    files: dict[str, bytes] = {f"{root}/assets/{name}": data for name, data in assets.items()}
    with tempfile.TemporaryDirectory(prefix="pac-aix-") as tmp:
        work = Path(tmp)
        classpath = compile_component(
            work,
            package=package,
            asset_names=sorted(assets),
            cache_dir=cache_dir,
            android_jar=android_jar,
        )
        component = read_component(f"{package}.{sources.COMPONENT_NAME}", classpath=classpath)
        classes = classpath[0]
        runtime = {
            path.relative_to(classes).as_posix(): path.read_bytes()
            for path in sorted(classes.rglob("*.class"))
        }
        runtime_jar = work / "AndroidRuntime.jar"
        runtime_jar.write_bytes(zip_bytes(runtime))
        files[f"{root}/files/AndroidRuntime.jar"] = runtime_jar.read_bytes()
        if dexer is not None:
            note(f"dexing with d8 from {dexer.source}")
            files[f"{root}/classes.jar"] = dex(dexer, runtime_jar, android_jar=android_jar)
    files[f"{root}/components.json"] = _json(
        components_json(component, date_built=str(metadata["created_at"]))
    )
    files[f"{root}/files/component_build_infos.json"] = _json(build_info_json(component))
    files[f"{root}/aiwebres/icon.png"] = icon_png()
    files[f"{root}/LICENSE"] = _license_text()

    data = zip_bytes(files)
    if len(data) > MAX_UPLOAD_BYTES:
        raise BuildError(
            f"the .aix would be {len(data) / 1e6:.1f} MB; App Inventor takes at most "
            f"{MAX_UPLOAD_BYTES / 1e6:.1f} MB"
        )
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(data)
    partial.replace(out)
    return BuildReport(
        path=out,
        size_bytes=len(data),
        package=package,
        labels=tuple(metadata["labels"]),
        dexer=dexer,
        seconds=time.perf_counter() - start,
    )


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
