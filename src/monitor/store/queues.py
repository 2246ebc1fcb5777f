"""How much work is waiting, by queue (the ``monitor_queue_depth`` gauge, read at scrape)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from monitor.store.engine import translate_errors
from monitor.store.schema import email_digests, feeds, webhook_deliveries
from monitor.store.store import Store


def queue_depths(store: Store, now: datetime) -> dict[str, int]:
    """Feeds due now, webhook deliveries and email digests not yet sent."""
    due = select(func.count()).where(feeds.c.enabled.is_(True), feeds.c.next_fetch_at <= now)
    hooks = select(func.count()).where(webhook_deliveries.c.status == "pending")
    mails = select(func.count()).where(email_digests.c.status == "pending")
    with translate_errors("counting queued work"), store.engine.connect() as conn:
        return {
            "feeds_due": int(conn.scalar(due) or 0),
            "webhook_deliveries": int(conn.scalar(hooks) or 0),
            "email_digests": int(conn.scalar(mails) or 0),
        }
