"""The store's workbench queries on SQLite and PostgreSQL: search, filters, stories, feeds."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from monitor.dedup import TextFingerprint
from monitor.store import Store
from monitor.store.queries import FeedExists, ItemFilter
from monitor.types import DuplicateRef, Entities, FeedConfig, NewItem, Relevance

PG = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'w.db'}")
        s.migrate()
        yield s
        s.close()
        return
    schema = f"monitor_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = PG.replace("postgresql://", "postgresql+psycopg://", 1)
    s = Store(f"{base}?options=-csearch_path%3D{schema}")
    try:
        s.migrate()
        yield s
    finally:
        s.close()
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _add(
    store: Store,
    n: int,
    title: str,
    text: str,
    *,
    feed: int,
    story: str,
    relevant: bool = True,
    dup: str | None = None,
    tags: tuple[str, ...] = ("ttp",),
    places: tuple[str, ...] = (),
) -> str:
    item_id = f"item{n:028d}"
    at = NOW - timedelta(hours=10 - n)
    item = NewItem(
        id=item_id,
        feed_id=feed,
        url=f"https://example.org/{n}",
        canonical_url=f"https://example.org/{n}",
        entry_id=None,
        title=title,
        authors=(),
        published_at=at,
        fetched_at=at,
        language=None,
        text=text,
        text_source="page",
        content_hash=f"{n:064x}",
        relevance=Relevance(
            score=0.8 if relevant else 0.1,
            relevant=relevant,
            tags=tags if relevant else (),
            evidence=(),
            entities=Entities(groups=("TTP",), places=places),
        ),
        lexicon_version=None,
        duplicate_of=DuplicateRef("item", dup, 0.95) if dup else None,
        duplicate_reason="",
        story_id=story,
    )
    assert store.add_item(item, TextFingerprint(content_hash=item.content_hash))
    return item_id


@pytest.fixture
def filled(store: Store) -> dict[str, str]:
    store.sync_feeds(
        [FeedConfig(url=f"https://o{i}.example/feed", name=f"Outlet {i}") for i in range(3)], NOW
    )
    f = [s.id for s in store.feed_states()]
    return {
        "bannu": _add(
            store, 1, "Attack in Bannu", "Militants attacked a police post in Bannu district.",
            feed=f[0], story="s1", places=("Bannu",),
        ),
        "copy": _add(
            store, 2, "Attack in Bannu (wire)", "Militants attacked a police post in Bannu.",
            feed=f[1], story="s1", dup="item" + "1".zfill(28),
        ),
        "second": _add(
            store, 3, "Bannu police post attack: follow-up", "The police post in Bannu reopened.",
            feed=f[2], story="s1", tags=("militant-attack",),
        ),
        "urdu": _add(
            store, 4, "شمالی وزیرستان میں کارروائی", "شمالی وزیرستان کے علاقے میر علی میں کارروائی",
            feed=f[0], story="s2", places=("North Waziristan",),
        ),
        "cricket": _add(
            store, 5, "Cricket in Sharjah", "Afghanistan beat Pakistan by six wickets.",
            feed=f[1], story="s3", relevant=False,
        ),
    }  # fmt: skip


def _ids(store: Store, **kw: object) -> set[str]:
    return {i.id for i in store.find_items(ItemFilter(**kw))}  # type: ignore[arg-type]


def test_search_normalises_and_keeps_phrases(store: Store, filled: dict[str, str]) -> None:
    assert _ids(store, q="police post") == {filled["bannu"], filled["second"]}
    assert _ids(store, q='"post in Bannu reopened"') == {filled["second"]}
    assert _ids(store, q='"a police post in Bannu"') == {filled["bannu"]}  # the copy: duplicate
    assert _ids(store, q='"a police post in Bannu"', include_duplicates=True) == {
        filled["bannu"],
        filled["copy"],
    }
    assert _ids(store, q="شمالي وزيرستان") == {filled["urdu"]}  # Arabic yeh
    assert _ids(store, q="وزیرستان") == {filled["urdu"]}
    assert _ids(store, q="MILITANTS") == {filled["bannu"]}
    assert _ids(store, q="\"' OR 1=1 --") == set()


def test_filters(store: Store, filled: dict[str, str]) -> None:
    assert _ids(store, relevant=False) == {filled["cricket"]}
    assert _ids(store, tag="militant-attack") == {filled["second"]}
    assert _ids(store, place="Bannu") == {filled["bannu"]}
    assert _ids(store, group="TTP") == set(filled.values()) - {filled["copy"]}
    assert _ids(store, story="s2") == {filled["urdu"]}
    assert _ids(store, min_score=0.5) == set(filled.values()) - {filled["copy"], filled["cricket"]}
    store.set_triage(filled["bannu"], {"starred": True, "read": True}, NOW)
    store.set_triage(filled["urdu"], {"dismissed": True, "label": "relevant"}, NOW)
    assert _ids(store, triage="starred") == {filled["bannu"]}
    assert _ids(store, triage="labelled") == {filled["urdu"]}
    assert filled["bannu"] not in _ids(store, triage="unread")
    assert filled["urdu"] not in _ids(store, hide_dismissed=True)
    assert store.unread_counts() == {"unread": 1, "starred": 1}  # "second"; urdu is dismissed


def test_stories_with_outlets_and_keyset(store: Store, filled: dict[str, str]) -> None:
    stories = store.stories(ItemFilter(relevant=True))
    assert [s.story_id for s in stories] == ["s2", "s1"]  # newest matching item first
    s1 = stories[1]
    assert [i.id for i in s1.reports] == [filled["bannu"], filled["second"]]  # earliest first
    assert [i.id for i in s1.copies] == [filled["copy"]]
    assert s1.outlets == 3  # the wire copy's outlet counts
    first = store.stories(ItemFilter(relevant=True), limit=1)
    rest = store.stories(ItemFilter(relevant=True), before=first[0].newest_seq)
    assert [s.story_id for s in first + rest] == ["s2", "s1"]
    assert store.duplicates_of(filled["bannu"])[0].id == filled["copy"]


def test_overview_counts_by_tag_and_place(store: Store, filled: dict[str, str]) -> None:
    overview = store.overview(NOW + timedelta(hours=1))
    assert sum(overview.per_day_by_tag["ttp"]) == 2  # bannu, urdu (the copy is a duplicate)
    assert dict(overview.top_places) == {"Bannu": 1, "North Waziristan": 1}


def test_user_feeds_survive_sync_and_choices_stick(store: Store) -> None:
    configured = [FeedConfig(url="https://a.example/feed", name="A")]
    store.sync_feeds(configured, NOW)
    user_id = store.add_user_feed("https://b.example/feed", "B", NOW)
    with pytest.raises(FeedExists):
        store.add_user_feed("https://b.example/feed", "B again", NOW)
    a = next(s for s in store.feed_states() if s.name == "A")
    assert store.update_feed(a.id, enabled=False)
    store.sync_feeds(configured, NOW)  # `monitor init` again
    states = {s.name: s for s in store.feed_states()}
    assert states["B"].enabled and not states["A"].enabled  # user feed kept, choice kept
    assert store.remove_feed(a.id) == "disabled"  # configured: disabled, not deleted
    assert store.remove_feed(user_id) == "removed"
    assert store.remove_feed(user_id) == "missing"
    store.sync_feeds([], NOW)  # removed from the feed list: disabled, not deleted
    assert [s.name for s in store.feed_states()] == ["A"]
