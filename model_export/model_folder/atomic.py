"""Write a folder or a file atomically: readers see the old one or the complete new one, never
half."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from model_export.model_folder.layout import ModelDirError
from model_export.model_folder.metadata import METADATA_FILENAME

TEMP_PREFIX = ".tmp-"
"""``atomic_write``'s temporary files: hidden, so a dataset scan skips what a crash leaves."""


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a hidden temporary file beside it,
    flushed to disk, then renamed over it). On any error the temporary file is removed."""
    temp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}"
    try:
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the folder is gone or unwritable: nothing is left
            temp.unlink(missing_ok=True)
        raise


def check_replaceable(out_dir: Path, *, replaceable: str = METADATA_FILENAME) -> None:
    """Raise ModelDirError unless ``out_dir`` is absent, empty, or holds ``replaceable``.

    Call it before a long job so that a bad ``--out`` fails in a second, not after training.
    """
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ModelDirError(f"{out_dir}: exists and is not a directory")
        if any(out_dir.iterdir()) and not (out_dir / replaceable).is_file():
            raise ModelDirError(
                f"{out_dir}: exists, is not empty and has no {replaceable}; refusing to replace it"
            )


@contextmanager
def atomic_directory(out_dir: Path, *, replaceable: str) -> Iterator[Path]:
    """Yield an empty staging folder that becomes ``out_dir`` only if the block succeeds.

    An existing ``out_dir`` is replaced only when it contains ``replaceable``
    (a file that marks it as ours) or is empty; otherwise nothing is touched.
    On any error the staging folder is removed and ``out_dir`` is unchanged.
    """
    out_dir = out_dir.resolve()
    check_replaceable(out_dir, replaceable=replaceable)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a model folder is not secret
    try:
        yield staging
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
            try:
                os.replace(staging, out_dir)
            except BaseException:
                os.replace(old, out_dir)  # put the previous model back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
