"""The store: the only place that knows SQL. Domain methods in, value types out.

Every write is one transaction; an item, its entry id and its fingerprint
are written together or not at all, so a worker killed mid-item leaves
nothing half-stored and the entry is simply picked up again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Row, and_, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from monitor.dedup import TextFingerprint
from monitor.exceptions import StoreError
from monitor.store import fingerprints, search
from monitor.store.engine import make_engine, translate_errors
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


class Store(WorkbenchQueries):
    """Domain operations over one database (SQLite or PostgreSQL); the workbench's
    queries (search, stories, feed management) are in ``WorkbenchQueries``."""

    def __init__(self, url: str, *, busy_timeout_s: float = 30.0) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, busy_timeout_s=busy_timeout_s)
        self.fingerprint_index = fingerprints.SqlFingerprintIndex(self.engine)

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
        """Raise StoreError with one line if the database cannot be reached or is not set up."""
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
                    select(feeds.c.id, feeds.c.url, feeds.c.origin, feeds.c.user_enabled)
                )
            }
            for url, cfg in wanted.items():
                old = existing.get(url)
                chosen = old.user_enabled if old is not None else None
                values = {
                    "name": cfg.name,
                    "language": cfg.language,
                    "enabled": cfg.enabled if chosen is None else chosen,
                    "interval_s": cfg.interval_s,
                    "origin": "config",
                }
                if url in existing:
                    conn.execute(update(feeds).where(feeds.c.id == existing[url].id).values(values))
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

    def feed_states(self, *, enabled_only: bool = False) -> list[FeedState]:
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
        with translate_errors("reading feeds"), self.engine.connect() as conn:
            return [_feed_state(r) for r in conn.execute(query)]

    def claim_due_feeds(
        self, now: datetime, owner: str, lease: timedelta, *, all_enabled: bool = False
    ) -> list[FeedState]:
        """Lease the feeds due at ``now`` to ``owner`` so that workers sharing a database
        never poll the same feed at once; an expired lease (a killed worker) is free again."""
        free = or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now)
        due = and_(feeds.c.enabled.is_(True), free)
        if not all_enabled:
            due = and_(due, feeds.c.next_fetch_at <= now)
        with translate_errors("claiming due feeds"), self._write() as conn, conn.begin():
            ids = [r.id for r in conn.execute(select(feeds.c.id).where(due))]
            if ids:
                conn.execute(
                    update(feeds)
                    .where(feeds.c.id.in_(ids), free)
                    .values(lease_owner=owner, lease_until=now + lease)
                )
        claimed = {s.id: s for s in self.feed_states(enabled_only=True)}
        return [claimed[i] for i in ids if i in claimed]

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

    def record_feed_outcome(self, feed_id: int, outcome: FeedOutcome) -> None:
        """Store what a poll did to a feed and release its lease. Validators are only
        replaced when the outcome carries new ones (never on error)."""
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
        if outcome.error is None:
            values["last_success_at"] = outcome.fetched_at
        else:
            values["last_error"] = outcome.error
            values["last_error_at"] = outcome.fetched_at
        if outcome.new_items:
            values["last_new_item_at"] = outcome.fetched_at
        with translate_errors("saving feed state"), self._write() as conn, conn.begin():
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(values))

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
            yield ItemWriter(conn)

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
            row = conn.execute(select(triage).where(triage.c.item_id == item_id)).one()
        return _triage(row)

    def update_relevance(self, item_id: str, relevance: Relevance, lexicon_version: str) -> None:
        with translate_errors("saving a new score"), self._write() as conn, conn.begin():
            conn.execute(
                update(items)
                .where(items.c.id == item_id)
                .values({**_relevance_values(relevance), "lexicon_version": lexicon_version})
            )

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

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

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
        caching=CachingInfo(etag=r.etag, last_modified=r.last_modified),
        next_fetch_at=r.next_fetch_at,
        last_fetched_at=r.last_fetched_at,
        last_success_at=r.last_success_at,
        last_new_item_at=r.last_new_item_at,
        last_error=r.last_error,
        consecutive_failures=r.consecutive_failures,
        state=r.state,
        items_stored=r.items_stored,
    )
