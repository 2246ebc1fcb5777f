"""Digests: what was stored in a window, relevant items grouped by tag and story.

Building (pure) and rendering are separate. Every string that came from a
feed is escaped for its format — HTML-escaped in HTML, Markdown-escaped in
Markdown — because feed content is untrusted.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from monitor.records import iso
from monitor.types import StoredItem

UNTAGGED = "other"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~])")


@dataclass(frozen=True, slots=True)
class Story:
    """One story: its reports, earliest first."""

    story_id: str
    reports: tuple[StoredItem, ...]
    tags: tuple[str, ...]
    score: float

    @property
    def lead(self) -> StoredItem:
        return self.reports[0]

    @property
    def outlets(self) -> tuple[str, ...]:
        names = [r.source_name or r.source_feed_url or "" for r in self.reports]
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
    """Group relevant items into stories and stories under their primary tag."""
    by_story: dict[str, list[StoredItem]] = defaultdict(list)
    other = 0
    for item in items:
        if item.relevance.relevant:
            by_story[item.story_id].append(item)
        else:
            other += 1
    sections: dict[str, list[Story]] = defaultdict(list)
    for story_id, reports in by_story.items():
        reports.sort(key=_published)
        tags = sorted({t for r in reports for t in r.relevance.tags})
        score = max(r.relevance.score for r in reports)
        story = Story(story_id, tuple(reports), tuple(tags), score)
        sections[_primary_tag(reports)].append(story)
    ordered = tuple(
        (tag, tuple(sorted(stories, key=lambda s: (-len(s.reports), -s.score))))
        for tag, stories in sorted(sections.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    relevant = sum(len(r) for r in by_story.values())
    return Digest(start, end, ordered, relevant, other)


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _snippet(text: str, limit: int = 280) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _safe_href(url: str) -> str:
    """The URL as a link target if it is plain http(s), else "" (no javascript:, data:…)."""
    if not url.startswith(("http://", "https://")):
        return ""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace(")", "%29")


def render_markdown(d: Digest) -> str:
    lines = [
        f"# monitor digest: {iso(d.start)} – {iso(d.end)}",
        "",
        f"{d.relevant_items} relevant items in "
        f"{sum(len(s) for _, s in d.sections)} stories; {d.other_items} other items not shown.",
    ]
    for tag, stories in d.sections:
        lines += ["", f"## {_md(tag)}", ""]
        for story in stories:
            lead = story.lead
            outlets = ", ".join(_md(o) for o in story.outlets)
            count = f"reported by {len(story.outlets)} outlets: " if len(story.outlets) > 1 else ""
            title = _md(lead.title or lead.url)
            link = f"[{title}](<{_safe_href(lead.url)}>)" if _safe_href(lead.url) else title
            lines.append(f"- {link} — {count}{outlets}")
            lines.append(
                f"  {iso(_published(lead))} · score {story.score:.2f} · "
                f"tags: {', '.join(_md(t) for t in story.tags)}"
            )
            lines.append(f"  > {_md(_snippet(lead.text))}")
    return "\n".join(lines) + "\n"


def render_html(d: Digest) -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html><head><meta charset="utf-8"><title>monitor digest</title></head><body>',
        f"<h1>monitor digest: {e(iso(d.start) or '')} – {e(iso(d.end) or '')}</h1>",
        f"<p>{d.relevant_items} relevant items; {d.other_items} other items not shown.</p>",
    ]
    for tag, stories in d.sections:
        out.append(f"<h2>{e(tag)}</h2><ul>")
        for story in stories:
            lead = story.lead
            href = _safe_href(lead.url) or "#"
            outlets = ", ".join(e(o) for o in story.outlets)
            out.append(
                f'<li><a href="{e(href, quote=True)}" rel="noopener noreferrer">'
                f"{e(lead.title or lead.url)}</a> — {len(story.outlets)} outlet(s): {outlets}"
                f"<br><small>{e(iso(_published(lead)) or '')} · score {story.score:.2f} · "
                f"{e(', '.join(story.tags))}</small><p>{e(_snippet(lead.text))}</p></li>"
            )
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


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
                                "url": r.url,
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
