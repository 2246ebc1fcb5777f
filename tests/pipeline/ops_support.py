"""Helpers of the operations tests: feeds of distinct entries, a pipeline, the feeds table."""

from __future__ import annotations

import html
import json
import random
import re
import sqlite3
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from httpd import FIXTURES, FixtureServer, Route
from monitor.cli import _pipeline
from monitor.pipeline import Pipeline
from monitor.settings import load_settings

_PAGE = (FIXTURES / "site" / "cricket-sharjah.html").read_text()
WORDS = [w for w in re.sub(r"<[^>]+>", " ", _PAGE).split() if w.isalpha()]


def story(n: int, words: int = 80) -> str:
    """A text that shares nothing long with the other numbered stories."""
    rng = random.Random(n)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def rss(title: str, items: list[tuple[str, str, str]], extra: str = "") -> bytes:
    """An RSS 2.0 feed of (guid, title, description) entries linking to /a/<guid>."""
    body = "".join(
        f"<item><title>{t}</title><link>/a/{g}</link><guid>{g}</guid>"
        f"<description>{html.escape(d)}</description>{extra}</item>"
        for g, t, d in items
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


def serve_feed(
    server: FixtureServer, path: str, items: list[tuple[str, str, str]], **kw: Any
) -> str:
    return server.add(path, Route(body=rss(path, items), content_type="application/rss+xml", **kw))


def pipeline(config: Path, stack: ExitStack) -> Pipeline:
    pipe: Pipeline = _pipeline(load_settings(config), stack)
    return pipe


def feed_rows(db: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM feeds ORDER BY id")]


def feeds_json(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]
