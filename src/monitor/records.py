"""The item record of SPEC section 4: the JSON other pipelines read.

Keys may be added, never changed in meaning. ``cursor`` is opaque to
readers; it is the store's sequence number, zero-padded so that it also
sorts as text. ``change_cursor`` (null until the item is re-scored) is the
same kind of cursor in a separate sequence: ``monitor export --changed-after``
lists the items whose decision changed after it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.types import Relevance, StoredItem, Triage

CURSOR_WIDTH = 12


def encode_cursor(seq: int) -> str:
    return f"{seq:0{CURSOR_WIDTH}d}"


def decode_cursor(cursor: str) -> int:
    """The sequence number behind a cursor; ValueError for anything we did not issue."""
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise ValueError(f"not a cursor: {cursor[:40]!r}")  # 18 digits: within a 64-bit column
    return int(cursor)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def item_record(item: StoredItem) -> dict[str, Any]:
    dup = item.duplicate_of
    return {
        "id": item.id,
        "cursor": encode_cursor(item.seq),
        "url": item.url,
        "canonical_url": item.canonical_url,
        "title": item.title,
        "authors": list(item.authors),
        "published_at": iso(item.published_at),
        "published_at_source": item.published_at_source,
        "fetched_at": iso(item.fetched_at),
        "language": item.language,
        "text": item.text,
        "text_source": item.text_source,
        "source": {"name": item.source_name, "feed_url": item.source_feed_url},
        "content_hash": item.content_hash,
        "relevance": relevance_record(item.relevance),
        "duplicate_of": (
            {"kind": dup.kind, "id": dup.id, "similarity": round(dup.similarity, 4)}
            if dup
            else None
        ),
        "story_id": item.story_id,
        "story_reason": item.story_reason,
        "entities": entities_record(item.relevance),
        "triage": triage_record(item.triage),
        "change_cursor": encode_cursor(item.updated_seq) if item.updated_seq else None,
    }


def entities_record(rel: Relevance) -> dict[str, list[str]]:
    return {"groups": list(rel.entities.groups), "places": list(rel.entities.places)}


def triage_record(t: Triage) -> dict[str, Any]:
    """The ``triage`` object of SPEC section 4 (same in export, API and webhooks)."""
    return {
        "read": t.read,
        "starred": t.starred,
        "dismissed": t.dismissed,
        "label": t.label,
        "note": t.note,
        "updated_at": iso(t.updated_at),
    }


def relevance_record(rel: Relevance) -> dict[str, Any]:
    """The ``relevance`` object of the record (also what ``monitor score`` prints)."""
    return {
        "score": round(rel.score, 4),
        "relevant": rel.relevant,
        "tags": list(rel.tags),
        "evidence": [
            {"term": e.term, "tag": e.tag, "count": e.count}
            | ({"where": e.where, "facet": e.facet, "weight": e.weight} if e.facet else {})
            for e in rel.evidence
        ],
        "closest_seed": rel.closest_seed,
        "closest_seed_similarity": round(rel.closest_seed_similarity, 4),
    }
