"""``monitor run``: one APScheduler tick job asks the store what is due and polls it.

The schedule lives in the database (``feeds.next_fetch_at``), not in the
scheduler, so several workers can share one database (feeds are leased) and
a restart loses nothing. SIGINT/SIGTERM stop taking new entries, let the
ones in flight finish or roll back, then exit.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.exceptions import MonitorError
from monitor.notify.jobs import add_notify_jobs
from monitor.pipeline import Pipeline

log = logging.getLogger("monitor.daemon")


def run_daemon(pipeline: Pipeline, tick_s: float, *, max_ticks: int | None = None) -> None:
    """Poll due feeds every ``tick_s`` seconds until a signal (or ``max_ticks``) stops us."""
    stop = pipeline.stop
    ticks = 0
    done = threading.Event()

    def tick() -> None:
        nonlocal ticks
        if stop.is_set():
            return
        try:
            summary = pipeline.poll(all_feeds=False)
            if summary.feeds_ok or summary.feeds_failed or summary.feeds_not_modified:
                log.info("pass done: %s", summary.line())
        except MonitorError as exc:  # the database went away for a moment: next tick retries
            log.error("pass failed: %s", exc)
        ticks += 1
        if max_ticks is not None and ticks >= max_ticks:
            done.set()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info(
            "received %s: finishing what is in flight, then stopping", signal.Signals(signum).name
        )
        stop.set()
        done.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=tick_s,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    add_notify_jobs(scheduler, pipeline.settings, pipeline.store)  # webhooks, email digests
    scheduler.start()
    log.info("daemon started: checking for due feeds every %.0f s", tick_s)
    try:
        while not done.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("daemon stopped")
