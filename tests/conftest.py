"""Shared test set-up: the fixture HTTP server and the third-party corpus.

Tests marked ``corpus`` read ``../shared/corpus/`` in place (override with
``$MONITOR_SHARED_DIR``); a clone without it reports them as not run, with
the reason, instead of failing or silently passing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from httpd import FixtureServer

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not (os.environ.get("MONITOR_TEST_IMAGE") == "1" and shutil.which("buildah")):
        why = "not run: the image build reaches registries; MONITOR_TEST_IMAGE=1 and buildah"
        for item in items:
            if "image" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=why))
    if CORPUS.is_dir():
        return
    reason = f"not run: third-party corpus not found at {CORPUS} (clone next to shared/)"
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    srv = FixtureServer()
    try:
        yield srv
    finally:
        srv.close()
