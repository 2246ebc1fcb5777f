"""What an operator trips over (issue 12): dates, server hints, unchanged bodies, missed
items, interval changes, change cursors, hostile entries, connectivity across ticks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from ops_support import feed_rows, feeds_json, pipeline, rss, serve_feed, story
from pipeline_support import Instance

from httpd import FixtureServer, Route
from monitor.store import Store

FOOTER_PAGE = """<!doctype html><html><head><title>Crossing reopens</title></head><body>
<article><h1>Crossing reopens</h1>{paragraphs}</article>
<footer><p>Border Wire {year}</p><p>&copy; {year} Border Wire. All rights reserved.</p></footer>
</body></html>"""


@pytest.mark.parametrize("year", ["2026", "2019"])
def test_a_year_in_the_page_footer_does_not_override_the_feeds_date(
    server: FixtureServer, make_instance: Callable[..., Instance], year: str
) -> None:
    paragraphs = "".join(f"<p>{story(n, 70)}</p>" for n in range(4))
    server.add("/a/1", Route(body=FOOTER_PAGE.format(paragraphs=paragraphs, year=year).encode()))
    feed = rss("Wire", [("1", "Crossing reopens", "Short")], "<pubDate>Mon, 30 Nov 2026 "
               "08:15:00 GMT</pubDate>")  # fmt: skip
    url = server.add("/feed.xml", Route(body=feed, content_type="application/rss+xml"))
    inst = make_instance([("Wire", url)])
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    [record] = inst.export()
    assert record["text_source"] == "page"
    assert record["published_at"] == "2026-11-30T08:15:00Z"
    assert record["published_at_source"] == "feed"


def _next_poll_delay(db: object) -> float:
    [row] = feed_rows(db)  # type: ignore[arg-type]
    fetched = datetime.fromisoformat(row["last_fetched_at"])
    return (datetime.fromisoformat(row["next_fetch_at"]) - fetched).total_seconds()


@pytest.mark.parametrize("hint", ["max-age", "ttl"])
def test_server_hints_apply_after_a_304_as_after_a_200(
    server: FixtureServer, make_instance: Callable[..., Instance], hint: str
) -> None:
    items = [(str(n), f"Story {n}", story(n)) for n in range(2)]
    ttl = "<ttl>120</ttl>" if hint == "ttl" else ""
    body = rss("Hinted", items).replace(b"<channel>", f"<channel>{ttl}".encode())
    headers = {"Cache-Control": "max-age=7200"} if hint == "max-age" else {}
    url = server.add("/feed.xml", Route(body=body, etag='"v1"', headers=headers))
    inst = make_instance([("Hinted", url)])
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    assert _next_poll_delay(inst.db) >= 7200
    code, out, _ = inst.run("poll")
    assert code == 0 and "1 not modified" in out
    assert _next_poll_delay(inst.db) >= 7200


def test_an_unchanged_body_without_validators_is_skipped_by_its_hash(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    items = [(str(n), f"Story {n}", story(n)) for n in range(3)]
    url = serve_feed(server, "/plain.xml", items)  # neither ETag nor Last-Modified
    inst = make_instance([("Plain", url)])
    assert inst.run("init")[0] == 0
    assert "1 ok" in inst.run("poll")[1]
    assert "1 not modified" in inst.run("poll")[1]
    server.routes["/plain.xml"].body = rss("/plain.xml", [*items, ("9", "Story 9", story(9))])
    assert "1 ok, 0 not modified, 0 failed; entries: 1 new" in inst.run("poll")[1]


def test_a_feed_that_drops_items_between_polls_is_marked_and_polled_sooner(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    def window(start: int) -> bytes:
        return rss("/rot.xml", [(str(n), f"Story {n}", story(n)) for n in range(start, start + 4)])

    url = server.add("/rot.xml", Route(body=window(0)))
    inst = make_instance([("Rotating", url)])
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    [before] = feeds_json(inst.run("feeds", "list", "--json")[1])
    assert before["missed_items_count"] == 0
    server.routes["/rot.xml"].body = window(4)  # all four new: some were probably missed
    assert inst.run("poll")[0] == 0
    [after] = feeds_json(inst.run("feeds", "list", "--json")[1])
    assert after["missed_items_count"] == 1 and after["missed_items_at"]
    assert after["interval_s"] < before["interval_s"]
    assert " ! " in inst.run("feeds", "list")[1]


def test_a_new_interval_in_the_feed_list_takes_effect_after_the_first_poll(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    url = serve_feed(server, "/f.xml", [("1", "One", story(1))])
    inst = make_instance([("F", url)])
    feeds_toml = inst.config.parent / "feeds.toml"
    feeds_toml.write_text(f'[[feed]]\nurl = "{url}"\nname = "F"\ninterval = "2h"\n')
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    feeds_toml.write_text(f'[[feed]]\nurl = "{url}"\nname = "F"\ninterval = "10m"\n')
    assert inst.run("poll")[0] == 0
    [state] = feeds_json(inst.run("feeds", "list", "--json")[1])
    assert state["interval_s"] <= 10 * 60 * 1.25


def test_the_per_feed_line_counts_add_up_and_rescored_items_get_a_change_cursor(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    items = [(str(n), f"Story {n}", story(n)) for n in range(3)]
    url = serve_feed(server, "/c.xml", items)
    inst = make_instance([("C", url)], log={"level": "INFO"})
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    server.routes["/c.xml"].body = rss("/c.xml", [*items, ("7", "Story 7", story(7))])
    code, _, err = inst.run("poll")
    assert code == 0
    [line] = [line for line in err.splitlines() if "feed polled" in line]
    assert "entries=4 new=1 duplicate=0 known=3 failed=0" in line

    records = inst.export()
    assert all(r["change_cursor"] is None for r in records)
    assert inst.export("--changed-after", "0") == []
    store = Store(f"sqlite:///{inst.db}")
    try:
        first = store.item(str(records[0]["id"]))
        assert first is not None
        store.update_relevance(first.id, first.relevance, "v2")
        store.update_relevance(str(records[2]["id"]), first.relevance, "v2")
    finally:
        store.close()
    changed = inst.export("--changed-after", "0")
    assert [r["id"] for r in changed] == [records[0]["id"], records[2]["id"]]
    cursor = str(changed[0]["change_cursor"])
    assert [r["id"] for r in inst.export("--changed-after", cursor)] == [records[2]["id"]]


def test_every_feed_leased_elsewhere_is_said(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    url = serve_feed(server, "/l.xml", [("1", "One", story(1))])
    inst = make_instance([("L", url)])
    assert inst.run("init")[0] == 0
    store = Store(f"sqlite:///{inst.db}")
    try:
        now = datetime.now(UTC)
        assert len(store.claim_due_feeds(now, "otherhost:1", timedelta(minutes=5))) == 1
    finally:
        store.close()
    code, out, _ = inst.run("poll")
    assert code == 0 and "leased by another worker" in out
    assert server.hits("/l.xml") == []


def _drop_connection(req: BaseHTTPRequestHandler) -> None:
    req.close_connection = True  # no answer at all: what a dead network looks like


@pytest.mark.parametrize("outage", [True, False])
def test_a_one_feed_tick_during_an_outage_penalises_nobody(
    server: FixtureServer, make_instance: Callable[..., Instance], outage: bool
) -> None:
    urls = [serve_feed(server, f"/n{n}.xml", [(f"{n}", f"S{n}", story(n))]) for n in range(4)]
    inst = make_instance([(f"N{n}", u) for n, u in enumerate(urls)])
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    for path, route in server.routes.items():
        if path.endswith(".xml") and (outage or path == "/n0.xml"):
            route.handler = _drop_connection
    with ExitStack() as stack:
        pipe = pipeline(inst.config, stack)
        start = datetime.now(UTC) + timedelta(hours=1)
        for tick in range(4):  # four ticks, one feed due in each
            with sqlite3.connect(inst.db) as conn:
                far = (start + timedelta(days=9)).replace(tzinfo=None).isoformat(" ")
                conn.execute("UPDATE feeds SET next_fetch_at = ? WHERE id != ?", (far, 1))
            pipe.clock = lambda t=tick: start + timedelta(hours=3 * t)
            summary = pipe.poll(all_feeds=False)
            assert summary.feeds_failed == 1
    [row, *_] = feed_rows(inst.db)
    assert row["state"] == "error"
    assert row["consecutive_failures"] == (0 if outage else 4)


def test_the_running_pipeline_picks_up_changed_seeds_without_a_restart(
    server: FixtureServer, make_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "old_seed.txt").write_text(story(4100, 120))
    text = story(4242, 120)
    url = serve_feed(server, "/s.xml", [("1", "Seeded story", text)])
    inst = make_instance([("S", url)], sources={"seeds": str(seeds)})
    assert inst.run("init")[0] == 0
    with ExitStack() as stack:
        pipe = pipeline(inst.config, stack)  # the daemon's pipeline, built once
        (seeds / "new_seed.txt").write_text(text)
        assert inst.run("init")[0] == 0  # the operator reloads the seeds meanwhile
        pipe.poll(all_feeds=True)
    [record] = inst.export("--include-duplicates")
    assert record["relevance"]["closest_seed"] == "new_seed"  # type: ignore[index]
