"""Feed body → ``ParsedFeed``: RSS 0.9x/1.0/2.0, Atom and JSON Feed, ill-formed ones included.

feedparser reads every XML dialect and tolerates broken markup; it only ever gets bytes
(a ``str`` may make it open a URL or a file) and the feed's final URL as
``content-location``, so relative links resolve. JSON Feed (jsonfeed.org 1.0/1.1), which
feedparser 6 does not read, is mapped here to the same ``FeedEntry``.

Feed content is untrusted:

* XML entity declarations are refused before any parser sees the body: a DOCTYPE that
  declares entities is how billion-laughs and external-entity (XXE) attacks start, and no
  real feed needs one (none of the 200 real feeds of the test corpus has one);
* links must be absolute http(s) URLs that ``canonical_url`` accepts, or are dropped;
* dates in the far future or before 1990 are dropped (``plausible_utc``).

Anything that is not a feed raises ``FeedParseError`` with one line that says what it got
(``"not a feed: got an HTML page (<title>Sign in</title>)"``); a valid feed with no
entries is not an error. ``ParsedFeed.warning`` says what feedparser had to tolerate.
"""

from __future__ import annotations

import json
import re
import time
import xml.parsers.expat
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import urljoin
from xml.sax import SAXParseException

import feedparser

from monitor.clean import clean_line, clean_text
from monitor.exceptions import FeedParseError
from monitor.extract.dates import parse_datetime, plausible_utc
from monitor.extract.markup import html_to_text, sniff_binary
from monitor.types import FeedEntry, ParsedFeed
from monitor.urls import canonical_url

__all__ = ["parse_feed"]

_JSON_TYPES = frozenset({"application/feed+json", "application/json"})
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_PERIOD_S = {"hourly": 3600.0, "daily": 86400.0, "weekly": 604800.0, "monthly": 2629800.0,
             "yearly": 31557600.0}  # fmt: skip
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_ENTITY_DECL = tuple("<!ENTITY".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))
_LEADING_JUNK = b"\xef\xbb\xbf \t\r\n"
_MAX_MESSAGE = 160
_URL_NOISE = re.compile(r"[\t\r\n]")
_EMAIL_THEN_NAME = re.compile(r"^\s*[^\s@()<>]+@[^\s()<>]+\s*\((?P<name>[^()]+)\)\s*$")
_NAME_THEN_EMAIL = re.compile(r"^\s*(?P<name>[^<>@]+?)\s*<[^\s@<>]+@[^\s<>]+>\s*$")


def parse_feed(
    body: bytes, headers: Mapping[str, str], url: str, *, now: datetime | None = None
) -> ParsedFeed:
    """Parse a fetched feed; FeedParseError (one line) when the body is not a feed.

    ``headers`` are the response headers (any case); ``url`` the final URL after redirects,
    against which relative links resolve; ``now`` bounds plausible dates (default: now).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    stripped = body.lstrip(_LEADING_JUNK)
    if not stripped:
        raise FeedParseError("not a feed: empty body")
    what = sniff_binary(body)
    if what is not None:
        raise FeedParseError(f"not a feed: got {what}")
    current = now if now is not None else datetime.now(UTC)
    if _is_json(stripped, lowered.get("content-type", "")):
        return _parse_json_feed(body, url, current)
    return _parse_xml_feed(body, lowered, url, current)


# --- XML (feedparser) -------------------------------------------------------------------


def _parse_xml_feed(body: bytes, headers: dict[str, str], url: str, now: datetime) -> ParsedFeed:
    if _declares_entities(body):
        raise FeedParseError(
            "not a feed: refused an XML DOCTYPE that declares entities (XML bomb or XXE risk)"
        )
    try:
        result = feedparser.parse(
            BytesIO(body),
            response_headers={**headers, "content-location": url},
            # Entry HTML only ever becomes plain text here (html_to_text), never markup
            # shown to anyone: sanitising it and resolving its links would triple the cost.
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser's own bug on hostile input: this feed fails, not the run
        raise FeedParseError(
            _one_line(f"not a feed: feedparser failed: {type(exc).__name__}: {exc}")
        ) from exc
    entries = [entry for raw in result.entries if (entry := _xml_entry(raw, url, now)) is not None]
    if not result.get("version") and not entries:
        raise FeedParseError(_not_a_feed(body, result.get("bozo_exception")))
    feed = result.feed
    return ParsedFeed(
        title=clean_line(_detail_text(feed.get("title"), feed.get("title_detail"))),
        entries=tuple(entries),
        ttl_s=_ttl_seconds(feed),
        warning=_warning(result),
    )


def _xml_entry(raw: Mapping[str, Any], base: str, now: datetime) -> FeedEntry | None:
    entry_id = _clean_id(raw.get("id"))
    link = _http_link(raw.get("link"), base) or _http_link(entry_id, None)
    title = " ".join(_detail_text(raw.get("title"), raw.get("title_detail")).split())
    contents: list[tuple[Any, Any]] = [
        (c.get("value"), c) for c in raw.get("content") or [] if isinstance(c, Mapping)
    ]
    contents.append((raw.get("summary"), raw.get("summary_detail")))
    content_text = _longest(_detail_text(value, detail) for value, detail in contents)
    if not (entry_id or link or title or content_text):
        return None  # an empty <item/>: nothing to fetch, nothing to store
    return _cleaned(
        entry_id=entry_id,
        link=link,
        title=title,
        content_text=content_text,
        authors=_xml_authors(raw),
        published_at=_struct_time_utc(
            raw.get("published_parsed") or raw.get("updated_parsed"), now
        ),
    )


def _xml_authors(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Author names; RSS's ``email (Name)`` is split here because feedparser's e-mail
    pattern stops at four-letter top-level domains (``desk@paper.example (Name)``
    would become the name ``"ple (Name"``)."""
    authors = [a for a in raw.get("authors") or [] if isinstance(a, Mapping)]
    author = raw.get("author")
    if len(authors) <= 1 and isinstance(author, str):
        match = _EMAIL_THEN_NAME.match(author) or _NAME_THEN_EMAIL.match(author)
        if match:
            return _unique_names([match.group("name")])
    names = [a.get("name") for a in authors]
    if not any(isinstance(n, str) and n.strip() for n in names):
        author = raw.get("author")
        names = [author] if isinstance(author, str) and "@" not in author else []
    return _unique_names(names)


