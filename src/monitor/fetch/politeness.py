"""Politeness: how many requests run at once, per host and overall, and how often.

A news site is fetched by us in bursts (a feed lists 50 new articles at
once); without limits we would open 50 connections to it in the same second.
``HostGate.slot(host)`` is held for the whole of one HTTP request (headers
and body) and guarantees:

* at most ``per_host_concurrency`` requests to one host name at a time;
* at least ``per_host_delay_s`` (or the site's robots.txt ``Crawl-delay``,
  when longer) between the starts of two requests to it;
* at most ``max_concurrency`` requests in flight overall.

The host slot is taken before the global one, so requests queued behind a
slow host do not hold global slots other hosts could use. The gate also
remembers a host's ``Retry-After`` so callers can fail fast instead of
hammering a host that asked us to wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

_SWEEP_AT = 512  # hosts remembered before idle ones are forgotten


@dataclass(frozen=True, slots=True)
class Backoff:
    """A host asked us to wait: until when (monotonic clock) and with which status."""

    until: float
    status: int


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    pacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")
    backoff: Backoff | None = None
    users: int = 0
    delay: float | None = None  # the site's own Crawl-delay, when longer than ours


class HostGate:
    """Concurrency limits, per-host pacing and Retry-After memory for one Fetcher."""

    def __init__(
        self,
        *,
        max_concurrency: int,
        per_host_concurrency: int,
        per_host_delay_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global = asyncio.Semaphore(max_concurrency)
        self._per_host = per_host_concurrency
        self._delay = per_host_delay_s
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for ``host`` (lower-cased name) while the body runs."""
        state = self._state(host)
        state.users += 1
        try:
            async with state.slots, self._global:
                await self._pace(state)
                yield
        finally:
            state.users -= 1

    def back_off(self, host: str, seconds: float, status: int) -> None:
        """Remember that ``host`` answered ``status`` with ``Retry-After: seconds``."""
        state = self._state(host)
        until = self._clock() + max(seconds, 0.0)
        if state.backoff is None or state.backoff.until < until:
            state.backoff = Backoff(until, status)

    def set_delay(self, host: str, seconds: float) -> None:
        """The host's robots.txt asked for ``seconds`` between requests (Crawl-delay)."""
        self._state(host).delay = seconds

    def backing_off(self, host: str) -> tuple[float, int] | None:
        """Seconds left of the host's Retry-After window and the status that set it, or None."""
        state = self._hosts.get(host)
        if state is None or state.backoff is None:
            return None
        left = state.backoff.until - self._clock()
        if left <= 0:
            state.backoff = None
            return None
        return left, state.backoff.status

    async def _pace(self, state: _Host) -> None:
        # Requests to one host pass this lock one by one, each waiting out the
        # delay since the previous start; so starts are >= delay apart.
        async with state.pacing:
            wait = state.last_start + max(self._delay, state.delay or 0.0) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            state.last_start = self._clock()

    def _state(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            if len(self._hosts) >= _SWEEP_AT:
                self._sweep()
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._per_host))
        return state

    def _sweep(self) -> None:
        """Forget hosts nobody is using whose delay and backoff have run out (bounded memory)."""
        now = self._clock()
        for host, state in list(self._hosts.items()):
            idle = (
                state.users == 0 and state.last_start + max(self._delay, state.delay or 0.0) <= now
            )
            if idle and (state.backoff is None or state.backoff.until <= now):
                del self._hosts[host]
