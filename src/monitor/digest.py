"""Digests: what was stored in a window, relevant items grouped by tag and story.

Building (pure) and rendering are separate. Markdown and HTML are rendered by
the Jinja2 templates in ``monitor/templates/digest/`` (package data, so other
front ends can use them too). Every string that came from a feed is escaped
for its format: HTML by autoescape, Markdown by ``md_escape``, which escapes
only what would change the rendering (``border-trade`` and ``(TTP)`` stay as
they are). Links point at the canonical URL, and only when it is http(s).

An item recognised as a copy of another (a syndicated wire story) is not a
report of its own, but its outlet counts among the story's outlets.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import jinja2

from monitor.records import iso
from monitor.types import StoredItem

UNTAGGED = "other"
# Characters that start inline markup anywhere in a line (emphasis, code, links, raw HTML,
# GFM strikethrough); ( and ) only matter after ], which is escaped.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What starts a block at the beginning of a line: heading, quote, list item, rule.
_MD_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|[>+\-*](?=\s|$)|(\d{1,9})([.)])(?=\s|$)|[=\-]{3,})")
RTL_LANGUAGES = frozenset({"ar", "fa", "ps", "ur", "sd", "ug", "ckb", "dv", "he", "yi", "ku"})


@dataclass(frozen=True, slots=True)
class Story:
    """One story: its reports, earliest first."""

    story_id: str
    reports: tuple[StoredItem, ...]
    tags: tuple[str, ...]
    score: float
    copies: tuple[StoredItem, ...] = ()  # stored duplicates of these reports (wire copies)

    @property
    def lead(self) -> StoredItem:
        return self.reports[0]

    @property
    def outlets(self) -> tuple[str, ...]:
        """Every outlet that carried the story, its copies' outlets included."""
        names = [r.source_name or r.source_feed_url or "" for r in (*self.reports, *self.copies)]
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True, slots=True)
class Digest:
    start: datetime
    end: datetime
    sections: tuple[tuple[str, tuple[Story, ...]], ...]  # (tag, stories) by tag
    relevant_items: int
    other_items: int


def _published(item: StoredItem) -> datetime:
    return item.published_at or item.stored_at


def _primary_tag(items: Iterable[StoredItem]) -> str:
    """The tag with the most evidence weight across a story's reports."""
    weight: dict[str, float] = defaultdict(float)
    for item in items:
        tags = set(item.relevance.tags)
        for ev in item.relevance.evidence:
            if ev.tag in tags:  # evidence may name facets (places…), which are not sections
                weight[ev.tag] += ev.weight or ev.count
        for tag in tags:
            weight[tag] += 0.001  # tags without evidence still count, last
    return max(sorted(weight), key=lambda t: weight[t]) if weight else UNTAGGED


def build_digest(items: Iterable[StoredItem], start: datetime, end: datetime) -> Digest:
    """Group relevant items into stories and stories under their primary tag, best first.

    ``items`` may include duplicates: a copy of an item (``duplicate_of.kind == "item"``)
    shares its original's story and adds its outlet; seed copies are left out.
    """
    by_story: dict[str, list[StoredItem]] = defaultdict(list)
    copies: dict[str, list[StoredItem]] = defaultdict(list)
    other = 0
    for item in items:
        if item.duplicate_of is not None:
            if item.duplicate_of.kind == "item":
                copies[item.story_id].append(item)
        elif item.relevance.relevant:
            by_story[item.story_id].append(item)
        else:
            other += 1
    sections: dict[str, list[Story]] = defaultdict(list)
    for story_id, reports in by_story.items():
        reports.sort(key=_published)
        tags = sorted({t for r in reports for t in r.relevance.tags})
        score = max(r.relevance.score for r in reports)
        story = Story(story_id, tuple(reports), tuple(tags), score, tuple(copies[story_id]))
        sections[_primary_tag(reports)].append(story)
    ranked = {
        tag: sorted(stories, key=lambda s: (-s.score, -len(s.outlets), s.story_id))
        for tag, stories in sections.items()
    }
    ordered = tuple(
        (tag, tuple(stories))
        for tag, stories in sorted(ranked.items(), key=lambda kv: (-kv[1][0].score, kv[0]))
    )
    relevant = sum(len(r) for r in by_story.values())
    return Digest(start, end, ordered, relevant, other)


def md_escape(text: str) -> str:
    """``text`` on one line, with a backslash before exactly what Markdown would read as
    markup: inline markup characters, an entity, a block marker at the start."""
    flat = " ".join(text.split())
    escaped = _MD_ENTITY.sub(r"\\&", _MD_INLINE.sub(r"\\\1", flat))
    match = _MD_BLOCK_START.match(escaped)
    if match is None:
        return escaped
    if match.group(2):  # "1. " starts an ordered list: escape the dot
        cut = match.end(2)
        return escaped[:cut] + "\\" + escaped[cut:]
    return "\\" + escaped


def _snippet(text: str, limit: int = 280) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _safe_href(url: str) -> str:
    """The URL as a link target if it is plain http(s), else "" (no javascript:, data:…)."""
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace(")", "%29")


def _link(item: StoredItem) -> str:
    return _safe_href(item.canonical_url or item.url)


def _direction(language: str | None) -> str:
    """``rtl`` for a right-to-left language, else ``auto`` (the browser looks at the text)."""
    base = (language or "").lower().split("-")[0]
    return "rtl" if base in RTL_LANGUAGES else "auto"


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("monitor", "templates/digest"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=md_escape,
        iso=lambda d: iso(d) or "",
        day=lambda d: d.strftime("%Y-%m-%d"),
        human=lambda d: d.strftime("%d %b %Y %H:%M UTC"),
        snippet=_snippet,
        link=_link,
        published=_published,
        direction=_direction,
        plural=_plural,
    )
    return env


def _render(template: str, d: Digest) -> str:
    return (
        _environment()
        .get_template(template)
        .render(
            start=d.start,
            end=d.end,
            sections=d.sections,
            relevant=d.relevant_items,
            other=d.other_items,
            story_count=sum(len(s) for _, s in d.sections),
        )
    )


def render_markdown(d: Digest) -> str:
    return _render("digest.md.j2", d)


def render_html(d: Digest) -> str:
    return _render("digest.html.j2", d)


def render_json(d: Digest) -> str:
    data = {
        "start": iso(d.start),
        "end": iso(d.end),
        "relevant_items": d.relevant_items,
        "other_items": d.other_items,
        "sections": [
            {
                "tag": tag,
                "stories": [
                    {
                        "story_id": s.story_id,
                        "tags": list(s.tags),
                        "score": round(s.score, 4),
                        "outlets": list(s.outlets),
                        "reports": [
                            {
                                "id": r.id,
                                "title": r.title,
                                "url": r.canonical_url or r.url,
                                "source": r.source_name,
                                "published_at": iso(r.published_at),
                            }
                            for r in s.reports
                        ],
                    }
                    for s in stories
                ],
            }
            for tag, stories in d.sections
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"markdown": render_markdown, "html": render_html, "json": render_json}
