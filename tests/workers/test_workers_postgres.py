"""``monitor worker`` on procrastinate: three workers against one PostgreSQL database,
one of them killed with SIGKILL again and again. Every article is stored exactly
once, none is missing, no feed is fetched by two workers at once, and requests to
the (one) host keep the configured spacing across all workers."""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from pipeline_support import Instance
from worker_support import TimedSite, Worker

from conftest import PG
from httpd import FixtureServer
from monitor.settings import load_settings
from monitor.store import Store

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FEEDS, ARTICLES = 10, 12
DELAY_S = 0.08  # fetch.per_host_delay_s: everything is on 127.0.0.1, one host


def _stored_count(pg_url: str) -> int:
    """Cheap enough to ask every second (the test server shares this interpreter)."""
    schema = pg_url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG, autocommit=True) as conn:
        row = conn.execute(f'SELECT count(*) FROM "{schema}".items').fetchone()
    return int(row[0]) if row else 0


def _wait_for_running_feed_job(pg_url: str, seconds: float) -> None:
    schema = pg_url.rsplit("%3D", 1)[1]
    query = (
        f'SELECT count(*) FROM "{schema}".procrastinate_jobs'
        " WHERE status = 'doing' AND task_name = 'monitor.poll_feed'"
    )
    deadline = time.monotonic() + seconds
    with psycopg.connect(PG, autocommit=True) as conn:
        while time.monotonic() < deadline:
            try:
                row = conn.execute(query).fetchone()
            except psycopg.errors.UndefinedTable:
                row = None  # the first worker has not created the engine's tables yet
            if row and row[0] >= 2:
                return
            time.sleep(0.1)


def _engine_state(pg_url: str) -> str:
    """The jobs and feeds as the database has them, to explain a failure."""
    schema = pg_url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG, autocommit=True) as conn:
        jobs = conn.execute(
            f'SELECT task_name, status, lock, attempts, worker_id, scheduled_at FROM "{schema}"'
            ".procrastinate_jobs WHERE task_name = 'monitor.poll_feed' AND status <> 'succeeded'"
            " ORDER BY id"
        ).fetchall()
        feeds = conn.execute(
            f'SELECT id, state, next_fetch_at, last_error FROM "{schema}".feeds ORDER BY id'
        ).fetchall()
    return f"jobs: {jobs}\nfeeds: {feeds}"


def _stored_urls(inst: Instance) -> list[str]:
    store = Store(load_settings(inst.config).database_url)
    try:
        return [i.canonical_url for i in store.items(include_duplicates=True)]
    finally:
        store.close()


def _worker_config(
    server: FixtureServer, make_instance: Callable[..., Instance], pg_url: str, site: TimedSite
) -> Instance:
    inst = make_instance(
        [(f"Outlet {n}", url) for n, url in enumerate(site.feed_urls)],
        database={"url": pg_url},
        fetch={"per_host_delay_s": DELAY_S, "respect_robots": False, "timeout_s": 30},
        worker={"tick_s": 1, "heartbeat_s": 0.5, "stalled_after_s": 2.0, "concurrency": 2},
        log={"level": "INFO"},
    )
    assert inst.run("init")[0] == 0
    return inst


def test_three_workers_one_killed_repeatedly_store_everything_exactly_once(
    server: FixtureServer,
    make_instance: Callable[..., Instance],
    pg_url: str,
    tmp_path: Path,
) -> None:
    site = TimedSite(server, FEEDS, ARTICLES, feed_delay_s=0.3)
    inst = _worker_config(server, make_instance, pg_url, site)
    logs = tmp_path / "workers.log"
    workers = [Worker(inst.config, logs) for _ in range(3)]
    rng = random.Random(7)
    kills = 0
    deadline = time.monotonic() + 240
    try:
        # Kill one worker at a random moment, again and again, each time starting
        # another in its place, until at least 10 kills and every article is stored.
        # While articles are missing, a kill waits for feed jobs to be running, so
        # kills land mid-job (not only on workers still starting up).
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(1.0, 2.5))
            done = _stored_count(pg_url) >= len(site.article_urls)
            if kills >= 10 and done:
                break
            if not done:
                _wait_for_running_feed_job(pg_url, seconds=10)
            victim = rng.randrange(len(workers))
            workers[victim].kill()
            kills += 1
            workers[victim] = Worker(inst.config, logs)
        time.sleep(4)  # the last replacement has its signal handlers by now
    finally:
        codes = [w.stop() for w in workers]
    log_text = logs.read_text(errors="replace")
    assert kills >= 10
    assert "of a dead worker recovered" in log_text  # a kill did land mid-job
    assert codes == [0, 0, 0], log_text[-3000:]
    stored = _stored_urls(inst)
    assert sorted(stored) == sorted(site.article_urls), _engine_state(pg_url)  # once, none missing
    for path in (f"/feed/{f}" for f in range(FEEDS)):
        visits = site.visits_to(path)
        assert visits
        for earlier, later in itertools.pairwise(visits):
            assert later.started >= earlier.ended, f"{path} fetched by two workers at once"
    # Per-host spacing across all workers, as a rate: in any 2 s at most 2/DELAY_S
    # request starts, plus 3 for scheduling jitter (starts are reserved DELAY_S apart,
    # but a busy event loop on this 2-core machine may send one late and the next on
    # time). Three workers pacing only themselves could reach three times that.
    starts = [v.started for v in site.all_visits()]
    busiest = max(bisect.bisect_left(starts, t + 2.0) - i for i, t in enumerate(starts))
    assert busiest <= 2 / DELAY_S + 3, f"{busiest} requests to one host within 2 s"


def test_worker_refuses_sqlite_with_one_line(make_instance: Callable[..., Instance]) -> None:
    inst = make_instance([])
    code, _, err = inst.run("worker")
    assert code == 1
    assert err.count("\n") == 1 and "'database.url'" in err and "PostgreSQL" in err
