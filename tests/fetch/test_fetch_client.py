"""Fetcher against a real local server: what a well-behaved (or merely odd) server gets."""

from __future__ import annotations

import asyncio

from fetch_support import feed, feed_error, page, settings

from hostile_server import (
    BINARY,
    FEED,
    FEED_ETAG,
    FEED_LAST_MODIFIED,
    HTML,
    MISLABELLED,
    HostileServer,
)
from monitor.exceptions import HTTPStatusError, TooManyRedirects
from monitor.fetch import Fetcher
from monitor.types import CachingInfo


def test_feed_is_fetched_with_user_agent_and_lower_cased_headers(hostile: HostileServer) -> None:
    resp = asyncio.run(feed(hostile.url("/feed"), user_agent="monitor-test/9 (+x)"))
    assert resp.status == 200
    assert resp.body == FEED
    assert resp.url == resp.final_url == hostile.url("/feed")
    assert resp.headers["etag"] == FEED_ETAG
    assert all(name == name.lower() for name in resp.headers)
    assert resp.content_type == "application/rss+xml"
    sent = hostile.hits("/feed")[0].headers
    assert sent["user-agent"] == "monitor-test/9 (+x)"
    assert sent["accept-encoding"] == "gzip, deflate"  # never br: no bounded decoder for it
    assert "if-none-match" not in sent


def test_conditional_get_returns_304_as_a_response(hostile: HostileServer) -> None:
    first = asyncio.run(feed(hostile.url("/feed")))
    again = asyncio.run(feed(hostile.url("/feed"), first.caching_info))
    assert first.caching_info == CachingInfo(FEED_ETAG, FEED_LAST_MODIFIED)
    assert again.status == 304
    assert again.not_modified
    assert again.body == b""
    sent = hostile.hits("/feed")[1].headers
    assert sent["if-none-match"] == FEED_ETAG
    assert sent["if-modified-since"] == FEED_LAST_MODIFIED


def test_last_modified_alone_is_sent_and_honoured(hostile: HostileServer) -> None:
    resp = asyncio.run(feed(hostile.url("/feed"), CachingInfo(last_modified=FEED_LAST_MODIFIED)))
    assert resp.not_modified
    assert "if-none-match" not in hostile.hits("/feed")[0].headers


def test_unsendable_validator_is_dropped_not_fatal(hostile: HostileServer) -> None:
    resp = asyncio.run(feed(hostile.url("/feed"), CachingInfo(etag='"caf\u00e9\u2013"')))
    assert resp.status == 200
    assert "if-none-match" not in hostile.hits("/feed")[0].headers


def test_gzip_body_is_decompressed_and_encoding_headers_dropped(hostile: HostileServer) -> None:
    resp = asyncio.run(feed(hostile.url("/gzip")))
    assert resp.body == FEED
    assert "content-encoding" not in resp.headers
    assert "content-length" not in resp.headers


def test_deflate_zlib_wrapped_and_raw_are_both_decompressed(hostile: HostileServer) -> None:
    assert asyncio.run(feed(hostile.url("/deflate"))).body == FEED
    assert asyncio.run(feed(hostile.url("/deflate?raw=1"))).body == FEED


def test_html_binary_and_mislabelled_bodies_are_returned_unchanged(
    hostile: HostileServer,
) -> None:
    html = asyncio.run(feed(hostile.url("/html")))
    binary = asyncio.run(feed(hostile.url("/binary")))
    mislabelled = asyncio.run(feed(hostile.url("/mislabelled")))
    assert (html.body, html.content_type) == (HTML, "text/html")
    assert (binary.body, binary.content_type) == (BINARY, "application/octet-stream")
    assert mislabelled.body == MISLABELLED  # cp1252 bytes despite "charset=utf-8"
    assert mislabelled.headers["content-type"] == "application/rss+xml; charset=utf-8"


def test_redirect_chain_with_relative_locations_ends_at_final_url(hostile: HostileServer) -> None:
    resp = asyncio.run(feed(hostile.url("/chain/1")))
    assert resp.body == b"end of chain"
    assert resp.url == hostile.url("/chain/1")
    assert resp.final_url == hostile.url("/chain/end")
    paths = [r.target for r in hostile.requests]
    assert paths == ["/chain/1", "/chain/2", "/chain/3?step=3", "/chain/4", "/chain/end"]


def test_chain_longer_than_max_redirects_is_refused(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/chain/1"), max_redirects=3))
    assert isinstance(err, TooManyRedirects)
    assert not err.temporary
    assert str(err) == f"{hostile.url('/chain/1')}: more than 3 redirects"
    assert len(hostile.requests) == 4


def test_redirect_loop_is_detected_without_using_up_the_limit(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/loop/a"), max_redirects=50))
    assert isinstance(err, TooManyRedirects)
    assert not err.temporary
    assert "redirect loop" in str(err)
    assert len(hostile.requests) == 2


def test_redirect_without_location_is_a_hard_error(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/no-location")))
    assert isinstance(err, HTTPStatusError)
    assert (err.status, err.temporary) == (302, False)


def test_cookies_live_for_one_redirect_chain_only(hostile: HostileServer) -> None:
    async def twice() -> tuple[bytes, bytes]:
        async with Fetcher(settings()) as fetcher:
            consent = await fetcher.fetch_page(hostile.url("/cookie"))
            direct = await fetcher.fetch_feed(hostile.url("/ok"))
            return consent.body, direct.body

    assert asyncio.run(twice()) == (b"cookie seen", b"ok")
    assert hostile.hits("/cookie/check")[0].headers["cookie"] == "consent=yes"
    assert "cookie" not in hostile.hits("/ok")[0].headers  # nothing kept across fetches


def test_page_fetch_sends_html_accept_and_returns_page(hostile: HostileServer) -> None:
    resp = asyncio.run(page(hostile.url("/html")))
    assert resp.body == HTML
    assert hostile.hits("/html")[0].headers["accept"].startswith("text/html")
