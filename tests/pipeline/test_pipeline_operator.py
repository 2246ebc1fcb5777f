"""What the operator sees: clean stdout, inert feed text, words and counts that agree,
progress on a terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from pipeline_support import REPO, Instance, serve_site, write_config

from httpd import FixtureServer
from monitor.terminal import print_table, printable

HOSTILE = "Evil\x1b[2J\x1b]0;owned\x07\x1b]8;;http://x.test/\x07link\x1b]8;;\x07\x9b31m"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_control_characters_never_reach_the_terminal(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    urls = serve_site(server)
    inst = make_instance([])
    feed = f'[[feed]]\nurl = "{urls["rss"]}"\nname = {json.dumps(HOSTILE)}\n'
    (inst.config.parent / "feeds.toml").write_text(feed)
    assert inst.run("init")[0] == 0
    code, out, _ = inst.run("feeds", "list")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "Evil\\x1b[2J\\x1b]0;owned\\x07" in out  # shown, visibly, not obeyed
    code, out, _ = inst.run("feeds", "list", "--json")
    assert "\x9b" not in out and json.loads(out)["name"] == HOSTILE  # the data is intact
    tty = FakeTerminal()
    print_table(["feed"], [[HOSTILE]], out=tty)
    assert "\x1b[2J" not in tty.getvalue() and "\x1b]" not in tty.getvalue()
    assert printable("a\tb\nc\x00") == "a\tb\nc\\x00"


def test_words_and_counts_agree(
    server: FixtureServer, make_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    urls = serve_site(server)
    inst = make_instance([("Frontier Daily", urls["rss"])])
    feeds = tmp_path / "config" / "feeds.toml"
    feeds.write_text(
        feeds.read_text()
        + '\n[[feed]]\nurl = "http://127.0.0.1:9/off"\nname = "Off"\nenabled = false\n'
    )
    _, out, _ = inst.run("init")
    assert "2 feeds;" in out
    _, out, _ = inst.run("stats")
    assert out.strip() == "0 items (0 relevant), 0 duplicates; 2 feeds: 1 new, 1 disabled"
    rows = {
        r["name"]: r for r in map(json.loads, inst.run("feeds", "list", "--json")[1].splitlines())
    }
    assert rows["Off"]["next_fetch_at"] is None and rows["Frontier Daily"]["next_fetch_at"]
    _, out, _ = inst.run("feeds", "list")
    (off,) = [line for line in out.splitlines() if "Off" in line]
    assert off.split()[:5] == ["disabled", "0", "0", "-", "-"]


def test_stdout_of_scripts_run_is_only_the_commands_output(
    server: FixtureServer, tmp_path: Path
) -> None:
    urls = serve_site(server)
    config = write_config(tmp_path / "config", [("Frontier Daily", urls["rss"])])
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    for args in (["export"], ["feeds", "list", "--json"], ["stats"]):
        result = subprocess.run(
            ["bash", str(REPO / "scripts" / "run"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "database ready" in result.stderr and "database ready" not in result.stdout
        if args != ["stats"]:
            [json.loads(line) for line in result.stdout.splitlines()]  # every line is JSON


def _on_a_terminal(args: list[str], config: Path) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal; stdout stays a pipe."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = proc.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_bars_on_a_terminal_and_none_when_piped(
    server: FixtureServer, tmp_path: Path
) -> None:
    urls = serve_site(server)
    config = write_config(
        tmp_path / "config", [("Frontier Daily", urls["rss"]), ("Border Times", urls["atom"])]
    )
    code, out, err = _on_a_terminal(["init"], config)
    assert code == 0 and out.startswith("database ready; 2 feeds")
    assert "loading seeds" in err and re.search(r"\d+/\d+", err)
    code, out, err = _on_a_terminal(["poll"], config)
    assert code == 0 and out.startswith("feeds: 2 ok")
    assert "polling feeds" in err and "2/2" in err
    code, out, err = _on_a_terminal(["rescore"], config)
    assert code == 0 and "rescoring" in err
    piped = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "rescore"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0 and "rescoring" not in piped.stderr


def test_a_poll_that_finds_every_feed_leased_says_so(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.store import Store

    urls = serve_site(server)
    inst = make_instance([("Frontier Daily", urls["rss"])])
    assert inst.run("init")[0] == 0
    store = Store(f"sqlite:///{inst.db}")
    try:  # another worker, on another host, holds every feed
        now = datetime.now(UTC)
        assert store.claim_due_feeds(now, "elsewhere:1", timedelta(minutes=30), all_enabled=True)
    finally:
        store.close()
    code, out, err = inst.run("poll")
    assert code == 0 and out.startswith("feeds: 0 ok, 0 not modified, 0 failed")
    assert "no feed polled: every enabled feed is leased by another worker" in err
