"""Fixtures for the notify tests: a monitor instance over the fixture site, a webhook
receiver and an SMTP server, all real and on loopback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))

from notify_support import SECRET, MailSink, WebhookReceiver
from pipeline_support import Instance, write_config


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    srv = WebhookReceiver(SECRET)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def make_instance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Instance]:
    def make(
        feeds: list[tuple[str, str]], extra_toml: str = "", **sections: dict[str, object]
    ) -> Instance:
        config = write_config(tmp_path / "config", feeds, **sections)
        if extra_toml:
            with config.open("a") as fh:
                fh.write("\n" + extra_toml)
        return Instance(config=config, db=tmp_path / "config" / "monitor.db", capsys=capsys)

    return make
