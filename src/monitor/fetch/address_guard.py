"""The SSRF guard: which addresses a URL from a feed may make us connect to.

Feed content is untrusted, and a link or a redirect can point anywhere: at
``169.254.169.254`` (a cloud's metadata service), at ``127.0.0.1:5432``, at
the office intranet. So, unless ``fetch.allow_private_networks`` is set, a
host is resolved here and refused when ANY of its addresses is not a public
unicast address, unless that address lies in ``fetch.allowed_networks``.

The check lives in the connection layer (``GuardedBackend``, an httpcore
network backend): the addresses that were checked are the addresses the
socket connects to, so a DNS answer that changes between check and connect
(DNS rebinding) gains nothing. TLS still verifies and sends SNI for the
host name, and the Host header is the URL's, because httpcore only asks the
backend for a TCP stream.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence

import httpcore
import httpx

from monitor.exceptions import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT
# The well-known NAT64 prefix embeds an IPv4 address in its last 32 bits (RFC 6052).
# The local-use 64:ff9b:1::/48 (RFC 8215) is left to the general checks (reserved).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class AddressRefused(Exception):
    """Internal: the guard refused a host; the client turns it into ``BlockedAddress``."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(reason)
        self.host = host
        self.reason = reason


class ResolutionFailed(Exception):
    """Internal: the host name did not resolve; the client turns it into a temporary error."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(reason)
        self.host = host
        self.reason = reason


def refusal_reason(address: IPAddress) -> str | None:
    """The kind of non-public address this is (``"loopback"``…), or None for a public one.

    IPv6 forms that carry an IPv4 address (mapped ``::ffff:a.b.c.d``, 6to4,
    NAT64) are judged by the IPv4 address inside, since that is where the
    packets may end up.
    """
    inner = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if inner is not None:
        reason = refusal_reason(inner)
        # Mapped and NAT64 addresses are only the IPv4 address in other clothes
        # (Python files both under reserved/private ranges); a 6to4 address is
        # also judged as itself below.
        if reason is not None or not _is_6to4(address):
            return reason
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared (carrier-grade NAT)"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-public"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_6to4(address: IPAddress) -> bool:
    return isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None


def parse_address(text: str) -> IPAddress:
    """An address from getaddrinfo or a URL, without an IPv6 zone (``fe80::1%eth0``)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


class AddressGuard:
    """Decides, from settings, whether an address (or a host's addresses) may be used."""

    def __init__(self, *, allow_private: bool, allowed_networks: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self._allowed = tuple(_parse_network(text) for text in allowed_networks)

    def refusal(self, address: str) -> str | None:
        """Why connecting to ``address`` is refused (one phrase), or None when it is allowed."""
        if self.allow_private:
            return None
        ip = parse_address(address)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self._allowed):
            return None
        reason = refusal_reason(ip)
        return None if reason is None else f"resolves to {reason} address {ip}"

    def first_refusal(self, addresses: Sequence[str]) -> str | None:
        """The refusal of the first refused address: one bad address refuses the host."""
        for address in addresses:
            reason = self.refusal(address)
            if reason is not None:
                return reason
        return None

    def literal_refusal(self, host: str) -> str | None:
        """The refusal of a host that is an IP literal (checked before queueing); else None."""
        try:
            parse_address(host)
        except ValueError:
            return None
        return self.refusal(host)

    async def resolve(self, host: str, port: int, timeout_s: float | None) -> list[str]:
        """The host's addresses, in resolver order, after checking every one of them.

        Uses the event loop's ``getaddrinfo`` (a worker thread), so a slow
        resolver does not block other fetches.
        """
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout_s):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise ResolutionFailed(host, f"no DNS answer within {timeout_s:g} s") from None
        except (socket.gaierror, UnicodeError) as exc:
            raise ResolutionFailed(host, f"cannot resolve {host}: {_strerror(exc)}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise ResolutionFailed(host, f"cannot resolve {host}: no address")
        reason = self.first_refusal(addresses)
        if reason is not None:
            raise AddressRefused(host, reason)
        return addresses


def _strerror(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _parse_network(text: str) -> IPNetwork:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ConfigError(
            f"invalid value for 'fetch.allowed_networks': {text!r} is not a CIDR such as"
            " '10.1.0.0/16'"
        ) from None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, checks, then connects to a checked address."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self._guard = guard
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._guard.allow_private:
            return await self._inner.connect_tcp(
                host, port, timeout, local_address=local_address, socket_options=socket_options
            )
        addresses = await self._guard.resolve(host, port, timeout)
        failure: Exception | None = None
        for address in addresses:  # in resolver order, like a browser without happy eyeballs
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve() returns at least one address
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with a connection pool that connects through the guard.

    httpx does not let a caller choose the network backend, so ``__init__``
    builds the pool itself instead of calling the parent's (which would
    build one to throw away); everything else is httpx's code. Proxies from
    the environment are deliberately not used: through a proxy the guard
    would check the proxy's address, not the target's.
    """

    def __init__(self, guard: AddressGuard, *, max_connections: int) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedBackend(guard),
        )
