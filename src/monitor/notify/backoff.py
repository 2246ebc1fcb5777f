"""When to try a failed delivery again: exponential backoff with jitter (pure)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def next_attempt(
    attempts: int,
    now: datetime,
    give_up_at: datetime,
    *,
    base_s: float,
    max_s: float,
    rng: random.Random,
) -> datetime | None:
    """The time of the next try after ``attempts`` failed ones, or None past ``give_up_at``.

    The delay is ``base * 2**(attempts-1)`` capped at ``max``, scaled by a random
    factor in [0.5, 1.0] ("equal jitter"): many deliveries that failed together
    (the receiver was down) do not all come back in the same second, and none
    waits less than half its step.
    """
    step = min(max_s, base_s * 2 ** max(0, min(attempts - 1, 40)))
    when = now + timedelta(seconds=step * rng.uniform(0.5, 1.0))
    if now >= give_up_at:
        return None
    return min(when, give_up_at)
