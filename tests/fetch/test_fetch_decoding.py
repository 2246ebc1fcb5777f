"""Body decoding under a byte limit, and Retry-After parsing (pure functions, no traffic)."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterable
from email.utils import formatdate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile_server import BOMB_BYTES, gzip_bomb
from monitor.fetch.decoding import BodyTooLarge, BodyUndecodable, read_body
from monitor.fetch.errors import (
    MAX_RETRY_AFTER_S,
    is_temporary_status,
    one_line,
    parse_retry_after,
)

TEXT = b"<rss><channel><title>Peshawar</title></channel></rss>\n" * 2000


async def _chunks(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _read(
    parts: Iterable[bytes], encoding: str = "", limit: int = 10**7, cut: bool = False
) -> bytes:
    return asyncio.run(
        read_body(_chunks(parts), content_encoding=encoding, max_bytes=limit, truncate=cut)
    )


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 7, 4096, 10**6])
def test_gzip_and_deflate_decode_whatever_the_chunking(size: int) -> None:
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = raw_deflate.compress(TEXT) + raw_deflate.flush()
    assert _read(_split(gzip.compress(TEXT), size), "gzip") == TEXT
    assert _read(_split(zlib.compress(TEXT), size), "deflate") == TEXT
    assert _read(_split(raw, size), "deflate") == TEXT


def test_stacked_encodings_are_undone_last_first() -> None:
    body = gzip.compress(zlib.compress(TEXT))
    assert _read([body], "deflate, gzip") == TEXT


def test_identity_and_unknown_codings_pass_bytes_through() -> None:
    assert _read([TEXT], "identity") == TEXT
    assert _read([TEXT], "utf-8") == TEXT  # a common misconfiguration


def test_codings_we_cannot_decode_are_refused() -> None:
    with pytest.raises(BodyUndecodable) as info:
        _read([b"\x1b\x03"], "br")
    assert not info.value.temporary


def test_corrupt_data_is_temporary() -> None:
    with pytest.raises(BodyUndecodable) as info:
        _read([b"definitely not gzip"], "gzip")
    assert info.value.temporary


def test_data_after_the_gzip_stream_is_ignored() -> None:
    assert _read([gzip.compress(TEXT) + b"\x00" * 100], "gzip") == TEXT


def test_raw_size_limit() -> None:
    with pytest.raises(BodyTooLarge) as info:
        _read(_split(TEXT, 1000), limit=len(TEXT) - 1)
    assert not info.value.decompressed
    assert _read(_split(TEXT, 1000), limit=len(TEXT)) == TEXT


def test_decompressed_size_limit() -> None:
    with pytest.raises(BodyTooLarge) as info:
        _read([gzip.compress(TEXT)], "gzip", limit=len(TEXT) - 1)
    assert info.value.decompressed
    assert _read([gzip.compress(TEXT)], "gzip", limit=len(TEXT)) == TEXT


def test_truncate_returns_the_first_max_bytes() -> None:
    assert _read(_split(TEXT, 999), limit=5000, cut=True) == TEXT[:5000]
    assert _read([gzip.compress(TEXT)], "gzip", limit=5000, cut=True) == TEXT[:5000]


def test_bomb_in_one_chunk_is_stopped_with_bounded_memory() -> None:
    bomb = gzip_bomb()  # 1 GiB of zeros in ~1 MB, handed over in a single chunk
    assert len(bomb) < BOMB_BYTES // 500
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            _read([bomb], "gzip", limit=2_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6_000_000


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=5000), st.integers(min_value=1, max_value=600))
def test_any_body_survives_gzip_in_any_chunking(data: bytes, size: int) -> None:
    assert _read(_split(gzip.compress(data), size), "gzip") == data


def test_retry_after_seconds() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after(None) is None
    for bad in ("-5", "1.5", "soon", "", "12 minutes"):
        assert parse_retry_after(bad) is None, bad


def test_retry_after_http_date() -> None:
    now = time.time()
    assert parse_retry_after(formatdate(now + 300, usegmt=True), now=now) == pytest.approx(
        300, abs=1
    )
    assert parse_retry_after(formatdate(now - 300, usegmt=True), now=now) == 0


def test_retry_after_is_capped() -> None:
    assert parse_retry_after("9" * 30) == MAX_RETRY_AFTER_S
    far = formatdate(time.time() + 10 * 365 * 86400, usegmt=True)
    assert parse_retry_after(far) == MAX_RETRY_AFTER_S


@pytest.mark.parametrize(
    ("status", "temporary"),
    [(500, True), (503, True), (599, True), (429, True), (408, True), (404, False),
     (410, False), (400, False), (451, False)],
)  # fmt: skip
def test_status_classification(status: int, temporary: bool) -> None:
    assert is_temporary_status(status) is temporary


def test_one_line_flattens_and_bounds_untrusted_text() -> None:
    nasty = "http://x/\r\nSet-Cookie: a=b\x00" + "y" * 500
    flat = one_line(nasty)
    assert "\n" not in flat and "\r" not in flat and "\x00" not in flat
    assert len(flat) <= 200
    assert one_line("  plain text ") == "plain text"
