"""Logging: one line per event on stderr, ``key=value`` fields after the message
(or one JSON object per line with ``[log] format = "json"``).

Timestamps are UTC with a ``Z``, like every other time monitor prints. Text
lines are made printable (feed names can carry terminal escapes); the handler
writes to whatever ``sys.stderr`` is at the time, so a progress bar can show
log lines above itself.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO

from monitor.terminal import json_line, printable

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        self.as_json = as_json

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime(datefmt or "%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if self.as_json:
            data = {
                "time": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "message": record.getMessage(),
                **fields,
            }
            return json_line(json.loads(json.dumps(data, default=str)))
        line = super().format(record)
        extra = "".join(f" {k}={printable(str(v), one_line=True)}" for k, v in fields.items())
        return printable(line) + extra


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler on the current ``sys.stderr`` (not the one at configuration)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def configure_logging(level: str, fmt: str) -> None:
    handler = _StderrHandler()
    handler.setFormatter(_Formatter(fmt == "json"))
    handler.setLevel(level.upper())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
