"""Query parameters → ``ItemFilter``, shared by the API and the pages (so a page's
URL and an API call with the same parameters ask the same question)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.records import decode_cursor
from monitor.settings import parse_duration
from monitor.store.queries import TRIAGE_FILTERS, ItemFilter, TriageFilter


class BadParameter(ValueError):
    """A query parameter that cannot be read (answered with 400 and this line)."""


def parse_time(name: str, value: str | None, now: datetime) -> datetime | None:
    """ISO 8601 (``2026-11-19``, ``2026-11-19T08:30:00Z``) or a duration back from now (``24h``)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return now - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"{name}: expected ISO 8601 or a duration such as 24h, got {value!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_cursor(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        seq = decode_cursor(value)
    except ValueError as exc:
        raise BadParameter(f"{name}: {exc}") from None
    if seq >= 2**63:
        raise BadParameter(f"{name}: not a cursor: {value!r}")
    return seq


def parse_triage(value: str | None) -> TriageFilter | None:
    if not value:
        return None
    if value not in TRIAGE_FILTERS:
        raise BadParameter(f"triage: expected one of {', '.join(TRIAGE_FILTERS)}, got {value!r}")
    return value


def item_filter(
    now: datetime,
    *,
    relevant: bool | None = None,
    tag: str | None = None,
    feed: int | None = None,
    language: str | None = None,
    place: str | None = None,
    group: str | None = None,
    story: str | None = None,
    since: str | None = None,
    until: str | None = None,
    triage: str | None = None,
    min_score: float | None = None,
    q: str | None = None,
    include_duplicates: bool = False,
    hide_dismissed: bool = False,
) -> ItemFilter:
    return ItemFilter(
        relevant=relevant,
        tag=tag or None,
        feed_id=feed,
        language=language or None,
        place=place or None,
        group=group or None,
        story=story or None,
        since=parse_time("since", since, now),
        until=parse_time("until", until, now),
        triage=parse_triage(triage),
        min_score=min_score,
        q=(q or "").strip() or None,
        include_duplicates=include_duplicates,
        hide_dismissed=hide_dismissed,
    )
