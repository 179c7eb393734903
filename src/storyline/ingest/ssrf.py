"""The SSRF guard of ``--fetch``: a hostile feed or URL list must not make storyline request internal addresses.

Refused by default: loopback, private, link-local, multicast, reserved, unspecified and other non-global IPv4 and
IPv6 addresses, IPv4 addresses inside IPv6 ones (IPv4-mapped, 6to4, NAT64) by their IPv4 address, and any host
name that resolves to one. Host spellings the C resolver accepts (``2130706433``, ``0177.0.0.1``, ``0x7f.1``) are
judged by the address they resolve to. The check runs where the socket is opened, on the address actually
connected to (so DNS rebinding between a check and the connection cannot slip through), for every request and
every redirect; a name-level check before each request also covers requests sent through a proxy.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore

from ..config import FetchOptions, Network, parse_networks

Resolver = Callable[[str, int], list[str]]
"""Host name and port -> the IP addresses to connect to, in order (``socket.getaddrinfo`` by default)."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_HINT = ("set fetch.allow_private_hosts = true (env STORYLINE_FETCH_ALLOW_PRIVATE_HOSTS=1) or list the network "
              "in fetch.allow_networks to fetch from your own internal hosts")


class RefusedAddress(Exception):
    """A request was refused before connecting: the host resolves to an address the guard does not allow."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


class UnresolvedHost(RefusedAddress):
    """The host name did not resolve, so there is no address to check (nor to connect to)."""


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, as the operating system's resolver gives them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_kind(address: Address) -> str | None:
    """Why ``address`` is not a public unicast address (e.g. ``'loopback'``), or ``None`` if it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            kind = address_kind(embedded)
            return f"{kind} IPv4 address inside an IPv6" if kind else None
    for kind, test in _KINDS:
        if test(address):
            return kind
    return None if address.is_global else "non-global"


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_KINDS: tuple[tuple[str, Callable[[Address], bool]], ...] = (
    ("unspecified", lambda a: a.is_unspecified),
    ("loopback", lambda a: a.is_loopback),
    ("link-local", lambda a: a.is_link_local),
    ("multicast", lambda a: a.is_multicast),
    ("reserved", lambda a: a.is_reserved),
    ("site-local", lambda a: getattr(a, "is_site_local", False)),
    ("private", lambda a: a.is_private),
)


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Decides which addresses ``--fetch`` may connect to, and resolves host names for the check."""

    allow_private: bool = False
    allowed: tuple[Network, ...] = ()
    resolve: Resolver = system_resolve

    @classmethod
    def from_options(cls, options: FetchOptions, resolve: Resolver | None = None) -> AddressGuard:
        """The guard the fetch settings ask for."""
        return cls(options.allow_private_hosts, parse_networks(options.allow_networks), resolve or system_resolve)

    def refusal(self, address: str) -> str | None:
        """Why connecting to ``address`` (an IP address string) is refused, or ``None`` if it is allowed."""
        if self.allow_private:
            return None
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{address!r} is not an IP address"
        if any(ip in network for network in self.allowed if network.version == ip.version):
            return None
        kind = address_kind(ip)
        return f"{kind} address {ip}" if kind else None

    def vetted(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` to connect to; raises ``RefusedAddress`` if any of them is refused."""
        try:
            addresses = self.resolve(host.strip("[]"), port)
        except (OSError, UnicodeError) as exc:
            raise UnresolvedHost(host, f"cannot resolve host name ({exc})") from exc
        if not addresses:
            raise UnresolvedHost(host, "host name resolves to no address")
        for address in addresses:
            why = self.refusal(address)
            if why:
                bare = host.strip("[]")
                raise RefusedAddress(host, why if bare == address else f"{bare} resolves to {why}")
        return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend that resolves each host itself and connects only to addresses the guard allows."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        """Open a connection to the first reachable vetted address of ``host`` (the one checked is the one used)."""
        try:
            addresses = self.guard.vetted(host, port)
        except UnresolvedHost as exc:  # a network error like any other: retried, then reported
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure


def install(transport: Any, guard: AddressGuard) -> None:
    """Make an ``httpx.HTTPTransport`` connect through ``GuardedBackend`` (fails loudly if httpcore changes)."""
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx/httpcore internals changed: cannot install the fetch address guard")
    pool._network_backend = GuardedBackend(guard)


__all__ = ["ALLOW_HINT", "AddressGuard", "GuardedBackend", "RefusedAddress", "Resolver", "UnresolvedHost",
           "address_kind", "install", "system_resolve"]
