"""Article page → ``Article``: main text and metadata, with trafilatura doing the hard part.

Pure and synchronous; ``ExtractionPool`` runs it in worker processes with a hard time limit
because trafilatura has none. Around trafilatura this module adds what a monitor needs:

* refuse what is not a page (PDF, image, archive…) before parsing it;
* decode with the declared charset (``decode_html``), not trafilatura's guess;
* never ``deduplicate=True`` (its cache is process-global and would drop later pages);
* authors split, the date converted to UTC and checked for plausibility, and the
  language decided by the text (``choose_language``).

The options (``favor_precision``, tables kept, the repeated headline dropped from the text)
are the ones that scored best on the scrapinghub benchmark (docs/extraction.md,
``benchmarks/extraction_quality.py``); a text that looks truncated gets a second opinion
from jusText and readability-lxml (``monitor.extract.choose``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import trafilatura

from monitor.clean import clean_line, clean_text
from monitor.exceptions import ExtractError
from monitor.extract.choose import choose_text
from monitor.extract.dates import plausible_utc
from monitor.extract.language import choose_language
from monitor.extract.markup import (
    declared_language,
    decode_html,
    looks_like_html,
    sniff_non_html,
    strip_xml_declaration,
)
from monitor.types import Article

__all__ = ["NO_TEXT", "extract_article"]

NO_TEXT = "no article text found in page"
# htmldate keeps the time and offset of article:published_time / JSON-LD when asked to.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_AUTHOR_SEPARATORS = re.compile(r"\s*;\s*")
_BLANK_LINES = re.compile(r"\n{3,}")


def extract_article(
    html: bytes,
    url: str,
    *,
    min_text_chars: int = 200,
    content_type: str | None = None,
    now: datetime | None = None,
    second_opinion: bool = True,
) -> Article:
    """The article of one page; ExtractError when it is not a page or has too little text.

    ``content_type`` is the response's Content-Type header (its charset is honoured);
    ``now`` bounds the plausible publication date (default: the current time);
    ``second_opinion`` lets jusText and readability-lxml replace a text that looks
    truncated (``monitor.extract.choose``; off only to measure).
    """
    what = sniff_non_html(html)
    if what is not None:
        raise ExtractError(f"{NO_TEXT}: {url} is {what}")
    text = strip_xml_declaration(decode_html(html, content_type))
    if not looks_like_html(text):
        raise ExtractError(f"{NO_TEXT}: {url} is not HTML")
    document = _bare_extraction(text, url)
    title = _clean_line(document.title) if document is not None else None
    main = _clean_text(document.text if document is not None else None)
    if second_opinion:
        main = _clean_text(choose_text(main, text).text)
    body = _without_headline(main, title)
    if document is None or len(body) < min_text_chars:
        found = f"only {len(body)} characters of text" if body else "no main text"
        raise ExtractError(f"{NO_TEXT}: {url} has {found} (minimum {min_text_chars})")
    return Article(
        title=title,
        authors=tuple(clean_line(a, 200) for a in _split_authors(document.author)),
        published_at=plausible_utc(_parse_date(document.date), now),
        language=choose_language(body, declared_language(text)),
        text=clean_text(body),
    )


def _bare_extraction(text: str, url: str) -> Any:
    """trafilatura's document (with ``.text``, ``.title``…) or None when it found nothing."""
    return trafilatura.bare_extraction(
        text,
        url=url,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        date_extraction_params={
            "original_date": True,
            "extensive_search": True,
            "outputformat": _DATE_FORMAT,
        },
    )


def _clean_text(text: str | None) -> str:
    if not text:
        return ""
    return _BLANK_LINES.sub("\n\n", text.replace("\r", "")).strip()


def _without_headline(text: str, title: str | None) -> str:
    """The text without a first line that repeats the title (``Article.title`` has it)."""
    first, _, rest = text.partition("\n")
    if title and " ".join(first.split()).casefold() == title.casefold():
        return rest.lstrip("\n")
    return text


def _clean_line(value: str | None) -> str | None:
    cleaned = clean_line(value) if value else ""
    return cleaned or None


def _split_authors(author: str | None) -> tuple[str, ...]:
    """trafilatura joins authors as ``"A; B"``; give them back one by one, without repeats."""
    if not author:
        return ()
    names = (" ".join(name.split()) for name in _AUTHOR_SEPARATORS.split(author))
    return tuple(dict.fromkeys(name for name in names if name))


def _parse_date(value: str | None) -> datetime | None:
    """htmldate's string in ``_DATE_FORMAT`` (a bare date when it has no time) → datetime."""
    if not value:
        return None
    for fmt in (_DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
