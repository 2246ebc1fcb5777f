"""The store: the only place that knows SQL. Domain methods in, value types out.

Every write is one transaction; an item, its entry id and its fingerprint
are written together or not at all, so a worker killed mid-item leaves
nothing half-stored and the entry is simply picked up again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Row, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from monitor.dedup import TextFingerprint
from monitor.exceptions import StoreError
from monitor.store import feed_ops, fingerprints, search
from monitor.store.engine import make_engine, sqlite_file_identity, sqlite_path, translate_errors
from monitor.store.events import ItemEvents
from monitor.store.queries import WorkbenchQueries
from monitor.store.schema import digests, entry_ids, feeds, items, seeds, triage
from monitor.types import (
    LABELS,
    CachingInfo,
    DuplicateRef,
    Entities,
    Evidence,
    FeedConfig,
    FeedOutcome,
    FeedState,
    NewItem,
    Relevance,
    StoredItem,
    Triage,
)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_CHUNK = 500  # bound on IN (...) lists: SQLite's variable limit and plan sanity
DEDUP_LOCK_KEY = 0x6D6F6E69  # PostgreSQL advisory lock serialising check-and-store ("moni")
CHANGE_LOCK_KEY = 0x6D6F6E63  # serialises change cursors of re-scored items ("monc")


class Store(WorkbenchQueries):
    """Domain operations over one database (SQLite or PostgreSQL); the workbench's
    queries (search, stories, feed management) are in ``WorkbenchQueries``."""

    def __init__(self, url: str, *, busy_timeout_s: float = 30.0, create: bool = True) -> None:
        """``create=False``: an SQLite file that does not exist is an error, never created."""
        self.url = url
        self.engine: Engine = make_engine(url, busy_timeout_s=busy_timeout_s, create=create)
        self.fingerprint_index = fingerprints.SqlFingerprintIndex(self.engine)
        self._file_identity = sqlite_file_identity(url)
        # Told of item writes inside their transaction (the webhook outbox); None: nobody.
        self.events: ItemEvents | None = None

    def close(self) -> None:
        self.engine.dispose()

    # -- schema ---------------------------------------------------------------

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with translate_errors("migrating the schema"), self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def check_connection(self) -> None:
        """Raise StoreError with one line if the database cannot be reached or is not set up.
        A missing SQLite file is reported, never created (commands that read create nothing)."""
        path = sqlite_path(self.url)
        if path is not None and not path.exists():
            raise StoreError(f"database file {path} does not exist: run 'monitor init' first")
        with translate_errors("opening the database"), self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            if not self.engine.dialect.has_table(conn, "items"):
                raise StoreError("the database has no schema yet: run 'monitor init' first")

    def _write(self) -> Any:
        """A write transaction (BEGIN IMMEDIATE on SQLite)."""
        return self.engine.connect().execution_options(immediate=True)

    # -- feeds ----------------------------------------------------------------

    def sync_feeds(self, configured: Sequence[FeedConfig], now: datetime) -> None:
        """Make the feeds table match the configuration; feeds no longer listed are disabled.

        Feeds the analyst added (``origin = 'user'``) are left alone, and an analyst's
        enable/disable of a configured feed (``user_enabled``) wins over the list.
        """
        wanted = {f.url: f for f in configured}
        with translate_errors("updating the feed list"), self._write() as conn, conn.begin():
            existing = {
                r.url: r
                for r in conn.execute(
                    select(
                        feeds.c.id,
                        feeds.c.url,
                        feeds.c.interval_s,
                        feeds.c.next_fetch_at,
                        feeds.c.origin,
                        feeds.c.user_enabled,
                    )
                )
            }
            for url, cfg in wanted.items():
                old = existing.get(url)
                chosen = old.user_enabled if old is not None else None
                values: dict[str, Any] = {
                    "name": cfg.name,
                    "language": cfg.language,
                    "enabled": cfg.enabled if chosen is None else chosen,
                    "interval_s": cfg.interval_s,
                    "origin": "config",
                }
                if url in existing:
                    old = existing[url]
                    if old.interval_s != cfg.interval_s:
                        # A new configured interval replaces the adaptive one in force,
                        # and the next poll comes no later than the new interval from now.
                        values["current_interval_s"] = None
                        if cfg.interval_s is not None:
                            soonest = now + timedelta(seconds=cfg.interval_s)
                            values["next_fetch_at"] = min(old.next_fetch_at, soonest)
                    conn.execute(update(feeds).where(feeds.c.id == old.id).values(values))
                else:
                    conn.execute(
                        feeds.insert().values(
                            url=url,
                            next_fetch_at=now,
                            consecutive_failures=0,
                            state="new",
                            **values,
                        )
                    )
            gone = [r.id for u, r in existing.items() if u not in wanted and r.origin != "user"]
            if gone:
                conn.execute(update(feeds).where(feeds.c.id.in_(gone)).values(enabled=False))

    def feed_states(
        self, *, enabled_only: bool = False, ids: Sequence[int] | None = None
    ) -> list[FeedState]:
        counts = (
            select(items.c.feed_id, func.count().label("n"))
            .where(items.c.duplicate_kind.is_(None))
            .group_by(items.c.feed_id)
            .subquery()
        )
        query = (
            select(feeds, func.coalesce(counts.c.n, 0).label("items_stored"))
            .outerjoin(counts, counts.c.feed_id == feeds.c.id)
            .order_by(feeds.c.id)
        )
        if enabled_only:
            query = query.where(feeds.c.enabled.is_(True))
        if ids is not None:
            query = query.where(feeds.c.id.in_(list(ids)))
        with translate_errors("reading feeds"), self.engine.connect() as conn:
            return [_feed_state(r) for r in conn.execute(query)]

    def claim_due_feeds(
        self,
        now: datetime,
        owner: str,
        lease: timedelta,
        *,
        all_enabled: bool = False,
        limit: int = 1_000_000,
        exclude: Iterable[int] = (),
    ) -> list[FeedState]:
        """Lease up to ``limit`` feeds due at ``now`` to ``owner`` and return exactly those
        (see feed_ops: one UPDATE … RETURNING, FOR UPDATE SKIP LOCKED on PostgreSQL);
        an expired lease (a killed worker) is free again."""
        with translate_errors("claiming due feeds"), self._write() as conn, conn.begin():
            ids = feed_ops.claim(
                conn, now, owner, lease, all_enabled=all_enabled, limit=limit, exclude=exclude
            )
        if not ids:
            return []
        claimed = {s.id: s for s in self.feed_states(enabled_only=True, ids=ids)}
        return [claimed[i] for i in ids if i in claimed]

    def release_feeds(self, ids: Iterable[int], owner: str) -> None:
        """Free the leases ``owner`` holds on these feeds (a pass that failed part-way)."""
        wanted = list(ids)
        if not wanted:
            return
        with translate_errors("releasing feed leases"), self._write() as conn, conn.begin():
            feed_ops.release(conn, wanted, owner)

    def leased_elsewhere(self, now: datetime, owner: str) -> int:
        with translate_errors("reading feed leases"), self.engine.connect() as conn:
            return feed_ops.leased_elsewhere(conn, now, owner)

    def last_success_at(self) -> datetime | None:
        """When any feed last succeeded (any worker): the cross-tick connectivity record."""
        with translate_errors("reading feeds"), self.engine.connect() as conn:
            return feed_ops.last_success(conn)

    def reference_feeds(
        self, exclude: Iterable[int], limit: int = 5
    ) -> list[tuple[str, CachingInfo]]:
        """Feeds that succeeded most recently (URL and validators), for a connectivity check."""
        with translate_errors("reading feeds"), self.engine.connect() as conn:
            rows = feed_ops.reference_feeds(conn, exclude, limit)
        return [(url, CachingInfo(etag=e, last_modified=lm)) for url, (e, lm) in rows]

    def seeds_version(self) -> str:
        with translate_errors("reading seeds"), self.engine.connect() as conn:
            return feed_ops.seeds_version(conn)

    def check_same_file(self) -> None:
        """StoreError when the SQLite file was deleted or replaced since the store opened it:
        writes would go to an unlinked file and be lost."""
        if self._file_identity is None:
            return
        path, identity = self._file_identity
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise StoreError(f"database file {path} was deleted while in use") from None
        if (st.st_dev, st.st_ino) != identity:
            raise StoreError(f"database file {path} was replaced by another file while in use")

    def lease_owners(self, now: datetime) -> set[str]:
        """Owners of the leases still running at ``now``."""
        query = select(feeds.c.lease_owner).where(feeds.c.lease_until >= now).distinct()
        with translate_errors("reading feed leases"), self.engine.connect() as conn:
            return {o for o in conn.scalars(query) if o}

    def release_leases(self, owners: Iterable[str]) -> None:
        """Free the feeds leased by ``owners`` (workers known to be dead)."""
        gone = list(owners)
        if not gone:
            return
        with translate_errors("releasing feed leases"), self._write() as conn, conn.begin():
            conn.execute(
                update(feeds)
                .where(feeds.c.lease_owner.in_(gone))
                .values(lease_owner=None, lease_until=None)
            )

    def record_feed_outcome(
        self, feed_id: int, outcome: FeedOutcome, owner: str | None = None
    ) -> bool:
        """Store what a poll did to a feed and release its lease. Validators are only
        replaced when the outcome carries new ones (never on error). With ``owner``,
        nothing is written unless that worker still holds the lease; returns whether it was."""
        with translate_errors("saving feed state"), self._write() as conn, conn.begin():
            return feed_ops.record(conn, feed_id, outcome, owner)

    # -- entries and items ----------------------------------------------------

    def known_entries(
        self, feed_id: int, canonical_urls: Iterable[str], ids: Iterable[str]
    ) -> tuple[set[str], set[str]]:
        """Which of these canonical URLs, and which of this feed's entry ids, are stored."""
        urls, eids = list(set(canonical_urls)), list(set(ids))
        found_urls: set[str] = set()
        found_ids: set[str] = set()
        with translate_errors("looking up entries"), self.engine.connect() as conn:
            for chunk in _chunks(urls):
                q = select(items.c.canonical_url).where(items.c.canonical_url.in_(chunk))
                found_urls.update(conn.scalars(q))
            for chunk in _chunks(eids):
                q = select(entry_ids.c.entry_id).where(
                    entry_ids.c.feed_id == feed_id, entry_ids.c.entry_id.in_(chunk)
                )
                found_ids.update(conn.scalars(q))
        return found_urls, found_ids

    def add_item(self, item: NewItem, fingerprint: TextFingerprint) -> bool:
        """Store an item with its entry id and fingerprint atomically.

        Returns False when it was already stored (by canonical URL or id), for
        example by another worker a moment earlier; nothing is written then.
        """
        with self.exclusive_writer() as writer:
            return writer.add(item, fingerprint)

    @contextmanager
    def exclusive_writer(self) -> Iterator[ItemWriter]:
        """A write transaction that also excludes other workers' duplicate checks.

        The dedup check reads the index through other connections; doing it
        inside this block and storing through the writer means no other worker
        can store a copy of the same text in between (SQLite: the BEGIN
        IMMEDIATE write lock; PostgreSQL: a transaction-scoped advisory lock).
        """
        with translate_errors("storing an item"), self._write() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(DEDUP_LOCK_KEY)))
            yield ItemWriter(conn, self.events)

    def items(
        self,
        *,
        after_seq: int = 0,
        include_duplicates: bool = False,
        relevant_only: bool = False,
        stored_since: datetime | None = None,
        stored_until: datetime | None = None,
        labelled_only: bool = False,
        batch: int = 500,
    ) -> Iterator[StoredItem]:
        """Stored items in cursor order, read in batches so memory stays flat."""
        cond = [items.c.seq > after_seq]
        if labelled_only:
            cond.append(triage.c.label.isnot(None))
        if not include_duplicates:
            cond.append(items.c.duplicate_kind.is_(None))
        if relevant_only:
            cond.append(items.c.relevant.is_(True))
        if stored_since is not None:
            cond.append(items.c.stored_at >= stored_since)
        if stored_until is not None:
            cond.append(items.c.stored_at < stored_until)
        last = after_seq
        while True:
            cond[0] = items.c.seq > last
            query = _item_select().where(*cond).order_by(items.c.seq).limit(batch)
            with translate_errors("reading items"), self.engine.connect() as conn:
                rows = list(conn.execute(query))
            for r in rows:
                yield _stored_item(r)
            if len(rows) < batch:
                return
            last = rows[-1].seq

    def item(self, item_id: str) -> StoredItem | None:
        """One stored item by id (duplicates included), or None."""
        with translate_errors("reading an item"), self.engine.connect() as conn:
            row = conn.execute(_item_select().where(items.c.id == item_id)).first()
        return _stored_item(row) if row is not None else None

    def set_triage(self, item_id: str, changes: dict[str, Any], now: datetime) -> Triage | None:
        """Apply the analyst's changes (any of read, starred, dismissed, label, note) to an
        item's triage and return the new state; None when no such item is stored.

        Keys left out keep their value; ``label`` and ``note`` may be set to None to clear.
        """
        allowed = {"read", "starred", "dismissed", "label", "note"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown triage field(s): {', '.join(sorted(unknown))}")
        label = changes.get("label")
        if label is not None and label not in LABELS:
            raise ValueError(f"label must be one of {', '.join(LABELS)} or null (got {label!r})")
        with translate_errors("saving triage"), self._write() as conn, conn.begin():
            if conn.scalar(select(items.c.seq).where(items.c.id == item_id)) is None:
                return None
            old = conn.execute(select(triage).where(triage.c.item_id == item_id)).first()
            values = {**_triage_values(old), **changes, "updated_at": now}
            if old is None:
                conn.execute(triage.insert().values(item_id=item_id, **values))
            else:
                conn.execute(update(triage).where(triage.c.item_id == item_id).values(values))
            if self.events is not None:
                self.events.item_triaged(conn, item_id)
            row = conn.execute(select(triage).where(triage.c.item_id == item_id)).one()
        return _triage(row)

    def update_relevance(self, item_id: str, relevance: Relevance, lexicon_version: str) -> None:
        """Save a new score and give the item the next change cursor (``updated_seq``), so a
        reader following ``--changed-after`` learns that the decision changed."""
        with translate_errors("saving a new score"), self._write() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(CHANGE_LOCK_KEY)))
            last = conn.scalar(select(func.max(items.c.updated_seq))) or 0
            conn.execute(
                update(items)
                .where(items.c.id == item_id)
                .values(
                    {
                        **_relevance_values(relevance),
                        "lexicon_version": lexicon_version,
                        "updated_seq": last + 1,
                    }
                )
            )

    def changed_items(
        self, *, after: int = 0, include_duplicates: bool = False, batch: int = 500
    ) -> Iterator[StoredItem]:
        """Items re-scored after change cursor ``after``, in change order (batched reads)."""
        last = after
        while True:
            cond = [items.c.updated_seq > last]
            if not include_duplicates:
                cond.append(items.c.duplicate_kind.is_(None))
            query = _item_select().where(*cond).order_by(items.c.updated_seq).limit(batch)
            with translate_errors("reading changed items"), self.engine.connect() as conn:
                rows = list(conn.execute(query))
            for r in rows:
                yield _stored_item(r)
            if len(rows) < batch:
                return
            last = rows[-1].updated_seq

    def count_items(self) -> dict[str, int]:
        with translate_errors("counting items"), self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(items)) or 0
            dups = (
                conn.scalar(
                    select(func.count())
                    .select_from(items)
                    .where(items.c.duplicate_kind.isnot(None))
                )
                or 0
            )
            relevant = (
                conn.scalar(
                    select(func.count())
                    .select_from(items)
                    .where(items.c.relevant.is_(True), items.c.duplicate_kind.is_(None))
                )
                or 0
            )
        return {"items": total - dups, "duplicates": dups, "relevant": relevant}

    # -- seeds ----------------------------------------------------------------

    def upsert_seed(
        self, seed_id: str, path: str, text: str, fingerprint: TextFingerprint, now: datetime
    ) -> bool:
        """Add or replace a seed document; False when it is stored unchanged."""
        with translate_errors(f"loading seed {path}"), self._write() as conn, conn.begin():
            old = conn.execute(
                select(seeds.c.content_hash).where(seeds.c.id == seed_id)
            ).scalar_one_or_none()
            if old == fingerprint.content_hash:
                return False
            if old is not None:
                fingerprints.delete_fingerprint(conn, "seed", seed_id)
                conn.execute(seeds.delete().where(seeds.c.id == seed_id))
            conn.execute(
                seeds.insert().values(
                    id=seed_id,
                    path=path,
                    content_hash=fingerprint.content_hash,
                    text=text,
                    loaded_at=now,
                )
            )
            fingerprints.write_fingerprint(conn, "seed", seed_id, fingerprint)
        return True

    def remove_seeds_except(self, keep: Iterable[str]) -> int:
        """Drop seeds whose files are gone; returns how many were removed."""
        keep_set = set(keep)
        with translate_errors("removing old seeds"), self._write() as conn, conn.begin():
            gone = [s for s in conn.scalars(select(seeds.c.id)) if s not in keep_set]
            for seed_id in gone:
                fingerprints.delete_fingerprint(conn, "seed", seed_id)
                conn.execute(seeds.delete().where(seeds.c.id == seed_id))
        return len(gone)

    def seed_texts(self) -> list[tuple[str, str]]:
        with translate_errors("reading seeds"), self.engine.connect() as conn:
            return [(r.id, r.text) for r in conn.execute(select(seeds.c.id, seeds.c.text))]

    # -- digests --------------------------------------------------------------

    def last_digest_end(self) -> datetime | None:
        with translate_errors("reading digests"), self.engine.connect() as conn:
            result: datetime | None = conn.scalar(select(func.max(digests.c.window_end)))
        return result  # aware UTC: max() keeps the column's UtcDateTime type

    def record_digest(self, start: datetime, end: datetime, count: int, now: datetime) -> None:
        with translate_errors("saving the digest"), self._write() as conn, conn.begin():
            conn.execute(
                digests.insert().values(
                    created_at=now, window_start=start, window_end=end, item_count=count
                )
            )