def _detail_text(value: Any, detail: Any) -> str:
    """Plain text of a feedparser value; its ``*_detail.type`` says whether it is HTML."""
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "") if isinstance(detail, Mapping) else "text/html"
    return html_to_text(value) if "html" in str(kind) else _plain_paragraphs(value)


def _struct_time_utc(value: Any, now: datetime) -> datetime | None:
    """feedparser's UTC ``struct_time`` as an aware datetime, if plausible."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        moment = datetime(*value[:5], min(value.tm_sec, 59), tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    return plausible_utc(moment, now)


def _ttl_seconds(feed: Mapping[str, Any]) -> float | None:
    """``<ttl>`` (minutes), else ``sy:updatePeriod`` / ``sy:updateFrequency``."""
    ttl = _positive_number(feed.get("ttl"))
    if ttl is not None:
        return ttl * 60.0
    period = _PERIOD_S.get(str(feed.get("sy_updateperiod", "")).strip().lower())
    if period is None:
        return None
    frequency = _positive_number(feed.get("sy_updatefrequency")) or 1.0
    return period / frequency


def _warning(result: Mapping[str, Any]) -> str | None:
    """What feedparser tolerated, in a few words; None for a clean parse.

    A missing or non-XML Content-Type is not worth a warning: many servers send feeds as
    ``text/html`` and feedparser reads them all the same.
    """
    exc = result.get("bozo_exception")
    if not result.get("bozo") or exc is None or isinstance(exc, feedparser.NonXMLContentType):
        return None
    if isinstance(exc, SAXParseException):
        return _one_line(
            f"ill-formed XML at line {exc.getLineNumber()}: {exc.getMessage()}; read leniently"
        )
    return _one_line(f"{type(exc).__name__}: {exc}")


def _not_a_feed(body: bytes, exc: object) -> str:
    head = body[:4096].lstrip(_LEADING_JUNK)
    if _HTML_START.match(head) or re.search(rb"<html[\s>]", head, re.I):
        match = _HTML_TITLE.search(body[:65536])
        title = " ".join(match.group(1).decode("utf-8", "replace").split())[:80] if match else ""
        shown = f"<title>{title}</title>" if title else "no title"
        return _one_line(f"not a feed: got an HTML page ({shown})")
    start = head[:40].decode("utf-8", "replace")
    if not head.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<")):
        return _one_line(f"not a feed: not XML (starts with {start!r})")
    if isinstance(exc, SAXParseException):
        line, message = exc.getLineNumber(), exc.getMessage()
        return _one_line(f"not a feed: XML parse error at line {line}: {message}")
    return _one_line(f"not a feed: no RSS, Atom or RDF root element (starts with {start!r})")


class _Verdict(Exception):
    """Stops expat as soon as the prologue is decided; ``args[0]`` is the answer."""


def _declares_entities(body: bytes) -> bool:
    """True when the DOCTYPE declares any entity (general or parameter, internal or external).

    expat reads only the prologue: it stops at the first element, or at the first entity
    declaration, before anything is expanded. When expat cannot read the prologue (an
    encoding it lacks, broken markup) the raw bytes are searched instead.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity_declared(*_: object) -> None:
        raise _Verdict(True)

    def element_started(*_: object) -> None:
        raise _Verdict(False)

    parser.EntityDeclHandler = entity_declared
    parser.StartElementHandler = element_started
    try:
        parser.Parse(body, True)
    except _Verdict as verdict:
        return bool(verdict.args[0])
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        pass  # cannot read the prologue; fall back to the bytes
    return any(needle in body for needle in _ENTITY_DECL)


