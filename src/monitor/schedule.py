"""When is a feed polled next? Pure decisions from data and ``now``.

- Success: the interval adapts — a feed that had new items is polled sooner
  (×0.75), one that had none later (×1.25), within [min_interval, max_interval];
  a per-feed ``interval`` from the config is the starting point. The feed's
  ``ttl``, ``Cache-Control: max-age`` and ``Expires`` are lower bounds.
- Failure: exponential backoff with jitter from the feed's interval, capped
  at max_interval, ``Retry-After`` as a lower bound. When ``failing_after``
  consecutive failures end in a hard one (404, 410, not a feed), the feed is
  marked ``failing`` and retried every ``failing_retry`` — never silently
  dropped.
- A temporary failure while the network is down penalises nobody: the
  caller judges connectivity (monitor.connectivity) and passes ``penalise=False``.
- A feed that dropped items between two polls (``missed``) is polled twice
  as often, down to min_interval.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from monitor.settings import ScheduleSettings
from monitor.types import CachingInfo, FeedOutcome, FeedState, FeedStateName

GROW, SHRINK = 1.25, 0.75
MISSED = 0.5
JITTER = 0.1


@dataclass(frozen=True, slots=True)
class PollResult:
    """What happened when a feed was polled, as the scheduler needs it."""

    ok: bool
    not_modified: bool = False
    new_items: int = 0
    caching: CachingInfo | None = None
    error: str | None = None
    temporary: bool = True
    retry_after_s: float | None = None
    min_delay_s: float | None = None  # ttl / max-age / Expires
    hint_s: float | None = None  # the server hint to remember for the poll after a 304
    entry_keys: tuple[str, ...] | None = None  # this fetch's entries (None: not read)
    missed: bool = False  # shared no entry with the last fetch and the feed is full


def base_interval(feed: FeedState, settings: ScheduleSettings) -> float:
    return feed.interval_s or settings.interval


def next_outcome(
    feed: FeedState,
    result: PollResult,
    now: datetime,
    settings: ScheduleSettings,
    *,
    rng: random.Random | None = None,
    penalise: bool = True,
) -> FeedOutcome:
    """The feed's new state after ``result``."""
    rng = rng or random.Random()
    if result.ok:
        return _after_success(feed, result, now, settings)
    return _after_failure(feed, result, now, settings, rng, penalise)


def _after_success(
    feed: FeedState, result: PollResult, now: datetime, settings: ScheduleSettings
) -> FeedOutcome:
    interval = feed.current_interval_s or base_interval(feed, settings)
    if settings.adaptive:
        interval *= SHRINK if result.new_items else GROW
        interval = min(max(interval, settings.min_interval), settings.max_interval)
    else:
        interval = base_interval(feed, settings)
    if result.missed:  # items were dropped between polls: come back twice as often
        interval = max(min(interval, base_interval(feed, settings)) * MISSED, settings.min_interval)
    # A server's ttl/max-age is a lower bound, but bounded itself: a hostile or
    # mistaken "ttl 10 years" must not silence a feed.
    delay = max(interval, min(result.min_delay_s or 0.0, settings.max_interval))
    return FeedOutcome(
        state="not-modified" if result.not_modified else "ok",
        fetched_at=now,
        next_fetch_at=now + timedelta(seconds=delay),
        current_interval_s=interval,
        caching=result.caching,
        consecutive_failures=0,
        new_items=result.new_items,
        hint_s=result.hint_s,
        entry_keys=result.entry_keys,
        missed=result.missed,
    )


def _after_failure(
    feed: FeedState,
    result: PollResult,
    now: datetime,
    settings: ScheduleSettings,
    rng: random.Random,
    penalise: bool,
) -> FeedOutcome:
    failures = feed.consecutive_failures + (1 if penalise else 0)
    interval = feed.current_interval_s or base_interval(feed, settings)
    state: FeedStateName
    if failures >= settings.failing_after and not result.temporary:
        # Hard failures (404, 410, not a feed…) mark the feed failing; a server
        # that is down for a while only backs off, up to max_interval.
        state, delay = "failing", settings.failing_retry
    else:
        state = "error"
        backoff = base_interval(feed, settings) * (2 ** max(failures - 1, 0))
        delay = min(backoff, settings.max_interval)
    delay *= 1 + rng.uniform(-JITTER, JITTER)
    delay = max(delay, result.retry_after_s or 0.0, settings.min_interval / 4)
    return FeedOutcome(
        state=state,
        fetched_at=now,
        next_fetch_at=now + timedelta(seconds=delay),
        current_interval_s=interval,
        caching=None,  # validators are never overwritten on error
        error=result.error,
        consecutive_failures=failures,
    )


def cache_lifetime_s(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds the server asked us to wait: ``Cache-Control: max-age`` or ``Expires``."""
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isdigit():
            return float(value)
    expires = headers.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is not None:
            return max((when - now).total_seconds(), 0.0)
    return None