class ItemWriter:
    """Adds items inside an ``exclusive_writer`` transaction."""

    def __init__(self, conn: Connection, events: ItemEvents | None = None) -> None:
        self._conn = conn
        self._events = events

    def add(self, item: NewItem, fingerprint: TextFingerprint) -> bool:
        """Insert the item, its entry id and fingerprint; False if it is already stored."""
        try:
            with self._conn.begin_nested():
                result = self._conn.execute(items.insert().values(_item_row(item)))
                seq = int(result.inserted_primary_key[0])  # type: ignore[index]
                search.index_item(self._conn, seq, item.title, item.text)
                if item.entry_id and item.feed_id is not None:
                    _remember_entry_id(self._conn, item.feed_id, item.entry_id, item.id)
                fingerprints.write_fingerprint(self._conn, "item", item.id, fingerprint)
                if self._events is not None:
                    self._events.item_added(self._conn, item)
        except IntegrityError:
            return False
        return True


def _item_select() -> Any:
    """Items with their feed's name and URL and the analyst's triage (one query)."""
    return (
        select(
            items,
            feeds.c.name.label("feed_name"),
            feeds.c.url.label("feed_url"),
            triage.c.read.label("t_read"),
            triage.c.starred.label("t_starred"),
            triage.c.dismissed.label("t_dismissed"),
            triage.c.label.label("t_label"),
            triage.c.note.label("t_note"),
            triage.c.updated_at.label("t_updated_at"),
        )
        .outerjoin(feeds, feeds.c.id == items.c.feed_id)
        .outerjoin(triage, triage.c.item_id == items.c.id)
    )


