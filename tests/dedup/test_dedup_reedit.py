"""Re-edited copies under the thresholds, and formula texts weeks apart.

A wire text re-edited by a second desk (sentences rewritten, one cut, one added) falls
between the containment thresholds; it is a copy when its facts agree with the stored
text's, and not when a figure changed. A near-identical text in a formula six weeks
later is a later event, not a copy.
"""

from __future__ import annotations

from datetime import timedelta

from dedup_support import WHEN, ingest

from monitor.dedup import DuplicateDetector
from monitor.dedup.compare import overlap, shingle_set
from monitor.dedup.tokens import tokenise
from monitor.store import Store

WIRE = (
    "PESHAWAR: Militants attacked a checkpost of the Frontier Corps in the Jamrud area of "
    "Khyber district late on Tuesday, killing four soldiers and injuring seven others, "
    "officials said. The attackers, who came from the hills north of the Torkham road, "
    "opened fire with heavy weapons and fled after a two-hour exchange of fire. Security "
    "forces cordoned off the area and began a search operation in Landi Kotal and the "
    "villages around it. The injured were taken to the Lady Reading Hospital in Peshawar, "
    "where doctors said two of them were in critical condition. No group has claimed the "
    "attack, but officials blamed fighters of the banned Tehreek-i-Taliban Pakistan, who "
    "have stepped up attacks in the district since the ceasefire ended in November. The "
    "provincial government announced compensation of Rs1 million for each of the families."
)


def _re_edited(text: str) -> str:
    return (
        text.replace("PESHAWAR: Militants attacked", "PESHAWAR (Agencies): Militants stormed")
        .replace("officials said. The attackers, who came", "a spokesman said. Attackers coming")
        .replace(" and fled after a two-hour exchange of fire", "")
        .replace("Security forces cordoned off the area", "Troops sealed the area")
        .replace("have stepped up attacks", "have increased their attacks")
        .replace("Rs1 million", "Rs1m")
        + " Traffic on the road was suspended for several hours."
    )


def test_the_re_edit_falls_between_the_thresholds() -> None:
    ov = overlap(shingle_set(tokenise(_re_edited(WIRE))), shingle_set(tokenise(WIRE)))
    assert 0.74 <= max(ov.contained, ov.contains) <= 0.88
    assert ov.jaccard < 0.7  # under the near-duplicate threshold for a text this short


def test_a_re_edit_whose_facts_agree_is_a_copy(store: Store, detector: DuplicateDetector) -> None:
    ingest(store, detector, "w1", WIRE)
    verdict = ingest(store, detector, "w2", _re_edited(WIRE), published_at=WHEN + timedelta(1))
    assert verdict.duplicate_of is not None, verdict.reason
    assert verdict.duplicate_of.id == "w1"
    assert verdict.reason.startswith(("re-edit of item w1", "near-duplicate of", "contained"))


def test_a_re_edit_with_another_toll_is_not_a_copy(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "w1", WIRE)
    other = _re_edited(WIRE).replace("killing four soldiers", "killing nine soldiers")
    verdict = ingest(store, detector, "w2", other, published_at=WHEN + timedelta(hours=2))
    assert verdict.duplicate_of is None
    assert verdict.story_id == "w1"  # a revised toll of the same attack: one story


def test_a_formula_text_six_weeks_later_is_a_new_event(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "w1", WIRE)
    later = WHEN + timedelta(days=42)
    verdict = ingest(store, detector, "w2", _re_edited(WIRE), published_at=later, fetched_at=later)
    assert verdict.duplicate_of is None
    assert verdict.story_id is None
