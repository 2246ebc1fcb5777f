"""The daemon as an operator runs it: quiet logs, a second Ctrl-C, a deleted database,
and a database fault that must not leave feeds leased (or rotating items lost)."""

from __future__ import annotations

import html
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from ops_support import serve_feed, story
from pipeline_support import Instance

from httpd import FixtureServer, Route


def _start(inst: Instance, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONITOR_LOG__LEVEL": "INFO"}
    cmd = [sys.executable, "-m", "monitor", "--config", str(inst.config), "run"]
    with log.open("wb") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL, env=env)


def _wait_for(predicate: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_long_pass_is_noted_once_and_a_second_ctrl_c_exits_at_once(
    server: FixtureServer, make_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    items = [(str(n), f"Story {n}", story(800 + n)) for n in range(8)]
    url = serve_feed(server, "/long.xml", items)
    for n in range(8):
        server.add(f"/a/{n}", Route(status=404, body=b"gone", delay_s=1.5))
    inst = make_instance(
        [("Long", url)], schedule={"tick": "1s"}, fetch={"per_host_concurrency": 1}
    )
    assert inst.run("init")[0] == 0
    log = tmp_path / "daemon.log"
    proc = _start(inst, log)
    try:
        assert _wait_for(lambda: "pass still running" in log.read_text(), 60)
        time.sleep(2.5)  # several more ticks while the pass runs
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        assert proc.wait(20) == 130
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "daemon started: 1 feed, next due now" in text
    assert text.count("pass still running") == 1
    assert "maximum number of running instances" not in text
    assert "Traceback" not in text


def test_a_deleted_database_stops_the_daemon_with_one_line(
    server: FixtureServer, make_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    url = serve_feed(server, "/d.xml", [(str(n), f"Story {n}", story(900 + n)) for n in range(3)])
    inst = make_instance([("D", url)], schedule={"tick": "1s"})
    assert inst.run("init")[0] == 0
    log = tmp_path / "daemon.log"
    proc = _start(inst, log)
    try:
        assert _wait_for(lambda: "pass done" in log.read_text(), 60)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{inst.db}{suffix}").unlink(missing_ok=True)
        assert proc.wait(30) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "was deleted while in use" in text
    assert "Traceback" not in text
    code, _, err = inst.run("stats")
    assert code == 1 and "no database at" in err
    assert not inst.db.exists()  # a command that reads creates no database


def test_a_locked_database_mid_run_leaves_no_feed_leased_and_loses_no_rotating_item(
    server: FixtureServer, make_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    started = time.monotonic()
    served: dict[str, float] = {}
    lock = threading.Lock()

    requests: list[float] = []

    def rotating(req: BaseHTTPRequestHandler) -> None:
        requests.append(time.monotonic())
        if len(requests) == 2:  # the feed is leased to the daemon: now the database locks
            locked = threading.Event()
            threading.Thread(target=_hold_lock, args=(inst.db, locked), daemon=True).start()
            locked.wait(10)
        newest = int(time.monotonic() - started)  # one new item a second
        ids = [str(n) for n in range(max(newest - 9, 0), newest + 1)]  # only the newest ten
        with lock:
            for i in ids:
                served.setdefault(i, time.monotonic())
        body = "".join(
            f"<item><title>Rotating {i}</title><link>/r/{i}</link><guid>r{i}</guid>"
            f"<description>{html.escape(story(1000 + int(i)))}</description></item>"
            for i in ids
        )
        data = f'<rss version="2.0"><channel><title>R</title>{body}</channel></rss>'.encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    url = server.add("/rot.xml", Route(handler=rotating))
    inst = make_instance(
        [("R", url)],
        schedule={"tick": "1s", "interval": "1s", "min_interval": "1s"},
        database={"busy_timeout_s": 0.3},
        fetch={"respect_robots": False},
    )
    assert inst.run("init")[0] == 0
    log = tmp_path / "daemon.log"
    proc = _start(inst, log)
    try:
        assert _wait_for(lambda: "pass failed" in log.read_text(), 60)
        assert _wait_for(lambda: len(requests) >= 5, 60)  # polled on after the fault
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "Traceback" not in text and "raised an exception" not in text
    with sqlite3.connect(inst.db) as conn:
        # feedparser resolves a relative guid against the feed's URL
        stored = {r[0].rsplit("/", 1)[-1] for r in conn.execute("SELECT entry_id FROM entry_ids")}
        leased = conn.execute("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL")
        assert leased.fetchone()[0] == 0
    cutoff = time.monotonic() - 3.0  # the last few may not have been polled yet
    missing = {f"r{i}" for i, at in served.items() if at < cutoff} - stored
    assert not missing, (sorted(missing), text[-2000:])


def _hold_lock(db: Path, locked: threading.Event) -> None:
    """The database refuses writes for 2.5 s (another process holding the write lock)."""
    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(2.5)
    conn.execute("ROLLBACK")
    conn.close()
