"""The addresses a phone on the same network can reach this laptop at.

The hostname is no guide: Debian and Ubuntu map it to 127.0.1.1 in
/etc/hosts, so ``getaddrinfo(gethostname())`` yields only loopback. The
addresses come from the network interfaces (``ifaddr``, on every platform),
ordered with the one the default route leaves from first: that is the network
a phone on the same Wi-Fi is on. ``usable_addresses`` is the pure part.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "lxc", "tun", "tap")
"""Interface names of containers, VMs and VPNs: listed last, since a phone rarely reaches them."""

ROUTE_PROBE = ("198.51.100.1", 9)
"""An address off every LAN (TEST-NET-2): connecting a UDP socket towards it sends no
packet, but makes the system pick the source address of its default route."""


@dataclass(frozen=True)
class Address:
    """An IPv4 address of this machine, and the interface that has it."""

    ip: str
    interface: str


def usable_addresses(
    interfaces: Iterable[tuple[str, str]], *, default_route_ip: str | None
) -> list[Address]:
    """The IPv4 addresses a phone could reach, best first.

    ``interfaces`` are ``(interface name, address)`` pairs. Loopback, link-local
    (169.254/16, which no DHCP gave) and unspecified addresses are left out.
    Order: the default route's address, then private LAN addresses, then the
    rest, with container and VM interfaces last; duplicates are dropped.
    """
    found: dict[str, Address] = {}
    for name, text in interfaces:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            continue
        if (
            ip.version != 4
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_unspecified
            or ip.is_multicast
        ):
            continue
        found.setdefault(str(ip), Address(str(ip), name))

    def rank(address: Address) -> tuple[int, int, int]:
        virtual = address.interface.lower().startswith(VIRTUAL_PREFIXES)
        private = ipaddress.ip_address(address.ip).is_private
        return (address.ip != default_route_ip, virtual, not private)

    return sorted(found.values(), key=rank)


def default_route_ip() -> str | None:
    """The source address of the default route, or None when there is no route out."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(ROUTE_PROBE)
        return str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()


def lan_addresses() -> list[Address]:
    """This machine's usable addresses (see ``usable_addresses``), the default route's first."""
    import ifaddr

    pairs = [
        (adapter.nice_name, ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str)  # IPv6 addresses come as tuples
    ]
    return usable_addresses(pairs, default_route_ip=default_route_ip())
