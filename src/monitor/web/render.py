"""What the pages show that is more than a field: evidence highlighted in a text,
the relevance decision in words, text direction, safe links, the tag chart.

Everything returned here is plain data (segments, strings, numbers); the
templates escape it, so nothing from a feed is ever trusted as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.relevance.normalize import is_arabic_script, normalize
from monitor.store.queries import Overview
from monitor.types import StoredItem

RTL_LANGUAGES = frozenset({"ur", "ps", "fa", "prs", "ar", "ckb", "sd"})
_WORD = re.compile(r"\w+")
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mark: bool


def direction(language: str | None, sample: str = "") -> str:
    """``rtl`` for Urdu, Pashto, Dari, Arabic (or Arabic-script text), else ``auto``."""
    if language in RTL_LANGUAGES:
        return "rtl"
    if not language and any(is_arabic_script(w) for w in _WORD.findall(sample[:200])):
        return "rtl"
    return "auto"


def safe_href(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a ``javascript:`` or ``data:`` link is never a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def highlight(text: str, terms: list[str]) -> list[Segment]:
    """``text`` cut into segments, the evidence terms marked.

    Matching is on normalised word tokens, so a term found by the relevance stage
    is marked however the text spells it (case, Arabic-script variants); an
    Arabic-script term also matches a word it prefixes (Urdu/Pashto suffixes).
    """
    words = [(m.start(), m.end(), normalize(m.group())) for m in _WORD.finditer(text)]
    patterns = [tuple(_WORD.findall(normalize(t))) for t in terms]
    patterns = [p for p in patterns if p]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        hit = _match_at(words, i, patterns)
        if hit:
            spans.append((words[i][0], words[i + hit - 1][1]))
            i += hit
        else:
            i += 1
    segments, pos = [], 0
    for start, end in spans:
        if start > pos:
            segments.append(Segment(text[pos:start], False))
        segments.append(Segment(text[start:end], True))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:], False))
    return segments


def _match_at(words: list[tuple[int, int, str]], i: int, patterns: list[tuple[str, ...]]) -> int:
    best = 0
    for p in patterns:
        if i + len(p) > len(words) or len(p) <= best:
            continue
        if all(_word_matches(words[i + k][2], t) for k, t in enumerate(p)):
            best = len(p)
    return best


def _word_matches(word: str, term: str) -> bool:
    return word == term or (is_arabic_script(term) and len(term) > 2 and word.startswith(term))


def reasons(item: StoredItem, threshold: float) -> list[str]:
    """The relevance decision in words, most important first."""
    rel = item.relevance
    verdict = "relevant" if rel.relevant else "not relevant"
    side = "at or above" if rel.score >= threshold else "below"
    lines = [f"Score {rel.score:.2f}, {side} the threshold {threshold:.2f}: {verdict}."]
    for e in sorted(rel.evidence, key=lambda e: (-e.weight, -e.count))[:8]:
        times = "once" if e.count == 1 else f"{e.count} times"
        lines.append(f"Mentions “{e.term}” ({e.tag}) {times}.")
    if rel.tags:
        lines.append("Tagged " + ", ".join(rel.tags) + ".")
    if rel.closest_seed and rel.closest_seed_similarity > 0:
        lines.append(
            f"Closest seed document: {rel.closest_seed} "
            f"(similarity {rel.closest_seed_similarity:.2f})."
        )
    if item.triage.label:
        lines.append(f"The analyst labelled it {item.triage.label.replace('_', ' ')}.")
    return lines


@dataclass(frozen=True, slots=True)
class Chart:
    """A server-rendered SVG line chart: polylines by tag, no script, no inline style."""

    width: int
    height: int
    lines: list[tuple[str, str, str, int]]  # tag, colour, points, total
    labels: list[tuple[float, str]]
    max_value: int


def tag_chart(overview: Overview, *, width: int = 640, height: int = 200) -> Chart:
    days = len(overview.days)
    peak = max([max(v) for v in overview.per_day_by_tag.values()] + [1])
    step = width / max(days - 1, 1)
    ranked = sorted(overview.per_day_by_tag.items(), key=lambda kv: -sum(kv[1]))[:7]
    lines = []
    for n, (tag, values) in enumerate(ranked):
        pts = " ".join(
            f"{i * step:.1f},{height - v / peak * (height - 10):.1f}" for i, v in enumerate(values)
        )
        lines.append((tag, _PALETTE[n % len(_PALETTE)], pts, sum(values)))
    labels = [(i * step, d.strftime("%d %b")) for i, d in enumerate(overview.days) if i % 7 == 0]
    return Chart(width, height, lines, labels, peak)
