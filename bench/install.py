"""The light install as a teacher meets it: wheel size, installed size, install and demo time.

    python bench/install.py [--pythons 3.10,3.11,3.12,3.13]

Builds pac's wheel once, then for each Python found here (``python3.X`` on PATH,
or pyenv's): a fresh venv, ``pip install`` of the wheel with constraints.txt
from a warm pip cache (a first install warms it, and is not counted), and the
first ``pac demo`` in a fresh pac cache, from a folder outside the repository.
Prints, per Python: the wheel size, the venv's size (pip's own ~25 MB
included), the install time and the first demo's time, start to end.

Targets (issue 18): installed <= 400 MB (aim 250); install <= 60 s from a warm
cache; first ``pac demo`` <= 15 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_python(version: str) -> str | None:
    for candidate in sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*")):
        binary = candidate / "bin" / "python"
        if binary.is_file():
            return str(binary)
    found = shutil.which(f"python{version}")
    if found and "shims" not in found:  # a pyenv shim runs only the selected version
        return found
    return None


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def install(python: str, venv: Path, wheel: Path) -> float:
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    start = time.perf_counter()
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
         "-c", str(ROOT / "constraints.txt"), str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pythons", default="3.10,3.11,3.12,3.13")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pac-bench-install-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "wheel"), str(ROOT)],
            check=True, capture_output=True,
        )  # fmt: skip
        (wheel,) = (work / "wheel").glob("*.whl")
        print(f"wheel: {wheel.name}, {wheel.stat().st_size / 1e6:.1f} MB")
        print("python   installed   install (warm cache)   first pac demo")
        for version in args.pythons.split(","):
            python = find_python(version)
            if python is None:
                print(f"{version:<8} not found here")
                continue
            install(python, work / f"warm-{version}", wheel)  # fills pip's cache
            venv = work / f"venv-{version}"
            seconds = install(python, venv, wheel)
            outside = work / f"outside-{version}"
            outside.mkdir()
            env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                   "PAC_CACHE_DIR": str(work / f"cache-{version}")}  # fmt: skip
            start = time.perf_counter()
            demo = subprocess.run([str(venv / "bin" / "pac"), "demo"], cwd=outside, env=env,
                                  capture_output=True, text=True)  # fmt: skip
            demo_seconds = time.perf_counter() - start
            status = "" if demo.returncode == 0 else f" (exit {demo.returncode})"
            print(
                f"{version:<8} {folder_mb(venv):>6.0f} MB   {seconds:>14.1f} s   "
                f"{demo_seconds:>12.1f} s{status}"
            )
    print("targets: installed <= 400 MB (aim 250), install <= 60 s, first demo <= 15 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
