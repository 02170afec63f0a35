"""Killing ``pac studio`` in the middle of training loses no clip and keeps the last model."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from model_export.model_folder.inference import LoadedModel
from studio.project import Project
from tests.studio.sounds import SAMPLES, tone, write_wav

pytestmark = pytest.mark.slow


def start(project: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "pac", "studio", str(project), "--port", str(port),
         "--bridge-port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
    assert url, "the studio did not start"
    return process, url.group(0)


def call(base: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Origin": base, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def wait_until(predicate: Any, timeout_s: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_kill_mid_training_loses_nothing(tmp_path: Path) -> None:
    project_dir = tmp_path / "Numbers"
    project = Project.create(project_dir)
    for label in ("one", "seven", "eleven"):
        project.add_label(label)
        for path in sorted((SAMPLES / "train" / label).glob("*.wav"))[:5]:
            shutil.copy(path, project.label_dir(label) / path.name)
    clips_before = {p: p.read_bytes() for p in project.clips_dir.rglob("*.wav")}
    env = {**os.environ, "PAC_CACHE_DIR": str(tmp_path / "cache")}

    process, base = start(project_dir, env)
    try:
        call(base, "POST", "/api/projects/Numbers/train")
        wait_until(lambda: call(base, "GET", "/api/projects/Numbers")["has_model"])
        wait_until(lambda: call(base, "GET", "/api/projects/Numbers")["training"] is None)
        trained = LoadedModel(project.model_dir).metadata["created_at"]
        # A long training, killed while it fits the head.
        call(base, "PUT", "/api/projects/Numbers/settings", {"epochs": 1000})
        call(base, "POST", "/api/projects/Numbers/train")
        wait_until(
            lambda: (call(base, "GET", "/api/projects/Numbers")["training"] or {}).get("stage")
            in ("validation fit", "final fit")
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    reopened = Project.open(project_dir)
    assert {p: p.read_bytes() for p in reopened.clips_dir.rglob("*.wav")} == clips_before
    assert LoadedModel(reopened.model_dir).metadata["created_at"] == trained
    assert reopened.state()["settings"] == {"epochs": 1000}

    # ...and the studio starts again on it and trains, a new label too.
    reopened.add_label("hum")
    for f in (110.0, 120.0, 130.0):
        write_wav(reopened.label_dir("hum") / f"hum{f:.0f}.wav", tone(f))
    process, base = start(project_dir, env)
    try:
        call(base, "PUT", "/api/projects/Numbers/settings", {"epochs": 40})
        call(base, "POST", "/api/projects/Numbers/train")
        wait_until(lambda: call(base, "GET", "/api/projects/Numbers")["training"] is None)
        assert LoadedModel(project_dir / "model").labels == ("eleven", "hum", "one", "seven")
    finally:
        process.terminate()
        process.wait(10)
