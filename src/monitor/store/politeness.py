"""Per-host politeness shared through the database (``host_politeness``), for workers
on many machines: see ``monitor.fetch.shared_gate``.

``reserve`` is one atomic upsert: it hands out request start times at least
``delay`` apart for a host, across every process, and returns the host's
``Retry-After`` window with it, so no extra read is needed per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Engine, Interval, func, literal, select, update
from sqlalchemy.dialects import postgresql

from monitor.store.engine import translate_errors
from monitor.store.schema import host_politeness


@dataclass(frozen=True, slots=True)
class Reservation:
    start_at: datetime  # when this request may start
    blocked_until: datetime | None  # the host's Retry-After window, if any
    blocked_status: int | None


class HostPolitenessTable:
    """PostgreSQL only: the shared state exists for workers, which need PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reserve(self, host: str, now: datetime, delay: timedelta) -> Reservation:
        """The start time of the caller's next request to ``host`` (>= ``now``)."""
        table = host_politeness
        # Naive UTC literals, typed: the column is "timestamp without time zone".
        at = literal(_naive(now), DateTime())
        step = literal(delay, Interval())
        stmt = (
            postgresql.insert(table)
            .values(host=host, next_start_at=now + delay)
            .on_conflict_do_update(
                index_elements=[table.c.host],
                set_={"next_start_at": func.greatest(table.c.next_start_at, at) + step},
            )
            .returning(table.c.next_start_at, table.c.blocked_until, table.c.blocked_status)
        )
        with translate_errors("reserving a request slot"), self._engine.begin() as conn:
            row = conn.execute(stmt).one()
        return Reservation(row.next_start_at - delay, row.blocked_until, row.blocked_status)

    def block(self, host: str, until: datetime, status: int, now: datetime) -> None:
        """Remember that ``host`` asked everyone to wait until ``until`` (a longer wait wins)."""
        table = host_politeness
        stmt = postgresql.insert(table).values(
            host=host, next_start_at=now, blocked_until=until, blocked_status=status
        )
        stmt = stmt.on_conflict_do_nothing(index_elements=[table.c.host])
        with translate_errors("saving a Retry-After"), self._engine.begin() as conn:
            conn.execute(stmt)
            conn.execute(
                update(table)
                .where(
                    table.c.host == host,
                    (table.c.blocked_until.is_(None)) | (table.c.blocked_until < until),
                )
                .values(blocked_until=until, blocked_status=status)
            )

    def blocked(self, host: str) -> tuple[datetime, int] | None:
        query = select(host_politeness.c.blocked_until, host_politeness.c.blocked_status).where(
            host_politeness.c.host == host
        )
        with translate_errors("reading a Retry-After"), self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.blocked_until is None:
            return None
        return row.blocked_until, int(row.blocked_status or 0)


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)
