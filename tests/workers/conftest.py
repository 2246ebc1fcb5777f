"""Worker tests: PostgreSQL in a private schema, the real ``monitor worker`` processes."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline_support import Instance, write_config  # noqa: E402

PG = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


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


@pytest.fixture
def make_instance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Instance]:
    def make(feeds: list[tuple[str, str]], **sections: dict[str, object]) -> Instance:
        config = write_config(tmp_path / "config", feeds, **sections)
        return Instance(config=config, db=tmp_path / "config" / "monitor.db", capsys=capsys)

    return make
