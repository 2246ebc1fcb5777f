"""Triage: the analyst's decisions persist, survive a rescore and show in the item record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.dedup import DuplicateDetector
from monitor.records import item_record
from monitor.settings import DedupSettings
from monitor.store import Store
from monitor.types import Entities, NewItem, Relevance

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'triage.db'}")
    s.migrate()
    return s


def add(store: Store, item_id: str, *, entities: Entities | None = None) -> None:
    text = f"Security forces in Bannu said {item_id} militants were killed in an operation."
    fp = DuplicateDetector(DedupSettings(), store.fingerprint_index).fingerprint(text)
    rel = Relevance(0.9, True, ("ttp",), (), entities=entities or Entities())
    item = NewItem(
        id=item_id,
        feed_id=None,
        url=f"https://example.org/{item_id}",
        canonical_url=f"https://example.org/{item_id}",
        entry_id=None,
        title=item_id,
        authors=(),
        published_at=NOW,
        fetched_at=NOW,
        language="en",
        text=text,
        text_source="page",
        content_hash=fp.content_hash,
        relevance=rel,
        lexicon_version="v",
        duplicate_of=None,
        duplicate_reason="",
        story_id=item_id,
    )
    assert store.add_item(item, fp)


def test_untriaged_item_has_the_default_triage_object(store: Store) -> None:
    add(store, "a1")
    record = item_record(next(store.items()))
    assert record["triage"] == {
        "read": False,
        "starred": False,
        "dismissed": False,
        "label": None,
        "note": None,
        "updated_at": None,
    }


def test_triage_changes_merge_and_persist_across_stores(store: Store, tmp_path: Path) -> None:
    add(store, "a1")
    first = store.set_triage("a1", {"starred": True, "note": "check casualty figures"}, NOW)
    assert first is not None and first.starred and not first.read
    second = store.set_triage("a1", {"label": "relevant"}, NOW)
    assert second is not None
    assert (second.starred, second.label, second.note) == (
        True,
        "relevant",
        "check casualty figures",
    )
    store.close()
    reopened = Store(f"sqlite:///{tmp_path / 'triage.db'}")
    item = reopened.item("a1")
    assert item is not None
    assert item_record(item)["triage"]["updated_at"] == "2026-11-30T09:00:00Z"
    assert [i.id for i in reopened.items(labelled_only=True)] == ["a1"]


def test_triage_of_unknown_item_is_none_and_bad_label_is_refused(store: Store) -> None:
    add(store, "a1")
    assert store.set_triage("missing", {"read": True}, NOW) is None
    with pytest.raises(ValueError, match="label must be one of"):
        store.set_triage("a1", {"label": "maybe"}, NOW)
    with pytest.raises(ValueError, match="unknown triage field"):
        store.set_triage("a1", {"colour": "red"}, NOW)


def test_rescoring_keeps_the_label_and_entities_round_trip(store: Store) -> None:
    add(store, "a1", entities=Entities(groups=("TTP",), places=("Bannu",)))
    store.set_triage("a1", {"label": "not_relevant"}, NOW)
    item = store.item("a1")
    assert item is not None
    store.update_relevance("a1", Relevance(0.2, False, (), ()), "v2")
    again = store.item("a1")
    assert again is not None and again.triage.label == "not_relevant"
    assert item_record(item)["entities"] == {"groups": ["TTP"], "places": ["Bannu"]}
