"""Digests group relevant items by tag and story, and never render feed content unescaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.digest import build_digest, render_html, render_json, render_markdown
from monitor.types import Evidence, Relevance, StoredItem

T0 = datetime(2026, 11, 20, 8, tzinfo=UTC)
EVIL = '<script>alert("x")</script> [click](javascript:alert(1)) **bold** <img src=x onerror=y>'


def item(
    n: int,
    story: str,
    *,
    relevant: bool = True,
    title: str = "",
    outlet: str = "A",
    tag: str = "ttp",
    url: str = "",
) -> StoredItem:
    rel = Relevance(
        score=0.9 if relevant else 0.1,
        relevant=relevant,
        tags=(tag,) if relevant else (),
        evidence=(Evidence("TTP", tag, 2, 1.0),) if relevant else (),
    )
    return StoredItem(
        seq=n,
        id=f"id{n}",
        url=url or f"https://example.org/{n}",
        canonical_url=f"https://example.org/{n}",
        title=title or f"Story {n}",
        authors=(),
        published_at=T0 + timedelta(hours=n),
        fetched_at=T0,
        stored_at=T0 + timedelta(hours=n),
        language="en",
        text=f"Text of {n}. {title}",
        text_source="page",
        source_name=outlet,
        source_feed_url=None,
        content_hash="0" * 64,
        relevance=rel,
        duplicate_of=None,
        story_id=story,
    )


def test_stories_group_reports_earliest_first_under_their_tag() -> None:
    items = [
        item(3, "s1", outlet="Dawn"),
        item(1, "s1", outlet="Geo"),
        item(2, "s1", outlet="Tolo"),
        item(4, "s2", tag="border-trade"),
        item(5, "s3", relevant=False),
    ]
    digest = build_digest(items, T0, T0 + timedelta(days=1))
    assert digest.relevant_items == 4 and digest.other_items == 1
    sections = dict(digest.sections)
    (story,) = sections["ttp"]
    assert [r.id for r in story.reports] == ["id1", "id2", "id3"]
    assert story.outlets == ("Geo", "Tolo", "Dawn")
    assert [s.story_id for s in sections["border-trade"]] == ["s2"]
    markdown = render_markdown(digest)
    assert "reported by 3 outlets" in markdown
    assert "Story 5" not in markdown


def test_feed_content_is_escaped_in_every_format() -> None:
    evil = item(1, "s1", title=EVIL, outlet=EVIL, url="javascript:alert(1)")
    digest = build_digest([evil], T0, T0 + timedelta(days=1))
    html = render_html(digest)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="#"' in html  # a javascript: link is never rendered as a link
    markdown = render_markdown(digest)
    assert "javascript:" not in markdown.replace("\\(javascript:", "")
    assert "[click](javascript" not in markdown and "<script>" not in markdown
    assert "\\*\\*bold\\*\\*" in markdown
    assert '"title": "<script>' in render_json(digest)  # JSON carries data, escaped by json
