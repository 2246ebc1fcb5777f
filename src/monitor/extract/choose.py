"""A second opinion on trafilatura's main text, asked only when its answer looks wrong.

trafilatura in precision mode is the best single extractor on the scrapinghub benchmark
(F1 0.966), but on a few pages it keeps a fragment: the first screen of a long article, or
one paragraph out of ten. Two other well-kept extractors fail differently: jusText
(paragraph classification by stopword and link density) and readability-lxml (the
Arc90 "biggest text cluster" heuristic). ``choose_text``:

1. suspects truncation when trafilatura's text is short (``SHORT_CHARS``) or the page's
   ``<p>`` elements hold more than ``LONGER_RATIO`` times as much text (a 2 ms count,
   true on about one page in nine of the benchmark);
2. only then runs jusText and readability-lxml (together about 1.2 times the cost of
   the trafilatura pass, too dear for every page);
3. and keeps the candidate the others agree with most (mean word 4-gram F1 with the
   others), trafilatura's with a head start of ``HEAD_START``: a fallback wins only when
   the two fallbacks agree with each other and not with trafilatura.

The constants were tuned on the even-numbered half of the benchmark pages (sorted by id)
and hold on the other half (docs/extraction.md). jusText's stoplist is English: on pages
in other languages it finds nothing, so trafilatura's text stands unless it is short.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import justext  # type: ignore[import-untyped, unused-ignore]
import lxml.html  # type: ignore[import-untyped, unused-ignore]
from lxml import etree  # type: ignore[import-untyped, unused-ignore]
from readability import Document  # type: ignore[import-untyped, unused-ignore]

from monitor.extract.markup import html_to_text

__all__ = ["Choice", "choose_text"]

SHORT_CHARS = 800
LONGER_RATIO = 2.0
HEAD_START = 0.2
_SHINGLE = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Choice:
    """The text kept and which extractor gave it (``trafilatura``, ``justext``, ``readability``)."""

    text: str
    extractor: str


def choose_text(main: str, html: str) -> Choice:
    """``main`` (trafilatura's text) or a fallback's text of the same page, whichever
    the extractors agree on (see the module docstring)."""
    if not _suspect(main, html):
        return Choice(main, "trafilatura")
    candidates = {"trafilatura": main, "justext": _justext(html), "readability": _readability(html)}
    shingles = {name: _shingles(text) for name, text in candidates.items()}
    best_name, best_score = "trafilatura", -1.0
    for name, mine in shingles.items():
        others = [_agreement(mine, theirs) for o, theirs in shingles.items() if o != name]
        score = sum(others) / len(others) + (HEAD_START if name == "trafilatura" else 0.0)
        if score > best_score:
            best_name, best_score = name, score
    return Choice(candidates[best_name], best_name)


def _suspect(main: str, html: str) -> bool:
    return len(main) < SHORT_CHARS or _paragraph_chars(html) > LONGER_RATIO * len(main)


def _paragraph_chars(html: str) -> int:
    """Characters of text inside the page's ``<p>`` elements (boilerplate included)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return 0
    return sum(len(p.text_content()) for p in root.iter("p"))


def _justext(html: str) -> str:
    """jusText's non-boilerplate paragraphs; "" when it cannot parse the page."""
    try:
        paragraphs = justext.justext(html, _stoplist())
    except (ValueError, TypeError, LookupError, etree.LxmlError):  # lxml and jusText errors
        return ""
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _readability(html: str) -> str:
    """readability-lxml's main cluster as plain text; "" when it finds none."""
    try:
        summary = Document(html).summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable and lxml's errors
        return ""
    return html_to_text(summary)


@functools.cache
def _stoplist() -> frozenset[str]:
    return frozenset(justext.get_stoplist("English"))


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _TOKEN.findall(text)
    return Counter(tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1))


def _agreement(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]]) -> float:
    """F1 of two shingle multisets (the benchmark's own measure, symmetric)."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0
