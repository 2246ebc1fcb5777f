"""``monitor run``: one APScheduler tick job asks the store what is due and polls it.

The schedule lives in the database (``feeds.next_fetch_at``), not in the
scheduler, so several workers can share one database (feeds are leased) and
a restart loses nothing. SIGINT/SIGTERM stop taking new entries, let the
ones in flight finish or roll back, then exit; a second signal exits at once.
Every failed pass is one log line; the next tick carries on. Each tick first
checks that an SQLite database is still the file it opened (not deleted or
replaced): if not, the daemon stops with one line instead of writing into the void.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.exceptions import MonitorError, StoreError
from monitor.notify.jobs import add_notify_jobs
from monitor.pipeline import Pipeline
from monitor.records import iso

log = logging.getLogger("monitor.daemon")


@dataclass
class _DaemonState:
    said_still_running: bool = False
    fatal: StoreError | None = None
    signals: int = 0


def run_daemon(pipeline: Pipeline, tick_s: float, *, max_ticks: int | None = None) -> None:
    """Poll due feeds every ``tick_s`` seconds until a signal (or ``max_ticks``) stops us.

    Raises StoreError (one line) when the database file was deleted or replaced under us.
    """
    stop = pipeline.stop
    ticks = 0
    done = threading.Event()
    running = threading.Lock()
    state = _DaemonState()

    def tick() -> None:
        nonlocal ticks
        if stop.is_set():
            return
        if not running.acquire(blocking=False):
            if not state.said_still_running:
                log.info("pass still running; the next one starts when it is done")
                state.said_still_running = True
            return
        try:
            state.said_still_running = False
            _one_pass(pipeline)
        except StoreError as exc:
            if "was deleted" in str(exc) or "was replaced" in str(exc):
                state.fatal = exc
                log.error("stopping: %s", exc)
                stop.set()
                done.set()
            else:
                log.error("pass failed: %s", exc)
        finally:
            running.release()
        ticks += 1
        if max_ticks is not None and ticks >= max_ticks:
            done.set()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        state.signals += 1
        name = signal.Signals(signum).name
        if state.signals > 1:
            log.warning("received %s again: exiting now, entries in flight are retried", name)
            os._exit(130)
        log.info("received %s: finishing what is in flight, then stopping (again to force)", name)
        stop.set()
        done.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=tick_s,
        max_instances=2,  # a tick during a long pass returns at once (see tick); no warning
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    add_notify_jobs(scheduler, pipeline.settings, pipeline.store)  # webhooks, email digests
    log.info("daemon started: %s; checking every %.0f s", _feeds_line(pipeline), tick_s)
    scheduler.start()
    try:
        while not done.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("daemon stopped")
    if state.fatal is not None:
        raise state.fatal


def _one_pass(pipeline: Pipeline) -> None:
    """One pass; any failure is one log line, never a traceback, and the next tick retries."""
    pipeline.store.check_same_file()
    try:
        summary = pipeline.poll(all_feeds=False)
    except StoreError:
        raise
    except MonitorError as exc:
        log.error("pass failed: %s", exc)
        return
    except Exception as exc:  # the daemon must outlive one bad pass
        log.error("pass failed: unexpected %s: %s", type(exc).__name__, exc)
        return
    if summary.feeds_ok or summary.feeds_failed or summary.feeds_not_modified:
        log.info("pass done: %s", summary.line())


def _feeds_line(pipeline: Pipeline) -> str:
    """How many feeds we have and when the next is due, for the start-up line."""
    try:
        feeds = [f for f in pipeline.store.feed_states() if f.enabled]
    except MonitorError as exc:
        return f"feeds unknown ({exc})"
    if not feeds:
        return "no enabled feeds"
    soonest = min(f.next_fetch_at for f in feeds)
    when = "now" if soonest <= datetime.now(UTC) else iso(soonest)
    return f"{len(feeds)} feed{'' if len(feeds) == 1 else 's'}, next due {when}"
