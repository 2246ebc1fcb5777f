"""Feed leases and outcomes: the SQL behind ``Store.claim_due_feeds`` and friends.

The claim is one statement that leases and returns the same rows, so two
workers can never both hold a feed:

* PostgreSQL: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)
  RETURNING id`` — a second worker skips the rows the first one is leasing
  instead of waiting for them or overwriting its lease;
* SQLite: the same ``UPDATE … RETURNING`` inside ``BEGIN IMMEDIATE``, which
  already serialises writers.

Claims are bounded (``limit``) so that workers sharing a database share the due
feeds, and an outcome is recorded only while the worker still holds the lease.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, not_, or_, select, update
from sqlalchemy.engine import Connection

from monitor.store.schema import feeds, seeds
from monitor.types import FeedOutcome


def claim(
    conn: Connection,
    now: datetime,
    owner: str,
    lease: timedelta,
    *,
    all_enabled: bool,
    limit: int,
    exclude: Iterable[int],
) -> list[int]:
    """Lease up to ``limit`` due (or, with ``all_enabled``, enabled) feeds; their ids."""
    free = or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now)
    due = and_(feeds.c.enabled.is_(True), free)
    if not all_enabled:
        due = and_(due, feeds.c.next_fetch_at <= now)
    skipped = list(exclude)
    if skipped:
        due = and_(due, not_(feeds.c.id.in_(skipped)))
    chosen = select(feeds.c.id).where(due).order_by(feeds.c.next_fetch_at, feeds.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    statement = (
        update(feeds)
        .where(feeds.c.id.in_(chosen.scalar_subquery()), free)
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(feeds.c.id)
    )
    return sorted(conn.scalars(statement))


def release(conn: Connection, ids: Iterable[int], owner: str) -> None:
    """Free these feeds' leases if ``owner`` still holds them."""
    wanted = list(ids)
    if wanted:
        conn.execute(
            update(feeds)
            .where(feeds.c.id.in_(wanted), feeds.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )


def outcome_values(outcome: FeedOutcome) -> dict[str, Any]:
    """The feed row's new values after a poll (validators only when it carries new ones)."""
    values: dict[str, Any] = {
        "state": outcome.state,
        "last_fetched_at": outcome.fetched_at,
        "next_fetch_at": outcome.next_fetch_at,
        "current_interval_s": outcome.current_interval_s,
        "consecutive_failures": outcome.consecutive_failures,
        "lease_owner": None,
        "lease_until": None,
    }
    if outcome.caching is not None:
        values["etag"] = outcome.caching.etag
        values["last_modified"] = outcome.caching.last_modified
        values["body_hash"] = outcome.caching.body_hash
    if outcome.hint_s is not None:
        values["hint_s"] = outcome.hint_s
    if outcome.entry_keys is not None:
        values["entry_keys"] = list(outcome.entry_keys)
    if outcome.missed:
        values["missed_at"] = outcome.fetched_at
        values["missed_count"] = feeds.c.missed_count + 1
    if outcome.error is None:
        values["last_success_at"] = outcome.fetched_at
    else:
        values["last_error"] = outcome.error
        values["last_error_at"] = outcome.fetched_at
    if outcome.new_items:
        values["last_new_item_at"] = outcome.fetched_at
    return values


def record(conn: Connection, feed_id: int, outcome: FeedOutcome, owner: str | None) -> bool:
    """Save an outcome; with ``owner``, only while that worker holds the feed's lease."""
    statement = update(feeds).where(feeds.c.id == feed_id)
    if owner is not None:
        statement = statement.where(feeds.c.lease_owner == owner)
    result = conn.execute(statement.values(outcome_values(outcome)))
    return bool(result.rowcount)


def leased_elsewhere(conn: Connection, now: datetime, owner: str) -> int:
    """Enabled feeds another worker holds a running lease on."""
    query = select(func.count()).where(
        feeds.c.enabled.is_(True), feeds.c.lease_until >= now, feeds.c.lease_owner != owner
    )
    return int(conn.scalar(query) or 0)


def last_success(conn: Connection) -> datetime | None:
    """When any feed last succeeded, by any worker sharing this database."""
    result: datetime | None = conn.scalar(select(func.max(feeds.c.last_success_at)))
    return result


def seeds_version(conn: Connection) -> str:
    """A short digest of the seeds table: changes whenever a seed is added, changed or removed."""
    rows = conn.execute(select(seeds.c.id, seeds.c.content_hash).order_by(seeds.c.id))
    digest = hashlib.sha256()
    for seed_id, content_hash in rows:
        digest.update(f"{seed_id}\0{content_hash}\n".encode())
    return digest.hexdigest()[:16]


def reference_feeds(conn: Connection, exclude: Iterable[int], limit: int) -> list[tuple[str, Any]]:
    """The feeds that succeeded last (any worker), newest first: what a connectivity
    check polls to tell "this feed is down" from "the network is down"."""
    query = (
        select(feeds.c.url, feeds.c.etag, feeds.c.last_modified)
        .where(feeds.c.enabled.is_(True), feeds.c.last_success_at.isnot(None))
        .order_by(feeds.c.last_success_at.desc())
        .limit(limit)
    )
    skipped = list(exclude)
    if skipped:
        query = query.where(not_(feeds.c.id.in_(skipped)))
    return [(r.url, (r.etag, r.last_modified)) for r in conn.execute(query)]
