"""``pac studio``: run the studio's app on 127.0.0.1 and the phone bridge beside it."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import webbrowser
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bridge.server import run_until_stopped
from studio.app import Studio, make_app

HOST = "127.0.0.1"
"""The studio's HTTP API writes files and trains: only this computer may reach it."""
PORT_TRIES = 10


def default_projects_folder() -> Path:
    """Where projects live when ``pac studio`` is given no folder: Documents/PAC projects."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "PAC projects"


async def serve(
    studio: Studio,
    *,
    port: int,
    port_fixed: bool,
    ready: Callable[[str], None],
    stop: asyncio.Event,
) -> None:
    """Serve until ``stop`` is set. Without ``port_fixed``, a busy port moves to the next one."""
    app = make_app(studio)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        for attempt in range(1 if port_fixed or port == 0 else PORT_TRIES):
            site = web.TCPSite(runner, HOST, port + attempt)
            try:
                await site.start()
                break
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or attempt == PORT_TRIES - 1 or port_fixed:
                    raise OSError(
                        exc.errno, f"port {port + attempt} is in use; try pac studio --port 8090"
                    ) from exc
        studio.port = _bound_port(site)
        # Load the front-end now, so the first Train is as fast as the next ones.
        studio.warm_up()
        ready(f"http://{HOST}:{studio.port}/")
        await stop.wait()
    finally:
        await runner.cleanup()


def _bound_port(site: web.TCPSite) -> int:
    sockets = getattr(site._server, "sockets", None) or []
    if not sockets:
        raise OSError("the studio's socket did not open")
    return int(sockets[0].getsockname()[1])


def run_studio(
    root: Path,
    *,
    project: str | None,
    port: int,
    port_fixed: bool,
    bridge_port: int,
    open_browser: bool,
    tool_version: str,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> None:
    studio = Studio(root, port=port, bridge_port=bridge_port, tool_version=tool_version)

    def ready(url: str) -> None:
        page = url + (f"#project={quote(project)}" if project else "")
        say(f"studio       : {page}")
        say(f"projects     : {root}")
        say("Ctrl-C stops the studio.")
        if open_browser:
            with contextlib.suppress(Exception):
                webbrowser.open(page)

    run_until_stopped(
        lambda stop: serve(studio, port=port, port_fixed=port_fixed, ready=ready, stop=stop)
    )
