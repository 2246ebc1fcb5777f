"""Time one `monitor poll` over a generated site served on loopback.

    .venv/bin/python benchmarks/poll_site.py [--feeds 200] [--articles 20] [--hosts 8]

Prints articles per second, CPU per article in the main process and in the
extraction workers, and peak memory. CPU is attributed to stages by thread
CPU time measured inside the pipeline; stages overlap in wall time (fetches
run concurrently, extraction in worker processes), so CPU is the honest
measure of where the time goes.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitegen import GeneratedSite

REPO = Path(__file__).resolve().parents[1]


def write_config(folder: Path, feed_urls: list[str], workers: int) -> Path:
    feeds = "\n".join(
        f'[[feed]]\nurl = "{u}"\nname = "Outlet {i}"\n' for i, u in enumerate(feed_urls)
    )
    (folder / "feeds.toml").write_text(feeds)
    config = folder / "monitor.toml"
    config.write_text(
        f"""[database]
url = "sqlite:///monitor.db"
[sources]
feeds = ["feeds.toml"]
seeds = "{REPO / "seeds"}"
[fetch]
allow_private_networks = false
allowed_networks = ["127.0.0.0/8"]
per_host_concurrency = 4
per_host_delay_s = 0
max_concurrency = 32
respect_robots = true
[extract]
workers = {workers}
max_tasks_per_worker = 100000
[relevance]
lexicon = "{REPO / "config" / "relevance.toml"}"
[log]
level = "WARNING"
"""
    )
    return config


def descendants_cpu_s(pid: int) -> float:
    """User+system CPU of every live descendant process (the extraction workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(stat[11]) + int(stat[12])) / tick + descendants_cpu_s(int(child))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="extraction processes")
    args = parser.parse_args()

    from monitor.cli import main as cli
    from monitor.extract import ExtractionPool
    from monitor.pipeline import Pipeline
    from monitor.service import load_scorer, open_store
    from monitor.settings import load_settings

    site = GeneratedSite(args.feeds, args.articles, args.hosts)
    with tempfile.TemporaryDirectory() as tmp, site:
        config = write_config(Path(tmp), site.feed_urls, args.workers)
        assert cli(["--config", str(config), "init"]) == 0
        settings = load_settings(config)
        store = open_store(settings)
        scorer, version = load_scorer(settings, store)
        with ExtractionPool(settings.extract) as pool:
            pipeline = Pipeline(
                settings, store, scorer=scorer, lexicon_version=version, extraction=pool
            )
            workers0 = descendants_cpu_s(os.getpid())
            started = time.perf_counter()
            cpu0 = time.process_time()
            summary = pipeline.poll(all_feeds=True)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu0
            workers_cpu = descendants_cpu_s(os.getpid()) - workers0
        store.close()
    stored = summary.entries_new + summary.entries_duplicate
    per = 1000 / max(stored, 1)
    print(f"site: {args.feeds} feeds x {args.articles} articles on {args.hosts} loopback hosts")
    print(summary.line())
    print(f"wall time: {wall:.1f} s; articles per second: {stored / wall:.1f}")
    print(
        f"CPU per article: main process {cpu * per:.1f} ms, extraction {workers_cpu * per:.1f} ms"
    )
    shares = {**summary.stage_seconds, "extract (worker processes)": workers_cpu}
    total = sum(shares.values()) or 1.0
    print("CPU time by stage:")
    for stage, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(
            f"  {stage:<28}{seconds:8.1f} s {100 * seconds / total:5.1f} % "
            f"{seconds * per:6.1f} ms/article"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: main process {peak:.0f} MiB; largest reaped child {children:.0f} MiB")


if __name__ == "__main__":
    main()
