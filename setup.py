"""Packaging hook: the App Inventor extension's files go into the wheel as package data.

``pac build-aix`` and the bridge read the extension's Java sources, stand-ins,
built JS bundle and error codes. In a checkout they are under ``extension/``;
a wheel carries a copy under ``aix_build/extension/`` (the list is
``aix_build.sources.shipped_files``). The JS bundle is built with npm when it
is missing (``extension/js``: ``npm ci && npm run build``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithExtension(build_py):
    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(ROOT))
        from aix_build.sources import JS_ASSETS, JS_DIST, JS_DIR, shipped_files

        if not all((JS_DIST / name).is_file() for name in JS_ASSETS):
            npm = shutil.which("npm")
            if npm is None:
                raise SystemExit(
                    "building pac from source needs Node.js and npm for the extension's JS "
                    "bundle (extension/js); install them, or install a built wheel"
                )
            if not (JS_DIR / "node_modules").is_dir():
                subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True)
            subprocess.run([npm, "run", "--silent", "build"], cwd=JS_DIR, check=True)
        target = Path(self.build_lib) / "aix_build" / "extension"
        for source, relative in shipped_files():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildPyWithExtension})
