"""Log lines: UTC with Z, fields after the message, feed text made inert."""

from __future__ import annotations

import json
import logging
import re

import pytest

from monitor.logs import configure_logging


def test_text_lines_are_utc_with_z_and_escape_control_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "text")
    logging.getLogger("monitor.test").info("feed polled", extra={"feed": "Evil\x1b[2J", "new": 2})
    err = capsys.readouterr().err
    assert re.match(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO feed polled feed=Evil\\x1b\[2J new=2$", err.strip()
    )


def test_json_lines_carry_utc_time_and_stay_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("debug", "json")
    logging.getLogger("monitor.test").warning("feed failed: %s", "bad\nname\ud800")
    (line,) = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["time"].endswith("Z") and record["level"] == "WARNING"
    assert record["message"] == "feed failed: bad\nname\ud800"
