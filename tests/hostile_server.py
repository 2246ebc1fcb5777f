"""A hostile HTTP server on 127.0.0.1: every misbehaviour a feed host can show.

Built on asyncio streams in a background thread (not http.server), so each
route controls exactly which bytes go on the wire and when: it can hang,
drip, reset the connection, stream 50 MB, send a gzip bomb or lie.

One request per connection (every answer says ``Connection: close``), so
"requests in flight" is simply "connections being served". Every request is
recorded with its arrival time (``time.monotonic``), which is what the
politeness tests assert on.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    b"<title>Hostile</title><link>http://example.invalid/</link><description>d</description>"
    b"<item><title>One</title><link>http://example.invalid/1</link></item>"
    b"</channel></rss>\n"
)
HTML = b"<!doctype html><html><head><title>Not a feed</title></head><body><p>Hi</p></body></html>"
BINARY = bytes(range(256)) * 16
# Declared utf-8, encoded in windows-1252: the fetcher must hand these bytes on unchanged.
MISLABELLED = "<rss><channel><title>Caf\u00e9 \u2013 na\u00efve</title></channel></rss>".encode(
    "cp1252"
)
FEED_ETAG = '"feed-v1"'
FEED_LAST_MODIFIED = "Mon, 06 Oct 2025 08:00:00 GMT"
BIG_BYTES = 50_000_000
BOMB_BYTES = 1 << 30  # what the gzip bomb inflates to


@dataclass(frozen=True)
class Request:
    """One parsed request as the server received it."""

    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    arrived: float


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]
T = TypeVar("T")


@functools.cache
def gzip_bomb() -> bytes:
    """A valid gzip stream of 1 GiB of zeros, about 1 MB long, built in well under a second.

    Compressing 1 GiB takes seconds; instead one 16 MiB block of zeros is
    compressed with a full flush (which resets the compressor), so every
    following block compresses to the same bytes and can be repeated.
    """
    block = bytes(16 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    steady = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    final = comp.flush(zlib.Z_FINISH)[:-8]  # final empty block, without zlib's trailer
    blocks = BOMB_BYTES // len(block)
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, BOMB_BYTES & 0xFFFFFFFF)
    return first + steady * (blocks - 1) + final + trailer


async def send_head(
    writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]] | None = None
) -> None:
    """Status line and headers, always closing the connection after the answer."""
    lines = [f"HTTP/1.1 {status} {_phrase(status)}"]
    lines += [f"{name}: {value}" for name, value in headers or []]
    lines.append("Connection: close")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()


async def respond(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    content_type: str = "text/plain; charset=utf-8",
) -> None:
    """A complete, well-formed answer with a true Content-Length."""
    head = [("Content-Type", content_type), ("Content-Length", str(len(body))), *(headers or [])]
    await send_head(writer, status, head)
    writer.write(body)
    await writer.drain()


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Whatever"


def static(
    body: bytes, status: int = 200, content_type: str = "text/plain; charset=utf-8", **headers: str
) -> Handler:
    """A route that answers the same thing every time."""
    extra = [(name.replace("_", "-"), value) for name, value in headers.items()]

    async def handler(req: Request, writer: asyncio.StreamWriter) -> None:
        await respond(writer, status, body, extra, content_type)

    return handler


def reset_connection(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashing server or a middlebox does."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _forever() -> None:
    await asyncio.Event().wait()


@dataclass
class HostileServer:
    """Serve ``routes`` (exact path -> handler) on 127.0.0.1; ``url(path)`` builds links."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0

    def __post_init__(self) -> None:
        self.routes = {**self._default_routes(), **self.routes}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port: int = self._server.sockets[0].getsockname()[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[Request]:
        return [r for r in list(self.requests) if r.path == path]

    def close(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, coro: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(_awaited(coro), self._loop).result(timeout=10)

    async def _shutdown(self) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            req = await self._read_request(reader)
            if req is None:
                return
            self.requests.append(req)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            try:
                handler = self.routes.get(req.path, static(b"not found", 404))
                await handler(req, writer)
            finally:
                self._in_flight -= 1
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client hung up (as it should on a bomb) or the server is closing
        finally:
            self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return Request(method, target, parts.path, query, headers, time.monotonic())

    def _default_routes(self) -> dict[str, Handler]:
        return {
            "/ok": static(b"ok"),
            "/feed": _conditional_feed,
            "/private/feed": static(FEED, content_type="application/rss+xml"),
            "/html": static(HTML, content_type="text/html; charset=utf-8"),
            "/binary": static(BINARY, content_type="application/octet-stream"),
            "/mislabelled": static(MISLABELLED, content_type="application/rss+xml; charset=utf-8"),
            "/hang": _hang,
            "/hang-body": _hang_body,
            "/drip": _drip,
            "/drip-head": _drip_head,
            "/reset": _reset,
            "/reset-mid-body": _reset_mid_body,
            "/big": _big,
            "/big-unsized": _big_unsized,
            "/endless-chunked": _endless_chunked,
            "/bomb": _bomb,
            "/gzip": _gzip,
            "/deflate": _deflate,
            "/bad-gzip": static(b"this is not gzip", content_encoding="gzip"),
            "/brotli": static(b"\x1b\x03\x00\xf8", content_encoding="br"),
            "/status": _status,
            "/to": _redirect_to,
            "/loop/a": _redirect("/loop/b"),
            "/loop/b": _redirect("/loop/a"),
            "/chain/1": _redirect("2", 301),  # relative to the current path
            "/chain/2": _redirect("/chain/3?step=3", 302),
            "/chain/3": _redirect("../chain/4#fragment", 307),
            "/chain/4": _scheme_relative("/chain/end"),
            "/chain/end": static(b"end of chain"),
            "/no-location": static(b"", 302),
            "/cookie": _cookie_set,
            "/cookie/check": _cookie_check,
            "/slow": _slow,
        }


async def _awaited(coro: Awaitable[T]) -> T:
    return await coro


async def _conditional_feed(req: Request, writer: asyncio.StreamWriter) -> None:
    validators = [("ETag", FEED_ETAG), ("Last-Modified", FEED_LAST_MODIFIED)]
    if (
        req.headers.get("if-none-match") == FEED_ETAG
        or req.headers.get("if-modified-since") == FEED_LAST_MODIFIED
    ):
        await send_head(writer, 304, validators)
        return
    await respond(writer, 200, FEED, validators, "application/rss+xml")


async def _hang(req: Request, writer: asyncio.StreamWriter) -> None:
    await _forever()


async def _hang_body(req: Request, writer: asyncio.StreamWriter) -> None:
    await send_head(writer, 200, [("Content-Length", "100")])
    await _forever()


async def _drip(req: Request, writer: asyncio.StreamWriter) -> None:
    """One body byte every ``every`` seconds (default 1): each read is quick, the whole is not."""
    every = float(req.query.get("every", "1"))
    await send_head(writer, 200, [("Content-Type", "text/plain"), ("Content-Length", "1000")])
    for _ in range(1000):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(every)


async def _drip_head(req: Request, writer: asyncio.StreamWriter) -> None:
    """Headers that never end, one byte every 0.1 s."""
    writer.write(b"HTTP/1.1 200 OK\r\n")
    line = b"X-Drip: y\r\n"
    sent = 0
    while True:
        at = sent % len(line)
        writer.write(line[at : at + 1])
        await writer.drain()
        sent += 1
        await asyncio.sleep(0.1)


async def _reset(req: Request, writer: asyncio.StreamWriter) -> None:
    reset_connection(writer)


async def _reset_mid_body(req: Request, writer: asyncio.StreamWriter) -> None:
    await send_head(writer, 200, [("Content-Length", "100000")])
    writer.write(b"x" * 1000)
    await writer.drain()
    await asyncio.sleep(0.05)
    reset_connection(writer)


async def _stream_zeros(writer: asyncio.StreamWriter, total: int | None) -> None:
    chunk = bytes(64 * 1024)
    sent = 0
    while total is None or sent < total:
        piece = chunk if total is None else chunk[: total - sent]
        writer.write(piece)
        await writer.drain()
        sent += len(piece)


async def _big(req: Request, writer: asyncio.StreamWriter) -> None:
    await send_head(writer, 200, [("Content-Length", str(BIG_BYTES))])
    await _stream_zeros(writer, BIG_BYTES)


async def _big_unsized(req: Request, writer: asyncio.StreamWriter) -> None:
    await send_head(writer, 200, [("Content-Type", "application/octet-stream")])
    await _stream_zeros(writer, BIG_BYTES)


async def _endless_chunked(req: Request, writer: asyncio.StreamWriter) -> None:
    await send_head(writer, 200, [("Transfer-Encoding", "chunked")])
    chunk = b"%x\r\n%s\r\n" % (65536, bytes(65536))
    while True:
        writer.write(chunk)
        await writer.drain()


async def _bomb(req: Request, writer: asyncio.StreamWriter) -> None:
    bomb = gzip_bomb()
    await send_head(
        writer,
        200,
        [
            ("Content-Type", "application/rss+xml"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(bomb))),
        ],
    )
    writer.write(bomb)
    await writer.drain()


async def _gzip(req: Request, writer: asyncio.StreamWriter) -> None:
    if "gzip" not in req.headers.get("accept-encoding", ""):
        await respond(writer, 406, b"gzip only")
        return
    headers = [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
    await respond(writer, 200, gzip.compress(FEED), headers, "application/rss+xml")


async def _deflate(req: Request, writer: asyncio.StreamWriter) -> None:
    raw = req.query.get("raw") == "1"
    if raw:
        comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        body = comp.compress(FEED) + comp.flush()
    else:
        body = zlib.compress(FEED)
    await respond(writer, 200, body, [("Content-Encoding", "deflate")], "application/rss+xml")


async def _status(req: Request, writer: asyncio.StreamWriter) -> None:
    """``/status?code=503&retry_after=120`` answers that status (and Retry-After)."""
    headers = []
    if "retry_after" in req.query:
        headers.append(("Retry-After", req.query["retry_after"]))
    if req.query.get("retry_after_in"):
        when = time.time() + float(req.query["retry_after_in"])
        headers.append(("Retry-After", formatdate(when, usegmt=True)))
    await respond(writer, int(req.query.get("code", "500")), b"error page", headers)


def _redirect(location: str, status: int = 302) -> Handler:
    async def handler(req: Request, writer: asyncio.StreamWriter) -> None:
        await respond(writer, status, b"moved", [("Location", location)])

    return handler


def _scheme_relative(path: str) -> Handler:
    async def handler(req: Request, writer: asyncio.StreamWriter) -> None:
        location = f"//{req.headers['host']}{path}"
        await respond(writer, 308, b"moved", [("Location", location)])

    return handler


async def _redirect_to(req: Request, writer: asyncio.StreamWriter) -> None:
    """``/to?url=...&code=301`` redirects anywhere, as a hostile feed host would."""
    status = int(req.query.get("code", "302"))
    await respond(writer, status, b"moved", [("Location", req.query["url"])])


async def _cookie_set(req: Request, writer: asyncio.StreamWriter) -> None:
    headers = [("Set-Cookie", "consent=yes; Path=/"), ("Location", "/cookie/check")]
    await respond(writer, 302, b"", headers)


async def _cookie_check(req: Request, writer: asyncio.StreamWriter) -> None:
    if "consent=yes" in req.headers.get("cookie", ""):
        await respond(writer, 200, b"cookie seen")
    else:
        await respond(writer, 302, b"", [("Location", "/cookie")])


async def _slow(req: Request, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(float(req.query.get("ms", "300")) / 1000)
    await respond(writer, 200, b"slow ok")
