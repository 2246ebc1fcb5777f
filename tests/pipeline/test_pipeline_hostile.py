"""A poll over hostile feeds: the run goes on, each feed's state says what happened,
and nothing already stored changes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from pipeline_support import Instance, serve_site

from hostile_server import HostileServer
from httpd import FixtureServer, Route

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>/laughs/1</link><description>&lol9;</description></item>
</channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>XXE</title>
<item><title>Leak &xxe;</title><link>/xxe/1</link><description>Text &xxe; here</description></item>
</channel></rss>"""

ODD_ENTRIES = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Odd</title>
<item><title>From the future</title><link>/odd/future</link><guid>same-guid</guid>
<pubDate>Fri, 01 Jan 2999 00:00:00 GMT</pubDate>
<description>Officials in Bannu said the curfew would be lifted after the search operation
ended and markets would reopen on Monday, police said.</description></item>
<item><title>Same guid, other link</title><link>/odd/other</link><guid>same-guid</guid>
<description>A second entry claiming the first one's guid.</description></item>
<item><title>From long ago</title><link>/odd/ancient</link><guid>ancient</guid>
<pubDate>Mon, 01 Jan 1900 00:00:00 GMT</pubDate>
<description>Traders at Chaman said the crossing stayed open for pedestrians on Sunday,
while trucks waited on both sides for customs clearance.</description></item>
</channel></rss>"""


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def rate_limiting() -> Iterator[HostileServer]:
    """A second server: its 429 + Retry-After must not hold back the other hosts."""
    server = HostileServer()
    try:
        yield server
    finally:
        server.close()


def feed_states(inst: Instance) -> dict[str, dict[str, object]]:
    code, out, err = inst.run("feeds", "list", "--json")
    assert code == 0, err
    return {str(s["name"]): s for s in map(json.loads, out.splitlines())}


def test_hostile_feeds_fail_one_by_one_and_cost_nothing_stored(
    server: FixtureServer,
    hostile: HostileServer,
    rate_limiting: HostileServer,
    make_instance: Callable[..., Instance],
) -> None:
    urls = serve_site(server)
    settings = {
        "fetch": {"timeout_s": 2, "connect_timeout_s": 1, "max_bytes": 2_000_000},
        "extract": {"timeout_s": 10, "workers": 1},
    }
    good = [("Frontier Daily", urls["rss"])]
    inst = make_instance(good, **settings)
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    before = inst.export("--include-duplicates")
    assert len(before) == 4

    server.add("/laughs.xml", Route(body=BILLION_LAUGHS, content_type="application/rss+xml"))
    server.add("/xxe.xml", Route(body=EXTERNAL_ENTITY, content_type="application/rss+xml"))
    server.add("/odd.xml", Route(body=ODD_ENTRIES, content_type="application/rss+xml"))
    blocked = hostile.url("/feed", host="127.0.0.2")
    expected = {
        "hang": (hostile.url("/hang"), "within 2 s"),
        "drip": (hostile.url("/drip"), "within 2 s"),
        "reset": (hostile.url("/reset"), ""),
        "big": (hostile.url("/big"), "larger than 2000000 bytes"),
        "bomb": (hostile.url("/bomb"), "once decompressed"),
        "loop": (hostile.url("/loop/a"), "redirect"),
        "to-private": (hostile.url(f"/to?url={blocked}"), "refused"),
        "status-500": (hostile.url("/status?code=500"), "500"),
        "status-429": (rate_limiting.url("/status?code=429&retry_after=3600"), "429"),
        "html": (hostile.url("/html"), "not a feed"),
        "binary": (hostile.url("/binary"), "not a feed"),
        "laughs": (server.url("/laughs.xml"), "DOCTYPE that declares entities"),
        "xxe": (server.url("/xxe.xml"), "DOCTYPE that declares entities"),
    }
    feeds = good + [(name, url) for name, (url, _) in expected.items()]
    feeds += [("mislabelled", hostile.url("/mislabelled")), ("odd", server.url("/odd.xml"))]
    inst = make_instance(feeds, **settings)

    code, out, err = inst.run("poll")
    assert code == 0, err
    assert f"{len(expected)} failed" in out, err

    states = feed_states(inst)
    for name, (_, words) in expected.items():
        state = states[name]
        assert state["state"] == "error", (name, state)
        assert state["consecutive_failures"] == 1
        error = str(state["last_error"])
        assert words in error and "\n" not in error, (name, error)
    assert states["status-429"]["next_fetch_at"] > states["status-500"]["next_fetch_at"]  # type: ignore[operator]
    assert states["Frontier Daily"]["state"] == "not-modified"
    assert states["mislabelled"]["state"] == "ok"  # wrong charset: read anyway, no entries

    after = inst.export("--include-duplicates")
    assert after[: len(before)] == before  # nothing already stored changed
    new = after[len(before) :]
    texts = " ".join(str(r["title"]) + str(r["text"]) for r in new)
    assert "root:" not in texts  # no external entity was resolved
    assert "lollollol" not in texts  # no entity was expanded
    by_path = {
        str(r["canonical_url"]).rsplit("/", 2)[-2]
        + "/"
        + str(r["canonical_url"]).rsplit("/", 1)[-1]: r
        for r in new
    }
    assert by_path["odd/future"]["published_at"] is None  # absurd dates are dropped
    assert by_path["odd/ancient"]["published_at"] is None
    assert "odd/other" not in by_path  # a duplicated guid is one entry


def test_when_every_feed_fails_at_once_no_feed_is_penalised(
    make_instance: Callable[..., Instance],
) -> None:
    closed = [("a", "http://127.0.0.1:9/feed-a"), ("b", "http://127.0.0.1:9/feed-b")]
    inst = make_instance(closed)
    assert inst.run("init")[0] == 0
    code, out, err = inst.run("poll")
    assert code == 3 and "2 failed" in out  # exit 3: the work failed, the command did not
    assert (
        err.strip().splitlines()[-1] == "monitor: error: all 2 feeds failed: is the network down?"
    )
    for state in feed_states(inst).values():
        assert state["state"] == "error"
        assert state["consecutive_failures"] == 0  # the network, not the feeds
        assert state["last_error"]
