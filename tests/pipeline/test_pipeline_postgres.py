"""The same pipeline on PostgreSQL: what several workers sharing one database run on."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from pipeline_support import Instance, serve_site

from httpd import FixtureServer

PG = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL whose search_path is a fresh private schema, dropped afterwards."""
    schema = f"monitor_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        base = PG.replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_init_poll_export_on_postgresql(
    server: FixtureServer, make_instance: Callable[..., Instance], pg_url: str
) -> None:
    urls = serve_site(server)
    inst = make_instance(
        [("Frontier Daily", urls["rss"]), ("Border Times", urls["atom"])],
        database={"url": pg_url},
    )
    assert inst.run("init")[0] == 0
    assert inst.run("init")[0] == 0  # idempotent
    code, out, err = inst.run("poll")
    assert code == 0, err
    assert "entries: 4 new, 1 duplicate, 0 failed" in out
    records = inst.export()
    assert len(records) == 4
    assert all(r["published_at"] is None or str(r["published_at"]).endswith("Z") for r in records)
    code, out, _ = inst.run("poll")
    assert "2 not modified" in out
    assert not inst.db.exists()  # nothing went to SQLite
