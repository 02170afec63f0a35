"""The studio's HTTP API and page: one aiohttp application (docs/studio.md lists every route).

Handlers are thin: they check input, call ``project.Project`` (files), ``clips``
(decode, warnings, pictures), the training job or the phone bridge, and answer
JSON. Slow work (decoding big files, training, building the .aix, classifying)
runs in worker threads; the event loop only moves bytes. Every refusal is a
JSON ``{"error": message}`` in words a student understands.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import io
import json
import os
import re
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import numpy as np
from aiohttp import web
from aiohttp.typedefs import Handler

from bridge.protocol import ERROR_CODES, new_code
from bridge.server import ClipError, Collector
from model_export.audio.dataset import DatasetError
from model_export.audio.decode import SUPPORTED_EXTENSIONS, AudioDecodeError, decode_audio
from model_export.frontend.cache import FrontEnd, frontend_for
from model_export.jobs.features import FeatureStore, file_features
from model_export.model_folder.inference import LoadedModel, ranked
from model_export.model_folder.layout import TFLITE_MODEL_FILENAME, is_tfjs_file
from model_export.model_folder.metadata import METADATA_FILENAME
from model_export.training.config import OPTIMIZERS, TrainConfig
from studio import clips as clip_checks
from studio.events import Events
from studio.phone import Phone
from studio.project import NotFoundError, Project, ProjectError, check_name, list_projects
from studio.security import guard

SETTINGS = ("epochs", "learning_rate", "optimizer", "batch_size", "train_fraction")
"""The training controls the page offers (the paper's); the rest keep TrainConfig's defaults."""
MAX_REQUEST_BYTES = clip_checks.MAX_UPLOAD_BYTES + 64 * 1024
PROGRESS_EVERY_SECONDS = 0.1
TRY_HOST = "try-host.html"
"""The frame page of "Try the extension", served beside the .aix's assets (studio/static)."""
T = TypeVar("T")


class TrainingCancelledError(Exception):
    """Raised in the training thread, at its next progress report, after Cancel."""


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _static_dir() -> Path:
    return Path(str(resources.files("studio") / "static"))


def settings_of(state: dict[str, Any]) -> dict[str, Any]:
    """The project's training controls, every one filled in (defaults from TrainConfig)."""
    defaults = TrainConfig()
    stored = state.get("settings") or {}
    return {name: stored.get(name, getattr(defaults, name)) for name in SETTINGS}


def check_settings(raw: object) -> dict[str, Any]:
    """Settings from the page: known names, right types, TrainConfig's limits."""
    if not isinstance(raw, dict):
        raise ProjectError("settings must be a JSON object")
    unknown = sorted(set(raw) - set(SETTINGS))
    if unknown:
        raise ProjectError(f"unknown setting {unknown[0]!r}")
    types: dict[str, tuple[type, ...]] = {
        "epochs": (int,),
        "batch_size": (int,),
        "learning_rate": (int, float),
        "train_fraction": (int, float),
        "optimizer": (str,),
    }
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, types[name]):
            raise ProjectError(f"{name} must be a {types[name][0].__name__}")
    if raw.get("optimizer", "adam") not in OPTIMIZERS:
        raise ProjectError(f"the optimizer must be one of {', '.join(OPTIMIZERS)}")
    if raw.get("epochs", 1) > 1000 or raw.get("batch_size", 1) > 4096:
        raise ProjectError("at most 1000 epochs and a batch size of 4096")
    try:
        TrainConfig(**raw)
    except ValueError as exc:
        raise ProjectError(str(exc)) from exc
    return dict(raw)


@dataclass
class TrainJob:
    project: str
    cancel: bool = False
    stage: str = "starting"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.time)
    task: asyncio.Task[None] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "seconds": round(time.time() - self.started, 1),
        }


