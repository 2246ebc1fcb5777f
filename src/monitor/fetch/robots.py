"""robots.txt for article pages: fetched once per site, cached, parsed with protego.

Policy (the usual one of well-behaved crawlers, RFC 9309 where it decides):

* 2xx: the rules apply, for the product token of our User-Agent
  (``monitor`` from ``monitor/0.1 (+url)``); groups for other agents and
  ``*`` are matched by protego.
* 4xx (404, 403, 410…): there are no rules; everything is allowed.
* 5xx, 429, timeouts, unreachable, blocked: allowed too. RFC 9309 would
  have crawlers assume "disallow all"; we fetch a handful of pages a site
  publishes in its own feed, and a broken robots.txt should not cost those
  articles. The failure is remembered for a shorter time (``_FAILURE_TTL_S``)
  so a site that comes back is read again soon.
* Only the first ``ROBOTS_MAX_BYTES`` are read (Google's limit, 500 KiB).
* ``Crawl-delay`` (for our agent, else ``*``) becomes the host's minimum gap
  between page requests when it is longer than ``per_host_delay_s``, capped at
  ``MAX_CRAWL_DELAY_S`` so a hostile "Crawl-delay: 86400" cannot stall a feed.

Feeds are not checked: a feed is published for machines to poll, and feed
readers conventionally do not consult robots.txt for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from protego import Protego

from monitor.exceptions import FetchError, HTTPStatusError
from monitor.types import FetchedResponse

ROBOTS_MAX_BYTES = 500 * 1024
MAX_CRAWL_DELAY_S = 60.0
_FAILURE_TTL_S = 600.0
_SWEEP_AT = 512

RobotsFetch = Callable[[str], Awaitable[FetchedResponse]]


@dataclass(frozen=True, slots=True)
class _Entry:
    rules: Protego | None  # None: everything allowed
    expires: float


def product_token(user_agent: str) -> str:
    """The token robots.txt groups name us by: ``monitor`` of ``monitor/0.1 (+url)``."""
    first = user_agent.strip().split(" ", 1)[0]
    return first.split("/", 1)[0] or user_agent


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url`` (same scheme, host and port)."""
    return str(httpx.URL(url).join("/robots.txt"))


class RobotsRules:
    """Answers "may we fetch this page?" from each site's cached robots.txt."""

    def __init__(
        self,
        fetch: RobotsFetch,
        *,
        user_agent: str,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.agent = product_token(user_agent)
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allows(self, url: str) -> bool:
        """True unless the site's robots.txt disallows ``url`` for our agent."""
        rules = await self._rules(robots_url(url))
        return rules is None or bool(rules.can_fetch(url, self.agent))

    async def _rules(self, where: str) -> Protego | None:
        entry = self._fresh(where)
        if entry is not None:
            return entry.rules
        # One fetch per site even when many of its pages are requested at once.
        lock = self._locks.setdefault(where, asyncio.Lock())
        async with lock:
            entry = self._fresh(where)
            if entry is None:
                entry = await self._load(where)
                if len(self._cache) >= _SWEEP_AT:
                    self._sweep()
                self._cache[where] = entry
        return entry.rules

    async def crawl_delay(self, url: str) -> float | None:
        """The site's ``Crawl-delay`` for our agent (seconds), or None when it sets none."""
        rules = await self._rules(robots_url(url))
        if rules is None:
            return None
        delay = rules.crawl_delay(self.agent)
        return float(delay) if delay is not None and delay > 0 else None

    def _fresh(self, where: str) -> _Entry | None:
        entry = self._cache.get(where)
        return entry if entry is not None and entry.expires > self._clock() else None

    async def _load(self, where: str) -> _Entry:
        try:
            response = await self._fetch(where)
        except HTTPStatusError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Entry(None, self._clock() + self._ttl)
            return _Entry(None, self._clock() + min(self._ttl, _FAILURE_TTL_S))
        except FetchError:
            return _Entry(None, self._clock() + min(self._ttl, _FAILURE_TTL_S))
        text = response.body.decode("utf-8", errors="replace").lstrip("\ufeff")
        return _Entry(Protego.parse(text), self._clock() + self._ttl)

    def _sweep(self) -> None:
        now = self._clock()
        for where, entry in list(self._cache.items()):
            if entry.expires <= now:
                del self._cache[where]
                lock = self._locks.get(where)
                if lock is not None and not lock.locked():
                    del self._locks[where]
