"""Digests group relevant items by tag and story, and never render feed content unescaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from monitor.digest import build_digest, md_escape, render_html, render_json, render_markdown
from monitor.types import DuplicateRef, Evidence, Relevance, StoredItem

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
    language: str = "en",
    score: float = 0.9,
    duplicate_of: DuplicateRef | None = None,
) -> StoredItem:
    rel = Relevance(
        score=score if relevant else 0.1,
        relevant=relevant,
        tags=(tag,) if relevant else (),
        evidence=(Evidence("TTP", tag, 2, 1.0),) if relevant else (),
    )
    return StoredItem(
        seq=n,
        id=f"id{n}",
        url=url or f"https://example.org/{n}",
        canonical_url=url or f"https://example.org/{n}",
        title=title or f"Story {n}",
        authors=(),
        published_at=T0 + timedelta(hours=n),
        fetched_at=T0,
        stored_at=T0 + timedelta(hours=n),
        language=language,
        text=f"Text of {n}. {title}",
        text_source="page",
        source_name=outlet,
        source_feed_url=None,
        content_hash="0" * 64,
        relevance=rel,
        duplicate_of=duplicate_of,
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
    assert "href=" not in html and '<span class="title">&lt;script' in html  # never a link
    markdown = render_markdown(digest)
    assert not re.search(r"(?<!\\)\]\(javascript", markdown)  # no link was formed
    assert "[click](javascript" not in markdown and "<script>" not in markdown
    assert "\\*\\*bold\\*\\*" in markdown
    assert '"title": "<script>' in render_json(digest)  # JSON carries data, escaped by json


def test_markdown_escapes_only_what_changes_the_rendering() -> None:
    assert md_escape("Pak-Afghan border-trade resumes (TTP) at 3.5% - officials") == (
        "Pak-Afghan border-trade resumes (TTP) at 3.5% - officials"
    )
    assert md_escape("**bold** _it_ `code` [x](y) <b> ~~s~~") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[x\\](y) \\<b\\> \\~\\~s\\~\\~"
    )
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("- not a list") == "\\- not a list"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("&amp; stays text") == "\\&amp; stays text"
    assert md_escape("Tom & Jerry") == "Tom & Jerry"


def test_links_use_the_canonical_url() -> None:
    lead = item(1, "s1", title="Attack")
    tracked = StoredItem(
        **{
            **{f: getattr(lead, f) for f in lead.__slots__},  # type: ignore[arg-type]
            "url": "https://example.org/1?utm_source=rss",
        }
    )
    digest = build_digest([tracked], T0, T0 + timedelta(days=1))
    assert "(<https://example.org/1>)" in render_markdown(digest)
    assert 'href="https://example.org/1"' in render_html(digest)
    assert "utm_source" not in render_markdown(digest) + render_html(digest)


def test_html_is_a_dated_styled_page_ranked_by_score_with_rtl_set_right_to_left() -> None:
    items = [
        item(1, "s1", title="Low", score=0.6),
        item(2, "s2", title="\u0679\u06cc \u0679\u06cc \u067e\u06cc", language="ur", score=0.95),
        item(3, "s3", title="Mid", score=0.8),
    ]
    html = render_html(build_digest(items, T0, T0 + timedelta(days=1)))
    assert "<title>monitor digest 2026-11-21</title>" in html
    assert "<style>" in html and "font" in html
    assert 'dir="rtl" lang="ur"' in html and 'dir="auto" lang="en"' in html
    assert html.index("\u0679\u06cc") < html.index("Mid") < html.index("Low")
    markdown = render_markdown(build_digest(items, T0, T0 + timedelta(days=1)))
    assert markdown.index("Mid") < markdown.index("Low")


def test_a_wire_copy_from_a_second_outlet_counts_as_an_outlet() -> None:
    original = item(1, "s1", outlet="Dawn", title="Attack in Bannu")
    copy = item(2, "s1", outlet="Business Recorder", duplicate_of=DuplicateRef("item", "id1", 0.97))
    seed_copy = item(3, "s1", outlet="Seedy", duplicate_of=DuplicateRef("seed", "000", 0.99))
    digest = build_digest([original, copy, seed_copy], T0, T0 + timedelta(days=1))
    (story,) = dict(digest.sections)["ttp"]
    assert story.outlets == ("Dawn", "Business Recorder")
    assert digest.relevant_items == 1
    assert "reported by 2 outlets: Dawn, Business Recorder" in render_markdown(digest)
    assert "reported by 2 outlets" in render_html(digest)
    single = render_html(build_digest([original], T0, T0 + timedelta(days=1)))
    assert "outlet(s)" not in single and "1 relevant item in 1 story" in " ".join(single.split())
