"""Articles per second with N ``monitor worker`` processes on one PostgreSQL database.

    .venv/bin/python benchmarks/workers_pg.py --workers 1 2 [--feeds 60] [--articles 20]

For each N: a fresh private schema, ``monitor init``, then N workers (each
with one extraction process) over the generated site of ``sitegen.py``;
the rate is taken from the items' own ``stored_at`` (first to last stored),
so worker start-up is not counted. Also prints each worker's peak RSS
(``VmHWM`` of its main process) and the ratio of N workers to 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from sitegen import GeneratedSite

REPO = Path(__file__).resolve().parents[1]
PG = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MONITOR = Path(sys.executable).with_name("monitor")


def write_config(folder: Path, feed_urls: list[str], schema: str) -> Path:
    feeds = "\n".join(
        f'[[feed]]\nurl = "{u}"\nname = "Outlet {i}"\n' for i, u in enumerate(feed_urls)
    )
    (folder / "feeds.toml").write_text(feeds)
    base = PG.replace("postgresql://", "postgresql+psycopg://", 1)
    config = folder / "monitor.toml"
    config.write_text(
        f"""[database]
url = "{base}?options=-csearch_path%3D{schema}"
[sources]
feeds = ["feeds.toml"]
seeds = "{REPO / "seeds"}"
[fetch]
allowed_networks = ["127.0.0.0/8"]
per_host_concurrency = 4
per_host_delay_s = 0
max_concurrency = 32
respect_robots = false
[extract]
workers = 1
max_tasks_per_worker = 100000
[worker]
concurrency = 4
tick_s = 1
[relevance]
lexicon = "{REPO / "config" / "relevance.toml"}"
[log]
level = "WARNING"
"""
    )
    return config


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(workers: int, feeds: int, articles: int) -> tuple[float, list[float]]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with GeneratedSite(feeds, articles) as site, tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp), site.feed_urls, schema)
            env = {**os.environ, "MONITOR_CONFIG": str(config)}
            subprocess.run([str(MONITOR), "init"], env=env, check=True, capture_output=True)
            procs = [
                subprocess.Popen([str(MONITOR), "worker"], env=env, start_new_session=True)
                for _ in range(workers)
            ]
            total = feeds * articles
            deadline = time.monotonic() + 1800
            with psycopg.connect(PG, autocommit=True) as conn:
                while time.monotonic() < deadline:
                    row = conn.execute(f'SELECT count(*) FROM "{schema}".items').fetchone()
                    if row and row[0] >= total:
                        break
                    time.sleep(1)
                rss = [peak_rss_mib(p.pid) for p in procs]
                row = conn.execute(
                    f"SELECT count(*), extract(epoch FROM max(stored_at) - min(stored_at))"
                    f' FROM "{schema}".items'
                ).fetchone()
            assert row is not None
            count, seconds = int(row[0]), float(row[1])
            return (count - 1) / seconds, rss
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(120)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--feeds", type=int, default=60)
    parser.add_argument("--articles", type=int, default=20)
    args = parser.parse_args()
    results = {}
    for n in args.workers:
        rate, rss = run(n, args.feeds, args.articles)
        results[n] = rate
        shown = ", ".join(f"{r:.0f}" for r in rss)
        print(f"{n} worker(s): {rate:.1f} articles/s; peak RSS per worker MiB: {shown}")
    if 1 in results:
        for n, rate in results.items():
            print(f"{n} worker(s) / 1 worker: {rate / results[1]:.2f}")


if __name__ == "__main__":
    main()
