"""Workbench latency with many stored items, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/web_latency.py                    # 100,000 items, both
    .venv/bin/python benchmarks/web_latency.py --items 5000 --db sqlite

Generates items (English and Urdu text from a small vocabulary, 30 % relevant,
stories of one to four reports, a syndicated copy now and then) through the
store's own writer, so the search index is filled as in production; serves the
app with uvicorn on 127.0.0.1 and measures sequential requests with httpx:
``/api/v1/items`` (first page, a later page, with a filter), with ``q`` (a common
word, a rare word, an Urdu word, a phrase), the inbox page and item pages.
Required (issue 9): p95 < 100 ms for the API, < 200 ms for a page.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import uvicorn

from monitor.dedup import TextFingerprint
from monitor.records import encode_cursor
from monitor.settings import Settings
from monitor.store import Store
from monitor.types import DuplicateRef, Entities, Evidence, FeedConfig, NewItem, Relevance
from monitor.web import create_app

PG = "postgresql://postgres@127.0.0.1:5432/test"
EN = (  # noqa: SIM905
    "security forces operation militants border district police attack province officials "
    "government talks ceasefire refugees trade crossing market school election court army "
    "minister statement killed injured checkpoint convoy village mountain river province"
).split()
UR = "سیکیورٹی فورسز کارروائی دہشت گرد سرحد پولیس حملہ حکومت مذاکرات بازار".split()  # noqa: SIM905
PLACES = ["Bannu", "Khyber", "Kurram", "Chaman", "Torkham", "Bajaur", "Quetta", "Peshawar"]
TAGS = ["ttp", "border-clash", "militant-attack", "diplomacy", "refugees", "security-operation"]
RARE = "zarghunkot"  # in about one item in 2,000


def build(store: Store, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    store.sync_feeds(
        [FeedConfig(url=f"https://o{i}.example/feed", name=f"Outlet {i}") for i in range(20)], now
    )
    feed_ids = [s.id for s in store.feed_states()]
    ids: list[str] = []
    story, left = "", 0
    with store.exclusive_writer() as writer:
        for k in range(n):
            urdu = rng.random() < 0.2
            words = [rng.choice(UR if urdu else EN) for _ in range(rng.randint(120, 400))]
            if rng.random() < 0.0005:
                words.insert(5, RARE)
            place = rng.choice(PLACES)
            words.insert(3, place)
            item_id = uuid.UUID(int=rng.getrandbits(128)).hex[:20]
            if left == 0:
                story, left = item_id, rng.randint(1, 4)
            left -= 1
            relevant = rng.random() < 0.3
            dup = None
            if ids and rng.random() < 0.05:
                dup = DuplicateRef(kind="item", id=ids[-1], similarity=0.9)
            at = now - timedelta(seconds=(n - k) * 60 * 24 * 60 / n * 60 / 60)
            text = " ".join(words)
            writer.add(
                NewItem(
                    id=item_id,
                    feed_id=rng.choice(feed_ids),
                    url=f"https://o.example/{item_id}",
                    canonical_url=f"https://o.example/{item_id}",
                    entry_id=None,
                    title=" ".join(words[:9]),
                    authors=(),
                    published_at=at,
                    fetched_at=at,
                    language="ur" if urdu else "en",
                    text=text,
                    text_source="page",
                    content_hash=f"{k:064x}",
                    relevance=Relevance(
                        score=rng.random(),
                        relevant=relevant,
                        tags=tuple(rng.sample(TAGS, 2)) if relevant else (),
                        evidence=(Evidence(term=place, tag="pakistan", count=1, weight=1.0),),
                        entities=Entities(groups=("TTP",), places=(place,)),
                    ),
                    lexicon_version="bench",
                    duplicate_of=dup,
                    duplicate_reason="",
                    story_id=story,
                ),
                TextFingerprint(content_hash=f"{k:064x}"),
            )
            ids.append(item_id)
    return ids


def serve(store: Store) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(), store), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def measure(client: httpx.Client, paths: list[str], rounds: int) -> tuple[float, float]:
    for p in paths[:3]:
        client.get(p)  # warm the caches and the connection
    times = []
    for i in range(rounds):
        path = paths[i % len(paths)]
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def run(url: str, n: int, rounds: int, label: str) -> None:
    store = Store(url)
    store.migrate()
    t0 = time.perf_counter()
    ids = build(store, n)
    print(f"{label}: stored {n} items in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    with store.engine.begin() as conn:  # what autovacuum does soon after a bulk load
        conn.exec_driver_sql("ANALYZE")
    base, server, thread = serve(store)
    rng = random.Random(3)
    middle = encode_cursor(n // 2)
    cases = {
        "api items (first page, after=, tag=)": [
            "/api/v1/items",
            f"/api/v1/items?after={middle}",
            "/api/v1/items?relevant=true&tag=ttp",
        ],
        "api items with q": [
            "/api/v1/items?q=checkpoint",
            f"/api/v1/items?q={RARE}",
            "/api/v1/items?q=" + "حملہ",
            "/api/v1/items?q=%22security+forces%22",
        ],
        "inbox page": ["/", "/?tag=ttp", "/?place=Bannu"],
        "item page": [f"/items/{rng.choice(ids)}" for _ in range(50)],
    }
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, paths in cases.items():
            p50, p95 = measure(client, paths, rounds)
            print(f"| {label} | {name} | {p50:.1f} | {p95:.1f} |")
    server.should_exit = True
    thread.join()
    store.close()


def pg_url() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, PG.replace("postgresql://", "postgresql+psycopg://") + (
        f"?options=-csearch_path%3D{schema}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print("| database | request | p50 ms | p95 ms |\n| --- | --- | --- | --- |")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.items, args.rounds, "SQLite")
    if args.db in ("postgresql", "both"):
        schema, url = pg_url()
        try:
            run(url, args.items, args.rounds, "PostgreSQL")
        finally:
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
