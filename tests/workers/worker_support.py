"""A site of many feeds on the fixture server, with a log of when each request ran,
and ``monitor worker`` processes to start and kill."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from sitegen import feed_xml, page

from httpd import FixtureServer, Route


@dataclass(frozen=True)
class Visit:
    path: str
    started: float
    ended: float


class TimedSite:
    """``feeds`` generated feeds of ``articles`` each, plus per-request start/end times."""

    def __init__(self, server: FixtureServer, feeds: int, articles: int, feed_delay_s: float):
        self.server = server
        self.visits: list[Visit] = []
        self._lock = threading.Lock()
        self.feed_urls: list[str] = []
        self.article_urls: list[str] = []
        for f in range(feeds):
            body = feed_xml(server.base, f, articles)
            path = f"/feed/{f}"
            server.add(
                path, Route(handler=self._timed(path, body, "application/rss+xml", feed_delay_s))
            )
            self.feed_urls.append(server.url(path))
            for a in range(articles):
                apath = f"/f{f}/a{a}"
                server.add(apath, Route(handler=self._timed(apath, page(f, a), "text/html", 0.0)))
                self.article_urls.append(server.url(apath))

    def _timed(self, path: str, body: bytes, ctype: str, delay_s: float):  # type: ignore[no-untyped-def]
        def handle(req: BaseHTTPRequestHandler) -> None:
            started = time.monotonic()
            try:
                time.sleep(delay_s)
                req.send_response(200)
                req.send_header("Content-Type", ctype)
                req.send_header("Content-Length", str(len(body)))
                req.end_headers()
                req.wfile.write(body)
            finally:
                with self._lock:
                    self.visits.append(Visit(path, started, time.monotonic()))

        return handle

    def visits_to(self, path: str) -> list[Visit]:
        with self._lock:
            return sorted((v for v in self.visits if v.path == path), key=lambda v: v.started)

    def all_visits(self) -> list[Visit]:
        with self._lock:
            return sorted(self.visits, key=lambda v: v.started)


class Worker:
    """One ``monitor worker`` process, in its own process group (its extraction
    processes die with it, as on a machine that is switched off)."""

    def __init__(self, config: Path, log: Path) -> None:
        monitor = Path(sys.executable).with_name("monitor")
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [str(monitor), "--config", str(config), "worker"],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):  # leftovers of the group, if any
                os.killpg(self.proc.pid, signal.SIGKILL)
            self._log.close()
        return code
