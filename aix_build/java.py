"""An in-process JVM through JPype: compile Java sources and load compiled classes.

A JDK is needed (javac's compiler module, ``javax.tools``); JPype finds it
through ``JAVA_HOME`` or the usual places. The JVM starts once per process
(about 0.5 s); later compiles take a fraction of a second.
"""

from __future__ import annotations

import functools
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

JAVA_RELEASE = "8"
"""Class files for Java 8: what d8 (and App Inventor's build server) accepts."""


def _get_a_jdk(system: str) -> str:
    """How to get a JDK on ``system`` (platform.system()'s name)."""
    where = {
        "Windows": "winget install EclipseAdoptium.Temurin.17.JDK, or the installer from "
        "https://adoptium.net",
        "Darwin": "brew install openjdk@17, or the installer from https://adoptium.net",
    }.get(
        system,
        "Debian/Ubuntu: sudo apt-get install default-jdk-headless; Fedora: sudo dnf install "
        "java-17-openjdk-devel; or https://adoptium.net",
    )
    return f"pac build-aix needs a JDK (Java 8 or newer; 17 works): {where}; or set JAVA_HOME"


GET_A_JDK = _get_a_jdk(platform.system())


class JavaError(RuntimeError):
    """No usable JDK, or the Java sources do not compile."""


def jvm() -> Any:
    """The ``jpype`` module with a started JVM (started here on first use)."""
    try:
        import jpype
        import jpype.imports
    except ImportError as exc:
        raise JavaError("the JPype1 package is missing; run ./dev setup") from exc
    if not jpype.isJVMStarted():
        try:
            jpype.startJVM(convertStrings=False)
        except (OSError, RuntimeError, jpype.JVMNotFoundException) as exc:
            raise JavaError(f"no Java runtime found ({exc}); {GET_A_JDK}") from exc
    return jpype


def compile_java(sources: Sequence[Path], *, classpath: Sequence[Path], out_dir: Path) -> None:
    """javac --release 8 -parameters into ``out_dir``; raise JavaError with javac's messages."""
    jpype = jvm()
    from java.io import PrintWriter, StringWriter
    from javax.tools import ToolProvider

    compiler = ToolProvider.getSystemJavaCompiler()
    if compiler is None:
        raise JavaError(f"this Java is a JRE without a compiler; {GET_A_JDK}")
    out_dir.mkdir(parents=True, exist_ok=True)
    options = [
        "--release", JAVA_RELEASE, "-encoding", "UTF-8", "-parameters", "-nowarn",
        "-Xlint:-options", "-proc:none",
        "-cp", os.pathsep.join(str(p) for p in classpath),
        "-d", str(out_dir),
    ]  # fmt: skip
    arrays = jpype.java.util.Arrays
    files = compiler.getStandardFileManager(None, None, None)
    try:
        units = files.getJavaFileObjectsFromStrings(arrays.asList([str(s) for s in sources]))
        log = StringWriter()
        task = compiler.getTask(PrintWriter(log), files, None, arrays.asList(options), None, units)
        if not task.call():
            raise JavaError(f"javac failed:\n{str(log.toString()).strip()}")
    finally:
        files.close()


def load_class(name: str, *, classpath: Sequence[Path]) -> Any:
    """Load a compiled class by name from ``classpath``.

    Each distinct classpath gets one class loader for the process, so classes
    loaded from the same classpath share their static state.
    """
    from java.lang import Class

    return Class.forName(name, True, _loader(tuple(p.resolve() for p in classpath)))


@functools.cache
def _loader(classpath: tuple[Path, ...]) -> Any:
    jvm()
    from java.net import URL, URLClassLoader

    urls = [URL(p.as_uri() + ("/" if p.is_dir() else "")) for p in classpath]
    return URLClassLoader(urls, None)
