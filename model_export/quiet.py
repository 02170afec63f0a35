"""Keep TensorFlow's native start-up and converter logging off the user's terminal.

TensorFlow's C++ layers write to file descriptors 1 and 2 directly (before
absl logging is set up), and the tfjs converter's dependencies print banners
on import. Python-level exceptions still propagate normally.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_output_silenced() -> Iterator[None]:
    """Send everything written to fds 1 and 2 inside the block to /dev/null."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def quiet_environment() -> None:
    """Environment switches that keep TensorFlow and its add-ons from printing."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    # tensorflow_decision_forests (pulled in by the tfjs converter) prints a banner on
    # import, and imports IPython to do so when sys.stdout is not a real file.
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
