"""Which publication date an item keeps: the most precise trustworthy one, and whence.

A feed's ``pubDate`` is what the publisher syndicated, to the second. A page's
date is found by htmldate, which falls back to any year it sees (a footer's
"Border Wire 2026", "© 2019") and returns it as 1 January. So:

* precision: a time of day beats a bare day, which beats a 1 January midnight
  (read as "a year only");
* on equal precision the page's own date wins (what the article itself says;
  a feed's date is often the time it was syndicated or updated);
* a page's year-only date is dropped even without a feed date;
* ``published_at_source`` says which was kept: ``feed``, ``page`` or ``none``.
"""

from __future__ import annotations

from datetime import datetime

from monitor.types import DateSource

_YEAR, _DAY, _TIME = 1, 2, 3


def precision(value: datetime) -> int:
    """How precise a date looks: a year only (1 Jan 00:00), a day (00:00), or a time."""
    if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
        return _TIME
    return _YEAR if (value.month, value.day) == (1, 1) else _DAY


def choose_published(
    feed_date: datetime | None, page_date: datetime | None
) -> tuple[datetime | None, DateSource]:
    """The date to store and where it came from."""
    if feed_date is None and page_date is None:
        return None, "none"
    if page_date is None:
        return feed_date, "feed"
    if feed_date is None:
        if precision(page_date) == _YEAR:  # a bare year is a guess, not a date
            return None, "none"
        return page_date, "page"
    if precision(page_date) >= precision(feed_date):
        return page_date, "page"
    return feed_date, "feed"
