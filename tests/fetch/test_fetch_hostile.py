"""Fetcher against servers that hang, drip, reset, flood or bomb: bounded time, bounded memory."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc

import pytest
from fetch_support import feed_error

from hostile_server import HostileServer, gzip_bomb
from monitor.exceptions import FetchError, FetchTimeout, HTTPStatusError, ResponseTooLarge


def _timed_error(url: str, **overrides: object) -> tuple[FetchError, float]:
    started = time.monotonic()
    err = asyncio.run(feed_error(url, **overrides))
    return err, time.monotonic() - started


def test_server_that_never_answers_times_out(hostile: HostileServer) -> None:
    err, took = _timed_error(hostile.url("/hang"), timeout_s=0.5)
    assert isinstance(err, FetchTimeout)
    assert err.temporary
    assert str(err) == f"{hostile.url('/hang')}: no answer within 0.5 s"
    assert took < 2.0


def test_server_that_stalls_mid_body_times_out(hostile: HostileServer) -> None:
    err, _ = _timed_error(hostile.url("/hang-body"), timeout_s=0.5)
    assert isinstance(err, FetchTimeout)
    assert err.temporary


def test_one_byte_a_second_hits_the_read_timeout(hostile: HostileServer) -> None:
    err, took = _timed_error(hostile.url("/drip"), timeout_s=0.5)
    assert isinstance(err, FetchTimeout)
    assert took < 2.0


def test_drip_faster_than_read_timeout_is_stopped_by_the_total_limit(
    hostile: HostileServer,
) -> None:
    # A byte every 0.1 s never trips a 0.8 s read timeout; only the total limit stops it.
    err, took = _timed_error(hostile.url("/drip?every=0.1"), timeout_s=0.8)
    assert isinstance(err, FetchTimeout)
    assert err.temporary
    assert "no complete answer within 0.8 s" in str(err)
    assert took < 2.5


def test_headers_that_never_end_are_stopped_by_the_total_limit(hostile: HostileServer) -> None:
    err, took = _timed_error(hostile.url("/drip-head"), timeout_s=0.8)
    assert isinstance(err, FetchTimeout)
    assert took < 2.5


@pytest.mark.parametrize("path", ["/reset", "/reset-mid-body"])
def test_connection_reset_is_temporary(hostile: HostileServer, path: str) -> None:
    err = asyncio.run(feed_error(hostile.url(path)))
    assert type(err) is FetchError
    assert err.temporary
    assert str(err).startswith(hostile.url(path) + ": ")
    assert "\n" not in str(err)


def test_refused_connection_is_temporary() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    err = asyncio.run(feed_error(f"http://127.0.0.1:{port}/feed"))
    assert type(err) is FetchError
    assert err.temporary
    assert "cannot connect" in str(err)


def test_declared_50_mb_body_is_refused_before_reading(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/big"), max_bytes=10_000_000))
    assert isinstance(err, ResponseTooLarge)
    assert not err.temporary
    assert "response larger than 10000000 bytes" in str(err)


@pytest.mark.parametrize("path", ["/big-unsized", "/endless-chunked"])
def test_unsized_flood_is_cut_off_at_max_bytes(hostile: HostileServer, path: str) -> None:
    err = asyncio.run(feed_error(hostile.url(path), max_bytes=10_000_000))
    assert isinstance(err, ResponseTooLarge)
    assert str(err) == f"{hostile.url(path)}: response larger than 10000000 bytes, cut off"


def test_gzip_bomb_is_cut_off_early_with_little_memory(hostile: HostileServer) -> None:
    # The bomb is ~1 MB on the wire (under the limit) and 1 GiB inflated. Decoding
    # a 64 KB network chunk in one go would take 64 MB; bounded decoding stays near
    # max_bytes. (tracemalloc sees the server thread too: build the bomb first.)
    gzip_bomb()
    tracemalloc.start()
    try:
        err = asyncio.run(feed_error(hostile.url("/bomb"), max_bytes=2_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(err, ResponseTooLarge)
    assert not err.temporary
    assert str(err) == (
        f"{hostile.url('/bomb')}: response larger than 2000000 bytes once decompressed, cut off"
    )
    assert peak < 12_000_000


def test_corrupt_gzip_is_a_temporary_error(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/bad-gzip")))
    assert type(err) is FetchError
    assert err.temporary
    assert "body is not valid gzip" in str(err)


def test_encoding_we_did_not_ask_for_is_a_hard_error(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/brotli")))
    assert type(err) is FetchError
    assert not err.temporary
    assert "unsupported Content-Encoding 'br'" in str(err)


@pytest.mark.parametrize(
    ("code", "temporary"),
    [(500, True), (502, True), (503, True), (408, True), (429, True), (404, False), (410, False),
     (403, False), (401, False)],
)  # fmt: skip
def test_error_statuses_are_classified(hostile: HostileServer, code: int, temporary: bool) -> None:
    url = hostile.url(f"/status?code={code}")
    err = asyncio.run(feed_error(url))
    assert isinstance(err, HTTPStatusError)
    assert (err.status, err.temporary, err.url) == (code, temporary, url)
    assert err.retry_after_s is None


def test_503_message_and_retry_after_seconds(hostile: HostileServer) -> None:
    url = hostile.url("/status?code=503&retry_after=120")
    err = asyncio.run(feed_error(url))
    assert isinstance(err, HTTPStatusError)
    assert err.retry_after_s == 120
    assert str(err) == f"{url}: server answered 503 Service Unavailable (retry after 120 s)"


def test_429_retry_after_http_date(hostile: HostileServer) -> None:
    err = asyncio.run(feed_error(hostile.url("/status?code=429&retry_after_in=120")))
    assert err.status == 429
    assert err.retry_after_s is not None
    assert 115 <= err.retry_after_s <= 121


def test_invalid_url_is_a_hard_error() -> None:
    err = asyncio.run(feed_error("http://"))
    assert not err.temporary
    assert "invalid URL" in str(err)
