"""The index tables: written with the item or seed, replaced with a changed seed, used by plans."""

from __future__ import annotations

from dedup_support import WHEN, article, ingest, load_seed, seed_text
from sqlalchemy import func, select, text

from monitor.dedup import DuplicateDetector
from monitor.store import Store
from monitor.store.fingerprint_schema import dedup_bands, dedup_story_terms, dedup_texts

SEED = "002_7795836731cbb96a"


def rows(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(select(func.count()).select_from(t)) or 0
            for t in (dedup_texts, dedup_bands, dedup_story_terms)
        )


def verdict_kind(detector: DuplicateDetector, text: str) -> str | None:
    verdict = detector.check(text, detector.fingerprint(text), published_at=WHEN)
    return verdict.duplicate_of.kind if verdict.duplicate_of else None


def test_rerunning_upsert_seed_with_changed_text_updates_the_index(
    store: Store, detector: DuplicateDetector
) -> None:
    original = seed_text(SEED)
    cut = original.index("Pakistan opposition rallies in Khyber")
    first_article, second_article = original[:cut], original[cut:]
    assert load_seed(store, detector, SEED, original)
    assert not load_seed(store, detector, SEED, original)  # unchanged: nothing rewritten
    assert verdict_kind(detector, second_article) == "seed"
    before = rows(store)

    changed = first_article + "\n" + article("torkham_reopens")
    assert load_seed(store, detector, SEED, changed)
    assert verdict_kind(detector, second_article) is None  # the old fragment is gone
    assert verdict_kind(detector, article("torkham_reopens")) == "seed"  # the new one is found
    assert verdict_kind(detector, first_article) == "seed"
    after = rows(store)
    assert after[0] == before[0] == 1
    with store.engine.connect() as conn:
        keys = set(conn.scalars(select(dedup_bands.c.band_key)))
    assert keys == set(detector.fingerprint(changed).index_keys)  # no stale key left


def test_removed_seeds_leave_no_keys(store: Store, detector: DuplicateDetector) -> None:
    load_seed(store, detector, SEED, seed_text(SEED))
    load_seed(store, detector, "004", seed_text("004_362245b40c3b935c"))
    assert store.remove_seeds_except(["004"]) == 1
    texts, bands, _ = rows(store)
    assert texts == 1
    assert bands == len(detector.fingerprint(seed_text("004_362245b40c3b935c")).index_keys)


def test_items_index_bands_and_story_terms_but_duplicates_nothing(
    store: Store, detector: DuplicateDetector
) -> None:
    text = article("kurram_convoy_dawn")
    ingest(store, detector, "k1", text)
    fingerprint = detector.fingerprint(text)
    assert rows(store) == (1, len(fingerprint.index_keys), len(fingerprint.story_keys))
    ingest(store, detector, "k2", "Kurram attack\n" + text)
    assert rows(store) == (1, len(fingerprint.index_keys), len(fingerprint.story_keys))


def test_lookups_are_index_searches(store: Store) -> None:
    with store.engine.connect() as conn:
        bands = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT text_id FROM dedup_bands WHERE band_key IN (1, 2, 3)")
        ).all()
        terms = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT text_id FROM dedup_story_terms "
                "WHERE term_key = 1 AND day BETWEEN 10 AND 20 LIMIT 201"
            )
        ).all()
    assert "SEARCH dedup_bands USING PRIMARY KEY (band_key=?)" in str(bands)
    assert "SEARCH dedup_story_terms USING PRIMARY KEY (term_key=? AND day>? AND day<?)" in str(
        terms
    )


def test_migration_marks_old_seeds_for_reloading(tmp_path: object) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    from monitor.store.store import MIGRATIONS

    db = Path(str(tmp_path)) / "old.db"
    store = Store(f"sqlite:///{db}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO seeds (id, path, content_hash, text, loaded_at) "
                "VALUES ('s', 's.txt', 'abc', 'x', '2025-01-01 00:00:00')"
            )
        )
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.scalar(text("SELECT content_hash FROM seeds")) == ""
    store.close()
