"""Checks shared by the feed tests: what a sane ParsedFeed / FeedEntry looks like."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.types import FeedEntry, ParsedFeed
from monitor.urls import canonical_url


def assert_sane_entry(entry: FeedEntry, now: datetime) -> None:
    assert entry.entry_id is None or (entry.entry_id and entry.entry_id == entry.entry_id.strip())
    if entry.link is not None:
        assert entry.link.startswith(("http://", "https://"))
        canonical_url(entry.link)  # the orchestrator needs it; must not raise
    assert isinstance(entry.title, str) and "\n" not in entry.title
    assert isinstance(entry.content_text, str)
    assert all(isinstance(a, str) and a and a == a.strip() for a in entry.authors)
    if entry.published_at is not None:
        assert entry.published_at.tzinfo is UTC
        assert datetime(1990, 1, 1, tzinfo=UTC) <= entry.published_at <= now + timedelta(days=2)
    assert entry.entry_id or entry.link or entry.title or entry.content_text


def assert_sane_feed(feed: ParsedFeed, now: datetime) -> None:
    assert isinstance(feed.title, str) and "\n" not in feed.title
    assert feed.warning is None or (feed.warning and "\n" not in feed.warning)
    assert feed.ttl_s is None or feed.ttl_s > 0
    for entry in feed.entries:
        assert_sane_entry(entry, now)
