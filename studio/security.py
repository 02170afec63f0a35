"""Who may use the studio: the laptop's own browser, on the studio's own page.

The studio binds 127.0.0.1 only; these checks hold even so (docs/studio.md,
"Threat model"). Pure functions, then the aiohttp middleware that applies them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(peer: str | None) -> bool:
    """Whether a connection's peer address is this machine."""
    if not peer:
        return False
    try:
        return ipaddress.ip_address(peer.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)


def host_allowed(host: str | None, port: int) -> bool:
    """The Host header names the studio itself: a DNS-rebound name (evil.example) does not."""
    return host is not None and host.lower() in allowed_hosts(port)


def origin_allowed(origin: str | None, port: int) -> bool:
    """A state-changing request comes from the studio's own page (cross-site ones do not)."""
    return origin is not None and origin.lower() in {f"http://{h}" for h in allowed_hosts(port)}


def refusal(request: web.Request, port: int) -> str | None:
    """Why the request is refused, or None."""
    if not is_loopback(request.remote):
        return "the studio answers only to this computer"
    if not host_allowed(request.headers.get("Host"), port):
        return f"open the studio at http://127.0.0.1:{port}/"
    if request.method not in SAFE_METHODS:
        if not origin_allowed(request.headers.get("Origin"), port):
            return "changes are accepted only from the studio's own page"
    elif request.headers.get("Sec-Fetch-Site") == "cross-site":
        return "the studio does not answer other web sites"
    return None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guard(port_of: Callable[[], int]) -> Middleware:
    """Middleware: refuse (403, a JSON message) what ``refusal`` names; add safe headers.

    ``port_of()`` is the port the studio listens on (known once it is bound).
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = refusal(request, port_of())
        if reason is not None:
            return web.json_response({"error": reason}, status=403)
        response = await handler(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return middleware
