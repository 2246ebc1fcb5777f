"""The daemon's notify jobs: work off the webhook outbox, queue and send email digests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from monitor.exceptions import MonitorError
from monitor.notify.emails import EmailSender
from monitor.notify.webhooks import WebhookDeliverer
from monitor.settings import Settings
from monitor.store import Store
from monitor.store.outbox import OutboxStore

log = logging.getLogger("monitor.notify")
EMAIL_TICK_S = 30.0


def add_notify_jobs(
    scheduler: Any, settings: Settings, store: Store, *, clock: Callable[[], datetime] | None = None
) -> list[str]:
    """Add the jobs that ``settings`` calls for to an APScheduler scheduler; their names.

    Each job is a synchronous function that runs one asyncio pass, so it fits
    the daemon's ``BackgroundScheduler`` (a thread per job, one instance at a time).
    """
    outbox = OutboxStore(store)
    added = []
    if settings.webhook:
        deliverer = WebhookDeliverer(settings, outbox, clock=clock)
        _add(scheduler, "webhooks", settings.webhook_delivery.tick, _webhook_job(deliverer))
        added.append("webhooks")
    if settings.email is not None:
        sender = EmailSender(settings.email, store, outbox, clock=clock)
        _add(scheduler, "email digests", EMAIL_TICK_S, _email_job(sender))
        added.append("email digests")
    return added


def _add(scheduler: Any, name: str, every_s: float, job: Callable[[], None]) -> None:
    scheduler.add_job(
        job,
        "interval",
        seconds=every_s,
        name=name,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )


def _webhook_job(deliverer: WebhookDeliverer) -> Callable[[], None]:
    def run() -> None:
        try:
            done = asyncio.run(deliverer.deliver_due())
        except MonitorError as exc:  # the database went away: the next tick retries
            log.error("webhook pass failed: %s", exc)
            return
        if done.delivered or done.retry or done.gave_up or done.gone:
            log.info("%s", done.line())

    return run


def _email_job(sender: EmailSender) -> Callable[[], None]:
    def run() -> None:
        try:
            queued = sender.queue_scheduled()
            if queued is not None:
                log.info("email digest %d is due", queued)
            asyncio.run(sender.send_due())
        except MonitorError as exc:
            log.error("email digest pass failed: %s", exc)

    return run
