"""The tools around the pipeline: extract, score, rescore, and seeds coming back."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_support import REPO, Instance

from httpd import FIXTURES, FixtureServer, Route

SEED = REPO / "seeds" / "000_a4cd76194f41d5b9.txt"
TEMPLATE = (FIXTURES / "site" / "torkham-reopens.html").read_text()


def republish(paragraphs: list[str], title: str) -> bytes:
    """The given paragraphs under another outlet's template (nav, related, comments…)."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    start = TEMPLATE.index('<div class="story-body">') + len('<div class="story-body">')
    end = TEMPLATE.index("</div>", start)
    page = TEMPLATE[:start] + body + TEMPLATE[end:]
    return page.replace("Torkham border reopens for trade after ten-day closure", title).encode()


def one_entry_feed(server: FixtureServer, path: str, page: bytes) -> str:
    server.add(path, Route(body=page))
    feed = (
        f'<rss version="2.0"><channel><title>Republisher</title><item><title>Story</title>'
        f"<link>{path}</link><guid>{path}</guid></item></channel></rss>"
    )
    return server.add("/republisher.xml", Route(body=feed.encode()))


def test_a_seed_article_under_another_template_is_a_seed_duplicate(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    main_article = SEED.read_text().splitlines()[:10]  # the main article, not the fragments
    url = one_entry_feed(server, "/news/ttp-offensive", republish(main_article, "TTP offensive"))
    inst = make_instance([("Republisher", url)])
    assert inst.run("init")[0] == 0
    code, out, _ = inst.run("poll")
    assert code == 0 and "entries: 0 new, 1 duplicate" in out
    assert inst.export() == []
    (dup,) = inst.export("--include-duplicates")
    assert dup["duplicate_of"]["kind"] == "seed"  # type: ignore[index]
    assert dup["duplicate_of"]["id"] == SEED.stem  # type: ignore[index]
    assert dup["duplicate_of"]["similarity"] >= 0.8  # type: ignore[index]
    code, out, _ = inst.run("digest", "--since", "1h")
    assert "TTP offensive" not in out  # duplicates stay out of digests


def test_extract_prints_what_the_extractor_gets(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    page = FIXTURES / "site" / "waziristan-ibo.html"
    url = server.add("/page", Route(body=page.read_bytes()))
    inst = make_instance([])
    code, out, _ = inst.run("extract", str(page), url, str(page.parent / "missing.html"))
    assert code == 3  # one input could not be read: still one line for each
    local, remote, missing = (json.loads(line) for line in out.splitlines())
    for record in (local, remote):
        assert (
            record["title"] == "Security forces kill eight terrorists in North Waziristan operation"
        )
        assert record["authors"] == ["Staff Reporter"]
        assert record["published_at"] == "2026-11-19T08:30:00Z"
        assert record["language"] == "en"
        assert "Mir Ali area" in record["text"] and "Copyright" not in record["text"]
    assert remote["input"] == url
    assert "cannot read" in missing["error"]


def test_score_reads_files_and_json_lines(
    make_instance: Callable[..., Instance],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inst = make_instance([])
    article = tmp_path / "brief.txt"
    article.write_text(
        "TTP attack in Bannu\nMilitants of the banned Tehreek-e-Taliban Pakistan attacked a "
        "police station in Bannu, Khyber Pakhtunkhwa, killing three policemen, officials said."
    )
    code, out, _ = inst.run("score", str(article))
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["input"] == str(article)
    assert record["relevance"]["relevant"] is True
    assert "ttp" in record["relevance"]["tags"]
    assert any(
        e["facet"] == "actor" and e["where"] and e["weight"] > 0
        for e in record["relevance"]["evidence"]
    )

    lines = [
        {
            "id": "cricket",
            "title": "Afghanistan beat Pakistan",
            "text": "Rashid Khan took four "
            "wickets as Afghanistan beat Pakistan by six wickets in Sharjah.",
        },
        "not json",
    ]
    stdin = "\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code, out, _ = inst.run("score")
    assert code == 3
    cricket, bad = (json.loads(line) for line in out.splitlines())
    assert cricket["input"] == "cricket" and cricket["relevance"]["relevant"] is False
    assert "line 2" in bad["error"]


def test_rescore_reports_changed_decisions(
    server: FixtureServer, make_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    page = (FIXTURES / "site" / "waziristan-ibo.html").read_bytes()
    url = one_entry_feed(server, "/news/ibo", page)
    inst = make_instance([("Republisher", url)])
    inst.run("init")
    inst.run("poll")
    (before,) = inst.export()
    assert before["relevance"]["relevant"] is True  # type: ignore[index]
    code, out, _ = inst.run("rescore")
    assert code == 0 and "rescored 1 item; 0 decisions changed" in out

    # a new model version (here: one whose intercept lets nothing pass) is applied
    model = json.loads((REPO / "config" / "relevance-model.json").read_text())
    model["intercept"] = -500.0
    edited = tmp_path / "relevance-model-strict.json"
    edited.write_text(json.dumps(model))
    strict = make_instance([("Republisher", url)], relevance={"model": str(edited)})
    code, out, err = strict.run("rescore")
    assert code == 0, err
    assert "1 decision changed (0 now relevant, 1 no longer relevant)" in out
    (after,) = strict.export()
    assert after["relevance"]["relevant"] is False  # type: ignore[index]
    assert strict.export("--relevant-only") == []
