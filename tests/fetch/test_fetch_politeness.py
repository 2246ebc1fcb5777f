"""Politeness as the server sees it: concurrent connections, spacing, Retry-After respected.

These assert behaviour recorded by the server (arrival times, requests in
flight), not speed: a broken limit shows up as overlap or zero gaps.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Any

from fetch_support import settings

from hostile_server import HostileServer
from monitor.exceptions import FetchError, HTTPStatusError
from monitor.fetch import Fetcher
from monitor.types import FetchedResponse


async def _all(urls: list[str], **overrides: Any) -> list[FetchedResponse]:
    async with Fetcher(settings(**overrides)) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch_feed(u) for u in urls)))


def test_per_host_concurrency_limits_connections_in_flight(hostile: HostileServer) -> None:
    urls = [hostile.url(f"/slow?ms=250&n={n}") for n in range(6)]
    responses = asyncio.run(_all(urls, per_host_concurrency=2, max_concurrency=16))
    assert [r.body for r in responses] == [b"slow ok"] * 6
    assert hostile.max_in_flight == 2  # the limit is used, and never passed


def test_global_concurrency_applies_across_hosts(hostile: HostileServer) -> None:
    # 127.0.0.1 and localhost are two hosts to the fetcher, one server here.
    urls = [hostile.url(f"/slow?ms=150&n={n}", host=h) for n in range(2) for h in
            ("127.0.0.1", "localhost")]  # fmt: skip
    asyncio.run(_all(urls, per_host_concurrency=4, max_concurrency=1))
    assert len(hostile.requests) == 4
    assert hostile.max_in_flight == 1


def test_requests_to_one_host_are_spaced_by_the_delay(hostile: HostileServer) -> None:
    asyncio.run(_all([hostile.url(f"/slow?ms=0&n={n}") for n in range(4)], per_host_delay_s=0.2))
    arrivals = sorted(r.arrived for r in hostile.requests)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(gaps) == 3
    # >= 0.2 s between starts on the client; loopback connect jitter is far below 20 ms.
    assert min(gaps) >= 0.18


def test_delay_is_per_host_not_global(hostile: HostileServer) -> None:
    urls = [hostile.url("/ok"), hostile.url("/ok", host="localhost")]
    asyncio.run(_all(urls, per_host_delay_s=1.0))
    first, second = sorted(r.arrived for r in hostile.requests)
    assert second - first < 0.5


def test_host_that_asked_to_wait_is_not_requested_again(hostile: HostileServer) -> None:
    async def scenario() -> tuple[HTTPStatusError, FetchError, FetchedResponse]:
        async with Fetcher(settings()) as fetcher:
            try:
                await fetcher.fetch_feed(hostile.url("/status?code=429&retry_after=30"))
            except HTTPStatusError as exc:
                limited = exc
            try:
                await fetcher.fetch_page(hostile.url("/ok"))
            except FetchError as exc:
                fast = exc
            other_host = await fetcher.fetch_feed(hostile.url("/ok", host="localhost"))
            return limited, fast, other_host

    limited, fast, other_host = asyncio.run(scenario())
    assert (limited.status, limited.temporary, limited.retry_after_s) == (429, True, 30)
    assert fast.temporary
    assert fast.retry_after_s is not None and 28 < fast.retry_after_s <= 30
    assert "asked us to wait" in str(fast)
    assert hostile.hits("/ok")[0].headers["host"].startswith("localhost")  # only that one
    assert len(hostile.hits("/ok")) == 1
    assert hostile.hits("/robots.txt") == []
    assert other_host.body == b"ok"


def test_backoff_window_ends(hostile: HostileServer) -> None:
    async def scenario() -> bytes:
        async with Fetcher(settings()) as fetcher:
            with contextlib.suppress(HTTPStatusError):
                await fetcher.fetch_feed(hostile.url("/status?code=503&retry_after=1"))
            await asyncio.sleep(1.05)
            return (await fetcher.fetch_feed(hostile.url("/ok"))).body

    assert asyncio.run(scenario()) == b"ok"
