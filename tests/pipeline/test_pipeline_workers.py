"""Workers sharing one database never both store the same text as new."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from test_pipeline_postgres import PG

from monitor.dedup import DuplicateDetector
from monitor.settings import DedupSettings
from monitor.store import Store
from monitor.types import NewItem, Relevance

ROUNDS = 12
WORDS = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "torkham-reopens.html"


def article(n: int) -> str:
    """A distinct 300-word text per round."""
    vocabulary = WORDS.read_text().split()
    rng = random.Random(n)
    return " ".join(rng.choice(vocabulary) for _ in range(300))


def new_item(item_id: str, text: str, content_hash: str) -> NewItem:
    now = datetime.now(UTC)
    return NewItem(
        id=item_id, feed_id=None, url=f"https://example.org/{item_id}",
        canonical_url=f"https://example.org/{item_id}", entry_id=None, title="t", authors=(),
        published_at=None, fetched_at=now, language="en", text=text, text_source="page",
        content_hash=content_hash, relevance=Relevance(0.0, False, (), ()),
        lexicon_version=None, duplicate_of=None, duplicate_reason="", story_id=item_id,
    )  # fmt: skip


def worker(url: str, name: str, barrier: threading.Barrier, verdicts: list[str]) -> None:
    """What the pipeline does per entry: check and store under the exclusive writer."""
    store = Store(url)
    detector = DuplicateDetector(DedupSettings(), store.fingerprint_index)
    try:
        for n in range(ROUNDS):
            text = article(n)
            if name == "b":
                text = "WASHINGTON (Wire): " + text  # a syndicated copy, not an exact one
            fingerprint = detector.fingerprint(text)
            barrier.wait()
            with store.exclusive_writer() as writer:
                verdict = detector.check(text, fingerprint)
                item = replace(
                    new_item(f"{name}{n}", text, fingerprint.content_hash),
                    duplicate_of=verdict.duplicate_of,
                )
                assert writer.add(item, fingerprint)
            verdicts.append("duplicate" if verdict.duplicate_of else "new")
    finally:
        store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    schema = f"monitor_workers_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        base = PG.replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_two_workers_racing_on_copies_store_one_new_item_per_text(database_url: str) -> None:
    setup = Store(database_url)
    setup.migrate()
    setup.close()
    barrier = threading.Barrier(2, timeout=60)
    verdicts: list[str] = []
    threads = [
        threading.Thread(target=worker, args=(database_url, name, barrier, verdicts))
        for name in ("a", "b")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(verdicts) == 2 * ROUNDS
    assert verdicts.count("new") == ROUNDS  # one of each pair, whichever came first
    assert verdicts.count("duplicate") == ROUNDS
