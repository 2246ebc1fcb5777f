"""Feed lists: TOML (``[[feed]]`` tables) and OPML files → FeedConfig values.

A feed list is checked whole at load, so a mistake is one line naming the
file and the feed before anything is polled: a URL that could never be
fetched (``http:///feed``, a space in the host), an interval outside the
schedule's bounds (the schedule would silently move it), an OPML outline
that names a feed without a usable ``xmlUrl``. A URL listed twice is kept
once, the first listing winning, and said so on stderr.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from monitor.exceptions import ConfigError
from monitor.settings import ScheduleSettings, Settings, format_duration, parse_duration
from monitor.types import FeedConfig
from monitor.urls import canonical_url

log = logging.getLogger("monitor.feedlist")

_FEED_KEYS = {"url", "name", "interval", "language", "enabled"}
_OPML_FEED_TYPES = {"rss", "atom", "feed", "json"}


def load_feeds(settings: Settings) -> list[FeedConfig]:
    """Every feed of every configured list, first listing of a URL winning."""
    seen: dict[str, tuple[FeedConfig, str]] = {}
    for name in settings.sources.feeds:
        path = settings.path(name)
        loaded = _load_opml(path) if path.suffix.lower() in {".opml", ".xml"} else _load_toml(path)
        for where, feed in loaded:
            _check_interval(where, feed, settings.schedule)
            first = seen.get(feed.url)
            if first is not None:
                log.warning("%s: %s is listed again; keeping %s", where, feed.url, first[1])
                continue
            seen[feed.url] = (feed, where)
    return [feed for feed, _ in seen.values()]


def checked_url(where: str, url: object, key: str = "url") -> str:
    """The feed URL, scheme lower-cased; ConfigError unless it is a fetchable http(s) URL."""
    if url is None:
        raise ConfigError(f"{where}: '{key}' is missing")
    if not isinstance(url, str):
        raise ConfigError(f"{where}: '{key}' must be text (got {type(url).__name__})")
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in url):
        raise ConfigError(f"{where}: '{key}' must not contain spaces or control characters")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise ConfigError(f"{where}: '{key}' must be an http(s) URL (got {url[:200]!r})")
    try:
        canonical_url(url)
    except ValueError as exc:
        raise ConfigError(f"{where}: '{key}' is not a usable URL: {exc}") from None
    return f"{scheme.lower()}://{rest}"


def _check_interval(where: str, feed: FeedConfig, schedule: ScheduleSettings) -> None:
    """A feed's own interval wins, so it must be one the schedule keeps as it is."""
    interval = feed.interval_s
    if interval is None or schedule.min_interval <= interval <= schedule.max_interval:
        return
    raise ConfigError(
        f"{where}: interval {format_duration(interval)} is outside the schedule's bounds "
        f"{format_duration(schedule.min_interval)}..{format_duration(schedule.max_interval)} "
        "(change schedule.min_interval / max_interval, or the feed's interval)"
    )


def _read_list(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"feed list not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"feed list {path} is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read feed list {path}: {exc.strerror}") from None


def _load_toml(path: Path) -> list[tuple[str, FeedConfig]]:
    body = _read_list(path)
    try:
        data = tomllib.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"feed list {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"feed list {path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"feed"}
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' (expected [[feed]] tables)")
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'feed' must be an array of tables ([[feed]])")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: feed #{i}"
        out.append((where, _feed(where, entry)))
    return out


def _feed(where: str, entry: Any) -> FeedConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = set(entry) - _FEED_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}'")
    url = checked_url(where, entry.get("url"))
    name = entry.get("name", url)
    interval = entry.get("interval")
    try:
        interval_s = parse_duration(interval) if interval is not None else None
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid value for 'interval': {exc}") from None
    language = entry.get("language")
    enabled = entry.get("enabled", True)
    if not isinstance(name, str) or not isinstance(enabled, bool):
        raise ConfigError(f"{where}: 'name' must be text and 'enabled' true or false")
    if language is not None and not isinstance(language, str):
        raise ConfigError(f"{where}: 'language' must be text such as \"en\"")
    return FeedConfig(url=url, name=name, interval_s=interval_s, language=language, enabled=enabled)


def _load_opml(path: Path) -> list[tuple[str, FeedConfig]]:
    body = _read_list(path)
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise ConfigError(f"feed list {path} is not valid OPML: {exc}") from None
    feeds = []
    for number, outline in enumerate(root.iter("outline"), start=1):
        label = outline.get("title") or outline.get("text") or ""
        where = f"{path}: outline #{number}" + (f" ({label[:80]!r})" if label else "")
        url = outline.get("xmlUrl")
        if url is None:
            if len(outline) == 0 and (outline.get("type") or "").lower() in _OPML_FEED_TYPES:
                raise ConfigError(f"{where}: a feed outline without 'xmlUrl'")
            if len(outline) == 0:  # a leaf that is not a feed (a bookmark): say so, go on
                log.warning("%s: not a feed (no xmlUrl), skipped", where)
            continue  # a folder of outlines
        url = checked_url(where, url, "xmlUrl")
        feeds.append(
            (where, FeedConfig(url=url, name=label or url, language=outline.get("language")))
        )
    return feeds
