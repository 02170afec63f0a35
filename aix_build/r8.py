"""Download Google's r8 (the jar that holds d8) into pac's cache, checked against a pinned hash.

Only ``pac get-d8`` calls this, after the user agrees; ``pac build-aix`` never
downloads. The jar is written under a temporary name and renamed to
``dex.cached_r8_path(cache)`` only when its SHA-256 matches ``R8_SHA256``, so a
failed or tampered download leaves nothing that ``find_dexer`` would use.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from aix_build.dex import cached_r8_path

R8_VERSION = "8.3.37"
R8_URL = f"https://maven.google.com/com/android/tools/r8/{R8_VERSION}/r8-{R8_VERSION}.jar"
R8_SHA256 = "59753e70a74f918389cc87f1b7d66b5c0862932559167425708ded159e3de439"
"""SHA-256 of r8-8.3.37.jar from Google's Maven repository (the same pin as Bazel's)."""
URL_ENV = "PAC_R8_URL"
"""Environment variable naming a mirror of the same jar; the pinned SHA-256 still applies."""
MAX_DOWNLOAD_BYTES = 64_000_000
"""The jar is about 20 MB; a response larger than this is not r8, and is dropped."""
CHUNK_BYTES = 1 << 16


class DownloadError(RuntimeError):
    """The download failed, or what came is not the pinned jar; nothing was kept."""


def download_r8(
    cache_dir: Path,
    *,
    url: str = R8_URL,
    sha256: str = R8_SHA256,
    timeout_s: float = 60.0,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Fetch ``url`` into the cache as the r8 jar if its SHA-256 is ``sha256``; returns its path.

    ``progress(bytes_so_far)`` is called after every chunk.
    """
    dest = cached_r8_path(cache_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, part.open("wb") as out:
            while chunk := response.read(CHUNK_BYTES):
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(
                        f"{url}: more than {MAX_DOWNLOAD_BYTES // 1_000_000} MB, which r8 is "
                        "not; stopped, nothing kept"
                    )
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(size)
        got = digest.hexdigest()
        if got != sha256:
            raise DownloadError(
                f"{url}: SHA-256 is {got}, expected {sha256} (r8 {R8_VERSION}); "
                "the file was not kept"
            )
        os.replace(part, dest)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}; nothing kept") from exc
    except urllib.error.URLError as exc:
        raise DownloadError(
            f"{url}: {exc.reason}; nothing kept (check the network, or set {URL_ENV} to a "
            "mirror of the same jar)"
        ) from exc
    except TimeoutError as exc:
        raise DownloadError(f"{url}: no answer in {timeout_s:g} s; nothing kept") from exc
    finally:
        part.unlink(missing_ok=True)
    return dest
