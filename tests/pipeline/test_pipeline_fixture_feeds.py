"""RSS 2.0, Atom and an ill-formed feed (read leniently) with their article pages:
every entry is stored once with the page's metadata and main text, in its language."""

from __future__ import annotations

import json
from collections.abc import Callable

from pipeline_support import Instance

from httpd import FIXTURES, FixtureServer, Route

FEEDS = FIXTURES / "feeds"
PAGES = FIXTURES / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text())


def test_three_dialects_of_feed_through_the_whole_pipeline(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    for slug in EXPECTED:
        server.add(f"/news/{slug}", Route(body=(PAGES / f"{slug}.html").read_bytes()))
    kinds = {"rss2.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}
    urls = []
    for name in ("rss2.xml", "atom.xml", "illformed.xml"):
        route = Route(body=(FEEDS / name).read_bytes(), content_type=kinds.get(name, "text/xml"))
        urls.append((name, server.add(f"/feeds/{name}", route)))
    inst = make_instance(urls)
    assert inst.run("init")[0] == 0
    code, out, err = inst.run("poll")
    assert code == 0, err
    assert "feeds: 3 ok" in out and "0 failed" in out.split("entries:")[1]

    records = {str(r["canonical_url"]).rsplit("/", 1)[1]: r for r in inst.export()}
    assert set(records) == set(EXPECTED)
    for slug, want in EXPECTED.items():
        got = records[slug]
        assert got["text_source"] == "page", slug
        assert got["title"] == want["title"], slug
        assert got["authors"] == want["authors"], slug
        assert got["published_at"] == want["published_at"], slug
        assert got["language"] == want["language"], slug
        for sentence in want["present"]:
            assert sentence in str(got["text"]), (slug, sentence)
        for boilerplate in want["absent"]:
            assert boilerplate not in str(got["text"]), (slug, boilerplate)
        assert got["relevance"]["relevant"] is True, slug  # type: ignore[index]
