"""robots.txt for article pages: obeyed, cached per site, lenient when it is broken."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

import pytest
from fetch_support import settings

from hostile_server import FEED, HostileServer, Request, reset_connection, static
from monitor.exceptions import RobotsDisallowed
from monitor.fetch import Fetcher
from monitor.fetch.robots import product_token


async def _pages(urls: list[str], **overrides: Any) -> list[bytes | str]:
    """Each page's body, or the class name of the error it raised."""
    async with Fetcher(settings(**overrides)) as fetcher:
        results: list[bytes | str] = []
        for url in urls:
            try:
                results.append((await fetcher.fetch_page(url)).body)
            except RobotsDisallowed:
                results.append("RobotsDisallowed")
        return results


def _robots(hostile: HostileServer, text: str, status: int = 200) -> None:
    hostile.routes["/robots.txt"] = static(text.encode(), status)


def test_disallowed_page_is_refused_and_robots_is_read_once(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /private/\n")
    urls = [hostile.url(p) for p in ("/private/feed", "/ok", "/html", "/private/x")]
    results = asyncio.run(_pages(urls))
    assert results[0] == "RobotsDisallowed"
    assert results[1] == b"ok"
    assert results[3] == "RobotsDisallowed"
    assert len(hostile.hits("/robots.txt")) == 1
    assert hostile.hits("/private/feed") == []


def test_disallow_error_is_hard_and_says_why(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /private/\n")

    async def one() -> None:
        async with Fetcher(settings()) as fetcher:
            await fetcher.fetch_page(hostile.url("/private/feed"))

    with pytest.raises(RobotsDisallowed) as info:
        asyncio.run(one())
    assert not info.value.temporary
    assert str(info.value) == (
        f"{hostile.url('/private/feed')}: disallowed by {hostile.url('/robots.txt')}"
        " for user agent 'monitor'"
    )


def test_feeds_are_not_subject_to_robots(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /\n")

    async def one() -> bytes:
        async with Fetcher(settings()) as fetcher:
            return (await fetcher.fetch_feed(hostile.url("/private/feed"))).body

    assert asyncio.run(one()) == FEED
    assert hostile.hits("/robots.txt") == []


def test_group_for_our_product_token_wins_over_star(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: monitor\nDisallow: /\n\nUser-agent: *\nDisallow:\n")
    assert asyncio.run(_pages([hostile.url("/ok")])) == ["RobotsDisallowed"]
    other = asyncio.run(_pages([hostile.url("/ok")], user_agent="otherbot/1.0"))
    assert other == [b"ok"]


def test_concurrent_pages_share_one_robots_fetch(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /private/\n")

    async def many() -> None:
        async with Fetcher(settings()) as fetcher:
            await asyncio.gather(*(fetcher.fetch_page(hostile.url("/ok")) for _ in range(5)))

    asyncio.run(many())
    assert len(hostile.hits("/robots.txt")) == 1
    assert len(hostile.hits("/ok")) == 5


@pytest.mark.parametrize("status", [404, 410, 403, 500, 503])
def test_missing_or_broken_robots_allows_everything(hostile: HostileServer, status: int) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /\n", status)
    assert asyncio.run(_pages([hostile.url("/ok")])) == [b"ok"]
    assert len(hostile.hits("/robots.txt")) == 1


def test_unreachable_robots_allows_everything(hostile: HostileServer) -> None:
    async def reset(req: Request, writer: asyncio.StreamWriter) -> None:
        reset_connection(writer)

    hostile.routes["/robots.txt"] = reset
    assert asyncio.run(_pages([hostile.url("/ok"), hostile.url("/html")]))[0] == b"ok"
    assert len(hostile.hits("/robots.txt")) == 1  # the failure is cached too


def test_robots_is_fetched_again_after_its_ttl(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /private/\n")

    async def spaced() -> None:
        async with Fetcher(settings(robots_ttl_s=0.3)) as fetcher:
            await fetcher.fetch_page(hostile.url("/ok"))
            await fetcher.fetch_page(hostile.url("/ok"))
            await asyncio.sleep(0.4)
            await fetcher.fetch_page(hostile.url("/ok"))

    asyncio.run(spaced())
    assert len(hostile.hits("/robots.txt")) == 2


def test_respect_robots_false_skips_robots(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /\n")
    assert asyncio.run(_pages([hostile.url("/ok")], respect_robots=False)) == [b"ok"]
    assert hostile.hits("/robots.txt") == []


def test_product_token() -> None:
    assert product_token("monitor/0.1.0 (+https://github.com/monitor-ttp/monitor)") == "monitor"
    assert product_token("Feedbot") == "Feedbot"


def test_every_redirect_hop_of_a_page_is_checked(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nDisallow: /private/\n")
    start = hostile.url("/to?url=/private/feed")
    assert asyncio.run(_pages([start])) == ["RobotsDisallowed"]
    assert [r.path for r in hostile.requests] == ["/robots.txt", "/to"]


def test_crawl_delay_spaces_page_requests_to_the_site(hostile: HostileServer) -> None:
    _robots(hostile, "User-agent: *\nCrawl-delay: 0.6\n")
    urls = [hostile.url("/ok") for _ in range(3)]
    results = asyncio.run(_pages(urls, per_host_delay_s=0.0))
    assert results == [b"ok", b"ok", b"ok"]
    arrivals = [r.arrived for r in hostile.hits("/ok")]
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert len(gaps) == 2 and min(gaps) >= 0.55, gaps
