"""Adding feeds the analyst chooses: feed discovery, OPML import and export.

Shared by the workbench and ``monitor feeds add|import|export``. A URL may be a
feed or a site page: a page is searched for ``<link rel="alternate">`` feed links
(as browsers and feed readers do) and the first one that parses is taken. Every
request goes through ``monitor.fetch`` and so through its SSRF guard.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

from monitor.exceptions import FeedParseError, FetchError, MonitorError
from monitor.feeds import parse_feed
from monitor.settings import FetchSettings
from monitor.types import FeedState

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
_MAX_CANDIDATES = 5


class FeedAddError(MonitorError):
    """A URL given to ``feeds add`` is not a feed and links to none (one line)."""


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    url: str
    title: str


def check_http_url(url: str) -> str:
    """The URL stripped, or FeedAddError unless it is an absolute http(s) URL."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedAddError(f"not an http(s) URL: {url!r}")
    return url


def discover_feed(settings: FetchSettings, url: str) -> DiscoveredFeed:
    """The feed at ``url``, or the first feed a page at ``url`` links to."""
    return asyncio.run(_discover(settings, check_http_url(url)))


async def _discover(settings: FetchSettings, url: str) -> DiscoveredFeed:
    from monitor.fetch import Fetcher

    async with Fetcher(settings) as fetcher:
        try:
            resp = await fetcher.fetch_feed(url)
        except FetchError as exc:
            raise FeedAddError(f"cannot fetch {url}: {exc}") from None
        try:
            parsed = parse_feed(resp.body, resp.headers, resp.final_url)
            return DiscoveredFeed(url, parsed.title or url)
        except FeedParseError:
            pass
        links = _alternate_links(resp.body.decode("utf-8", "replace"), resp.final_url)
        for link in links[:_MAX_CANDIDATES]:
            try:
                found = await fetcher.fetch_feed(link)
                parsed = parse_feed(found.body, found.headers, found.final_url)
                return DiscoveredFeed(link, parsed.title or link)
            except (FetchError, FeedParseError):
                continue
    raise FeedAddError(f'{url} is not a feed and links to no feed (<link rel="alternate">)')


class _LinkFinder(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "base" and a.get("href"):
            self.base = urljoin(self.base, a["href"])
        rel = a.get("rel", "").lower().split()
        if tag == "link" and "alternate" in rel and a.get("type", "").lower() in _FEED_TYPES:
            href = urljoin(self.base, a.get("href", ""))
            if urlsplit(href).scheme in ("http", "https"):
                self.found.append(href)


def _alternate_links(html: str, base: str) -> list[str]:
    finder = _LinkFinder(base)
    finder.feed(html)
    return list(dict.fromkeys(finder.found))


def read_opml(data: bytes) -> list[DiscoveredFeed]:
    """The http(s) feeds of an OPML document; FeedAddError when it is not OPML."""
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises ParseError or its own refusals
        raise FeedAddError(f"not valid OPML: {str(exc).splitlines()[0]}") from None
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if urlsplit(url).scheme in ("http", "https"):
            found.append(DiscoveredFeed(url, outline.get("title") or outline.get("text") or url))
    return found


def write_opml(states: list[FeedState]) -> str:
    """An OPML 2.0 document listing the feeds (names and URLs escaped)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head><title>monitor feeds</title></head>",
        "  <body>",
    ]
    for s in states:
        lines.append(
            f'    <outline type="rss" text={quoteattr(s.name)} title={quoteattr(s.name)} '
            f"xmlUrl={quoteattr(s.url)}/>"
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