def _triage_values(row: Row[Any] | None) -> dict[str, Any]:
    if row is None:
        return {"read": False, "starred": False, "dismissed": False, "label": None, "note": None}
    return {
        "read": row.read,
        "starred": row.starred,
        "dismissed": row.dismissed,
        "label": row.label,
        "note": row.note,
    }


def _triage(row: Row[Any]) -> Triage:
    return Triage(
        read=bool(row.read),
        starred=bool(row.starred),
        dismissed=bool(row.dismissed),
        label=row.label,
        note=row.note,
        updated_at=row.updated_at,
    )


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _remember_entry_id(conn: Connection, feed_id: int, entry_id: str, item_id: str) -> None:
    exists = conn.execute(
        select(entry_ids.c.item_id).where(
            entry_ids.c.feed_id == feed_id, entry_ids.c.entry_id == entry_id
        )
    ).first()
    if exists is None:
        conn.execute(entry_ids.insert().values(feed_id=feed_id, entry_id=entry_id, item_id=item_id))


def _relevance_values(rel: Relevance) -> dict[str, Any]:
    return {
        "relevance_score": rel.score,
        "relevant": rel.relevant,
        "tags": list(rel.tags),
        "evidence": [
            {"term": e.term, "tag": e.tag, "count": e.count, "weight": e.weight}
            | ({"where": e.where, "facet": e.facet} if e.where or e.facet else {})
            for e in rel.evidence
        ],
        "closest_seed": rel.closest_seed,
        "closest_seed_similarity": rel.closest_seed_similarity,
        "entities": {"groups": list(rel.entities.groups), "places": list(rel.entities.places)},
    }