class Studio:
    """The studio's state: the projects folder, the training jobs, the phone bridge."""

    def __init__(
        self,
        root: Path,
        *,
        port: int,
        bridge_host: str = "0.0.0.0",
        bridge_port: int = 8765,
        code: str | None = None,
        tool_version: str = "studio",
    ) -> None:
        self.root = root
        self.port = port
        self.tool_version = tool_version
        self.events = Events()
        self.phone = Phone(
            host=bridge_host,
            port=bridge_port,
            code=code or new_code(),
            publish=self.events.publish,
            collect=self.collector,
        )
        self.jobs: dict[str, TrainJob] = {}
        self._train = ThreadPoolExecutor(1, thread_name_prefix="studio-train")
        self._work = ThreadPoolExecutor(1, thread_name_prefix="studio-work")
        self._frontend: FrontEnd | None = None
        self.store = FeatureStore()
        self._models: dict[str, tuple[tuple[Any, ...], LoadedModel]] = {}
        self._summaries: dict[tuple[str, int, int], dict[str, Any]] = {}

    # --- helpers ---------------------------------------------------------------------

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    def project(self, request: web.Request) -> Project:
        name = request.match_info["project"]
        try:
            check_name(name, what="project")
        except ProjectError as exc:
            raise NotFoundError(f"there is no project called {name!r}") from exc
        if name not in list_projects(self.root):
            raise NotFoundError(f"there is no project called {name!r}")
        return Project(self.root / name)

    def frontend(self) -> FrontEnd:
        """The default window's front-end, loaded once and kept (training reuses it)."""
        if self._frontend is None:
            config = TrainConfig()
            self._frontend = frontend_for(
                window_samples=config.window_samples, analysis_samples=config.analysis_samples
            )
        return self._frontend

    def warm_up(self) -> None:
        """Load the front-end now, in the training thread, so the first Train is warm."""
        self._train.submit(self.frontend)

    def prepare(self, path: Path, data: bytes) -> None:
        """Compute a new clip's training features now, in the training thread, so that
        Train only reads them (``jobs.features``). Best effort: Train computes what is missing.
        """

        def run() -> None:
            with contextlib.suppress(Exception):
                file_features(
                    path,
                    frontend=self.frontend(),
                    config=TrainConfig(),
                    store=self.store,
                    warn=lambda message: None,
                    data=data,
                )

        self._train.submit(run)

    def clip_summary(self, path: Path) -> dict[str, Any]:
        """Length and warnings of a stored clip, decoded once per version of the file."""
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._summaries:
            try:
                y = clip_checks.decode_upload(path.read_bytes(), name=path.name)
                self._summaries[key] = clip_checks.summarize(y).to_json()
            except clip_checks.ClipRejectedError as exc:
                self._summaries[key] = {"seconds": 0.0, "peak": 0.0, "warnings": [str(exc)]}
        return self._summaries[key]

    def describe(self, project: Project) -> dict[str, Any]:
        state = project.state()
        labels = []
        for label in project.labels():
            clips = []
            for clip in project.clips(label):
                try:
                    clips.append(
                        {"id": clip.id, "source": clip.source, **self.clip_summary(clip.path)}
                    )
                except FileNotFoundError:
                    continue  # deleted meanwhile (another tab)
            labels.append({"name": label, "clips": clips})
        job = self.jobs.get(project.name)
        return {
            "name": project.name,
            "path": str(project.path),
            "labels": labels,
            "settings": settings_of(state),
            "last_training": state.get("last_training"),
            "has_model": (project.model_dir / METADATA_FILENAME).is_file(),
            "training": None if job is None else job.to_json(),
        }

    def changed(self, project: Project, what: str) -> None:
        self.events.publish({"type": "project", "project": project.name, "what": what})

    # --- projects ----------------------------------------------------------------------

    async def list_projects(self, request: web.Request) -> web.Response:
        return web.json_response({"root": str(self.root), "projects": list_projects(self.root)})

    async def create_project(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        name = check_name(body.get("name"), what="project")
        existing = {p.casefold() for p in list_projects(self.root)}
        if name.casefold() in existing or (self.root / name).exists():
            raise ProjectError(f"there is already a project or folder called {name!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        project = Project.create(self.root / name)
        self.events.publish({"type": "projects"})
        return web.json_response(self.describe(project), status=201)

    async def get_project(self, request: web.Request) -> web.Response:
        project = self.project(request)
        return web.json_response(await self._run(self._work, self.describe, project))

    async def put_settings(self, request: web.Request) -> web.Response:
        project = self.project(request)
        settings = check_settings(await _json_body(request))
        state = project.state()
        project.update_state(settings={**(state.get("settings") or {}), **settings})
        self.changed(project, "settings")
        return web.json_response(settings_of(project.state()))

    # --- labels ------------------------------------------------------------------------

    async def add_label(self, request: web.Request) -> web.Response:
        project = self.project(request)
        label = project.add_label((await _json_body(request)).get("name"))
        self.changed(project, "labels")
        return web.json_response({"name": label}, status=201)

    async def rename_label(self, request: web.Request) -> web.Response:
        project = self.project(request)
        self._not_while_training(project)
        label = project.rename_label(
            request.match_info["label"], (await _json_body(request)).get("name")
        )
        self.changed(project, "labels")
        return web.json_response({"name": label})

    async def delete_label(self, request: web.Request) -> web.Response:
        project = self.project(request)
        self._not_while_training(project)
        project.delete_label(request.match_info["label"])
        self.changed(project, "labels")
        return web.json_response({})

    def _not_while_training(self, project: Project) -> None:
        if project.name in self.jobs:
            raise ProjectError("wait until training ends, or cancel it, to rename or delete")

    # --- clips -------------------------------------------------------------------------

    async def add_clip(self, request: web.Request) -> web.Response:
        project = self.project(request)
        label = request.match_info["label"]
        project.label_dir(label)  # 404 before reading a big body
        source = request.query.get("source", "upload")
        if source not in ("rec", "upload"):
            raise ProjectError("source must be rec or upload")
        name = request.query.get("filename", "clip.wav")
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_EXTENSIONS:
            raise ProjectError(
                f"{Path(name).name} is not an audio file type pac reads "
                f"({', '.join(sorted(SUPPORTED_EXTENSIONS))})"
            )
        data = await _body(request)
        y = await self._run(
            self._work, functools.partial(clip_checks.decode_upload, data, name=Path(name).name)
        )
        clip = project.add_clip(label, data, source=source, suffix=suffix)
        summary = clip_checks.summarize(y)
        self.changed(project, "clips")
        self.prepare(clip.path, data)
        return web.json_response(
            {
                "id": clip.id,
                "label": label,
                "source": clip.source,
                **summary.to_json(),
                "spectrogram": clip_checks.spectrogram_json(y),
            },
            status=201,
        )

    async def clip_audio(self, request: web.Request) -> web.StreamResponse:
        project = self.project(request)
        clip = project.clip(request.match_info["label"], request.match_info["clip"])
        return web.FileResponse(clip.path, headers={"Cache-Control": "no-store"})

    async def clip_spectrogram(self, request: web.Request) -> web.Response:
        project = self.project(request)
        clip = project.clip(request.match_info["label"], request.match_info["clip"])

        def picture() -> dict[str, Any]:
            y = clip_checks.decode_upload(clip.path.read_bytes(), name=clip.id)
            return clip_checks.spectrogram_json(y)

        return web.json_response(await self._run(self._work, picture))

    async def delete_clip(self, request: web.Request) -> web.Response:
        project = self.project(request)
        project.delete_clip(request.match_info["label"], request.match_info["clip"])
        self.changed(project, "clips")
        return web.json_response({})

    # --- training ----------------------------------------------------------------------

    def check_trainable(self, project: Project) -> None:
        labels = project.labels()
        if len(labels) < 2:
            raise ProjectError("add at least two labels, with clips in each, before training")
        empty = [label for label in labels if not project.clips(label)]
        if empty:
            raise ProjectError(
                f"the label {empty[0]!r} has no clips yet: record some, or delete the label"
            )

    async def train(self, request: web.Request) -> web.Response:
        project = self.project(request)
        if project.name in self.jobs:
            return _error("this project is already training", 409)
        self.check_trainable(project)
        settings = settings_of(project.state())
        job = TrainJob(project.name)
        self.jobs[project.name] = job
        job.task = asyncio.create_task(self._train_job(project, job, TrainConfig(**settings)))
        self.events.publish({"type": "training", **job.to_json()})
        return web.json_response(job.to_json(), status=202)

    async def cancel_training(self, request: web.Request) -> web.Response:
        project = self.project(request)
        job = self.jobs.get(project.name)
        if job is None:
            return _error("this project is not training", 409)
        job.cancel = True
        return web.json_response(job.to_json())

    async def _train_job(self, project: Project, job: TrainJob, config: TrainConfig) -> None:
        from model_export.jobs.train import train_model_dir

        loop = asyncio.get_running_loop()
        last_sent = 0.0

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal last_sent
            if job.cancel:
                raise TrainingCancelledError
            changed = stage != job.stage
            job.stage, job.done, job.total = stage, done, total
            now = time.monotonic()
            if changed or done == total or now - last_sent >= PROGRESS_EVERY_SECONDS:
                last_sent = now
                event = {"type": "training", **job.to_json()}
                loop.call_soon_threadsafe(self.events.publish, event)

        warnings: list[str] = []
        curve: list[list[float]] = []

        def metrics(stage: str, epoch: int, loss: float, accuracy: float) -> None:
            if job.cancel:
                raise TrainingCancelledError
            if stage.startswith("final fit"):
                if epoch == 1:
                    curve.clear()  # the summary keeps the last head's curve
                curve.append([epoch, round(loss, 4), round(accuracy, 4)])
            event = {
                "type": "training_metrics",
                "project": job.project,
                "stage": stage,
                "epoch": epoch,
                "loss": round(loss, 4),
                "accuracy": round(accuracy, 4),
            }
            loop.call_soon_threadsafe(self.events.publish, event)

        def run() -> dict[str, Any]:
            start = time.perf_counter()
            job.stage = "loading"
            report = train_model_dir(
                project.clips_dir,
                project.model_dir,
                config=config,
                tool_version=self.tool_version,
                warn=warnings.append,
                progress=progress,
                frontend=self.frontend() if config.window_samples == 16000 else None,
                store=self.store,
                metrics=metrics,
            )
            validation = report.validation
            return {
                "trained_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                "seconds": round(time.perf_counter() - start, 2),
                "labels": list(report.labels),
                "clips_per_label": report.clips_per_label,
                "validation_accuracy": None if validation is None else validation.accuracy,
                "n_validation_clips": report.n_validation_clips,
                "confusion_matrix": None
                if validation is None
                else [list(row) for row in validation.confusion_matrix],
                "misclassified": [
                    {"label": label, "clip": path.name, "predicted": predicted}
                    for path, label, predicted in report.misclassified
                ],
                "feature_set": report.feature_set.name,
                "settings": {name: getattr(config, name) for name in SETTINGS},
                "curve": curve,
            }

        try:
            summary = await self._run(self._train, run)
        except TrainingCancelledError:
            self.events.publish({"type": "train_cancelled", "project": project.name})
        except DatasetError as exc:
            message = "; ".join(_plain(p, project) for p in exc.problems)
            self.events.publish({"type": "train_failed", "project": project.name, "error": message})
        except Exception as exc:
            self.events.publish(
                {
                    "type": "train_failed",
                    "project": project.name,
                    "error": f"training failed: {exc}",
                }
            )
        else:
            summary["warnings"] = [_plain(w, project) for w in warnings]
            project.update_state(last_training=summary)
            self._models.pop(project.name, None)
            await self.phone.reload(project.model_dir)
            self.events.publish({"type": "trained", "project": project.name, "summary": summary})
        finally:
            self.jobs.pop(project.name, None)

    # --- testing -----------------------------------------------------------------------

    def model(self, project: Project) -> LoadedModel:
        """The project's trained model, loaded once per version of its files."""
        if not (project.model_dir / METADATA_FILENAME).is_file():
            raise ProjectError("train a model first")
        signature = tuple(
            (p.stat().st_mtime_ns, p.stat().st_size)
            for p in (
                project.model_dir / METADATA_FILENAME,
                project.model_dir / TFLITE_MODEL_FILENAME,
            )
        )
        cached = self._models.get(project.name)
        if cached is None or cached[0] != signature:
            cached = (signature, LoadedModel(project.model_dir))
            self._models[project.name] = cached
        return cached[1]

    async def classify(self, request: web.Request) -> web.Response:
        project = self.project(request)
        data = await _body(request)
        name = Path(request.query.get("filename", "clip.wav")).name

        def run() -> dict[str, Any]:
            model = self.model(project)
            y = clip_checks.decode_upload(data, name=name)
            probabilities = model.predict([y])[0]
            return {
                "result": ranked(model.labels, np.asarray(probabilities)),
                **clip_checks.summarize(y).to_json(),
                "spectrogram": clip_checks.spectrogram_json(y),
            }

        return web.json_response(await self._run(self._work, run))

    # --- export ------------------------------------------------------------------------

    def _trained(self, project: Project) -> Path:
        if not (project.model_dir / METADATA_FILENAME).is_file():
            raise ProjectError("train a model first")
        return project.model_dir

    async def export_metadata(self, request: web.Request) -> web.StreamResponse:
        model_dir = self._trained(self.project(request))
        return web.FileResponse(
            model_dir / METADATA_FILENAME,
            headers={"Content-Disposition": 'attachment; filename="metadata.json"'},
        )

    async def export_tfjs(self, request: web.Request) -> web.Response:
        project = self.project(request)
        model_dir = self._trained(project)

        def pack() -> bytes:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(model_dir.iterdir()):
                    if is_tfjs_file(path.name) or path.name == METADATA_FILENAME:
                        zf.write(path, path.name)
            return buffer.getvalue()

        data = await self._run(self._work, pack)
        return web.Response(
            body=data,
            content_type="application/zip",
            headers={"Content-Disposition": _attachment(f"{project.name} tfjs.zip")},
        )

    def aix_path(self, project: Project) -> Path:
        return project.path / f"{project.name}.aix"

    async def build_aix(self, request: web.Request) -> web.Response:
        from aix_build.build import build_aix
        from model_export.frontend.cache import cache_root

        project = self.project(request)
        model_dir = self._trained(project)
        out = self.aix_path(project)

        def build() -> dict[str, Any]:
            report = build_aix(model_dir, out, cache_dir=cache_root(), model_name=project.name)
            return {
                "file": out.name,
                "size_bytes": report.size_bytes,
                "labels": list(report.labels),
                "companion": report.dexer is not None,
                "seconds": round(report.seconds, 1),
            }

        return web.json_response(await self._run(self._work, build))

    async def d8_state(self, request: web.Request) -> web.Response:
        from aix_build import r8
        from aix_build.dex import cached_r8_path
        from model_export.frontend.cache import cache_root

        return web.json_response(
            {
                "present": cached_r8_path(cache_root()).is_file(),
                "version": r8.R8_VERSION,
                "url": os.environ.get(r8.URL_ENV) or r8.R8_URL,
            }
        )

    async def get_d8(self, request: web.Request) -> web.Response:
        """``pac get-d8`` from the page: Google's dexer, so the .aix gets classes.jar (the
        Companion needs it). Only with ``{"consent": true}``, which the page asks for."""
        from aix_build import r8
        from model_export.frontend.cache import cache_root

        if (await _json_body(request)).get("consent") is not True:
            raise ProjectError("the download needs your consent")
        loop = asyncio.get_running_loop()
        url = os.environ.get(r8.URL_ENV) or r8.R8_URL
        last = [0.0]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= PROGRESS_EVERY_SECONDS:
                last[0] = time.monotonic()
                loop.call_soon_threadsafe(self.events.publish, {"type": "d8", "bytes": done})

        def fetch() -> str:
            return str(
                r8.download_r8(cache_root(), url=url, sha256=r8.R8_SHA256, progress=progress)
            )

        try:
            path = await self._run(self._work, fetch)
        except r8.DownloadError as exc:
            return _error(f"the download did not work: {exc}", 502)
        return web.json_response({"path": path, "version": r8.R8_VERSION})

    async def download_aix(self, request: web.Request) -> web.StreamResponse:
        project = self.project(request)
        path = self.aix_path(project)
        if not path.is_file():
            raise NotFoundError("build the extension first")
        return web.FileResponse(
            path,
            headers={"Content-Disposition": _attachment(path.name), "Cache-Control": "no-store"},
        )

    # --- phone -------------------------------------------------------------------------

    def collector(self, project_name: str) -> Collector:
        """What the bridge calls for CollectSoundData: store a phone's clip in a label."""

        async def collect(label: str, audio: bytes, client: str) -> dict[str, Any]:
            project = Project(self.root / project_name)
            try:
                project.label_dir(label)
            except NotFoundError:
                labels = ", ".join(project.labels()) or "none yet"
                raise ClipError(
                    "NO_SUCH_LABEL",
                    f"the project {project_name!r} has no label {label!r}; its labels: {labels}",
                ) from None
            name = f"a clip from {client or 'a phone'}"

            def check() -> str:
                suffix = clip_checks.suffix_of(audio)
                clip_checks.decode_upload(audio, name=name)
                return suffix

            try:
                suffix = await self._run(self._work, check)
            except clip_checks.ClipRejectedError as exc:
                raise ClipError(exc.error_name, str(exc)) from exc
            clip = project.add_clip(label, audio, source="phone", suffix=suffix)
            self.changed(project, "clips")
            self.prepare(clip.path, audio)
            return {"label": label, "clip": clip.id, "clips": len(project.clips(label))}

        return collect

    async def phone_state(self, request: web.Request) -> web.Response:
        self.phone.urls()  # the page asks when it opens the Phone view: look again
        return web.json_response(self.phone.state())

    async def phone_serve(self, request: web.Request) -> web.Response:
        project = self.project(request)
        await self.phone.serve(project.name, self._trained(project))
        return web.json_response(self.phone.state())

    async def phone_qr(self, request: web.Request) -> web.Response:
        import segno

        url = request.query.get("url", "")
        if url not in {u["url"] for u in self.phone.urls()}:
            raise NotFoundError("no such bridge address")
        buffer = io.BytesIO()
        segno.make(f"{url}?code={self.phone.code}", error="m").save(
            buffer, kind="svg", scale=6, border=2
        )
        return web.Response(body=buffer.getvalue(), content_type="image/svg+xml")

    # --- try the extension -------------------------------------------------------------

    def aix_asset(self, project: Project, name: str) -> bytes:
        """An asset of the project's built .aix, as the extension ships it."""
        path = self.aix_path(project)
        if not path.is_file():
            raise NotFoundError("build the extension first (Export)")
        with zipfile.ZipFile(path) as aix:
            for entry in aix.namelist():
                if entry.endswith(f"/assets/{name}") and entry.count("/") == 2:
                    return aix.read(entry)
        raise NotFoundError(f"the extension has no asset {name!r}")

    async def try_asset(self, request: web.Request) -> web.Response:
        project = self.project(request)
        name = request.match_info["name"]
        if name == TRY_HOST:
            return await self.try_host(project)
        data = await self._run(self._work, self.aix_asset, project, name)
        kind = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json",
                ".html": "text/html", ".bin": "application/octet-stream"}  # fmt: skip
        return web.Response(
            body=data,
            content_type=kind.get(Path(name).suffix, "application/octet-stream"),
            headers={"Cache-Control": "no-store"},
        )

    async def try_host(self, project: Project) -> web.Response:
        """The frame that runs the .aix's own page, unchanged, with the studio playing Java.

        Its Content-Security-Policy allows the page's inline script by its hash, WebAssembly
        (the TF.js backend) and eval (the bundle's JSON-schema validator, ajv, compiles its
        checks), as the phone's WebView does; scripts still come only from the studio.
        """
        page = await self._run(self._work, self.aix_asset, project, "pac_webview.html")
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
            for script in re.findall(rb"<script>(.*?)</script>", page, flags=re.DOTALL)
        )
        body = (_static_dir() / TRY_HOST).read_bytes()
        policy = (
            f"default-src 'self'; script-src 'self' {hashes} 'unsafe-eval' 'wasm-unsafe-eval'; "
            "connect-src 'self' https://pac.assets blob: ws: wss:; frame-ancestors 'self'; "
            "base-uri 'none'; form-action 'none'"
        )
        return web.Response(
            body=body,
            content_type="text/html",
            headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"},
        )

    async def try_decode(self, request: web.Request) -> web.Response:
        """What the component's AudioDecoder gives the page: float32 mono PCM at the file's
        own rate (little-endian), with the rate in ``X-Sample-Rate``."""
        data = await _body(request)
        name = Path(request.query.get("filename", "clip")).name

        def decode() -> tuple[bytes, int]:
            try:
                samples, rate = decode_audio(
                    data, name=name, max_seconds=clip_checks.MAX_CLIP_SECONDS
                )
            except AudioDecodeError as exc:
                raise clip_checks.ClipRejectedError(str(exc), exc.error_name) from exc
            return samples.astype("<f4").tobytes(), rate

        try:
            pcm, rate = await self._run(self._work, decode)
        except clip_checks.ClipRejectedError as exc:
            # The Error event the component would fire for this file.
            return web.json_response(
                {"error": str(exc), "code": ERROR_CODES[exc.error_name]}, status=400
            )
        return web.Response(
            body=pcm,
            content_type="application/octet-stream",
            headers={"X-Sample-Rate": str(rate)},
        )

    async def try_worker(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            _static_dir() / "try-sw.js",
            headers={"Content-Type": "text/javascript", "Cache-Control": "no-store"},
        )

    # --- page --------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(_static_dir() / "index.html", headers={"Cache-Control": "no-store"})

    async def close(self) -> None:
        self.events.close()
        await self.phone.stop()
        self._train.shutdown(wait=False, cancel_futures=True)
        self._work.shutdown(wait=False, cancel_futures=True)


