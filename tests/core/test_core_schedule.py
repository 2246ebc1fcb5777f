"""The scheduling decisions: pure functions of the feed's row, the result and now."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from monitor.schedule import PollResult, cache_lifetime_s, next_outcome
from monitor.settings import ScheduleSettings
from monitor.types import CachingInfo, FeedState

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SETTINGS = ScheduleSettings(interval=600, min_interval=300, max_interval=3600, failing_after=3)


def feed(**changes: object) -> FeedState:
    base: dict[str, object] = dict(
        id=1,
        url="https://example.org/feed",
        name="Example",
        language=None,
        enabled=True,
        interval_s=None,
        current_interval_s=None,
        caching=CachingInfo(etag='"old"'),
        next_fetch_at=NOW,
        last_fetched_at=None,
        last_success_at=None,
        last_new_item_at=None,
        last_error=None,
        consecutive_failures=0,
        state="ok",
    )
    base.update(changes)
    return FeedState(**base)  # type: ignore[arg-type]


def delay(outcome_next: datetime) -> float:
    return (outcome_next - NOW).total_seconds()


def test_new_items_shorten_the_interval_and_quiet_feeds_lengthen_it() -> None:
    busy = next_outcome(feed(), PollResult(ok=True, new_items=3), NOW, SETTINGS)
    quiet = next_outcome(feed(), PollResult(ok=True, new_items=0), NOW, SETTINGS)
    assert busy.current_interval_s == 450 and delay(busy.next_fetch_at) == 450
    assert quiet.current_interval_s == 750 and delay(quiet.next_fetch_at) == 750


def test_adaptive_interval_stays_within_bounds() -> None:
    state = feed()
    for _ in range(30):
        out = next_outcome(state, PollResult(ok=True), NOW, SETTINGS)
        state = feed(current_interval_s=out.current_interval_s)
    assert state.current_interval_s == 3600
    for _ in range(30):
        out = next_outcome(state, PollResult(ok=True, new_items=5), NOW, SETTINGS)
        state = feed(current_interval_s=out.current_interval_s)
    assert state.current_interval_s == 300


def test_ttl_is_a_lower_bound_but_an_absurd_one_is_capped() -> None:
    out = next_outcome(feed(), PollResult(ok=True, min_delay_s=2000), NOW, SETTINGS)
    assert delay(out.next_fetch_at) == 2000
    absurd = next_outcome(feed(), PollResult(ok=True, min_delay_s=10**9), NOW, SETTINGS)
    assert delay(absurd.next_fetch_at) == 3600


def test_failures_back_off_exponentially_and_keep_validators() -> None:
    rng = random.Random(1)
    delays = []
    state = feed()
    for _ in range(2):
        out = next_outcome(state, PollResult(ok=False, error="boom"), NOW, SETTINGS, rng=rng)
        assert out.caching is None  # validators are never overwritten on error
        delays.append(delay(out.next_fetch_at))
        state = feed(consecutive_failures=out.consecutive_failures)
    assert 540 <= delays[0] <= 660 and 1080 <= delays[1] <= 1320


def test_retry_after_is_honoured() -> None:
    out = next_outcome(feed(), PollResult(ok=False, error="429", retry_after_s=5000), NOW, SETTINGS)
    assert delay(out.next_fetch_at) >= 5000


def test_a_feed_is_marked_failing_but_still_retried() -> None:
    hard = PollResult(ok=False, error="404", temporary=False)
    out = next_outcome(feed(consecutive_failures=2), hard, NOW, SETTINGS)
    assert out.state == "failing" and out.consecutive_failures == 3
    assert out.error == "404"
    assert timedelta(hours=20) < out.next_fetch_at - NOW < timedelta(hours=28)


def test_a_server_down_for_long_backs_off_but_is_not_failing() -> None:
    down = PollResult(ok=False, error="503", temporary=True)
    out = next_outcome(feed(consecutive_failures=9), down, NOW, SETTINGS)
    assert out.state == "error" and out.consecutive_failures == 10
    assert 3600 * 0.9 <= delay(out.next_fetch_at) <= 3600 * 1.1


def test_network_down_penalises_nobody() -> None:
    out = next_outcome(
        feed(consecutive_failures=2),
        PollResult(ok=False, error="dns"),
        NOW,
        SETTINGS,
        penalise=False,
    )
    assert out.consecutive_failures == 2 and out.state == "error"


def test_success_resets_failures() -> None:
    out = next_outcome(
        feed(consecutive_failures=4, state="failing"), PollResult(ok=True), NOW, SETTINGS
    )
    assert out.consecutive_failures == 0 and out.state == "ok"


def test_cache_lifetime_from_headers() -> None:
    assert cache_lifetime_s({"cache-control": "public, max-age=900"}, NOW) == 900
    expires = {"expires": "Sat, 21 Nov 2026 13:00:00 GMT"}
    assert cache_lifetime_s(expires, NOW) == 3600
    assert cache_lifetime_s({"expires": "not a date"}, NOW) is None
    assert cache_lifetime_s({}, NOW) is None
