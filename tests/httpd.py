"""A real HTTP server on 127.0.0.1 for tests: serves fixture routes, logs every request.

Routes are plain data (``Route``); the server honours conditional GETs
(ETag / Last-Modified -> 304) and gzip the way a real news site does, so tests
exercise the service's real HTTP client rather than a mock.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay_s: float = 0.0
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class LoggedRequest:
    path: str
    headers: dict[str, str]
    status: int


class FixtureServer:
    """Serve ``routes`` (path -> Route) on a free port; ``url(path)`` builds links."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def hits(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _log(self, req: BaseHTTPRequestHandler, status: int) -> None:
        with self._lock:
            self.requests.append(
                LoggedRequest(req.path, {k.lower(): v for k, v in req.headers.items()}, status)
            )

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        # Like a real site, ignore query strings (tracking parameters) it has no route for.
        route = self.routes.get(req.path) or self.routes.get(req.path.split("?", 1)[0])
        if route is None:
            self._log(req, 404)
            self._send(req, 404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
            return
        if route.handler is not None:
            self._log(req, 0)
            route.handler(req)
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if self._not_modified(req, route):
            self._log(req, 304)
            self._send(req, 304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"")
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        body = route.body
        if route.gzip and "gzip" in (req.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._log(req, route.status)
        self._send(req, route.status, headers, body)

    @staticmethod
    def _not_modified(req: BaseHTTPRequestHandler, route: Route) -> bool:
        inm = req.headers.get("If-None-Match")
        if route.etag and inm:
            return route.etag in [t.strip() for t in inm.split(",")]
        ims = req.headers.get("If-Modified-Since")
        return bool(route.last_modified and ims and ims == route.last_modified)

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        req.send_response(status)
        for name, value in headers.items():
            req.send_header(name, value)
        if status != 304:
            req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if status != 304:
            req.wfile.write(body)