def _plain(problem: str, project: Project) -> str:
    """A dataset message with the project's folder taken off the paths."""
    return problem.replace(str(project.clips_dir) + "/", "").replace(str(project.clips_dir), "")


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ProjectError("send JSON (Content-Type: application/json)")
    try:
        body = json.loads(await request.read())
    except ValueError as exc:
        raise ProjectError("the request is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ProjectError("the request must be a JSON object")
    return body


async def _body(request: web.Request) -> bytes:
    length = request.content_length or 0
    if length > clip_checks.MAX_UPLOAD_BYTES:
        raise clip_checks.ClipRejectedError(
            f"the file is {length / 1e6:.1f} MB; the most a clip can be is "
            f"{clip_checks.MAX_UPLOAD_BYTES / 1e6:.0f} MB"
        )
    try:
        data = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise clip_checks.ClipRejectedError(
            f"the file is too big; the most a clip can be is "
            f"{clip_checks.MAX_UPLOAD_BYTES / 1e6:.0f} MB"
        ) from exc
    if not data:
        raise clip_checks.ClipRejectedError("the file is empty")
    return data


@web.middleware
async def plain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """ProjectError -> 400 (NotFoundError 404), ClipRejectedError -> 400 or 413, as JSON."""
    try:
        return await handler(request)
    except NotFoundError as exc:
        return _error(str(exc), 404)
    except ProjectError as exc:
        return _error(str(exc), 400)
    except clip_checks.ClipRejectedError as exc:
        status = 413 if "MB" in str(exc) else 400
        return _error(str(exc), status)
    except web.HTTPException as exc:
        if exc.status >= 400:
            return _error(exc.reason, exc.status)
        raise
    except OSError as exc:  # a disk full, a folder removed by hand: say so, keep serving
        return _error(f"a file could not be read or written: {exc.strerror or exc}", 500)


def make_app(studio: Studio) -> web.Application:
    app = web.Application(
        middlewares=[guard(lambda: studio.port), plain_errors], client_max_size=MAX_REQUEST_BYTES
    )
    s = studio
    p = "/api/projects/{project}"
    clip = p + "/labels/{label}/clips/{clip}"
    app.add_routes(
        [
            web.get("/", s.index),
            web.static("/static", _static_dir()),
            web.get("/api/events", s.events.stream),
            web.get("/api/projects", s.list_projects),
            web.post("/api/projects", s.create_project),
            web.get(p, s.get_project),
            web.put(p + "/settings", s.put_settings),
            web.post(p + "/labels", s.add_label),
            web.patch(p + "/labels/{label}", s.rename_label),
            web.delete(p + "/labels/{label}", s.delete_label),
            web.post(p + "/labels/{label}/clips", s.add_clip),
            web.get(clip + "/audio", s.clip_audio),
            web.get(clip + "/spectrogram", s.clip_spectrogram),
            web.delete(clip, s.delete_clip),
            web.post(p + "/train", s.train),
            web.post(p + "/train/cancel", s.cancel_training),
            web.post(p + "/classify", s.classify),
            web.get(p + "/export/metadata.json", s.export_metadata),
            web.get(p + "/export/tfjs.zip", s.export_tfjs),
            web.post(p + "/export/aix", s.build_aix),
            web.get(p + "/export/aix", s.download_aix),
            web.get("/api/d8", s.d8_state),
            web.post("/api/d8", s.get_d8),
            web.get("/api/phone", s.phone_state),
            web.post(p + "/phone", s.phone_serve),
            web.get("/api/phone/qr.svg", s.phone_qr),
            web.get("/try/sw.js", s.try_worker),
            web.get("/try/{project}/assets/{name}", s.try_asset),
            web.post(p + "/try/decode", s.try_decode),
        ]
    )

    async def on_shutdown(app: web.Application) -> None:
        await studio.close()

    app.on_shutdown.append(on_shutdown)
    return app
