"""``monitor worker``: the pipeline's work carried by procrastinate over PostgreSQL.

    every worker_tick_s (one periodic job, whichever worker defers it first):
      recover the jobs of dead workers  (doing, no heartbeat for stalled_after_s -> todo)
      queue every due feed              (feeds.next_fetch_at <= now: the schedule stays
                                         in the database)
    monitor.poll_feed(feed_id)          lock and queueing lock "feed:ID": never two jobs
                                         running for one feed, never two waiting
      | still due? (it may have been queued behind the run that just polled it)
      | Pipeline.poll_feeds([feed], fetcher)  (shared per-host politeness)
    monitor.deliver (webhooks, email digests), periodic like the schedule job

Why procrastinate and not Celery: docs/scaling.md. Nothing here is a
home-made lease or queue: locks, retries, heartbeats and periodic deferral
are the engine's; the feed's state is the store's.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import procrastinate
from procrastinate import exceptions as engine_errors
from procrastinate.jobs import Status
from sqlalchemy.engine import make_url

from monitor.exceptions import ConfigError, MonitorError
from monitor.fetch import Fetcher
from monitor.pipeline import Pipeline
from monitor.settings import Settings
from monitor.store import Store
from monitor.store.workers import due_feed_ids, due_feeds

log = logging.getLogger("monitor.worker")
FEEDS_QUEUE = "monitor-feeds"
SCHEDULE_QUEUE = "monitor-schedule"


def libpq_url(database_url: str) -> str:
    """The libpq URL procrastinate's psycopg pool connects with; ConfigError unless
    the store is PostgreSQL (a task engine shared by machines needs a shared database)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            "invalid value for 'database.url': monitor worker needs PostgreSQL"
            " (postgresql+psycopg://user@host/db); with SQLite use monitor run"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Runtime:
    """What the jobs of one worker process share; set once the process is ready."""

    store: Store | None = None
    pipeline: Pipeline | None = None
    fetcher: Fetcher | None = None
    deliver: list[Callable[[], Any]] = field(default_factory=list)  # async notify passes

    def ready(self) -> tuple[Store, Pipeline, Fetcher]:
        if self.store is None or self.pipeline is None or self.fetcher is None:
            raise RuntimeError("a job ran before the worker was set up")
        return self.store, self.pipeline, self.fetcher


def build_app(settings: Settings, runtime: Runtime) -> procrastinate.App:
    """The procrastinate app with monitor's three tasks, configured from ``settings``."""
    options = settings.worker
    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_url(settings.database_url),
        min_size=1,
        max_size=options.concurrency + 3,
    )
    app = procrastinate.App(connector=connector)
    retry = procrastinate.RetryStrategy(
        max_attempts=options.job_attempts - 1,
        exponential_wait=2,
        retry_exceptions={MonitorError, OSError},
    )
    every = f"* * * * * */{options.tick_s}"  # the 6th column is seconds

    @app.task(name="monitor.poll_feed", queue=FEEDS_QUEUE, retry=retry)
    async def poll_feed(feed_id: int) -> None:
        store, pipeline, fetcher = runtime.ready()
        feeds = await asyncio.to_thread(due_feeds, store, [feed_id], pipeline.clock())
        if not feeds:
            return  # polled by the job this one was queued behind, or disabled
        summary = await pipeline.poll_feeds(feeds, fetcher)
        log.info("feed %d polled: %s", feed_id, summary.line())

    @app.periodic(cron=every, periodic_id="schedule")
    @app.task(
        name="monitor.schedule",
        queue=SCHEDULE_QUEUE,
        queueing_lock="monitor.schedule",
        pass_context=True,
    )
    async def schedule(context: procrastinate.JobContext, timestamp: int) -> None:
        await recover_stalled_jobs(context.app, options.stalled_after_s)
        store, pipeline, _ = runtime.ready()
        ids = await asyncio.to_thread(due_feed_ids, store, pipeline.clock(), options.enqueue_batch)
        queued = 0
        for feed_id in ids:
            key = f"feed:{feed_id}"
            try:
                await poll_feed.configure(lock=key, queueing_lock=key).defer_async(feed_id=feed_id)
                queued += 1
            except engine_errors.AlreadyEnqueued:
                pass  # one is waiting already
        if queued:
            log.info("queued %d due feeds", queued)

    @app.periodic(cron=every, periodic_id="deliver")
    @app.task(name="monitor.deliver", queue=SCHEDULE_QUEUE, queueing_lock="monitor.deliver")
    async def deliver(timestamp: int) -> None:
        for one_pass in runtime.deliver:
            try:
                await one_pass()
            except MonitorError as exc:
                log.error("notify pass failed: %s", exc)

    return app