def _item_row(item: NewItem) -> dict[str, Any]:
    dup = item.duplicate_of
    return {
        "id": item.id,
        "feed_id": item.feed_id,
        "url": item.url,
        "canonical_url": item.canonical_url,
        "entry_id": item.entry_id,
        "title": item.title,
        "authors": list(item.authors),
        "published_at": item.published_at,
        "fetched_at": item.fetched_at,
        "stored_at": item.fetched_at,
        "language": item.language,
        "text": item.text,
        "text_source": item.text_source,
        "content_hash": item.content_hash,
        "lexicon_version": item.lexicon_version,
        "duplicate_kind": dup.kind if dup else None,
        "duplicate_id": dup.id if dup else None,
        "duplicate_similarity": dup.similarity if dup else None,
        "duplicate_reason": item.duplicate_reason or None,
        "story_id": item.story_id,
        "story_reason": item.story_reason,
        "published_at_source": item.published_at_source,
        **_relevance_values(item.relevance),
    }


def _stored_item(r: Row[Any]) -> StoredItem:
    dup = (
        DuplicateRef(kind=r.duplicate_kind, id=r.duplicate_id, similarity=r.duplicate_similarity)
        if r.duplicate_kind
        else None
    )
    relevance = Relevance(
        score=r.relevance_score,
        relevant=bool(r.relevant),
        tags=tuple(r.tags or ()),
        evidence=tuple(Evidence(**e) for e in (r.evidence or ())),
        closest_seed=r.closest_seed,
        closest_seed_similarity=r.closest_seed_similarity or 0.0,
        entities=Entities(
            groups=tuple((r.entities or {}).get("groups", ())),
            places=tuple((r.entities or {}).get("places", ())),
        ),
    )
    triaged = r.t_updated_at is not None
    return StoredItem(
        seq=r.seq,
        id=r.id,
        url=r.url,
        canonical_url=r.canonical_url,
        title=r.title,
        authors=tuple(r.authors or ()),
        published_at=r.published_at,
        fetched_at=r.fetched_at,
        stored_at=r.stored_at,
        language=r.language,
        text=r.text,
        text_source=r.text_source,
        source_name=r.feed_name,
        source_feed_url=r.feed_url,
        content_hash=r.content_hash,
        relevance=relevance,
        duplicate_of=dup,
        story_id=r.story_id,
        story_reason=r.story_reason,
        triage=Triage(
            read=bool(r.t_read),
            starred=bool(r.t_starred),
            dismissed=bool(r.t_dismissed),
            label=r.t_label,
            note=r.t_note,
            updated_at=r.t_updated_at,
        )
        if triaged
        else Triage(),
        published_at_source=r.published_at_source,
        updated_seq=r.updated_seq,
    )


def _feed_state(r: Row[Any]) -> FeedState:
    return FeedState(
        id=r.id,
        url=r.url,
        name=r.name,
        language=r.language,
        enabled=bool(r.enabled),
        interval_s=r.interval_s,
        current_interval_s=r.current_interval_s,
        caching=CachingInfo(etag=r.etag, last_modified=r.last_modified, body_hash=r.body_hash),
        next_fetch_at=r.next_fetch_at,
        last_fetched_at=r.last_fetched_at,
        last_success_at=r.last_success_at,
        last_new_item_at=r.last_new_item_at,
        last_error=r.last_error,
        consecutive_failures=r.consecutive_failures,
        state=r.state,
        items_stored=r.items_stored,
        hint_s=r.hint_s,
        entry_keys=tuple(r.entry_keys or ()),
        missed_at=r.missed_at,
        missed_count=r.missed_count or 0,
    )
