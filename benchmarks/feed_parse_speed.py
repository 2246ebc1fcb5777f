"""Feed parsing speed of ``parse_feed`` on the 200 real feeds of the corpus.

    .venv/bin/python benchmarks/feed_parse_speed.py            # parse_feed, 3 rounds
    .venv/bin/python benchmarks/feed_parse_speed.py --compare  # also bare feedparser, both modes

Reads ``../shared/corpus/real-feeds/*.gz`` in place (``$MONITOR_SHARED_DIR`` overrides
``../shared``). Prints the best of the rounds: total seconds, milliseconds per feed and
per entry. ``--compare`` shows what feedparser alone costs with its defaults (HTML
sanitising and relative-link resolution in entry content) and without them, as
``parse_feed`` calls it: those two passes are most of feedparser's time and useless when
the content only ever becomes plain text.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import feedparser

from monitor.exceptions import FeedParseError
from monitor.feeds import parse_feed

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared"))
FEEDS = SHARED / "corpus" / "real-feeds"
URL = "https://example.invalid/feed"


def _ours(body: bytes) -> int:
    try:
        return len(parse_feed(body, {}, URL).entries)
    except FeedParseError:
        return 0


def _feedparser(cleanup: bool) -> Callable[[bytes], int]:
    def parse(body: bytes) -> int:
        result = feedparser.parse(
            io.BytesIO(body),
            response_headers={"content-location": URL},
            sanitize_html=cleanup,
            resolve_relative_uris=cleanup,
        )
        return len(result.entries)

    return parse


def measure(name: str, parse: Callable[[bytes], int], bodies: Sequence[bytes], rounds: int) -> None:
    best = float("inf")
    entries = 0
    for _ in range(rounds):
        started = time.perf_counter()
        entries = sum(parse(body) for body in bodies)
        best = min(best, time.perf_counter() - started)
    print(
        f"{name:<34} {best:6.2f} s  {1000 * best / len(bodies):6.1f} ms/feed  "
        f"{1000 * best / max(1, entries):5.2f} ms/entry  ({len(bodies)} feeds, {entries} entries)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args(argv)
    if not FEEDS.is_dir():
        print(f"feed corpus not found at {FEEDS}", file=sys.stderr)
        return 1
    bodies = [gzip.decompress(p.read_bytes()) for p in sorted(FEEDS.glob("*.gz"))]
    print(f"corpus: {len(bodies)} feeds, {sum(map(len, bodies)) / 1e6:.1f} MB")
    measure("parse_feed", _ours, bodies, args.rounds)
    if args.compare:
        measure("feedparser, defaults", _feedparser(True), bodies, args.rounds)
        measure("feedparser, no sanitize/resolve", _feedparser(False), bodies, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
