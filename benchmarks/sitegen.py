"""A generated news site for benchmarks: N feeds × M articles, served on loopback.

Pages are built on request from the path (deterministic, nothing on disk):
realistic size (600–1,000 words of article text inside navigation, related
stories, comments and footer). Feeds are spread over several loopback
addresses (127.0.0.1 … 127.0.0.N) so per-host limits behave as they do
against many real outlets. The server runs in its own process so it does not
compete with the poll for the interpreter lock.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import random
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = [
    "security",
    "forces",
    "officials",
    "district",
    "police",
    "province",
    "government",
    "border",
    "attack",
    "operation",
    "militants",
    "statement",
    "army",
    "meeting",
    "talks",
    "trade",
    "crossing",
    "refugees",
    "minister",
    "spokesman",
    "council",
    "village",
    "market",
    "school",
    "hospital",
    "road",
    "bridge",
    "water",
    "election",
    "court",
    "budget",
    "farmers",
    "prices",
    "report",
    "week",
    "month",
    "year",
    "people",
    "families",
    "traders",
    "trucks",
    "journalists",
    "teachers",
    "students",
    "doctors",
    "engineers",
    "project",
    "plan",
]
PLACES = [
    "Peshawar",
    "Bannu",
    "Quetta",
    "Kabul",
    "Jalalabad",
    "Khost",
    "Chitral",
    "Swat",
    "Tank",
    "Kohat",
    "Mardan",
]
TOPICAL = [
    "Tehreek-e-Taliban Pakistan claimed the attack on a checkpost in North Waziristan.",
    "The Torkham border crossing remained closed as trade between Pakistan and Afghanistan halted.",
    "Afghan Taliban officials rejected Islamabad's accusation of sheltering TTP militants.",
    "Security forces conducted an intelligence-based operation in Khyber district.",
]


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def article_text(feed: int, art: int) -> list[str]:
    rng = _rng("article", feed, art)
    paras = []
    for _ in range(rng.randint(8, 12)):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(12, 22))]
            words.insert(rng.randint(0, len(words)), rng.choice(PLACES))
            sentences.append(" ".join(words).capitalize() + ".")
        if rng.random() < 0.3:
            sentences.append(rng.choice(TOPICAL))
        paras.append(" ".join(sentences))
    return paras


def page(feed: int, art: int) -> bytes:
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in article_text(feed, art))
    related = "".join(
        f'<li><a href="/f{feed}/a{(art + k) % 97}">Related story {k} on the region</a></li>'
        for k in range(1, 6)
    )
    nav = "".join(f'<li><a href="/section/{w}">{w.title()}</a></li>' for w in WORDS[:12])
    doc = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Story {art} of outlet {feed}</title><meta name="author" content="Reporter {feed}">
<meta property="article:published_time" content="2026-11-20T10:{art % 60:02d}:00Z"></head><body>
<header><nav><ul>{nav}</ul></nav></header><main><article><h1>Story {art} of outlet {feed}</h1>
{paras}</article><aside><h3>Related</h3><ul>{related}</ul></aside>
<section class="comments"><p>Reader comment: interesting story, thanks.</p></section></main>
<footer><p>Copyright 2026 Outlet {feed}. All rights reserved.</p></footer></body></html>"""
    return doc.encode()


def feed_xml(base: str, feed: int, articles: int) -> bytes:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    items = []
    for art in range(articles):
        when = format_datetime(now - timedelta(minutes=art), usegmt=True)
        items.append(
            f"<item><title>Story {art} of outlet {feed}</title>"
            f"<link>{base}/f{feed}/a{art}</link><guid>f{feed}-a{art}</guid>"
            f"<pubDate>{when}</pubDate><description>Summary of story {art}.</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Outlet {feed}</title><link>{base}/</link>{''.join(items)}</channel></rss>"
    ).encode()


def _handler(articles: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            host = self.headers.get("Host", "127.0.0.1")
            parts = self.path.strip("/").split("/")
            body, ctype, status = b"not found", "text/plain", 404
            if len(parts) == 2 and parts[0] == "feed" and parts[1].isdigit():
                body, ctype, status = (
                    feed_xml(f"http://{host}", int(parts[1]), articles),
                    "application/rss+xml",
                    200,
                )
            elif len(parts) == 2 and parts[0][1:].isdigit() and parts[1][1:].isdigit():
                body, ctype, status = (
                    page(int(parts[0][1:]), int(parts[1][1:])),
                    "text/html; charset=utf-8",
                    200,
                )
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients closing kept-alive connections is normal, not news


def _serve(
    addresses: list[str], port: int, articles: int, ready: multiprocessing.synchronize.Event
) -> None:
    servers = []
    for addr in addresses:
        srv = _QuietServer((addr, port), _handler(articles))
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class GeneratedSite:
    """Start with ``with GeneratedSite(feeds, articles, hosts) as site: site.feed_urls``."""

    def __init__(self, feeds: int, articles: int, hosts: int = 8) -> None:
        self.addresses = [f"127.0.0.{i}" for i in range(1, hosts + 1)]
        self.port = free_port()
        self.feeds, self.articles = feeds, articles
        self.feed_urls = [
            f"http://{self.addresses[i % hosts]}:{self.port}/feed/{i}" for i in range(feeds)
        ]
        self._proc: multiprocessing.Process | None = None

    def __enter__(self) -> GeneratedSite:
        ready = multiprocessing.Event()
        self._proc = multiprocessing.Process(
            target=_serve, args=(self.addresses, self.port, self.articles, ready), daemon=True
        )
        self._proc.start()
        if not ready.wait(30):
            raise RuntimeError("the generated site did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join(10)
