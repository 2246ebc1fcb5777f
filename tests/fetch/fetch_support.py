"""Helpers of the fetch tests: test settings and one-call fetches."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.exceptions import FetchError
from monitor.fetch import Fetcher
from monitor.settings import FetchSettings
from monitor.types import CachingInfo, FetchedResponse

# Small limits so every hostile case ends in about a second. The guard stays
# on: only the test server's own address is allowed.
BASE: dict[str, Any] = {
    "timeout_s": 2.0,
    "connect_timeout_s": 1.0,
    "max_bytes": 1_000_000,
    "allowed_networks": ("127.0.0.1/32",),
    "per_host_delay_s": 0.0,
}


def settings(**overrides: Any) -> FetchSettings:
    return FetchSettings(**{**BASE, **overrides})


async def feed(url: str, caching: CachingInfo | None = None, **overrides: Any) -> FetchedResponse:
    async with Fetcher(settings(**overrides)) as fetcher:
        return await fetcher.fetch_feed(url, caching)


async def page(url: str, **overrides: Any) -> FetchedResponse:
    async with Fetcher(settings(**overrides)) as fetcher:
        return await fetcher.fetch_page(url)


async def feed_error(url: str, **overrides: Any) -> FetchError:
    """The FetchError fetch_feed raises (fails the test if it returns)."""
    with pytest.raises(FetchError) as info:
        await feed(url, **overrides)
    return info.value


async def page_error(url: str, **overrides: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        await page(url, **overrides)
    return info.value
