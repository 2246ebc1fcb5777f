"""Email digests over SMTP (``aiosmtplib``): the HTML digest with a plain-text part.

A digest is first recorded as due (``email_digests``, one row per scheduled
time, unique, so several daemons sharing a database queue it once), then
sent; it is marked sent only once the SMTP server accepted it. A failed
send is logged and retried with backoff until ``email.retry_for`` has
passed, then marked failed and logged as an error: never lost silently.
The window runs from the end of the previous email digest (else 24 h back)
to the scheduled time; the renderers are ``monitor.digest``'s own.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

import aiosmtplib

from monitor import metrics
from monitor.digest import RENDERERS, build_digest
from monitor.exceptions import ConfigError
from monitor.notify.backoff import next_attempt
from monitor.records import iso
from monitor.settings import EmailSettings
from monitor.store import Store
from monitor.store.outbox import EmailDigestRow, OutboxStore

log = logging.getLogger("monitor.email")
_SEND_LEASE = timedelta(minutes=5)


def latest_slot(now: datetime, email: EmailSettings) -> datetime:
    """The most recent scheduled send time at or before ``now`` (aware UTC)."""
    zone = ZoneInfo(email.timezone)
    hour, minute = email.send_time
    local = now.astimezone(zone)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if slot > local:
        slot = (local - timedelta(days=1)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
    return slot.astimezone(UTC)


def queue_email_digest(
    outbox: OutboxStore, email: EmailSettings, end: datetime, now: datetime
) -> int | None:
    """Record the digest ending at ``end`` as due; None if it is already queued."""
    start = outbox.last_email_window_end() or end - timedelta(days=1)
    if start >= end:
        return None
    return outbox.add_email_digest(start, end, now, now + timedelta(seconds=email.retry_for))


class EmailSender:
    """Sends due email digests of one store."""

    def __init__(
        self,
        email: EmailSettings,
        store: Store,
        outbox: OutboxStore,
        *,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._email = email
        self._store = store
        self._outbox = outbox
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        self._password = _password(email)

    def queue_scheduled(self) -> int | None:
        """Queue the digest of the latest scheduled time if nobody has yet."""
        now = self._clock()
        return queue_email_digest(self._outbox, self._email, latest_slot(now, self._email), now)

    async def send_due(self) -> list[tuple[EmailDigestRow, str | None]]:
        """Try every due digest once: [(row, None if sent else the error)]."""
        results = []
        for row in self._outbox.claim_due_emails(self._clock(), _SEND_LEASE):
            results.append((row, await self._attempt(row)))
        return results

    async def _attempt(self, row: EmailDigestRow) -> str | None:
        try:
            await aiosmtplib.send(
                self.message(row),
                hostname=self._email.smtp_host,
                port=self._email.smtp_port,
                start_tls=self._email.starttls,
                username=self._email.username,
                password=self._password,
                timeout=self._email.timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            error = " ".join(f"{type(exc).__name__}: {exc}".split())
            self._failed(row, error)
            return error
        self._outbox.record_email_attempt(
            row.id, self._clock(), sent=True, error=None, next_attempt_at=None
        )
        metrics.record_email_digest("sent")
        log.info("email digest %d sent to %s", row.id, ", ".join(self._email.to))
        return None

    def _failed(self, row: EmailDigestRow, error: str) -> None:
        now = self._clock()
        when = next_attempt(
            row.attempts + 1,
            now,
            row.give_up_at,
            base_s=self._email.retry_base,
            max_s=3600.0,
            rng=self._rng,
        )
        self._outbox.record_email_attempt(
            row.id, now, sent=False, error=error, next_attempt_at=when
        )
        if when is None:
            metrics.record_email_digest("gave_up")
            log.error(
                "email digest %d (%s – %s) given up after %d attempts: %s",
                row.id,
                iso(row.window_start),
                iso(row.window_end),
                row.attempts + 1,
                error,
            )
        else:
            metrics.record_email_digest("retry")
            log.error(
                "email digest %d not sent (%s); retrying at %s",
                row.id,
                error,
                when.isoformat(timespec="seconds"),
            )

    def message(self, row: EmailDigestRow) -> EmailMessage:
        """The digest of the row's window as a multipart/alternative message."""
        items = self._store.items(stored_since=row.window_start, stored_until=row.window_end)
        digest = build_digest(items, row.window_start, row.window_end)
        msg = EmailMessage()
        msg["Subject"] = (
            f"monitor digest: {digest.relevant_items} relevant items"
            f" ({iso(row.window_start)} to {iso(row.window_end)})"
        )
        msg["From"] = self._email.from_
        msg["To"] = ", ".join(self._email.to)
        msg["Date"] = format_datetime(self._clock())
        msg["Message-ID"] = make_msgid(idstring=f"digest-{row.id}")
        msg.set_content(RENDERERS["markdown"](digest))
        msg.add_alternative(RENDERERS["html"](digest), subtype="html")
        return msg


def _password(email: EmailSettings) -> str | None:
    if email.password_env is None:
        return None
    value = os.environ.get(email.password_env)
    if not value:
        raise ConfigError(
            f"invalid value for 'email.password_env': {email.password_env} is not set"
        )
    return value
