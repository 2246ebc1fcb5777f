"""Is a temporary failure the feed's fault or the network's? Judged across ticks.

A pass of the daemon often holds a single feed, so "every feed of this pass
failed" says nothing about the network. Instead, when a feed fails for a
temporary reason and nothing has succeeded yet in this pass, the feeds that
succeeded most recently (recorded in the database by any worker) are polled
once per pass (a conditional GET, usually a 304): if they fail too, the network
is down and nobody is penalised; if one answers, the failing feed's own
failure counts. Until any feed has succeeded once, temporary failures are
not counted (hard ones always are). This is what feed readers such as Miniflux and Liferea do in
spirit: never blame every source for the machine's own outage.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from monitor.exceptions import FetchError
from monitor.fetch import Fetcher
from monitor.store import Store

log = logging.getLogger("monitor.pipeline")
PROBES = 2  # reference feeds tried before concluding the network is down


class PassConnectivity:
    """One pass's view: set ``succeeded`` when any fetch works; ask ``network_down``."""

    def __init__(self, store: Store, fetcher: Fetcher) -> None:
        self.store = store
        self.fetcher = fetcher
        self.succeeded = False
        self._verdict: bool | None = None
        self._lock = asyncio.Lock()

    async def network_down(self, failing_id: int, failing_url: str) -> bool:
        """True when the network, not the feed, is the likely cause of a temporary failure."""
        if self.succeeded:
            return False
        async with self._lock:
            if self._verdict is None:
                if await asyncio.to_thread(self._references, failing_id):
                    self._verdict = await self._probe(failing_id, failing_url)
                else:  # nothing ever worked: no evidence against the network either
                    self._verdict = True
                if self._verdict:
                    log.warning("network looks down: feeds that worked before fail too")
            return self._verdict

    def _references(self, failing_id: int) -> bool:
        self._refs = self.store.reference_feeds([failing_id], limit=5)
        return bool(self._refs)

    async def _probe(self, failing_id: int, failing_url: str) -> bool:
        failing_host = httpx.URL(failing_url).host
        # Prefer reference feeds on other hosts: a host that is down is not the network.
        refs = sorted(self._refs, key=lambda r: httpx.URL(r[0]).host == failing_host)
        for url, caching in refs[:PROBES]:
            try:
                await self.fetcher.fetch_feed(url, caching)
                return False
            except FetchError as exc:
                if not exc.temporary:
                    return False  # the server answered: the network works
        return True
