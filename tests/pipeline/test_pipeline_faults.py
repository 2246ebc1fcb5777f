"""Crashes and a busy database: nothing stored is lost, nothing is stored twice."""

from __future__ import annotations

import html
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_support import Instance

from httpd import FIXTURES, FixtureServer, Route

ENTRIES = 12
PAGE = (FIXTURES / "site" / "torkham-reopens.html").read_text()
WORDS = (FIXTURES / "site" / "cricket-sharjah.html").read_text().split()


def distinct_story(n: int) -> str:
    """A page whose article text shares nothing long with the other stories."""
    rng = random.Random(n)
    paragraphs = [" ".join(rng.sample(WORDS, 60)) for _ in range(4)]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return re.sub(
        r'(<div class="story-body">).*?(</div>)', rf"\g<1>{body}\g<2>", PAGE, count=1, flags=re.S
    )


def serve_slow_feed(server: FixtureServer, delay_s: float = 0.15) -> str:
    """One feed of ENTRIES distinct articles whose pages answer slowly."""
    items = []
    for n in range(ENTRIES):
        page = distinct_story(n)
        server.add(f"/slow/{n}", Route(body=page.encode(), delay_s=delay_s))
        items.append(
            f"<item><title>Crossing story {n}</title><link>/slow/{n}</link>"
            f"<guid>slow-{n}</guid><description>Story {n}</description></item>"
        )
    feed = f'<rss version="2.0"><channel><title>Slow</title>{"".join(items)}</channel></rss>'
    return server.add("/slow.xml", Route(body=feed.encode(), etag='"v1"'))


def cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", "--config", str(config), *args]


def item_count(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


@pytest.mark.parametrize("kill_at", [0, 1, 5, ENTRIES])
def test_poll_killed_at_any_point_is_completed_exactly_once_by_the_next(
    server: FixtureServer, make_instance: Callable[..., Instance], kill_at: int
) -> None:
    url = serve_slow_feed(server)
    inst = make_instance([("Slow", url)], fetch={"per_host_concurrency": 2})
    assert inst.run("init")[0] == 0

    proc = subprocess.Popen(
        cli(inst.config, "poll"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if kill_at == 0 and server.hits("/slow.xml"):
            break
        if kill_at and item_count(inst.db) >= kill_at:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    before = item_count(inst.db)
    assert before <= ENTRIES

    second = subprocess.run(cli(inst.config, "poll"), capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert f"entries: {ENTRIES - before} new" in second.stdout

    records = inst.export()
    assert len(records) == ENTRIES
    assert len({r["canonical_url"] for r in records}) == ENTRIES
    with sqlite3.connect(inst.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every stored item is whole: text, hash and score written together
        assert (
            conn.execute(
                "SELECT count(*) FROM items WHERE text = '' OR content_hash = ''"
            ).fetchone()[0]
            == 0
        )

    third = subprocess.run(cli(inst.config, "poll"), capture_output=True, text=True, timeout=120)
    assert "1 not modified" in third.stdout  # validators saved once all entries were stored
    assert "entries: 0 new" in third.stdout


def hold_write_lock(db: Path, seconds: float, locked: threading.Event) -> None:
    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_second_writer_waits_for_the_lock_instead_of_failing(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    url = serve_slow_feed(server, delay_s=0)
    inst = make_instance([("Slow", url)])
    assert inst.run("init")[0] == 0
    locked = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(inst.db, 2.0, locked))
    holder.start()
    locked.wait(10)
    result = subprocess.run(cli(inst.config, "poll"), capture_output=True, text=True, timeout=120)
    holder.join()
    assert result.returncode == 0, result.stderr
    assert f"entries: {ENTRIES} new" in result.stdout


def test_a_database_locked_too_long_gives_one_clear_line(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    url = serve_slow_feed(server, delay_s=0)
    inst = make_instance([("Slow", url)], database={"busy_timeout_s": 0.5})
    assert inst.run("init")[0] == 0
    locked = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(inst.db, 4.0, locked))
    holder.start()
    locked.wait(10)
    result = subprocess.run(cli(inst.config, "poll"), capture_output=True, text=True, timeout=120)
    holder.join()
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "locked by another process" in lines[0], result.stderr
    assert item_count(inst.db) == 0


def test_daemon_stops_cleanly_on_sigterm(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    url = serve_slow_feed(server, delay_s=0.3)
    inst = make_instance([("Slow", url)], schedule={"tick": "1s"})
    assert inst.run("init")[0] == 0
    env = {**os.environ, "MONITOR_LOG__LEVEL": "INFO"}
    proc = subprocess.Popen(cli(inst.config, "run"), stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while item_count(inst.db) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "daemon stopped" in err
    stored = item_count(inst.db)
    assert 1 <= stored <= ENTRIES
    with sqlite3.connect(inst.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
