"""Workers sharing a database: atomic bounded claims, outcomes only from the lease holder,
a hostile entry failing alone, a dropped connection retried (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import psycopg
import pytest
from ops_support import rss, serve_feed, story
from pipeline_support import Instance
from test_pipeline_postgres import PG

from httpd import FixtureServer, Route
from monitor.store import Store
from monitor.types import FeedConfig, FeedOutcome

FEEDS, WORKERS, TRIALS, BATCH = 30, 3, 20, 10


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'claims.db'}"
        return
    schema = f"monitor_claims_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        base = PG.replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    schema = f"monitor_kill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        base = PG.replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _feeds(url: str) -> Store:
    store = Store(url)
    store.migrate()
    store.sync_feeds(
        [FeedConfig(url=f"https://example.org/{n}.xml", name=f"F{n}") for n in range(FEEDS)],
        datetime.now(UTC) - timedelta(minutes=1),
    )
    return store


def test_workers_claiming_at_once_share_the_feeds_and_never_hold_one_twice(
    database_url: str,
) -> None:
    setup = _feeds(database_url)
    stores = [Store(database_url) for _ in range(WORKERS)]
    try:
        for _trial in range(TRIALS):
            with setup.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE feeds SET lease_owner = NULL, lease_until = NULL")
            barrier = threading.Barrier(WORKERS, timeout=30)
            got: dict[int, list[int]] = {}

            def claim(w: int, barrier: threading.Barrier, got: dict[int, list[int]]) -> None:
                barrier.wait()
                now = datetime.now(UTC)
                feeds = stores[w].claim_due_feeds(now, f"w{w}", timedelta(minutes=5), limit=BATCH)
                got[w] = [f.id for f in feeds]

            threads = [
                threading.Thread(target=claim, args=(w, barrier, got)) for w in range(WORKERS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            claimed = [i for ids in got.values() for i in ids]
            assert len(claimed) == len(set(claimed)) == FEEDS  # disjoint, all taken
            assert all(len(ids) == BATCH for ids in got.values())  # bounded: shared out
            with setup.engine.connect() as conn:
                owners = dict(conn.exec_driver_sql("SELECT id, lease_owner FROM feeds").all())
            assert all(owners[i] == f"w{w}" for w, ids in got.items() for i in ids)
    finally:
        for s in (setup, *stores):
            s.close()


def test_only_the_lease_holder_records_an_outcome(database_url: str) -> None:
    store = _feeds(database_url)
    try:
        old = datetime.now(UTC) - timedelta(hours=1)
        [mine] = store.claim_due_feeds(old, "slow", timedelta(minutes=5), limit=1, all_enabled=True)
        now = datetime.now(UTC)
        [taken] = store.claim_due_feeds(now, "fast", timedelta(minutes=5), limit=1)  # expired
        assert taken.id == mine.id
        outcome = FeedOutcome(state="ok", fetched_at=now, next_fetch_at=now,
                              current_interval_s=900.0, caching=None)  # fmt: skip
        assert not store.record_feed_outcome(mine.id, outcome, "slow")
        assert store.lease_owners(now) == {"fast"}
        assert store.record_feed_outcome(mine.id, outcome, "fast")
        assert store.lease_owners(now) == set()
    finally:
        store.close()


HOSTILE_JSON = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Hostile \ud800 feed",
    "items": [
        {"id": "h1", "url": "/h/1", "title": "Lone \ud800 surrogate", "content_text": story(5001)},
        {"id": "h2", "url": "/h/2", "title": "NUL \u0000 here", "content_text": story(5002)},
        {"id": "h3", "url": "/h/3", "title": "\x1b]8;;http://x\x07" + "T" * 5000,
         "content_text": "\x1b[2J" + story(5003)},
    ],
}  # fmt: skip


def _serve_normal_and_hostile(server: FixtureServer) -> list[tuple[str, str]]:
    feeds = []
    for f in range(10):
        items = [(f"{f}-{n}", f"Story {f}-{n}", story(100 * f + n)) for n in range(2)]
        feeds.append((f"Normal {f}", serve_feed(server, f"/normal{f}.xml", items)))
    body = json.dumps(HOSTILE_JSON).encode()  # "\ud800" written as the escape JSON allows
    json_url = server.add("/hostile.json", Route(body=body, content_type="application/feed+json"))
    nul_rss = rss("Nul", [("x1", "Amp &amp;#0; NUL", story(6001))]).replace(b"Amp &amp;", b"&")
    rss_url = server.add("/nul.xml", Route(body=nul_rss, content_type="application/rss+xml"))
    return [*feeds, ("Hostile JSON", json_url), ("NUL RSS", rss_url)]


def test_hostile_entries_are_cleaned_and_every_feed_is_recorded(
    server: FixtureServer, make_instance: Callable[..., Instance], database_url: str
) -> None:
    inst = make_instance(_serve_normal_and_hostile(server), database={"url": database_url})
    assert inst.run("init")[0] == 0
    code, out, err = inst.run("poll")
    assert code == 0, err
    assert "12 ok" in out and "0 failed" in out, out
    records = inst.export()
    titles = {str(r["title"]) for r in records}
    assert sum(t.startswith("Story ") for t in titles) == 20  # every normal article
    assert {"NUL here", "NUL", "Lone \ufffd surrogate"} <= titles
    assert not any(ch in t for t in titles for ch in ("\x00", "\x1b", "\x07"))
    assert max(len(t) for t in titles) <= 1000
    code, out, _ = inst.run("feeds", "list", "--json")
    assert all(json.loads(line)["state"] != "new" for line in out.splitlines())


@pytest.mark.postgres
def test_terminated_connections_mid_pass_are_retried(
    server: FixtureServer, make_instance: Callable[..., Instance], pg_schema_url: str
) -> None:
    app = f"monitor_kill_{uuid.uuid4().hex[:8]}"  # only this test's connections are cut
    database_url = f"{pg_schema_url}&application_name={app}"
    killed = threading.Event()

    def page_that_kills(req: BaseHTTPRequestHandler) -> None:
        if not killed.is_set():
            killed.set()
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s",
                    (app,),
                )
        req.send_response(404)
        req.send_header("Content-Length", "0")
        req.end_headers()

    items = [(str(n), f"Story {n}", story(700 + n)) for n in range(6)]
    url = serve_feed(server, "/k.xml", items)
    for n in range(6):
        server.add(f"/a/{n}", Route(handler=page_that_kills))
    inst = make_instance([("K", url)], database={"url": database_url})
    assert inst.run("init")[0] == 0
    code, out, err = inst.run("poll")
    assert killed.is_set()
    assert code == 0, err
    assert "entries: 6 new" in out, (out, err)
    store = Store(database_url)
    try:
        assert store.lease_owners(datetime.now(UTC)) == set()
    finally:
        store.close()
