"""Texts of labelled pairs taken from the shared third-party corpus, by id, at run time.

The real-material evaluation set (``tests/fixtures/dedup/real_pairs.jsonl``) holds only
ids and labels: the texts are publishers' copyright and stay in ``shared/corpus``. A spec
names one of

* ``{"news_dev": "<item id>"}``: the ``text`` of that item of ``news-dev/items.jsonl``;
* ``{"feed": "<file stem>", "entry": n}``: the plain text of entry ``n`` of that gzip
  feed of ``real-feeds/``, parsed by ``monitor.feeds.parse_feed`` as the service would.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.feeds import parse_feed

__all__ = ["corpus_text", "is_corpus_spec"]

# Feeds were collected in February 2026; "now" bounds plausible dates, not the text.
_FEEDS_NOW = datetime(2026, 3, 1, tzinfo=UTC)


def is_corpus_spec(spec: Mapping[str, Any]) -> bool:
    return "news_dev" in spec or "feed" in spec


def corpus_text(spec: Mapping[str, Any], corpus_dir: Path) -> str:
    """The text a corpus spec names; KeyError/OSError when it is not there."""
    if "news_dev" in spec:
        return _news_dev(str(corpus_dir))[str(spec["news_dev"])]
    entries = _feed_entries(str(corpus_dir), str(spec["feed"]))
    return entries[int(spec["entry"])]


@functools.cache
def _news_dev(corpus_dir: str) -> dict[str, str]:
    path = Path(corpus_dir) / "news-dev" / "items.jsonl"
    with path.open(encoding="utf-8") as fh:
        items = (json.loads(line) for line in fh if line.strip())
        return {str(item["id"]): str(item.get("text") or "") for item in items}


@functools.cache
def _feed_entries(corpus_dir: str, stem: str) -> tuple[str, ...]:
    body = gzip.decompress((Path(corpus_dir) / "real-feeds" / f"{stem}.gz").read_bytes())
    feed = parse_feed(body, {}, f"https://example.org/{stem}", now=_FEEDS_NOW)
    return tuple(entry.content_text for entry in feed.entries)
