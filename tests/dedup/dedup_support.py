"""Helpers of the dedup tests: fixture texts, and storing an item the way the pipeline does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitor.dedup import DuplicateDetector
from monitor.store import Store
from monitor.types import DuplicateVerdict, NewItem, Relevance

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "dedup"
ARTICLES = FIXTURES / "articles"
SEEDS = REPO / "seeds"
WHEN = datetime(2025, 3, 20, 9, 0, tzinfo=UTC)


def article(name: str) -> str:
    return (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")


def seed_text(stem: str) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def ingest(
    store: Store,
    detector: DuplicateDetector,
    item_id: str,
    text: str,
    *,
    published_at: datetime | None = WHEN,
    fetched_at: datetime = WHEN,
) -> DuplicateVerdict:
    """Check then store ``text`` as the orchestrator does; returns the verdict."""
    fingerprint = detector.fingerprint(text)
    verdict = detector.check(text, fingerprint, published_at=published_at, received_at=fetched_at)
    item = NewItem(
        id=item_id,
        feed_id=None,
        url=f"https://example.org/{item_id}",
        canonical_url=f"https://example.org/{item_id}",
        entry_id=None,
        title=item_id,
        authors=(),
        published_at=published_at,
        fetched_at=fetched_at,
        language="en",
        text=text,
        text_source="page",
        content_hash=fingerprint.content_hash,
        relevance=Relevance(score=0.0, relevant=False, tags=(), evidence=()),
        lexicon_version=None,
        duplicate_of=verdict.duplicate_of,
        duplicate_reason=verdict.reason,
        story_id=verdict.story_id or item_id,
        story_reason=verdict.story_reason,
    )
    assert store.add_item(item, fingerprint)
    return verdict


def load_seed(store: Store, detector: DuplicateDetector, seed_id: str, text: str) -> bool:
    return store.upsert_seed(seed_id, f"{seed_id}.txt", text, detector.fingerprint(text), WHEN)
