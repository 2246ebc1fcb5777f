"""The workbench's queries: filtered and searched items with keyset pagination,
stories with their reports and outlets, counts for the overview, feed management.

A mixin of ``Store`` (kept apart so the main store file stays small); it uses the
store's engine, write transactions and row mapping.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, Integer, and_, bindparam, column, func, or_, select, text, update
from sqlalchemy.sql.elements import ColumnElement

from monitor.store import search
from monitor.store.engine import translate_errors
from monitor.store.schema import feeds, items, triage
from monitor.types import FeedState, StoredItem

TriageFilter = Literal["unread", "starred", "dismissed", "labelled"]
TRIAGE_FILTERS: tuple[TriageFilter, ...] = ("unread", "starred", "dismissed", "labelled")
_SCAN_BATCH = 400
_SEARCH_WINDOW = 2000  # matching seqs read per step of a search (see matching_window)


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """What the API, the pages and the CLI may ask of the stored items. None: no filter."""

    relevant: bool | None = None
    tag: str | None = None
    feed_id: int | None = None
    language: str | None = None
    place: str | None = None
    group: str | None = None
    story: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    triage: TriageFilter | None = None
    min_score: float | None = None
    q: str | None = None
    include_duplicates: bool = False
    hide_dismissed: bool = False


@dataclass(frozen=True, slots=True)
class Story:
    """Items that report the same story: ``reports`` earliest first, ``copies`` the
    duplicates of those reports (syndicated wire copies); ``outlets`` counts the
    distinct sources over both."""

    story_id: str
    reports: tuple[StoredItem, ...]
    copies: tuple[StoredItem, ...]
    outlets: int
    newest_seq: int

    @property
    def lead(self) -> StoredItem:
        return self.reports[0] if self.reports else self.copies[0]


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed's state, where it came from, and how much it has been giving lately."""

    state: FeedState
    origin: str
    items_per_day: float


@dataclass(frozen=True, slots=True)
class Overview:
    """Relevant items per day by tag, and the places most reported in the last week."""

    days: tuple[date, ...]
    per_day_by_tag: dict[str, list[int]] = field(default_factory=dict)
    top_places: list[tuple[str, int]] = field(default_factory=list)


class FeedExists(ValueError):
    """A feed with this URL is already stored."""


