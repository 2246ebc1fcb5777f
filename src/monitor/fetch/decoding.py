"""Reading a response body under a byte limit, decompressing it ourselves.

httpx decompresses each network chunk in one call, so 64 KB of a gzip bomb
becomes 64 MB in memory before anyone can count it. Here the raw bytes are
counted as they arrive, and each decompressor is asked for at most
``_PIECE`` bytes at a time (zlib's ``max_length``), so the decompressed size
is counted while it grows and memory stays near ``max_bytes`` whatever the
compression ratio. ``Content-Length`` is never trusted for the limit.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Protocol

# What we can decode. "br"/"zstd" are only sent when a bounded decoder exists;
# none is installed, so we do not ask for them.
ACCEPT_ENCODING = "gzip, deflate"
_PIECE = 64 * 1024
_IDENTITY = {"", "identity"}
_UNSUPPORTED = {"br", "zstd", "compress", "x-compress"}


class BodyTooLarge(Exception):
    """Internal: the body passed the limit; ``decompressed`` says which size did."""

    def __init__(self, limit: int, *, decompressed: bool) -> None:
        super().__init__(f"response larger than {limit} bytes")
        self.limit = limit
        self.decompressed = decompressed


class BodyUndecodable(Exception):
    """Internal: the Content-Encoding is unsupported (hard), or the data is corrupt (temporary).

    Corrupt compressed data is most often a proxy or CDN glitch of the moment,
    so it counts as temporary; a coding we cannot decode will not change.
    """

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...


class _Zlib:
    """One zlib stream (gzip or zlib-wrapped or raw deflate), drained in bounded pieces."""

    def __init__(self, wbits: int, name: str) -> None:
        self._inflate = zlib.decompressobj(wbits)
        self.name = name

    def feed(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while not self._inflate.eof:
            try:
                piece = self._inflate.decompress(pending, _PIECE)
            except zlib.error as exc:
                raise BodyUndecodable(
                    f"body is not valid {self.name} ({exc})", temporary=True
                ) from None
            if piece:
                yield piece
            pending = self._inflate.unconsumed_tail
            if not pending and len(piece) < _PIECE:
                return
        # Data after the end of the (first) stream is ignored, as httpx and curl do.


class _Deflate:
    """``deflate`` is zlib-wrapped by the RFC, but some servers send raw deflate: sniff it."""

    def __init__(self) -> None:
        self._head = b""
        self._inner: _Zlib | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inner is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._inner = _Zlib(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, "deflate")
        yield from self._inner.feed(data)


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data


def decoders_for(content_encoding: str) -> list[_Decoder]:
    """The decoders to apply, in order, for a Content-Encoding header (``"gzip"``…).

    Unknown codings pass the bytes through unchanged (as httpx does; some
    servers send ``Content-Encoding: utf-8``); known ones we cannot decode
    are refused rather than handed on as garbage.
    """
    names = [n.strip().lower() for n in content_encoding.split(",")]
    decoders: list[_Decoder] = []
    for name in reversed(names):  # the last coding applied is the first to undo
        if name in ("gzip", "x-gzip"):
            decoders.append(_Zlib(zlib.MAX_WBITS | 16, "gzip"))
        elif name == "deflate":
            decoders.append(_Deflate())
        elif name in _UNSUPPORTED:
            raise BodyUndecodable(f"unsupported Content-Encoding {name!r}", temporary=False)
        elif name not in _IDENTITY:
            decoders.append(_Identity())
    return decoders


def _through(decoder: _Decoder, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from decoder.feed(piece)


def _decode(decoders: list[_Decoder], chunk: bytes) -> Iterator[bytes]:
    pieces: Iterable[bytes] = (chunk,)
    for decoder in decoders:
        pieces = _through(decoder, pieces)
    return iter(pieces)


async def read_body(
    chunks: AsyncIterator[bytes], *, content_encoding: str, max_bytes: int, truncate: bool
) -> bytes:
    """The decoded body, at most ``max_bytes`` long before and after decompression.

    Past the limit, raise ``BodyTooLarge`` (or, with ``truncate``, return
    the first ``max_bytes`` bytes: robots.txt readers use the start of a
    too-long file). Raise ``BodyUndecodable`` for corrupt compressed data.
    """
    decoders = decoders_for(content_encoding)
    body = bytearray()
    raw = 0
    async for chunk in chunks:
        raw += len(chunk)
        over = raw > max_bytes
        if over and not truncate:
            raise BodyTooLarge(max_bytes, decompressed=False)
        if over:
            chunk = chunk[: len(chunk) - (raw - max_bytes)]
        for piece in _decode(decoders, chunk):
            room = max_bytes - len(body)
            if len(piece) > room:
                if truncate:
                    body += piece[:room]
                    return bytes(body)
                raise BodyTooLarge(max_bytes, decompressed=True)
            body += piece
        if over:
            break
    return bytes(body)
