"""The outboxes of SPEC section 8: webhook deliveries and scheduled email digests.

A webhook delivery row is written by ``OutboxWriter`` on the connection of
the item's own transaction (see ``store.events``), so an item is never stored
without its deliveries, nor a delivery written for an item that rolled back.
The deliverer then claims due rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the write lock on SQLite) and pushes each claimed row's next
attempt past the time its batch may take, so two processes never send one
row at once and a process killed mid-send only delays that row.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from monitor.exceptions import StoreError
from monitor.records import iso, item_record
from monitor.store.engine import translate_errors
from monitor.store.schema import email_digests, items, webhook_deliveries, webhook_endpoints
from monitor.store.store import Store, _item_select, _stored_item
from monitor.types import NewItem, Relevance, StoredItem

# (event type, relevance) -> URLs of the endpoints that want it
Router = Callable[[str, Relevance], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery: ``id`` is the webhook-id, ``payload`` the exact body."""

    id: str
    endpoint_url: str
    event_type: str
    item_id: str
    payload: str
    status: str
    attempts: int
    created_at: datetime
    give_up_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class EndpointState:
    url: str
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    counts: Mapping[str, int]  # deliveries by status


@dataclass(frozen=True, slots=True)
class EmailDigestRow:
    id: int
    window_start: datetime
    window_end: datetime
    status: str
    attempts: int
    give_up_at: datetime
    last_error: str | None


def new_delivery_id() -> str:
    """A webhook-id: unique, and the receiver's idempotency key (never reused)."""
    return f"msg_{uuid.uuid4().hex}"


