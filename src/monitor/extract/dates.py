"""Publication dates as timezone-aware UTC, with implausible ones dropped.

Feeds and pages carry dates in the far future (a CMS's "sticky" trick, a wrong year) or
before the web (``1970-01-01`` from a zero timestamp). Such a date would put an item at
the top or bottom of every listing forever, so it is dropped (None) rather than trusted.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

__all__ = ["EARLIEST", "FUTURE_SLACK", "parse_datetime", "plausible_utc"]

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)  # clock skew and time zones; beyond this it is an error
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def plausible_utc(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """``value`` in UTC (naive means UTC), or None when before 1990 or after now + 2 days."""
    if value is None:
        return None
    try:
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):  # an offset pushing year 9999 past the calendar
        return None
    current = now if now is not None else datetime.now(UTC)
    if aware < EARLIEST or aware > current + FUTURE_SLACK:
        return None
    return aware


def parse_datetime(text: str | None) -> datetime | None:
    """An ISO 8601 / RFC 3339 date or date-time (``Z`` allowed); None when it is not one."""
    if not text:
        return None
    value = text.strip()
    try:
        if _DATE_ONLY.match(value):
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