class WorkbenchQueries:
    """Search, stories, counts and feed management over ``self.engine``."""

    engine: Engine

    def _write(self) -> Any:  # pragma: no cover - Store defines it
        raise NotImplementedError

    # -- items ----------------------------------------------------------------

    def find_items(
        self,
        f: ItemFilter,
        *,
        after: int | None = None,
        before: int | None = None,
        newest_first: bool = False,
        limit: int = 50,
    ) -> list[StoredItem]:
        """Items matching ``f`` in cursor order (``after``) or newest first (``before``)."""
        from monitor.store.store import _item_select, _stored_item

        parsed = search.parse_query(f.q) if f.q else None
        if parsed is not None and not parsed.empty:
            return self._search_items(f, parsed, after, before, newest_first, limit)
        cond = self._conditions(f)
        if after is not None:
            cond.append(items.c.seq > after)
        if before is not None:
            cond.append(items.c.seq < before)
        order = items.c.seq.desc() if newest_first else items.c.seq
        query = _item_select().where(*cond).order_by(order).limit(limit)
        with translate_errors("searching items"), self.engine.connect() as conn:
            return [_stored_item(r) for r in conn.execute(query)]

    def _search_items(
        self,
        f: ItemFilter,
        parsed: search.SearchQuery,
        above: int | None,
        below: int | None,
        newest_first: bool,
        limit: int,
    ) -> list[StoredItem]:
        """Matches of ``parsed`` a window at a time, filtered, until the page is full."""
        from monitor.store.store import _item_select, _stored_item

        cond = self._conditions(replace(f, q=None))
        order = items.c.seq.desc() if newest_first else items.c.seq
        window = max(4 * limit, _SEARCH_WINDOW)
        found: list[StoredItem] = []
        with translate_errors("searching items"), self.engine.connect() as conn:
            while len(found) < limit:
                seqs = search.matching_window(
                    conn, parsed, above=above, below=below, newest_first=newest_first, size=window
                )
                if not seqs:
                    break
                query = (
                    _item_select()
                    .where(*cond, items.c.seq.in_(seqs))
                    .order_by(order)
                    .limit(limit - len(found))
                )
                found += [_stored_item(r) for r in conn.execute(query)]
                if len(seqs) < window:
                    break
                if newest_first:
                    below = seqs[-1]
                else:
                    above = seqs[-1]
        return found

    def duplicates_of(self, item_id: str) -> list[StoredItem]:
        """The stored duplicates of an item, most similar first."""
        from monitor.store.store import _item_select, _stored_item

        query = _item_select().where(
            items.c.duplicate_kind == "item", items.c.duplicate_id == item_id
        )
        with translate_errors("reading duplicates"), self.engine.connect() as conn:
            found = [_stored_item(r) for r in conn.execute(query)]
        return sorted(found, key=lambda i: -(i.duplicate_of.similarity if i.duplicate_of else 0))

    # -- stories --------------------------------------------------------------

    def stories(self, f: ItemFilter, *, before: int | None = None, limit: int = 20) -> list[Story]:
        """Stories with an item matching ``f``, newest matching item first.

        Keyset: a story's place is its newest matching item's seq; the next page
        starts below the last story's. Items are scanned newest first in batches
        until ``limit`` stories are found, so the cost follows the page, not the table.
        """
        cond = self._conditions(f)
        found: dict[str, int] = {}
        cursor = before
        with translate_errors("listing stories"), self.engine.connect() as conn:
            while len(found) < limit:
                page = [*cond] + ([items.c.seq < cursor] if cursor is not None else [])
                rows = conn.execute(
                    select(items.c.seq, items.c.story_id)
                    .outerjoin(triage, triage.c.item_id == items.c.id)
                    .where(*page)
                    .order_by(items.c.seq.desc())
                    .limit(_SCAN_BATCH)
                ).all()
                fresh = [r for r in rows if r.story_id not in found]
                shown = self._stories_at_or_above(conn, cond, fresh, before)
                for r in fresh:
                    if r.story_id not in found and r.story_id not in shown:
                        found[r.story_id] = r.seq
                        if len(found) == limit:
                            break
                if len(rows) < _SCAN_BATCH:
                    break
                cursor = rows[-1].seq
        return self._load_stories(found)

    def story(self, story_id: str) -> Story | None:
        with translate_errors("reading a story"), self.engine.connect() as conn:
            newest = conn.scalar(select(func.max(items.c.seq)).where(items.c.story_id == story_id))
        if newest is None:
            return None
        return self._load_stories({story_id: newest})[0]

    def _stories_at_or_above(
        self, conn: Any, cond: list[Any], rows: Sequence[Any], before: int | None
    ) -> set[str]:
        """Stories among ``rows`` already shown on an earlier page (a match at/above ``before``)."""
        if before is None or not rows:
            return set()
        ids = list({r.story_id for r in rows})
        query = (
            select(items.c.story_id)
            .outerjoin(triage, triage.c.item_id == items.c.id)
            .where(*cond, items.c.seq >= before, items.c.story_id.in_(ids))
            .distinct()
        )
        return set(conn.scalars(query))

    def _load_stories(self, found: dict[str, int]) -> list[Story]:
        from monitor.store.store import _item_select, _stored_item

        if not found:
            return []
        with translate_errors("reading stories"), self.engine.connect() as conn:
            members = [
                _stored_item(r)
                for r in conn.execute(_item_select().where(items.c.story_id.in_(list(found))))
            ]
            report_ids = [m.id for m in members if m.duplicate_of is None]
            copies = [
                _stored_item(r)
                for r in conn.execute(
                    _item_select().where(
                        items.c.duplicate_kind == "item", items.c.duplicate_id.in_(report_ids)
                    )
                )
            ]
        by_story: dict[str, list[StoredItem]] = defaultdict(list)
        story_of = {m.id: m.story_id for m in members}
        for m in members:
            by_story[m.story_id].append(m)
        for c in copies:
            if c.duplicate_of is not None and c.story_id not in found:
                by_story[story_of[c.duplicate_of.id]].append(c)
        result = []
        for story_id, newest in sorted(found.items(), key=lambda kv: -kv[1]):
            all_items = sorted({i.id: i for i in by_story[story_id]}.values(), key=_earliest)
            result.append(
                Story(
                    story_id=story_id,
                    reports=tuple(i for i in all_items if i.duplicate_of is None),
                    copies=tuple(i for i in all_items if i.duplicate_of is not None),
                    outlets=len({i.source_feed_url or i.source_name or i.id for i in all_items}),
                    newest_seq=newest,
                )
            )
        return result

    # -- counts ---------------------------------------------------------------

    def unread_counts(self) -> dict[str, int]:
        """Relevant, not-duplicate, not-dismissed items: how many unread, how many starred.

        Counted as all relevant items (from the index alone) less the triaged ones
        read or dismissed (the triage table is small), so the cost does not grow with
        the rows of ``items``.
        """
        relevant = and_(items.c.relevant.is_(True), items.c.duplicate_kind.is_(None))
        total = select(func.count()).select_from(items).where(relevant)
        triaged = (
            select(
                func.count()
                .filter(or_(triage.c.read.is_(True), triage.c.dismissed.is_(True)))
                .label("seen"),
                func.count()
                .filter(triage.c.starred.is_(True), triage.c.dismissed.is_(False))
                .label("starred"),
            )
            .select_from(triage.join(items, items.c.id == triage.c.item_id))
            .where(relevant)
        )
        with translate_errors("counting unread items"), self.engine.connect() as conn:
            n = conn.scalar(total) or 0
            row = conn.execute(triaged).one()
        return {"unread": n - (row.seen or 0), "starred": row.starred or 0}

    def overview(self, now: datetime, *, days: int = 30, places: int = 10) -> Overview:
        """Relevant items per day by tag over ``days`` days, top places over the last 7."""
        start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
        query = select(items.c.stored_at, items.c.tags, items.c.entities).where(
            items.c.relevant.is_(True),
            items.c.duplicate_kind.is_(None),
            items.c.stored_at >= start,
        )
        day_list = tuple((start + timedelta(days=i)).date() for i in range(days))
        index = {d: i for i, d in enumerate(day_list)}
        per_tag: dict[str, list[int]] = defaultdict(lambda: [0] * days)
        place_counts: Counter[str] = Counter()
        week = now - timedelta(days=7)
        with translate_errors("reading the overview"), self.engine.connect() as conn:
            for stored_at, tags, entities in conn.execute(query):
                i = index.get(stored_at.date())
                if i is not None:
                    for tag in tags or ["(untagged)"]:
                        per_tag[tag][i] += 1
                if stored_at >= week:
                    place_counts.update(set((entities or {}).get("places", ())))
        return Overview(day_list, dict(per_tag), place_counts.most_common(places))

    # -- feeds ----------------------------------------------------------------

    def feed_health(self, now: datetime) -> list[FeedHealth]:
        """Every feed's state with its origin and items stored per day over the last week."""
        states = self.feed_states()  # type: ignore[attr-defined]
        week = now - timedelta(days=7)
        with translate_errors("reading feed health"), self.engine.connect() as conn:
            origins = dict(conn.execute(select(feeds.c.id, feeds.c.origin)).all())
            recent: dict[int | None, int] = dict(
                conn.execute(
                    select(items.c.feed_id, func.count())
                    .where(items.c.stored_at >= week, items.c.duplicate_kind.is_(None))
                    .group_by(items.c.feed_id)
                ).all()
            )
        return [
            FeedHealth(s, origins.get(s.id, "config"), round(recent.get(s.id, 0) / 7, 2))
            for s in states
        ]

    def feed(self, feed_id: int) -> FeedState | None:
        found: list[FeedState] = [s for s in self.feed_states() if s.id == feed_id]  # type: ignore[attr-defined]
        return found[0] if found else None

    def add_user_feed(self, url: str, name: str, now: datetime) -> int:
        """Add a feed the analyst chose (``origin = 'user'``); FeedExists if the URL is stored."""
        with translate_errors("adding a feed"), self._write() as conn, conn.begin():
            if conn.scalar(select(feeds.c.id).where(feeds.c.url == url)) is not None:
                raise FeedExists(f"a feed with URL {url} is already stored")
            result = conn.execute(
                feeds.insert().values(
                    url=url,
                    name=name,
                    enabled=True,
                    next_fetch_at=now,
                    consecutive_failures=0,
                    state="new",
                    origin="user",
                )
            )
            return int(result.inserted_primary_key[0])

    def update_feed(
        self, feed_id: int, *, enabled: bool | None = None, name: str | None = None
    ) -> bool:
        """Enable/disable (remembered over the feed list) or rename; False if no such feed."""
        values: dict[str, Any] = {}
        if enabled is not None:
            values |= {"enabled": enabled, "user_enabled": enabled}
        if name is not None:
            values["name"] = name
        with translate_errors("updating a feed"), self._write() as conn, conn.begin():
            if conn.scalar(select(feeds.c.id).where(feeds.c.id == feed_id)) is None:
                return False
            if values:
                conn.execute(update(feeds).where(feeds.c.id == feed_id).values(values))
        return True

    def remove_feed(self, feed_id: int) -> Literal["removed", "disabled", "missing"]:
        """Remove a user feed (its items stay); a configured feed is disabled instead,
        since the next sync would bring it back: remove it from the feed list for good."""
        with translate_errors("removing a feed"), self._write() as conn, conn.begin():
            origin = conn.scalar(select(feeds.c.origin).where(feeds.c.id == feed_id))
            if origin is None:
                return "missing"
            if origin == "user":
                conn.execute(feeds.delete().where(feeds.c.id == feed_id))
                return "removed"
            conn.execute(
                update(feeds).where(feeds.c.id == feed_id).values(enabled=False, user_enabled=False)
            )
            return "disabled"

    # -- conditions -----------------------------------------------------------

    def _conditions(self, f: ItemFilter) -> list[Any]:
        pg = self.engine.dialect.name == "postgresql"
        cond: list[Any] = []
        if not f.include_duplicates:
            cond.append(items.c.duplicate_kind.is_(None))
        if f.relevant is not None:
            cond.append(items.c.relevant.is_(f.relevant))
        if f.feed_id is not None:
            cond.append(items.c.feed_id == f.feed_id)
        if f.language:
            cond.append(items.c.language == f.language)
        if f.story:
            cond.append(items.c.story_id == f.story)
        if f.since is not None:
            cond.append(items.c.stored_at >= f.since)
        if f.until is not None:
            cond.append(items.c.stored_at < f.until)
        if f.min_score is not None:
            cond.append(items.c.relevance_score >= f.min_score)
        if f.tag:
            cond.append(_json_has(pg, "items.tags", None, "tag_f", f.tag))
        if f.place:
            cond.append(_json_has(pg, "items.entities", "places", "place_f", f.place))
        if f.group:
            cond.append(_json_has(pg, "items.entities", "groups", "group_f", f.group))
        if f.triage is not None:
            cond.append(_triage_condition(f.triage))
        if f.hide_dismissed:
            cond.append(or_(triage.c.dismissed.is_(None), triage.c.dismissed.is_(False)))
        if f.q:
            parsed = search.parse_query(f.q)
            if parsed.empty:
                cond.append(items.c.seq.is_(None))  # a query of punctuation matches nothing
            else:
                sql, params = search.matching_seqs(self.engine.dialect.name, parsed)
                name = "seq" if pg else "rowid"
                sub = sql.bindparams(**params).columns(column(name, Integer))
                cond.append(items.c.seq.in_(sub))
        return cond


def _json_has(pg: bool, col: str, key: str | None, name: str, value: str) -> ColumnElement[bool]:
    """``value`` is an element of the JSON list ``col`` (or of ``col[key]``)."""
    if pg:
        target = f"CAST({col} AS JSONB)" + (f" -> '{key}'" if key else "")
        clause = text(f"jsonb_exists({target}, :{name})")
    else:
        path = f", '$.{key}'" if key else ""
        clause = text(f"EXISTS (SELECT 1 FROM json_each({col}{path}) WHERE value = :{name})")
    return clause.bindparams(bindparam(name, value))  # type: ignore[return-value]


def _triage_condition(which: TriageFilter) -> ColumnElement[bool]:
    if which == "unread":
        return or_(triage.c.read.is_(None), triage.c.read.is_(False))
    if which == "starred":
        return triage.c.starred.is_(True)
    if which == "dismissed":
        return triage.c.dismissed.is_(True)
    return triage.c.label.isnot(None)


def _earliest(item: StoredItem) -> tuple[datetime, int]:
    return (item.published_at or item.fetched_at, item.seq)
