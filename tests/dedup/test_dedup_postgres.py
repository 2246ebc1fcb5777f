"""The same index on PostgreSQL: migrate, index seeds and items, find duplicates and stories.

Runs in a private schema of the ``test`` database (created and dropped here),
so concurrent runs and other tests never see each other's tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import psycopg
import pytest
from dedup_support import WHEN, article, ingest, load_seed, seed_text

from monitor.dedup import DuplicateDetector
from monitor.settings import DedupSettings
from monitor.store import Store

pytestmark = pytest.mark.postgres
SERVER = "postgresql://postgres@127.0.0.1:5432/test"
SEED = "000_a4cd76194f41d5b9"


@pytest.fixture
def pg_store() -> Iterator[Store]:
    schema = f"dedup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    options = quote(f"-csearch_path={schema}")
    store = Store(f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options={options}")
    try:
        store.migrate()
        yield store
    finally:
        store.close()
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_duplicates_and_stories_on_postgresql(pg_store: Store) -> None:
    detector = DuplicateDetector(DedupSettings(), pg_store.fingerprint_index)
    text = seed_text(SEED)
    assert load_seed(pg_store, detector, SEED, text)
    fragment = text.split("ISLAMABAD: Pakistani authorities")[1]
    contained = ingest(pg_store, detector, "f1", fragment)
    assert contained.duplicate_of is not None
    assert (contained.duplicate_of.kind, contained.duplicate_of.id) == ("seed", SEED)

    assert ingest(pg_store, detector, "k1", article("kurram_convoy_dawn")).reason == "new"
    copy = ingest(pg_store, detector, "k2", "Kurram\n" + article("kurram_convoy_dawn"))
    assert copy.duplicate_of is not None
    assert copy.duplicate_of.id == "k1"
    story = ingest(pg_store, detector, "k3", article("kurram_convoy_bbc"), published_at=WHEN)
    assert story.duplicate_of is None
    assert story.story_id == "k1"

    changed = text.split("ISLAMABAD: Pakistani authorities")[0]
    assert load_seed(pg_store, detector, SEED, changed)
    again = detector.check(fragment, detector.fingerprint(fragment), published_at=WHEN)
    assert again.duplicate_of is None or again.duplicate_of.id != SEED
    assert pg_store.remove_seeds_except([]) == 1