async def recover_stalled_jobs(app: procrastinate.App, stalled_after_s: float) -> int:
    """Put the jobs of workers silent for ``stalled_after_s`` back in the queue.

    A feed job whose feed already has a waiting job is closed as failed instead
    (the waiting one does the work): the engine allows one waiting job per feed.
    """
    manager = app.job_manager
    recovered = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
        try:
            await manager.retry_job(job)
            recovered += 1
        except engine_errors.UniqueViolation:
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        log.warning("job %s (%s) of a dead worker recovered", job.id, job.task_name)
    return recovered


async def run_worker(
    settings: Settings,
    *,
    metrics_port: int | None = None,
    stopping: threading.Event | None = None,
) -> None:
    """Set up this process (store, pipeline, shared politeness, notify passes) and work
    until SIGINT/SIGTERM, which let the running jobs finish. ``stopping`` set while
    starting up (a SIGTERM then) means: do not start working."""
    from monitor.extract import ExtractionPool
    from monitor.fetch.shared_gate import SharedHostGate
    from monitor.service import load_scorer, open_store
    from monitor.store.politeness import HostPolitenessTable

    libpq_url(settings.database_url)  # PostgreSQL or a one-line error, before anything
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("procrastinate").setLevel(logging.WARNING)  # a line per job is noise
    store = open_store(settings)
    runtime = Runtime()
    app = build_app(settings, runtime)
    stop_metrics: Callable[[], None] | None = None
    try:
        async with app.open_async():
            await _ensure_engine_schema(app, store)
            scorer, version = load_scorer(settings, store)
            with ExtractionPool(settings.extract) as pool:
                pipeline = Pipeline(
                    settings, store, scorer=scorer, lexicon_version=version, extraction=pool
                )
                fetch = settings.fetch
                gate = SharedHostGate(
                    HostPolitenessTable(store.engine),
                    max_concurrency=fetch.max_concurrency,
                    per_host_concurrency=fetch.per_host_concurrency,
                    per_host_delay_s=fetch.per_host_delay_s,
                )
                async with Fetcher(fetch, gate=gate) as fetcher:
                    runtime.store, runtime.pipeline, runtime.fetcher = store, pipeline, fetcher
                    runtime.deliver = _notify_passes(settings, store)
                    if metrics_port is not None:
                        from monitor.health import start_process_metrics

                        stop_metrics = start_process_metrics(store, metrics_port)
                    log.info("worker started")
                    await _work_until_signalled(app, settings, stopping)
    finally:
        if stop_metrics is not None:
            stop_metrics()
        store.close()
    log.info("worker stopped")


async def _work_until_signalled(
    app: procrastinate.App, settings: Settings, stopping: threading.Event | None
) -> None:
    """Run the engine's worker; SIGINT/SIGTERM cancel it, which procrastinate turns into
    a graceful stop (running jobs finish). A SIGTERM received while this process was
    starting (``stopping``) stops it at once: it had claimed nothing."""
    work = asyncio.ensure_future(
        app.run_worker_async(
            queues=[FEEDS_QUEUE, SCHEDULE_QUEUE],
            concurrency=settings.worker.concurrency + 2,
            update_heartbeat_interval=settings.worker.heartbeat_s,
            stalled_worker_timeout=settings.worker.stalled_after_s,
            delete_jobs="successful",
            install_signal_handlers=False,
        )
    )
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, work.cancel)
    if stopping is not None and stopping.is_set():
        work.cancel()
    try:
        await work
    except asyncio.CancelledError:
        pass  # the graceful stop asked for by a signal
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def _ensure_engine_schema(app: procrastinate.App, store: Store) -> None:
    """Create procrastinate's tables on first use (idempotent, one process at a time)."""
    from monitor.store.workers import engine_schema_lock, has_table

    if has_table(store, "procrastinate_jobs"):
        return
    with engine_schema_lock(store):
        if not has_table(store, "procrastinate_jobs"):
            await app.schema_manager.apply_schema_async()
            log.info("task engine schema created")


def _notify_passes(settings: Settings, store: Store) -> list[Callable[[], Any]]:
    """The webhook and email passes this worker runs from the periodic deliver job."""
    from monitor.store.outbox import OutboxStore

    outbox = OutboxStore(store)
    passes: list[Callable[[], Any]] = []
    if settings.webhook:
        from monitor.notify.webhooks import WebhookDeliverer

        passes.append(WebhookDeliverer(settings, outbox).deliver_due)
    if settings.email is not None:
        from monitor.notify.emails import EmailSender

        sender = EmailSender(settings.email, store, outbox)

        async def email_pass() -> None:
            await asyncio.to_thread(sender.queue_scheduled)
            await sender.send_due()

        passes.append(email_pass)
    return passes
