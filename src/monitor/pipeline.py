"""The orchestrator: the one place that orders the stages. It decides nothing itself.

    store.claim_due_feeds
      | fetch.fetch_feed (conditional GET)         -> 304: done
      | feeds.parse_feed (thread)                  -> entries
      | store.known_entries                        -> unseen entries
      | fetch.fetch_page | extract (process pool)  -> article, or the entry's own text
      | dedup.check | relevance.score              -> verdict, score
      | store.add_item (one transaction)
      | schedule.next_outcome | store.record_feed_outcome (validators saved last)

A feed's new ETag/Last-Modified is saved only after every entry of that
response is stored, so a crash in between re-reads the feed instead of
losing entries behind a 304.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from monitor import metrics
from monitor.dedup import DuplicateDetector
from monitor.exceptions import ExtractError, FeedParseError, FetchError
from monitor.extract import ExtractionPool, detect_language
from monitor.feeds import parse_feed
from monitor.fetch import Fetcher
from monitor.relevance import RelevanceScorer
from monitor.schedule import PollResult, cache_lifetime_s, next_outcome
from monitor.settings import Settings
from monitor.store import Store
from monitor.types import Article, FeedEntry, FeedState, NewItem, ParsedFeed, TextSource
from monitor.urls import canonical_url

log = logging.getLogger("monitor.pipeline")
Clock = Callable[[], datetime]
T = TypeVar("T")
# retry: failed for now, try again next poll; deferred: not attempted (stopping).
# Both keep the feed's old validators so the next poll sees these entries again.
EntryOutcome = Literal["new", "duplicate", "known", "failed", "retry", "deferred"]
FEED_LEASE = timedelta(minutes=30)
ENTRIES_PER_SLOT = 2  # entries worked on at once, per fetch.max_concurrency slot


def utcnow() -> datetime:
    return datetime.now(UTC)


def item_id_for(canonical: str) -> str:
    """Stable item id: the same article gets the same id in every database."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def dead_local_owners(owners: set[str]) -> set[str]:
    """Lease owners ("host:pid") on this host whose process is gone: a worker killed
    mid-pass. Their feeds are free at once instead of when the lease expires."""
    host = socket.gethostname()
    dead = set()
    for owner in owners:
        owner_host, _, pid = owner.rpartition(":")
        if owner_host != host or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.add(owner)
        except PermissionError:
            pass  # alive, owned by another user
    return dead


@dataclass
class PollSummary:
    """Counts of one pass, printed by ``monitor poll`` and logged by the daemon."""

    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    entries_new: int = 0
    entries_duplicate: int = 0
    entries_failed: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def count(self, outcome: EntryOutcome) -> None:
        if outcome == "new":
            self.entries_new += 1
        elif outcome == "duplicate":
            self.entries_duplicate += 1
        elif outcome in ("failed", "retry"):
            self.entries_failed += 1

    def timed(self, stage: str, cpu_seconds: float) -> None:
        """Add CPU time spent in a stage (benchmarks/poll_site.py reports the shares)."""
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + cpu_seconds
        metrics.record_stage(stage, cpu_seconds)

    def cpu_timed(self, stage: str, func: Callable[..., T], *args: object) -> T:
        """Run ``func`` in this thread and count its CPU time under ``stage``."""
        t0 = time.thread_time()
        try:
            return func(*args)
        finally:
            self.timed(stage, time.thread_time() - t0)

    def line(self) -> str:
        return (
            f"feeds: {self.feeds_ok} ok, {self.feeds_not_modified} not modified, "
            f"{self.feeds_failed} failed; entries: {self.entries_new} new, "
            f"{self.entries_duplicate} duplicate, {self.entries_failed} failed"
        )


class _Pass:
    """What the feeds of one pass share.

    ``entry_slots`` bounds the entries being worked on at once: pages fetched
    faster than two extraction workers can read them would otherwise pile up
    in memory, so a pass's memory would grow with the number of new entries.
    """

    def __init__(self, fetcher: Fetcher, summary: PollSummary, max_entries: int) -> None:
        self.fetcher = fetcher
        self.summary = summary
        self.sink_lock = asyncio.Lock()  # dedup check and store, one entry at a time
        self.in_flight: set[str] = set()  # canonical URLs taken by a feed of this pass
        self.entry_slots = asyncio.Semaphore(max_entries)


@dataclass
class _FeedRun:
    """Per-feed bookkeeping of one pass."""

    feed: FeedState
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    retry: int = 0


