"""Every story link stays within ``dedup.story_window`` and says which rule made it.

The revised-toll rule (same words, only the figures differ) used to link at any distance:
daily road-accident roundups 12 days apart, weekly reserve figures. Real store, real
detector; the reason is stored with the item and shown in its record.
"""

from __future__ import annotations

from datetime import timedelta

from dedup_support import WHEN, ingest

from monitor.dedup import DuplicateDetector
from monitor.records import item_record
from monitor.settings import DedupSettings
from monitor.store import Store

ROUNDUP = (
    "At least 14 people were killed and 31 injured in road accidents across the province "
    "over the past 24 hours, the rescue service said in its daily report. Most of the "
    "accidents involved motorcycles and were caused by speeding and careless driving, "
    "according to the report. Rescue teams responded to 1,204 emergency calls, shifted the "
    "injured to hospitals and gave first aid to others at the scene. The spokesman urged "
    "drivers to follow traffic rules, wear helmets and avoid overloading vehicles, saying "
    "that most deaths on the roads could be prevented with simple precautions."
)
RESERVES = (
    "The liquid foreign exchange reserves held by the central bank rose by $52 million to "
    "$11.45 billion in the week ended on Friday, the bank said in its weekly statement. "
    "Total liquid reserves of the country stood at $16.10 billion, with net reserves held "
    "by commercial banks at $4.65 billion. The increase came after official inflows, the "
    "statement said, while external debt repayments continued during the week. Analysts "
    "said the reserves were enough to cover about two months of imports and that more "
    "inflows were expected from multilateral lenders before the end of the fiscal year."
)


def _later_roundup() -> str:
    return (
        ROUNDUP.replace("14 people", "9 people")
        .replace("31 injured", "27 injured")
        .replace("1,204", "1,118")
    )


def _next_week() -> str:
    return (
        RESERVES.replace("$52 million", "$36 million")
        .replace("$11.45", "$11.49")
        .replace("$16.10", "$16.13")
    )


def test_a_revised_toll_within_the_window_joins_the_story_and_says_why(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "day1", ROUNDUP)
    verdict = ingest(
        store, detector, "day1b", _later_roundup(), published_at=WHEN + timedelta(hours=6)
    )
    assert verdict.duplicate_of is None
    assert verdict.story_id == "day1"
    assert verdict.story_reason is not None
    assert verdict.story_reason.startswith("similar wording to item day1")
    assert "figures revised" in verdict.story_reason
    stored = store.item("day1b")
    assert stored is not None
    assert stored.story_reason == verdict.story_reason
    assert item_record(stored)["story_reason"] == verdict.story_reason


def test_daily_roundups_twelve_days_apart_are_two_stories(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "d1", ROUNDUP)
    later = WHEN + timedelta(days=12)
    verdict = ingest(store, detector, "d13", _later_roundup(), published_at=later, fetched_at=later)
    assert verdict.duplicate_of is None
    assert verdict.story_id is None
    assert verdict.story_reason is None


def test_weekly_reserve_figures_are_not_one_story(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "w1", RESERVES)
    later = WHEN + timedelta(days=7)
    verdict = ingest(store, detector, "w2", _next_week(), published_at=later, fetched_at=later)
    assert verdict.story_id is None


def test_the_window_is_configuration(store: Store) -> None:
    wide = DuplicateDetector(DedupSettings(story_window=14 * 86400.0), store.fingerprint_index)
    ingest(store, wide, "d1", ROUNDUP)
    later = WHEN + timedelta(days=12)
    verdict = ingest(store, wide, "d13", _later_roundup(), published_at=later, fetched_at=later)
    assert verdict.story_id == "d1"
    assert verdict.story_reason is not None and verdict.story_reason.endswith("12 days apart")


def test_a_copy_says_it_is_a_copy(store: Store, detector: DuplicateDetector) -> None:
    ingest(store, detector, "c1", ROUNDUP)
    verdict = ingest(store, detector, "c2", ROUNDUP.upper())
    assert verdict.story_id == "c1"
    assert verdict.story_reason == "copy of item c1"
