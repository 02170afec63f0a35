"""Find a dexer (d8) and turn AndroidRuntime.jar into the Companion's classes.jar.

The App Inventor Companion loads an extension only from ``classes.jar`` (dex
inside a jar); built APKs are dexed by the build server from
``AndroidRuntime.jar`` and do not need it (FACTS.md §1). Where d8 is looked for,
first found wins:

1. ``--d8 PATH``: a d8 program, or an r8 jar (run as ``java -cp r8.jar com.android.tools.r8.D8``);
2. ``$ANDROID_HOME`` or ``$ANDROID_SDK_ROOT``: ``build-tools/<newest>/d8``;
3. the pac cache: ``<cache>/r8/r8.jar``, which ``pac get-d8`` downloads (aix_build/r8.py),
   or an r8 jar put there by hand.

No dexer is an answer too: the .aix is built without classes.jar.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MIN_API = 21
"""--min-api for d8: the component's androidMinSdk (WebResourceRequest needs 21)."""


class DexError(RuntimeError):
    """The dexer named by the user is missing, or it failed."""


@dataclass(frozen=True)
class Dexer:
    """How to run d8: ``command`` plus its arguments; ``source`` says where it was found."""

    command: tuple[str, ...]
    source: str


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in name.replace("-", ".").split("."))


def _dexer_at(path: Path, source: str) -> Dexer:
    if path.suffix == ".jar":
        java = shutil.which("java")
        if java is None:
            raise DexError(f"{path}: an r8 jar needs `java` on PATH")
        return Dexer((java, "-cp", str(path), "com.android.tools.r8.D8"), source)
    return Dexer((str(path),), source)


D8_NAMES = ("d8", "d8.bat")
"""d8 in an SDK's build-tools/<version>/: a shell script, or a batch file on Windows."""


def cached_r8_path(cache_dir: Path) -> Path:
    """Where the r8 jar lives in pac's cache (``pac get-d8`` puts it there)."""
    return cache_dir / "r8" / "r8.jar"


def find_dexer(
    explicit: Path | None, *, environ: Mapping[str, str], cache_dir: Path
) -> Dexer | None:
    """The first dexer found in the order of the module docstring, or None."""
    if explicit is not None:
        if not explicit.is_file():
            raise DexError(f"--d8 {explicit}: no such file")
        if explicit.suffix != ".jar" and not os.access(explicit, os.X_OK):
            raise DexError(f"--d8 {explicit}: not executable")
        return _dexer_at(explicit, "--d8")
    for variable in ("ANDROID_HOME", "ANDROID_SDK_ROOT"):
        if not environ.get(variable):
            continue
        tools = Path(environ[variable]) / "build-tools"
        found = sorted(
            (p / name for p in tools.glob("*") for name in D8_NAMES if (p / name).is_file()),
            key=lambda d8: _version_key(d8.parent.name),
        )
        if found:
            return _dexer_at(found[-1], f"${variable} ({found[-1].parent.name})")
    cached = cached_r8_path(cache_dir)
    if cached.is_file():
        return _dexer_at(cached, str(cached))
    return None


def dex(dexer: Dexer, runtime_jar: Path, *, android_jar: Path | None) -> bytes:
    """Run d8 on AndroidRuntime.jar; return classes.jar (a jar holding classes.dex)."""
    with tempfile.TemporaryDirectory(prefix="pac-d8-") as tmp:
        out = Path(tmp) / "classes.jar"
        command = [*dexer.command, "--release", "--min-api", str(MIN_API), "--output", str(out)]
        if android_jar is not None:
            command += ["--lib", str(android_jar)]
        result = subprocess.run(
            [*command, str(runtime_jar)], capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()[-2000:]
            raise DexError(f"d8 ({dexer.source}) failed with exit {result.returncode}: {detail}")
        if not out.is_file():
            raise DexError(f"d8 ({dexer.source}) wrote no {out.name}")
        try:
            with zipfile.ZipFile(out) as jar:
                if "classes.dex" not in jar.namelist():
                    raise DexError(f"d8 ({dexer.source}) wrote a jar without classes.dex")
        except zipfile.BadZipFile as exc:
            raise DexError(f"d8 ({dexer.source}) wrote a damaged jar ({exc})") from exc
        return out.read_bytes()
