"""bridge.addresses, and the URL ``pac bridge`` prints, on real network interfaces.

The namespace tests give ``pac bridge`` a network of its own (``unshare --net``,
a veth pair, a default route) on a machine whose hostname resolves to
loopback, as on Debian and Ubuntu: the URL must be the LAN address anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.addresses import Address, usable_addresses

PAC = [sys.executable, "-m", "pac"]


def test_loopback_link_local_and_ipv6_are_left_out() -> None:
    interfaces = [
        ("lo", "127.0.0.1"),
        ("lo", "::1"),
        ("wlan0", "169.254.3.4"),  # no DHCP answer
        ("wlan0", "fe80::1"),
        ("eth0", "0.0.0.0"),
        ("eth0", "not an address"),
    ]

    assert usable_addresses(interfaces, default_route_ip=None) == []


def test_the_default_routes_address_comes_first_then_lan_then_virtual() -> None:
    interfaces = [
        ("docker0", "172.17.0.1"),
        ("tun0", "10.8.0.2"),
        ("eth0", "85.10.20.30"),  # public, not the default route
        ("wlp2s0", "192.168.1.20"),
        ("enp3s0", "10.0.0.7"),
        ("wlp2s0", "192.168.1.20"),  # listed twice by some systems
    ]

    found = usable_addresses(interfaces, default_route_ip="10.0.0.7")

    assert found == [
        Address("10.0.0.7", "enp3s0"),
        Address("192.168.1.20", "wlp2s0"),
        Address("85.10.20.30", "eth0"),
        Address("172.17.0.1", "docker0"),
        Address("10.8.0.2", "tun0"),
    ]


def in_namespace(setup: str, command: list[str], tmp_path: Path) -> str:
    """Run ``pac bridge`` in a new network namespace after ``setup``; its stdout up to Ctrl-C."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs root, unshare and ip (iproute2) for a network namespace")
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"network namespaces are not available here: {probe.stderr.decode()}")
    script = f"set -e\n{setup}\nexec {' '.join(command)}"
    proc = subprocess.Popen(
        ["unshare", "--net", "sh", "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert proc.stdout is not None
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert lines, err
    return "".join(lines)


VETH = """
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 10.1.2.3/24 dev v0
ip link set v0 up
ip link set v1 up
ip route add default via 10.1.2.1 dev v0
"""


@pytest.mark.slow
def test_pac_bridge_prints_the_lan_address_not_loopback(model_dir: Path, tmp_path: Path) -> None:
    command = [*PAC, "bridge", str(model_dir), "--port", "0", "--code", "AB12CD"]

    out = in_namespace(VETH, command, tmp_path)

    first = out.splitlines()[0]
    assert first.startswith("bridge       : ws://10.1.2.3:"), out
    assert "127.0.0.1" not in out and "127.0.1.1" not in out
    port = first.split(":")[3].split()[0]
    assert f"BridgeUrl    : ws://10.1.2.3:{port}?code=AB12CD" in out
    assert f"pac send ws://10.1.2.3:{port} --code AB12CD" in out


@pytest.mark.slow
def test_pac_bridge_lists_every_address_the_default_routes_first(
    model_dir: Path, tmp_path: Path
) -> None:
    setup = (
        VETH
        + """
ip link add docker0 type veth peer name d1
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add w0 type veth peer name w1
ip addr add 192.168.7.9/24 dev w0
ip link set w0 up
"""
    )
    command = [*PAC, "bridge", str(model_dir), "--port", "0", "--code", "AB12CD"]

    lines = in_namespace(setup, command, tmp_path).splitlines()

    urls = [line.split(" : ")[1].split()[0] for line in lines[:3]]
    assert [u.rsplit(":", 1)[0] for u in urls] == [
        "ws://10.1.2.3",
        "ws://192.168.7.9",
        "ws://172.17.0.1",
    ]
    assert "(docker0)" in lines[2]
    assert "the default route" in "\n".join(lines)


@pytest.mark.slow
def test_pac_bridge_says_plainly_when_there_is_no_network(model_dir: Path, tmp_path: Path) -> None:
    command = [*PAC, "bridge", str(model_dir), "--port", "0", "--code", "AB12CD"]

    out = in_namespace("ip link set lo up", command, tmp_path)

    assert "No network: this laptop has no address a phone can reach." in out
    assert "BridgeUrl" not in out  # no QR code of an address the phone cannot reach
