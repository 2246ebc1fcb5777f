"""Fixtures of the fetch tests: a fresh hostile server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hostile_server import HostileServer


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    try:
        yield server
    finally:
        server.close()
