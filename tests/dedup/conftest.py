"""Fixtures of the dedup tests: a migrated SQLite store in tmp_path, a detector on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dedup_support import ARTICLES

from monitor.dedup import DuplicateDetector
from monitor.settings import DedupSettings
from monitor.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'dedup.db'}")
    s.migrate()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def detector(store: Store) -> DuplicateDetector:
    return DuplicateDetector(DedupSettings(), store.fingerprint_index)


@pytest.fixture(scope="session")
def articles() -> Path:
    return ARTICLES
