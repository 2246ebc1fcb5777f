"""Feed lists: TOML (``[[feed]]`` tables) and OPML files → FeedConfig values."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from monitor.exceptions import ConfigError
from monitor.settings import Settings, parse_duration
from monitor.types import FeedConfig

_FEED_KEYS = {"url", "name", "interval", "language", "enabled"}


def load_feeds(settings: Settings) -> list[FeedConfig]:
    """Every feed of every configured list, first listing of a URL winning."""
    seen: dict[str, FeedConfig] = {}
    for name in settings.sources.feeds:
        path = settings.path(name)
        loaded = _load_opml(path) if path.suffix.lower() in {".opml", ".xml"} else _load_toml(path)
        for feed in loaded:
            seen.setdefault(feed.url, feed)
    return list(seen.values())


def _load_toml(path: Path) -> list[FeedConfig]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"feed list not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"feed list {path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"feed"}
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' (expected [[feed]] tables)")
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'feed' must be an array of tables ([[feed]])")
    return [_feed(path, i, entry) for i, entry in enumerate(entries, start=1)]


def _feed(path: Path, index: int, entry: Any) -> FeedConfig:
    where = f"{path}: feed #{index}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = set(entry) - _FEED_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}'")
    url = entry.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: 'url' must be an http(s) URL (got {url!r})")
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


def _load_opml(path: Path) -> list[FeedConfig]:
    try:
        root = ElementTree.parse(str(path)).getroot()
    except FileNotFoundError:
        raise ConfigError(f"feed list not found: {path}") from None
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ConfigError(f"feed list {path} is not valid OPML: {exc}") from None
    feeds = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if url and url.startswith(("http://", "https://")):
            name = outline.get("title") or outline.get("text") or url
            feeds.append(FeedConfig(url=url, name=name, language=outline.get("language")))
    return feeds
