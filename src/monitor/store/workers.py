"""What ``monitor worker`` asks the store: which feeds are due (the schedule stays in
``feeds.next_fetch_at``) and whether the task engine's tables exist."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, literal, select

from monitor.store.engine import translate_errors
from monitor.store.schema import feeds
from monitor.store.store import Store, _feed_state
from monitor.types import FeedState


def due_feed_ids(store: Store, now: datetime, limit: int) -> list[int]:
    """Ids of the enabled feeds due at ``now``, most overdue first."""
    query = (
        select(feeds.c.id)
        .where(feeds.c.enabled.is_(True), feeds.c.next_fetch_at <= now)
        .order_by(feeds.c.next_fetch_at, feeds.c.id)
        .limit(limit)
    )
    with translate_errors("reading due feeds"), store.engine.connect() as conn:
        return list(conn.scalars(query))


def due_feeds(store: Store, ids: Sequence[int], now: datetime) -> list[FeedState]:
    """Those of ``ids`` still enabled and due at ``now`` (a queued job re-checks: the feed
    may have been polled by the job it was queued behind)."""
    query = select(feeds, literal(0).label("items_stored")).where(
        feeds.c.id.in_(list(ids)), feeds.c.enabled.is_(True), feeds.c.next_fetch_at <= now
    )
    with translate_errors("reading due feeds"), store.engine.connect() as conn:
        rows = list(conn.execute(query))
    return [_feed_state(r) for r in rows]


def has_table(store: Store, name: str) -> bool:
    with translate_errors("inspecting the schema"), store.engine.connect() as conn:
        return bool(store.engine.dialect.has_table(conn, name))


ENGINE_SCHEMA_LOCK_KEY = 0x6D6F6E73  # "mons": one process at a time sets up the task engine


@contextmanager
def engine_schema_lock(store: Store) -> Iterator[None]:
    """Hold a PostgreSQL session advisory lock while the task engine's schema is set up,
    so workers started together do not both create it."""
    with translate_errors("locking the task engine schema"), store.engine.connect() as conn:
        conn.execute(select(func.pg_advisory_lock(ENGINE_SCHEMA_LOCK_KEY)))
        conn.commit()
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(ENGINE_SCHEMA_LOCK_KEY)))
            conn.commit()
