"""The database schema (SQLAlchemy Core). Alembic migrations create it; this is the
description queries are written against. Times are naive UTC (``UtcDateTime``)
so SQLite and PostgreSQL compare them the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("language", String(16)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("interval_s", Float),  # configured interval, None = default
    Column("current_interval_s", Float),  # adaptive interval in force
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_fetch_at", UtcDateTime, nullable=False),
    Column("last_fetched_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_new_item_at", UtcDateTime),
    Column("last_error", Text),
    Column("last_error_at", UtcDateTime),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("state", String(16), nullable=False, default="new"),  # new|ok|not-modified|error|failing
    Column("lease_owner", String(64)),
    Column("lease_until", UtcDateTime),
    # "config" (from the feed lists) or "user" (workbench / `feeds add`: init leaves it alone)
    Column("origin", String(8), nullable=False, default="config", server_default="config"),
    Column("user_enabled", Boolean),  # the analyst's enable/disable, wins over the feed list
    Index("ix_feeds_next_fetch_at", "next_fetch_at"),
)

seeds = Table(
    "seeds",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("path", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("loaded_at", UtcDateTime, nullable=False),
    Index("ix_seeds_content_hash", "content_hash"),
)

items = Table(
    "items",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False, unique=True),
    Column("entry_id", Text),
    Column("title", Text, nullable=False, default=""),
    Column("authors", JSON, nullable=False, default=list),
    Column("published_at", UtcDateTime),
    Column("fetched_at", UtcDateTime, nullable=False),
    Column("stored_at", UtcDateTime, nullable=False),
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("text_source", String(8), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("relevance_score", Float, nullable=False, default=0.0),
    Column("relevant", Boolean, nullable=False, default=False),
    Column("tags", JSON, nullable=False, default=list),
    Column("evidence", JSON, nullable=False, default=list),
    Column("closest_seed", String(128)),
    Column("closest_seed_similarity", Float),
    Column("lexicon_version", String(64)),
    Column("duplicate_kind", String(8)),
    Column("duplicate_id", String(128)),
    Column("duplicate_similarity", Float),
    Column("duplicate_reason", Text),
    Column("story_id", String(32), nullable=False),
    Column("entities", JSON),  # {"groups": [...], "places": [...]}; NULL before revision 0003
    Index("ix_items_content_hash", "content_hash"),
    Index("ix_items_story_id", "story_id"),
    Index("ix_items_stored_at", "stored_at"),
    Index("ix_items_feed_id", "feed_id"),
    Index("ix_items_duplicate_id", "duplicate_id"),
    Index("ix_items_relevant", "relevant", "duplicate_kind"),
)

# Entry ids are only unique within a feed (many feeds reuse "1", "2", …).
entry_ids = Table(
    "entry_ids",
    metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_id", Text, primary_key=True),
    Column("item_id", String(32), nullable=False),
)

# What the analyst decided about an item. A row exists only once someone triaged it;
# kept apart from ``items`` so rescoring never touches a person's decision.
triage = Table(
    "triage",
    metadata,
    Column("item_id", String(32), primary_key=True),
    Column("read", Boolean, nullable=False, default=False),
    Column("starred", Boolean, nullable=False, default=False),
    Column("dismissed", Boolean, nullable=False, default=False),
    Column("label", String(16)),  # "relevant" | "not_relevant" | NULL
    Column("note", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_triage_label", "label"),
)

# The full-text index ``item_search`` (FTS5 / tsvector) is engine-specific and
# described in ``monitor.store.search``, the only code that reads or writes it.

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("window_start", UtcDateTime, nullable=False),
    Column("window_end", UtcDateTime, nullable=False),
    Column("item_count", Integer, nullable=False),
)
