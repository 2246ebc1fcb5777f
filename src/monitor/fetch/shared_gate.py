"""Politeness across processes and machines: ``HostGate`` with its pacing and
``Retry-After`` memory kept in the database (``store.politeness``).

Workers of ``monitor worker`` each have their own ``Fetcher``; with only the
in-process gate, N workers would hit one host N times as often as
``fetch.per_host_delay_s`` allows, and a ``Retry-After`` one of them got
would not stop the others. Here, inside the local slot (per-process
concurrency limits), every request first reserves its start time in the
shared table: starts to one host are at least ``per_host_delay_s`` apart
across all workers, and the host's ``Retry-After`` comes back with the
reservation, so every worker honours it on its very next request.
``per_host_concurrency`` stays per process (see docs/scaling.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from monitor.fetch.politeness import HostGate
from monitor.store.politeness import HostPolitenessTable


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SharedHostGate(HostGate):
    def __init__(
        self,
        table: HostPolitenessTable,
        *,
        max_concurrency: int,
        per_host_concurrency: int,
        per_host_delay_s: float,
        wall_clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        # Local pacing off: the shared reservation paces, for everyone at once.
        super().__init__(
            max_concurrency=max_concurrency,
            per_host_concurrency=per_host_concurrency,
            per_host_delay_s=0.0,
        )
        self._table = table
        self._step = timedelta(seconds=per_host_delay_s)
        self._wall = wall_clock

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        async with super().slot(host):
            now = self._wall()
            booked = await asyncio.to_thread(self._table.reserve, host, now, self._step)
            if booked.blocked_until is not None and booked.blocked_until > now:
                left = (booked.blocked_until - now).total_seconds()
                super().back_off(host, left, booked.blocked_status or 503)
            wait = (booked.start_at - self._wall()).total_seconds()
            if wait > 0:
                await asyncio.sleep(wait)
            yield

    def back_off(self, host: str, seconds: float, status: int) -> None:
        super().back_off(host, seconds, status)
        now = self._wall()
        self._table.block(host, now + timedelta(seconds=max(seconds, 0.0)), status, now)
