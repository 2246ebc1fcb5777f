"""The ``make_instance`` fixture: a configured monitor instance in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_support import Instance, write_config


@pytest.fixture
def make_instance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Instance]:
    def make(feeds: list[tuple[str, str]], **sections: dict[str, object]) -> Instance:
        config = write_config(tmp_path / "config", feeds, **sections)
        return Instance(config=config, db=tmp_path / "config" / "monitor.db", capsys=capsys)

    return make
