"""Time one `monitor poll` over a generated site served on loopback.

    .venv/bin/python benchmarks/poll_site.py [--feeds 200] [--articles 20] [--hosts 8]

Prints articles per second, the summed time spent in each stage (stages
overlap: fetches run concurrently while extraction runs in worker processes,
so the shares are of summed stage time, not of wall time), and peak memory.
"""

from __future__ import annotations

import argparse
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
[relevance]
lexicon = "{REPO / "config" / "relevance.toml"}"
[log]
level = "WARNING"
"""
    )
    return config


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

    with (
        tempfile.TemporaryDirectory() as tmp,
        GeneratedSite(args.feeds, args.articles, args.hosts) as site,
    ):
        config = write_config(Path(tmp), site.feed_urls, args.workers)
        assert cli(["--config", str(config), "init"]) == 0
        settings = load_settings(config)
        store = open_store(settings)
        scorer, version = load_scorer(settings, store)
        with ExtractionPool(settings.extract) as pool:
            pipeline = Pipeline(
                settings, store, scorer=scorer, lexicon_version=version, extraction=pool
            )
            started = time.perf_counter()
            cpu0 = time.process_time()
            summary = pipeline.poll(all_feeds=True)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu0
        store.close()
    stored = summary.entries_new + summary.entries_duplicate
    print(f"site: {args.feeds} feeds x {args.articles} articles on {args.hosts} loopback hosts")
    print(summary.line())
    print(f"wall time: {wall:.1f} s; main-process CPU: {cpu:.1f} s")
    print(f"articles per second: {stored / wall:.1f}")
    total = sum(summary.stage_seconds.values()) or 1.0
    print("summed stage time (stages overlap):")
    for stage, seconds in sorted(summary.stage_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<20}{seconds:9.1f} s  {100 * seconds / total:5.1f} %")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: main process {peak:.0f} MiB; largest child {children:.0f} MiB")


if __name__ == "__main__":
    main()
