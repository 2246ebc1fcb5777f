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
    # revision 0004: see the migration for what each is for
    Column("body_hash", String(64)),
    Column("hint_s", Float),
    Column("entry_keys", JSON),
    Column("missed_at", UtcDateTime),
    Column("missed_count", Integer, nullable=False, default=0),
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
    Column("story_reason", Text),  # migration 0008: which rule linked the story
    Column("entities", JSON),  # {"groups": [...], "places": [...]}; NULL before revision 0003
    Column("published_at_source", String(8)),  # feed | page | none; NULL before revision 0004
    Column("updated_seq", Integer),  # change cursor of the last re-score (revision 0004)
    Index("ix_items_content_hash", "content_hash"),
    Index("ix_items_story_id", "story_id"),
    Index("ix_items_stored_at", "stored_at"),
    Index("ix_items_feed_id", "feed_id"),
    Index("ix_items_updated_seq", "updated_seq"),
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

# Labels imported for items this database does not hold (``monitor labels import``):
# kept with their text so ``monitor train`` still learns from them (revision 0005).
label_imports = Table(
    "label_imports",
    metadata,
    Column("item_id", String(128), primary_key=True),
    Column("label", String(16), nullable=False),  # "relevant" | "not_relevant"
    Column("note", Text),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("language", String(16)),
    Column("source", Text),
    Column("updated_at", UtcDateTime, nullable=False),
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

# Webhook endpoints (from the config) and what the 410 of one of them did to it.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("disabled_at", UtcDateTime),
    Column("disabled_reason", Text),
)

# The webhook outbox (revision 0007): written in the item's own transaction.
# ``id`` is the webhook-id; ``payload`` the exact body, so every retry sends the same bytes.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column(
        "endpoint_id",
        Integer,
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_type", String(32), nullable=False),
    Column("item_id", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("give_up_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_attempt_at", UtcDateTime),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("delivered_at", UtcDateTime),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_item", "item_id"),
)

# Scheduled email digests: a window is due, then sent (or failed, with the reason).
email_digests = Table(
    "email_digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("window_start", UtcDateTime, nullable=False),
    Column("window_end", UtcDateTime, nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("give_up_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text),
    Column("sent_at", UtcDateTime),
)

# Per-host politeness shared by every worker on every machine (revision 0007):
# the earliest start of the next request to a host, and a Retry-After it sent.
host_politeness = Table(
    "host_politeness",
    metadata,
    Column("host", String(255), primary_key=True),
    Column("next_start_at", UtcDateTime, nullable=False),
    Column("blocked_until", UtcDateTime),
    Column("blocked_status", Integer),
)
