"""The threat model of docs/studio.md, one test per line."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from studio.app import Studio
from studio.security import refusal
from studio.server import HOST, serve
from tests.studio.client import Api, run_studio
from tests.studio.sounds import tone, wav_bytes

PORT = 8080


def request(method: str = "GET", *, peer: str = "127.0.0.1", **headers: str):
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 50000) if name == "peername" else default
    )
    return make_mocked_request(
        method,
        "/api/projects",
        headers={"Host": f"127.0.0.1:{PORT}", **headers},
        transport=transport,
    )


def test_only_this_computer_may_use_the_studio() -> None:
    assert refusal(request(peer="127.0.0.1"), PORT) is None
    assert refusal(request(peer="::1"), PORT) is None
    for peer in ("192.0.2.7", "10.0.0.2", "::ffff:192.0.2.7", "fe80::1"):
        assert refusal(request(peer=peer), PORT) == "the studio answers only to this computer"


def test_the_studio_listens_on_loopback_only(tmp_path: Path) -> None:
    """No LAN address reaches the studio's port, whatever the firewall says."""

    async def main() -> None:
        studio = Studio(tmp_path, port=0, bridge_host="127.0.0.1", bridge_port=0)
        stop = asyncio.Event()
        urls: list[str] = []
        task = asyncio.create_task(
            serve(studio, port=0, port_fixed=True, ready=urls.append, stop=stop)
        )
        while not urls:
            await asyncio.sleep(0.01)
        assert urls == [f"http://127.0.0.1:{studio.port}/"]
        lan = [a for a in _addresses() if not a.startswith("127.")]
        for address in lan:
            with pytest.raises(OSError):
                socket.create_connection((address, studio.port), timeout=1).close()
        socket.create_connection((HOST, studio.port), timeout=1).close()
        stop.set()
        await task

    asyncio.run(main())


def _addresses() -> list[str]:
    import ifaddr

    return [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str)
    ]


@pytest.mark.parametrize("host", ["evil.example:8080", "127.0.0.1:9999", "192.0.2.2:8080", None])
def test_a_dns_rebound_or_foreign_host_name_is_refused(host: str | None) -> None:
    headers = {} if host is None else {"Host": host}
    req = make_mocked_request("GET", "/api/projects", headers=headers)
    with mock.patch.object(type(req), "remote", "127.0.0.1"):
        assert refusal(req, PORT) == f"open the studio at http://127.0.0.1:{PORT}/"


@pytest.mark.parametrize(
    "origin", [None, "http://evil.example", f"http://127.0.0.1:{PORT + 1}", "null"]
)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_changes_come_only_from_the_studio_page(method: str, origin: str | None) -> None:
    headers = {} if origin is None else {"Origin": origin}
    assert refusal(request(method, **headers), PORT) == (
        "changes are accepted only from the studio's own page"
    )
    assert refusal(request(method, Origin=f"http://localhost:{PORT}"), PORT) is None


def test_other_sites_cannot_read_the_studio() -> None:
    assert refusal(request(**{"Sec-Fetch-Site": "cross-site"}), PORT) == (
        "the studio does not answer other web sites"
    )
    assert refusal(request(**{"Sec-Fetch-Site": "same-origin"}), PORT) is None


def test_the_app_applies_the_checks_to_every_route(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        status, answer = await api.call(
            "POST", "/api/projects", body={"name": "x"}, headers={"Origin": "http://evil.example"}
        )
        assert status == 403 and "studio's own page" in answer["error"]
        status, answer = await api.call("GET", "/api/projects", headers={"Host": "evil.example"})
        assert status == 403
        for path in ("/", "/static/studio.js", "/api/events"):
            response = await api.client.get(path, headers={"Host": "rebound.example"})
            assert response.status == 403, path
        assert not (tmp_path / "x").exists()
        page = await api.client.get("/")
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Content-Type-Options"] == "nosniff"

    run_studio(tmp_path, body)


def test_uploads_are_limited_in_size_and_length(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "N"})
        await api.ok("POST", "/api/projects/N/labels", body={"name": "x"})
        status, answer = await api.call(
            "POST", "/api/projects/N/labels/x/clips?filename=a.wav", data=b"\0" * (11 << 20)
        )
        assert status == 413 and "10 MB" in answer["error"]
        status, answer = await api.call(
            "POST",
            "/api/projects/N/labels/x/clips?filename=a.wav",
            data=wav_bytes(tone(seconds=30)),
        )
        assert status == 400 and "longer than 10 seconds" in answer["error"]

    run_studio(tmp_path, body)


def test_the_phone_bridge_needs_the_pairing_code(tmp_path: Path) -> None:
    """The bridge is the only thing a LAN client reaches; its code is checked (bridge tests
    cover the protocol); here: the studio's bridge has a fresh code of 6 unambiguous letters."""
    first = Studio(tmp_path, port=0).phone.code
    second = Studio(tmp_path, port=0).phone.code
    assert first != second and len(first) == 6
    assert not set(first) & set("01IO")