class Pipeline:
    """Wires the stages for one database; one instance serves many passes."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        scorer: RelevanceScorer,
        lexicon_version: str,
        extraction: ExtractionPool,
        clock: Clock = utcnow,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.scorer = scorer
        self.lexicon_version = lexicon_version
        self.extraction = extraction
        self.detector = DuplicateDetector(settings.dedup, store.fingerprint_index)
        self.clock = clock
        self.stop = stop or threading.Event()
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._rng = random.Random()

    # -- a pass -----------------------------------------------------------------

    def poll(self, *, all_feeds: bool) -> PollSummary:
        """One pass over the due feeds (or all enabled ones), blocking until done."""
        return asyncio.run(self.poll_async(all_feeds=all_feeds))

    async def poll_async(self, *, all_feeds: bool) -> PollSummary:
        summary = PollSummary()
        loop_cpu = time.thread_time()
        now = self.clock()
        self.store.release_leases(dead_local_owners(self.store.lease_owners(now)))
        feeds = self.store.claim_due_feeds(now, self.owner, FEED_LEASE, all_enabled=all_feeds)
        if not feeds:
            return summary
        async with Fetcher(self.settings.fetch) as fetcher:
            shared = _Pass(fetcher, summary, self.settings.fetch.max_concurrency * ENTRIES_PER_SLOT)
            runs = await asyncio.gather(*(self._poll_feed(shared, feed) for feed in feeds))
        self._record_outcomes(list(runs), summary)
        # The event loop's thread does the HTTP work and the ordering of the stages.
        summary.timed("fetch and orchestration", time.thread_time() - loop_cpu)
        return summary

    async def poll_feeds(self, feeds: Sequence[FeedState], fetcher: Fetcher) -> PollSummary:
        """Poll these feeds now with ``fetcher``; the caller owns them (``monitor worker``:
        the task engine's per-feed lock), so nothing is claimed or leased here."""
        summary = PollSummary()
        shared = _Pass(fetcher, summary, self.settings.fetch.max_concurrency * ENTRIES_PER_SLOT)
        runs = await asyncio.gather(*(self._poll_feed(shared, feed) for feed in feeds))
        self._record_outcomes(list(runs), summary)
        return summary

    async def _poll_feed(self, shared: _Pass, feed: FeedState) -> tuple[_FeedRun, PollResult]:
        run = _FeedRun(feed)
        started = time.perf_counter()
        try:
            response = await shared.fetcher.fetch_feed(feed.url, feed.caching)
            if response.not_modified:
                return run, PollResult(ok=True, not_modified=True, caching=None)
            parsed = await asyncio.to_thread(
                shared.summary.cpu_timed,
                "parse feeds",
                parse_feed,
                response.body,
                response.headers,
                response.final_url,
            )
        except (FetchError, FeedParseError) as exc:
            temporary = isinstance(exc, FetchError) and exc.temporary
            retry_after = exc.retry_after_s if isinstance(exc, FetchError) else None
            return run, PollResult(
                ok=False, error=str(exc), temporary=temporary, retry_after_s=retry_after
            )
        await self._process_entries(shared, run, parsed)
        lifetime = cache_lifetime_s(response.headers, self.clock())
        min_delay = max(parsed.ttl_s or 0.0, lifetime or 0.0) or None
        log.info(
            "feed polled",
            extra={
                "feed": feed.name,
                "entries": len(parsed.entries),
                "new": run.new,
                "duplicate": run.duplicate,
                "failed": run.failed + run.retry,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        metrics.record_feed_poll_seconds(time.perf_counter() - started)
        # Keep the old validators while an entry waits for a retry: the next
        # poll must see the full feed again, not a 304.
        caching = response.caching_info if run.retry == 0 else None
        return run, PollResult(ok=True, new_items=run.new, caching=caching, min_delay_s=min_delay)

    def _record_outcomes(
        self, runs: list[tuple[_FeedRun, PollResult]], summary: PollSummary
    ) -> None:
        failed = [r for r in runs if not r[1].ok]
        # Everything failed for a temporary reason at once: the network, not the feeds.
        network_down = (
            len(runs) > 1 and len(failed) == len(runs) and all(r.temporary for _, r in failed)
        )
        now = self.clock()
        for run, result in runs:
            outcome = next_outcome(
                run.feed,
                result,
                now,
                self.settings.schedule,
                rng=self._rng,
                penalise=not network_down,
            )
            self.store.record_feed_outcome(run.feed.id, outcome)
            metrics.record_feed_polled(
                "failed" if not result.ok else "not_modified" if result.not_modified else "ok"
            )
            if not result.ok:
                summary.feeds_failed += 1
                log.warning("feed failed: %s: %s", run.feed.name, result.error)
            elif result.not_modified:
                summary.feeds_not_modified += 1
            else:
                summary.feeds_ok += 1

    # -- entries ----------------------------------------------------------------

    async def _process_entries(self, shared: _Pass, run: _FeedRun, parsed: ParsedFeed) -> None:
        candidates = self._unseen(run.feed, parsed.entries)
        tasks = [
            self._process_entry(shared, run.feed, entry, canonical)
            for canonical, entry in candidates
        ]
        for outcome in await asyncio.gather(*tasks):
            shared.summary.count(outcome)
            if outcome == "new":
                run.new += 1
            elif outcome == "duplicate":
                run.duplicate += 1
            elif outcome == "failed":
                run.failed += 1
            elif outcome in ("retry", "deferred"):
                run.retry += 1

    def _unseen(
        self, feed: FeedState, entries: tuple[FeedEntry, ...]
    ) -> list[tuple[str, FeedEntry]]:
        """Entries not stored yet, by canonical URL and by this feed's entry id."""
        keyed: dict[str, FeedEntry] = {}
        seen_ids: set[str] = set()
        for entry in entries:
            try:
                canonical = canonical_url(entry.link or "")
            except ValueError:
                continue  # no usable link: nothing to fetch or identify it by
            if entry.entry_id in seen_ids:
                continue  # a feed repeating a guid: the first entry wins
            if entry.entry_id:
                seen_ids.add(entry.entry_id)
            keyed.setdefault(canonical, entry)
        ids = [e.entry_id for e in keyed.values() if e.entry_id]
        known_urls, known_ids = self.store.known_entries(feed.id, keyed.keys(), ids)
        return [
            (c, e)
            for c, e in keyed.items()
            if c not in known_urls and not (e.entry_id and e.entry_id in known_ids)
        ]

    async def _process_entry(
        self, shared: _Pass, feed: FeedState, entry: FeedEntry, canonical: str
    ) -> EntryOutcome:
        async with shared.entry_slots:
            if self.stop.is_set():
                return "deferred"
            if canonical in shared.in_flight:
                return "known"  # another feed of this pass has the same article
            shared.in_flight.add(canonical)
            article, source, retry = await self._article(shared.fetcher, entry, canonical)
            if article is None:
                return "retry" if retry else "failed"
            fetched_at = self.clock()
            async with shared.sink_lock:
                return await asyncio.to_thread(
                    self._store_entry,
                    feed,
                    entry,
                    canonical,
                    article,
                    source,
                    fetched_at,
                    shared.summary,
                )

    async def _article(
        self, fetcher: Fetcher, entry: FeedEntry, canonical: str
    ) -> tuple[Article | None, TextSource, bool]:
        """The page's article, else the entry's own text; (None, _, retry?) if neither."""
        temporary = False
        try:
            page = await fetcher.fetch_page(entry.link or canonical)
            article = await self.extraction.extract(
                page.body, page.final_url, content_type=page.headers.get("content-type")
            )
            return article, "page", False
        except FetchError as exc:
            temporary = exc.temporary
            log.info("page not used, keeping the feed's text: %s", exc)
        except ExtractError as exc:
            log.info("page not used, keeping the feed's text: %s: %s", entry.link, exc)
        text = entry.content_text.strip()
        if not text and (temporary or not entry.title):
            return None, "feed", temporary
        article = Article(
            title=entry.title,
            authors=entry.authors,
            published_at=entry.published_at,
            language=None,
            text=text or entry.title,
        )
        return article, "feed", False

    def _store_entry(
        self,
        feed: FeedState,
        entry: FeedEntry,
        canonical: str,
        article: Article,
        source: TextSource,
        fetched_at: datetime,
        summary: PollSummary,
    ) -> EntryOutcome:
        """Dedup, score and store one entry (runs serialised: check and insert together)."""
        text = article.text
        title = article.title or entry.title
        published = article.published_at or entry.published_at
        t0 = time.thread_time()
        fingerprint = self.detector.fingerprint(text)
        t1 = time.thread_time()
        relevance = self.scorer.score(title, text, article.language)
        t2 = time.thread_time()
        summary.timed("relevance", t2 - t1)
        item_id = item_id_for(canonical)
        with self.store.exclusive_writer() as writer:
            t3 = time.thread_time()
            verdict = self.detector.check(
                text, fingerprint, published_at=published, received_at=fetched_at
            )
            t4 = time.thread_time()
            summary.timed("dedup", (t1 - t0) + (t4 - t3))
            item = NewItem(
                id=item_id,
                feed_id=feed.id,
                url=entry.link or canonical,
                canonical_url=canonical,
                entry_id=entry.entry_id,
                title=title,
                authors=article.authors or entry.authors,
                published_at=published,
                fetched_at=fetched_at,
                language=article.language or detect_language(text) or feed.language,
                text=text,
                text_source=source,
                content_hash=fingerprint.content_hash,
                relevance=relevance,
                lexicon_version=self.lexicon_version,
                duplicate_of=verdict.duplicate_of,
                duplicate_reason=verdict.reason,
                story_id=verdict.story_id or item_id,
            )
            stored = writer.add(item, fingerprint)
        summary.timed("store", time.thread_time() - t4)
        if not stored:
            return "known"
        metrics.record_item_stored("new" if verdict.duplicate_of is None else "duplicate")
        return "new" if verdict.duplicate_of is None else "duplicate"
