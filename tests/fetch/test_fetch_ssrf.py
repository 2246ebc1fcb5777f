"""The SSRF guard in the real client: refused before connecting, on every redirect hop.

Blocked targets are 127.0.0.2, ::1 and names resolving (through /etc/hosts,
no DNS traffic) to 127.0.0.1 while only another address is allowed: loopback,
so harmless even if the guard failed, and the test server would see it.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpcore
import pytest
from fetch_support import feed, feed_error, page_error, settings
from pydantic import ValidationError

from hostile_server import HostileServer
from monitor.exceptions import BlockedAddress
from monitor.fetch.address_guard import AddressGuard, AddressRefused, GuardedBackend


def _to(hostile: HostileServer, location: str) -> str:
    return hostile.url("/to?url=" + quote(location, safe=""))


def test_allowed_network_reaches_the_server(hostile: HostileServer) -> None:
    assert asyncio.run(feed(hostile.url("/ok"))).body == b"ok"


def test_loopback_is_refused_without_an_allowance(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/ok"), allowed_networks=()))
    assert isinstance(err, BlockedAddress)
    assert not err.temporary
    assert str(err) == (
        f"{hostile.url('/ok')}: refused: resolves to loopback address 127.0.0.1"
        " (set fetch.allow_private_networks to allow, or list it in fetch.allowed_networks)"
    )
    assert hostile.requests == []


@pytest.mark.parametrize(
    "host", ["127.0.0.2", "[::1]", "[::ffff:127.0.0.1]", "localhost", "2130706433", "127.1"]
)
def test_loopback_in_any_spelling_is_refused(hostile: HostileServer, host: str) -> None:
    # Only 127.0.0.3 is allowed; "localhost", "2130706433" and "127.1" resolve
    # locally (hosts file / numeric forms) to 127.0.0.1.
    url = hostile.url("/ok", host=host)
    err = asyncio.run(feed_error(url, allowed_networks=("127.0.0.3/32",)))
    assert isinstance(err, BlockedAddress)
    assert "loopback address 127.0.0." in str(err) or "loopback address ::1" in str(err)
    assert hostile.requests == []


def test_host_name_is_checked_after_resolution(hostile: HostileServer) -> None:
    # "localhost" resolves to the allowed 127.0.0.1: allowed, by address not by name.
    resp = asyncio.run(feed(hostile.url("/ok", host="localhost")))
    assert resp.body == b"ok"
    assert resp.final_url == hostile.url("/ok", host="localhost")


def test_allow_private_networks_turns_the_guard_off(hostile: HostileServer) -> None:
    url = hostile.url("/ok", host="localhost")
    resp = asyncio.run(feed(url, allowed_networks=(), allow_private_networks=True))
    assert resp.body == b"ok"


def test_redirect_to_blocked_address_is_refused(hostile: HostileServer) -> None:
    start = _to(hostile, f"http://127.0.0.2:{hostile.port}/ok")
    err = asyncio.run(feed_error(start))
    assert isinstance(err, BlockedAddress)
    assert not err.temporary
    assert str(err).startswith(f"{start}: redirect to http://127.0.0.2:{hostile.port}/ok: refused")
    assert [r.path for r in hostile.requests] == ["/to"]


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/_x"]
)
def test_redirect_to_other_schemes_is_refused(hostile: HostileServer, location: str) -> None:
    err = asyncio.run(feed_error(_to(hostile, location)))
    assert isinstance(err, BlockedAddress)
    assert "only http and https are fetched" in str(err)


def test_non_http_url_is_refused() -> None:
    err = asyncio.run(feed_error("file:///etc/passwd"))
    assert isinstance(err, BlockedAddress)
    assert not err.temporary


def test_blocked_page_is_refused_before_robots_txt(hostile: HostileServer) -> None:
    err = asyncio.run(page_error(hostile.url("/ok", host="127.0.0.2")))
    assert isinstance(err, BlockedAddress)
    assert hostile.requests == []


def test_bad_allowed_network_fails_at_construction() -> None:
    # refused when the settings are loaded (naming the key), before any Fetcher exists
    with pytest.raises(ValidationError, match="'not-a-network' is not a network"):
        settings(allowed_networks=("not-a-network",))


class _RecordingBackend(httpcore.AnyIOBackend):
    """The real backend, noting which host each connection was opened to."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.hosts.append(host)
        return await super().connect_tcp(host, port, *args, **kwargs)


def test_connection_goes_to_the_checked_address_not_the_name(hostile: HostileServer) -> None:
    # What defeats DNS rebinding: the name is resolved once, checked, and the
    # socket is opened to that very address (TLS/Host still use the name).
    inner = _RecordingBackend()
    backend = GuardedBackend(
        AddressGuard(allow_private=False, allowed_networks=["127.0.0.1/32"]), inner
    )

    async def connect() -> None:
        stream = await backend.connect_tcp("localhost", hostile.port, timeout=1.0)
        await stream.aclose()

    asyncio.run(connect())
    assert inner.hosts == ["127.0.0.1"]


def test_backend_refuses_before_connecting(hostile: HostileServer) -> None:
    inner = _RecordingBackend()
    backend = GuardedBackend(AddressGuard(allow_private=False), inner)
    with pytest.raises(AddressRefused, match=r"loopback address 127\.0\.0\.1"):
        asyncio.run(backend.connect_tcp("localhost", hostile.port, timeout=1.0))
    assert inner.hosts == []
