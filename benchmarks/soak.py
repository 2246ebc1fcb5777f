"""Memory over a long run: one long-lived pipeline (as in the daemon) ingests
10,000 articles in passes over fresh feeds, and its memory is sampled after
every pass.

    .venv/bin/python benchmarks/soak.py [--articles 10000] [--per-pass 1000]

Each pass enables a new slice of the generated site's feeds (20 articles each)
and polls them with the same Pipeline, ExtractionPool and scorer, the way the
daemon's ticks do. Prints RSS of the main process and of the extraction
workers after each pass; flat numbers mean no leak.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from poll_site import write_config
from sitegen import GeneratedSite

ARTICLES_PER_FEED = 20


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children_rss_mib(pid: int) -> list[float]:
    sizes = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = task / "children"
        for child in children.read_text().split() if children.exists() else []:
            sizes.append(rss_mib(int(child)))
            sizes.extend(children_rss_mib(int(child)))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--per-pass", type=int, default=1_000)
    args = parser.parse_args()

    import os

    from monitor.cli import main as cli
    from monitor.extract import ExtractionPool
    from monitor.feedlist import load_feeds
    from monitor.pipeline import Pipeline
    from monitor.service import load_scorer, open_store
    from monitor.settings import load_settings

    feeds_total = args.articles // ARTICLES_PER_FEED
    per_pass = max(args.per_pass // ARTICLES_PER_FEED, 1)
    with (
        tempfile.TemporaryDirectory() as tmp,
        GeneratedSite(feeds_total, ARTICLES_PER_FEED) as site,
    ):
        folder = Path(tmp)
        config = write_config(folder, site.feed_urls[:per_pass], workers=2)
        assert cli(["--config", str(config), "init"]) == 0
        settings = load_settings(config)
        store = open_store(settings)
        scorer, version = load_scorer(settings, store)
        print(f"{'pass':>4} {'stored':>7} {'seconds':>8} {'main MiB':>9} {'workers MiB':>12}")
        stored = 0
        with ExtractionPool(settings.extract) as pool:
            pipeline = Pipeline(
                settings, store, scorer=scorer, lexicon_version=version, extraction=pool
            )
            for n, start in enumerate(range(0, feeds_total, per_pass), start=1):
                write_config(folder, site.feed_urls[start : start + per_pass], workers=2)
                store.sync_feeds(load_feeds(load_settings(config)), datetime.now(UTC))
                t0 = time.perf_counter()
                summary = pipeline.poll(all_feeds=True)
                stored += summary.entries_new + summary.entries_duplicate
                workers = children_rss_mib(os.getpid())
                print(
                    f"{n:>4} {stored:>7} {time.perf_counter() - t0:>8.1f} "
                    f"{rss_mib(os.getpid()):>9.0f} {'/'.join(f'{w:.0f}' for w in workers):>12}"
                )
        store.close()


if __name__ == "__main__":
    main()