class OutboxWriter:
    """``ItemEvents`` that writes webhook deliveries in the item's transaction."""

    def __init__(
        self,
        router: Router,
        endpoint_ids: Mapping[str, int],
        *,
        retry_for: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._router = router
        self._endpoint_ids = dict(endpoint_ids)
        self._retry_for = retry_for
        self._clock = clock

    def item_added(self, conn: Connection, item: NewItem) -> None:
        if item.duplicate_of is not None:
            return  # a duplicate is not a new item (SPEC section 1, step 4)
        events = ["item.new"] + (["item.relevant"] if item.relevance.relevant else [])
        self._enqueue(conn, item.id, events, item.relevance)

    def item_triaged(self, conn: Connection, item_id: str) -> None:
        stored = _read_item(conn, item_id)
        if stored is not None:
            self._enqueue(conn, item_id, ["item.triaged"], stored.relevance, stored)

    def _enqueue(
        self,
        conn: Connection,
        item_id: str,
        events: Iterable[str],
        relevance: Relevance,
        stored: StoredItem | None = None,
    ) -> None:
        targets = [(e, url) for e in events for url in self._router(e, relevance)]
        targets = [(e, url) for e, url in targets if url in self._endpoint_ids]
        if not targets:
            return
        # Read back on this connection: the record carries the feed name and cursor.
        record = item_record(stored or _read_item(conn, item_id) or _missing(item_id))
        now = self._clock()
        for event, url in targets:
            body = {"type": event, "timestamp": iso_precise(now), "data": record}
            conn.execute(
                webhook_deliveries.insert().values(
                    id=new_delivery_id(),
                    endpoint_id=self._endpoint_ids[url],
                    event_type=event,
                    item_id=item_id,
                    payload=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                    created_at=now,
                    give_up_at=now + self._retry_for,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )


def _read_item(conn: Connection, item_id: str) -> StoredItem | None:
    row = conn.execute(_item_select().where(items.c.id == item_id)).first()
    return _stored_item(row) if row is not None else None


def _missing(item_id: str) -> StoredItem:
    raise AssertionError(f"item {item_id} was just written on this connection")


def iso_precise(value: datetime) -> str:
    """ISO 8601 UTC with milliseconds (the event's ``timestamp``)."""
    return (iso(value) or "")[:-1] + f".{value.microsecond // 1000:03d}Z"


class OutboxStore:
    """Domain operations over the outbox tables of one ``Store``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._engine: Engine = store.engine

    def _write(self) -> Any:
        return self._store._write()

    # -- endpoints ----------------------------------------------------------

    def sync_endpoints(self, urls: Iterable[str]) -> dict[str, int]:
        """Make sure every configured URL has a row; their ids by URL. A 410 stays."""
        wanted = list(dict.fromkeys(urls))
        with translate_errors("updating webhook endpoints"), self._write() as conn, conn.begin():
            known = {r.url: r.id for r in conn.execute(select(webhook_endpoints))}
            for url in wanted:
                if url not in known:
                    result = conn.execute(webhook_endpoints.insert().values(url=url, enabled=True))
                    known[url] = result.inserted_primary_key[0]
        return {u: known[u] for u in wanted}

    def endpoints(self) -> list[EndpointState]:
        counts: dict[int, dict[str, int]] = {}
        query = select(
            webhook_deliveries.c.endpoint_id, webhook_deliveries.c.status, func.count()
        ).group_by(webhook_deliveries.c.endpoint_id, webhook_deliveries.c.status)
        with translate_errors("reading webhook endpoints"), self._engine.connect() as conn:
            for endpoint_id, status, n in conn.execute(query):
                counts.setdefault(endpoint_id, {})[status] = n
            rows = list(conn.execute(select(webhook_endpoints).order_by(webhook_endpoints.c.id)))
        return [
            EndpointState(
                url=r.url,
                enabled=bool(r.enabled),
                disabled_at=r.disabled_at,
                disabled_reason=r.disabled_reason,
                counts=counts.get(r.id, {}),
            )
            for r in rows
        ]

    def disable_endpoint(self, url: str, now: datetime, reason: str) -> None:
        with translate_errors("disabling a webhook endpoint"), self._write() as conn, conn.begin():
            conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.url == url)
                .values(enabled=False, disabled_at=now, disabled_reason=reason)
            )

    def enable_endpoint(self, url: str) -> bool:
        """Re-enable an endpoint (its pending deliveries resume); False if unknown."""
        with translate_errors("enabling a webhook endpoint"), self._write() as conn, conn.begin():
            result = conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.url == url)
                .values(enabled=True, disabled_at=None, disabled_reason=None)
            )
        return bool(result.rowcount)

    # -- deliveries ---------------------------------------------------------

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        """Pending deliveries due at ``now`` to enabled endpoints, oldest first; each is
        pushed ``lease`` into the future so no other process sends it meanwhile."""
        query = (
            _delivery_select()
            .where(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at <= now,
                webhook_endpoints.c.enabled.is_(True),
            )
            .order_by(webhook_deliveries.c.created_at, webhook_deliveries.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=webhook_deliveries)
        )
        with translate_errors("claiming webhook deliveries"), self._write() as conn, conn.begin():
            rows = list(conn.execute(query))
            ids = [r.id for r in rows]
            if ids:
                conn.execute(
                    update(webhook_deliveries)
                    .where(webhook_deliveries.c.id.in_(ids))
                    .values(next_attempt_at=now + lease)
                )
        return [_delivery(r) for r in rows]

    def release(self, delivery_ids: Sequence[str], now: datetime) -> None:
        """Give back claimed deliveries that were not attempted: due again at ``now``."""
        if not delivery_ids:
            return
        with translate_errors("releasing webhook deliveries"), self._write() as conn, conn.begin():
            conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id.in_(list(delivery_ids)))
                .values(next_attempt_at=now)
            )

    def record_attempt(
        self,
        delivery_id: str,
        now: datetime,
        *,
        delivered: bool,
        status: int | None,
        error: str | None,
        next_attempt_at: datetime | None,
    ) -> None:
        """The outcome of one attempt; ``next_attempt_at`` None on failure: given up."""
        values: dict[str, Any] = {
            "attempts": webhook_deliveries.c.attempts + 1,
            "last_attempt_at": now,
            "last_status": status,
            "last_error": error,
        }
        if delivered:
            values |= {"status": "delivered", "delivered_at": now, "last_error": None}
        elif next_attempt_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = next_attempt_at
        with translate_errors("saving a webhook delivery"), self._write() as conn, conn.begin():
            conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id == delivery_id)
                .values(values)
            )

    def retry_failed(self, now: datetime, retry_for: timedelta, url: str | None = None) -> int:
        """Put failed deliveries back in the queue, due now, with a fresh retry window."""
        cond = [webhook_deliveries.c.status == "failed"]
        if url is not None:
            ids = select(webhook_endpoints.c.id).where(webhook_endpoints.c.url == url)
            cond.append(webhook_deliveries.c.endpoint_id.in_(ids.scalar_subquery()))
        with translate_errors("retrying webhook deliveries"), self._write() as conn, conn.begin():
            result = conn.execute(
                update(webhook_deliveries)
                .where(and_(*cond))
                .values(status="pending", next_attempt_at=now, give_up_at=now + retry_for)
            )
        return int(result.rowcount or 0)

    def deliveries(
        self, *, limit: int = 20, status: str | None = None, item_id: str | None = None
    ) -> list[Delivery]:
        """The most recent deliveries first."""
        query = _delivery_select()
        if status is not None:
            query = query.where(webhook_deliveries.c.status == status)
        if item_id is not None:
            query = query.where(webhook_deliveries.c.item_id == item_id)
        query = query.order_by(
            webhook_deliveries.c.created_at.desc(), webhook_deliveries.c.id
        ).limit(limit)
        with translate_errors("reading webhook deliveries"), self._engine.connect() as conn:
            return [_delivery(r) for r in conn.execute(query)]

    def pending_count(self) -> int:
        query = select(func.count()).where(webhook_deliveries.c.status == "pending")
        with translate_errors("counting webhook deliveries"), self._engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    # -- email digests ------------------------------------------------------

    def last_email_window_end(self) -> datetime | None:
        with translate_errors("reading email digests"), self._engine.connect() as conn:
            result: datetime | None = conn.scalar(select(func.max(email_digests.c.window_end)))
        return result

    def add_email_digest(
        self, start: datetime, end: datetime, now: datetime, give_up_at: datetime
    ) -> int | None:
        """Queue the digest of [start, end); None when one ending at ``end`` exists
        (another daemon queued this scheduled digest first: the unique window end)."""
        row = {
            "window_start": start,
            "window_end": end,
            "created_at": now,
            "give_up_at": give_up_at,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }
        try:
            with (
                translate_errors("queueing an email digest"),
                self._write() as conn,
                conn.begin(),
            ):
                result = conn.execute(email_digests.insert().values(row))
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return None
            raise
        return int(result.inserted_primary_key[0])

    def claim_due_emails(self, now: datetime, lease: timedelta) -> list[EmailDigestRow]:
        query = (
            select(email_digests)
            .where(email_digests.c.status == "pending", email_digests.c.next_attempt_at <= now)
            .order_by(email_digests.c.id)
            .with_for_update(skip_locked=True)
        )
        with translate_errors("claiming email digests"), self._write() as conn, conn.begin():
            rows = list(conn.execute(query))
            if rows:
                conn.execute(
                    update(email_digests)
                    .where(email_digests.c.id.in_([r.id for r in rows]))
                    .values(next_attempt_at=now + lease)
                )
        return [_email_row(r) for r in rows]

    def email_digest(self, digest_id: int) -> EmailDigestRow | None:
        with translate_errors("reading email digests"), self._engine.connect() as conn:
            row = conn.execute(select(email_digests).where(email_digests.c.id == digest_id)).first()
        return _email_row(row) if row is not None else None

    def record_email_attempt(
        self,
        digest_id: int,
        now: datetime,
        *,
        sent: bool,
        error: str | None,
        next_attempt_at: datetime | None,
    ) -> None:
        values: dict[str, Any] = {"attempts": email_digests.c.attempts + 1, "last_error": error}
        if sent:
            values |= {"status": "sent", "sent_at": now}
        elif next_attempt_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = next_attempt_at
        with translate_errors("saving an email digest"), self._write() as conn, conn.begin():
            conn.execute(
                update(email_digests).where(email_digests.c.id == digest_id).values(values)
            )


def _delivery_select() -> Any:
    return select(webhook_deliveries, webhook_endpoints.c.url.label("endpoint_url")).join(
        webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id
    )


def _delivery(r: Row[Any]) -> Delivery:
    return Delivery(
        id=r.id,
        endpoint_url=r.endpoint_url,
        event_type=r.event_type,
        item_id=r.item_id,
        payload=r.payload,
        status=r.status,
        attempts=r.attempts,
        created_at=r.created_at,
        give_up_at=r.give_up_at,
        next_attempt_at=r.next_attempt_at,
        last_attempt_at=r.last_attempt_at,
        last_status=r.last_status,
        last_error=r.last_error,
        delivered_at=r.delivered_at,
    )


def _email_row(r: Row[Any]) -> EmailDigestRow:
    return EmailDigestRow(
        id=r.id,
        window_start=r.window_start,
        window_end=r.window_end,
        status=r.status,
        attempts=r.attempts,
        give_up_at=r.give_up_at,
        last_error=r.last_error,
    )