# --- JSON Feed ---------------------------------------------------------------------------


def _is_json(stripped: bytes, content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    if stripped.startswith(b"<"):
        return False
    return media_type in _JSON_TYPES or stripped.startswith(b"{")


def _parse_json_feed(body: bytes, url: str, now: datetime) -> ParsedFeed:
    data = _load_json(body)
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not str(version).startswith(_JSON_FEED_VERSION):
        raise FeedParseError("not a feed: JSON without a JSON Feed version (https://jsonfeed.org)")
    items = data.get("items")
    raw_items = items if isinstance(items, list) else []
    entries = [
        e for item in raw_items if isinstance(item, dict) and (e := _json_entry(item, url, now))
    ]
    skipped = len(raw_items) - sum(isinstance(item, dict) for item in raw_items)
    warnings = []
    if not isinstance(items, list):
        warnings.append("JSON Feed has no 'items' list")
    if skipped:
        warnings.append(f"skipped {skipped} JSON Feed items that are not objects")
    return ParsedFeed(
        title=clean_line(_json_str(data.get("title"))),
        entries=tuple(entries),
        ttl_s=None,
        warning="; ".join(warnings) or None,
    )


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise FeedParseError("not a feed: JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise FeedParseError("not a feed: JSON is not valid UTF-8, UTF-16 or UTF-32") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" at line {line}" if line else ""
        message = getattr(exc, "msg", str(exc))
        raise FeedParseError(_one_line(f"not a feed: JSON parse error{where}: {message}")) from None


def _json_entry(item: Mapping[str, Any], base: str, now: datetime) -> FeedEntry | None:
    raw_id = item.get("id")
    entry_id = _clean_id(
        str(raw_id)
        if isinstance(raw_id, str | int | float) and not isinstance(raw_id, bool)
        else None
    )
    link = (
        _http_link(item.get("url"), base)
        or _http_link(item.get("external_url"), base)
        or _http_link(entry_id, None)
    )
    title = " ".join(_json_str(item.get("title")).split())
    content_text = _longest(
        [
            html_to_text(_json_str(item.get("content_html"))),
            _plain_paragraphs(_json_str(item.get("content_text"))),
            " ".join(_json_str(item.get("summary")).split()),
        ]
    )
    if not (entry_id or link or title or content_text):
        return None
    published = parse_datetime(
        _json_str(item.get("date_published")) or _json_str(item.get("date_modified"))
    )
    return _cleaned(
        entry_id=entry_id,
        link=link,
        title=title,
        content_text=content_text,
        authors=_json_authors(item),
        published_at=plausible_utc(published, now),
    )


def _json_authors(item: Mapping[str, Any]) -> tuple[str, ...]:
    """JSON Feed 1.1 ``authors`` (a list), else 1.0 ``author`` (one object)."""
    authors = item.get("authors")
    if not isinstance(authors, list):
        single = item.get("author")
        authors = [single] if isinstance(single, dict) else []
    return _unique_names(a.get("name") for a in authors if isinstance(a, dict))


def _json_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- shared helpers ----------------------------------------------------------------------


def _cleaned(
    *,
    entry_id: str | None,
    link: str | None,
    title: str,
    content_text: str,
    authors: tuple[str, ...],
    published_at: datetime | None,
) -> FeedEntry:
    """The entry with every string cleaned (monitor.clean): no control characters or lone
    surrogates reach the store, a terminal or a digest; titles and names are capped."""
    return FeedEntry(
        entry_id=clean_line(entry_id, 2000) or None if entry_id else None,
        link=link,
        title=clean_line(title),
        content_text=clean_text(content_text),
        authors=tuple(a for a in (clean_line(n, 200) for n in authors) if a),
        published_at=published_at,
    )


def _http_link(value: Any, base: str | None) -> str | None:
    """An absolute http(s) link that ``canonical_url`` accepts, joined with ``base``; else None."""
    if not isinstance(value, str):
        return None
    link = clean_text(_URL_NOISE.sub("", value)).strip()
    if not link:
        return None
    try:
        if base is not None:
            link = urljoin(base, link)
        canonical_url(link)
    except ValueError:
        return None
    return link


def _clean_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = value.strip()
    return cleaned[:2000] or None


def _longest(texts: Iterable[str]) -> str:
    return max(texts, key=len, default="")


def _plain_paragraphs(text: str) -> str:
    """Plain text with its paragraph breaks kept and other whitespace collapsed."""
    blocks = re.split(r"\n\s*\n", text.replace("\r", ""))
    paragraphs = (" ".join(block.split()) for block in blocks)
    return "\n\n".join(p for p in paragraphs if p)


def _unique_names(names: Iterable[Any]) -> tuple[str, ...]:
    cleaned = (" ".join(n.split()) for n in names if isinstance(n, str))
    return tuple(dict.fromkeys(n for n in cleaned if n))


def _positive_number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < 1e9 else None


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"
