"""The detector on a real migrated SQLite store, driven the way the pipeline drives it."""

from __future__ import annotations

from datetime import timedelta

from dedup_support import WHEN, article, ingest, load_seed, seed_text

from monitor.dedup import DuplicateDetector
from monitor.settings import DedupSettings
from monitor.store import Store
from monitor.types import DuplicateRef

SEED = "000_a4cd76194f41d5b9"


def test_first_text_is_new_and_an_exact_copy_is_found(
    store: Store, detector: DuplicateDetector
) -> None:
    text = article("kabul_airstrike")
    assert ingest(store, detector, "a1", text).reason == "new"
    restyled = text.replace("'", "\u2019").upper()
    verdict = ingest(store, detector, "a2", restyled)
    assert verdict.duplicate_of == DuplicateRef(kind="item", id="a1", similarity=1.0)
    assert verdict.story_id == "a1"
    assert verdict.reason == "exact copy of item a1"


def test_wire_copy_is_a_near_duplicate_that_joins_the_story(
    store: Store, detector: DuplicateDetector
) -> None:
    text = article("chaman_clash_reuters")
    ingest(store, detector, "r1", text)
    copy = text.replace("(Reuters) -", "(Reuters) | Updated -").replace(
        "Qatar and Turkey have offered", "Qatar has offered"
    )
    verdict = ingest(store, detector, "r2", "Border clash at Chaman\n" + copy)
    assert verdict.duplicate_of is not None
    assert verdict.duplicate_of.id == "r1"
    assert verdict.duplicate_of.similarity > 0.8
    assert verdict.reason.startswith("near-duplicate of item r1 (jaccard 0.")
    assert verdict.story_id == "r1"


def test_main_article_and_fragment_of_a_seed_are_contained_in_it(
    store: Store, detector: DuplicateDetector
) -> None:
    text = seed_text(SEED)
    load_seed(store, detector, SEED, text)
    main = text.split("Pakistani Taliban announce Ramadan offensive")[0]
    fragment = text.split("ISLAMABAD: Pakistani authorities")[1]
    for name, part in (("main", main), ("fragment", fragment)):
        verdict = detector.check(part, detector.fingerprint(part), published_at=WHEN)
        assert verdict.duplicate_of is not None, name
        assert (verdict.duplicate_of.kind, verdict.duplicate_of.id) == ("seed", SEED)
        assert verdict.story_id is None
        assert "contained in seed" in verdict.reason


def test_too_short_to_tell_is_kept_as_new_and_says_so(
    store: Store, detector: DuplicateDetector
) -> None:
    text = seed_text(SEED)
    load_seed(store, detector, SEED, text)
    snippet = " ".join(text.split()[:25])
    verdict = detector.check(snippet, detector.fingerprint(snippet))
    assert verdict.duplicate_of is None
    assert verdict.reason.startswith("too short to tell (25 words)")


def test_same_formula_different_event_is_new_and_a_new_story(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "s1", article("ispr_datta_khel"))
    verdict = ingest(store, detector, "s2", article("ispr_tank"), published_at=WHEN + timedelta(1))
    assert verdict.duplicate_of is None
    assert verdict.story_id is None
    assert "different event (19 vs 12)" in verdict.reason


def test_other_write_up_joins_the_story_only_within_the_window(
    store: Store, detector: DuplicateDetector
) -> None:
    ingest(store, detector, "k1", article("kurram_convoy_dawn"))
    text = article("kurram_convoy_bbc")
    late = detector.check(text, detector.fingerprint(text), published_at=WHEN + timedelta(days=5))
    assert late.story_id is None
    near = ingest(store, detector, "k2", text, published_at=WHEN + timedelta(hours=3))
    assert near.duplicate_of is None
    assert near.story_id == "k1"
    assert near.reason.startswith("new; same story as item k1")


def test_story_date_falls_back_to_received_at(store: Store, detector: DuplicateDetector) -> None:
    ingest(store, detector, "k1", article("kurram_convoy_dawn"), published_at=None)
    text = article("kurram_convoy_bbc")
    undated = detector.check(text, detector.fingerprint(text))
    assert undated.story_id is None  # no date at all: no story is guessed
    received = detector.check(text, detector.fingerprint(text), received_at=WHEN)
    assert received.story_id == "k1"


def test_duplicates_are_not_indexed_so_matches_point_at_the_original(
    store: Store, detector: DuplicateDetector
) -> None:
    text = article("torkham_reopens")
    ingest(store, detector, "t1", text)
    ingest(store, detector, "t2", "Torkham update\n" + text)
    verdict = ingest(store, detector, "t3", "Trade news\n" + text + "\nMore soon.")
    assert verdict.duplicate_of is not None
    assert verdict.duplicate_of.id == "t1"


def test_disabled_dedup_keeps_only_exact_copies(store: Store) -> None:
    detector = DuplicateDetector(DedupSettings(enabled=False), store.fingerprint_index)
    text = article("torkham_reopens")
    ingest(store, detector, "t1", text)
    assert ingest(store, detector, "t2", "Headline\n" + text).duplicate_of is None
    assert ingest(store, detector, "t3", text).duplicate_of is not None


def test_a_bare_fingerprint_still_checks(store: Store, detector: DuplicateDetector) -> None:
    from monitor.dedup import TextFingerprint, content_hash

    text = article("torkham_reopens")
    ingest(store, detector, "t1", text)
    copy = "Headline\n" + text
    verdict = detector.check(copy, TextFingerprint(content_hash=content_hash(copy)))
    assert verdict.duplicate_of is not None
