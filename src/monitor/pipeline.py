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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from monitor import metrics
from monitor.connectivity import PassConnectivity
from monitor.dedup import DuplicateDetector
from monitor.exceptions import (
    DatabaseDisconnected,
    DatabaseLocked,
    ExtractError,
    FeedParseError,
    FetchError,
    MonitorError,
    StoreError,
)
from monitor.extract import ExtractionPool, detect_language
from monitor.feeds import parse_feed
from monitor.fetch import Fetcher
from monitor.published import choose_published
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
STORE_ATTEMPTS = 3  # a unit of store work is tried this often when the connection drops
MAX_KEYS = 500  # entry keys remembered per feed


def utcnow() -> datetime:
    return datetime.now(UTC)


def item_id_for(canonical: str) -> str:
    """Stable item id: the same article gets the same id in every database."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def entry_keys(entries: tuple[FeedEntry, ...]) -> tuple[str, ...]:
    """Short hashes of a fetch's entries (id, else link), to compare two fetches."""
    keys = (e.entry_id or e.link for e in entries)
    return tuple(hashlib.sha256(k.encode()).hexdigest()[:16] for k in keys if k)[:MAX_KEYS]


def dropped_items(previous: tuple[str, ...], current: tuple[str, ...]) -> bool:
    """Two consecutive fetches share no entry and the feed is full (as long as before, at
    least two entries): the feed rotated items out before we saw them."""
    if not previous or len(current) < max(len(previous), 2):
        return False
    return not set(previous) & set(current)


def _crashed(feed: FeedState, exc: Exception) -> tuple[_FeedRun, PollResult]:
    """A feed whose work raised an unexpected error: it fails alone, and says why."""
    error = f"unexpected {type(exc).__name__}: {exc}"
    return _FeedRun(feed), PollResult(ok=False, error=error, temporary=False)


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
    feeds_leased_elsewhere: int = 0
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
        line = (
            f"feeds: {self.feeds_ok} ok, {self.feeds_not_modified} not modified, "
            f"{self.feeds_failed} failed; entries: {self.entries_new} new, "
            f"{self.entries_duplicate} duplicate, {self.entries_failed} failed"
        )
        if self.feeds_leased_elsewhere:
            line += f"; all {self.feeds_leased_elsewhere} due feeds are leased by another worker"
        return line


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
        self.connectivity: PassConnectivity


@dataclass
class _FeedRun:
    """Per-feed bookkeeping of one pass."""

    feed: FeedState
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    retry: int = 0
    known: int = 0


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
        self._held: set[int] = set()  # feeds leased by this instance, outcome not yet saved
        # The seeds the scorer was built with; a pass that finds others rebuilds it.
        self._seeds_version: str | None = store.seeds_version()
        self._claimed: dict[int, FeedState] = {}

    # -- a pass -----------------------------------------------------------------

    def poll(self, *, all_feeds: bool) -> PollSummary:
        """One pass over the due feeds (or all enabled ones), blocking until done."""
        return asyncio.run(self.poll_async(all_feeds=all_feeds))

    async def poll_async(self, *, all_feeds: bool) -> PollSummary:
        """Claim feeds in bounded batches as slots free up, poll them, record each outcome
        as soon as its feed is done. Whatever happens, the leases this pass still holds
        are released at the end (a failed pass must not sit on its feeds)."""
        summary = PollSummary()
        loop_cpu = time.thread_time()
        self._release_unreleased()
        self._reload_seeds_if_changed()
        now = self.clock()
        self._retrying(self.store.release_leases, dead_local_owners(self.store.lease_owners(now)))
        try:
            await self._run_pass(summary, all_feeds=all_feeds)
        finally:
            self._release_unreleased()
            self._claimed.clear()
        # The event loop's thread does the HTTP work and the ordering of the stages.
        summary.timed("fetch and orchestration", time.thread_time() - loop_cpu)
        return summary

    async def _run_pass(self, summary: PollSummary, *, all_feeds: bool) -> None:
        batch = max(1, self.settings.fetch.max_concurrency // 2)
        done: set[int] = set()
        tasks: dict[asyncio.Task[tuple[_FeedRun, PollResult]], int] = {}
        async with Fetcher(self.settings.fetch) as fetcher:
            shared = _Pass(fetcher, summary, self.settings.fetch.max_concurrency * ENTRIES_PER_SLOT)
            shared.connectivity = PassConnectivity(self.store, fetcher)
            error: BaseException | None = None
            while True:
                if error is None and not self.stop.is_set() and len(tasks) < batch:
                    try:
                        feeds = self._claim(all_feeds, batch - len(tasks), done | {*tasks.values()})
                    except MonitorError as exc:
                        error, feeds = exc, []
                    for feed in feeds:
                        tasks[asyncio.create_task(self._poll_feed(shared, feed))] = feed.id
                    if error is None and not done and not tasks:
                        self._say_why_nothing(summary)
                if not tasks:
                    break
                finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    feed = self._claimed.pop(tasks.pop(task))
                    done.add(feed.id)
                    try:
                        await self._record_outcome(shared, *task.result())
                    except MonitorError as exc:
                        error = error or exc  # finish the feeds in flight, claim no more
                    except Exception as exc:  # a bug in one feed's work: that feed fails alone
                        if error is None:
                            await self._record_outcome(shared, *_crashed(feed, exc))
            if error is not None:
                raise error

    def _claim(self, all_feeds: bool, limit: int, exclude: set[int]) -> list[FeedState]:
        feeds = self._retrying(
            self.store.claim_due_feeds,
            self.clock(),
            self.owner,
            FEED_LEASE,
            all_enabled=all_feeds,
            limit=limit,
            exclude=exclude,
        )
        self._held.update(f.id for f in feeds)
        self._claimed.update((f.id, f) for f in feeds)
        return feeds

    def _say_why_nothing(self, summary: PollSummary) -> None:
        leased = self.store.leased_elsewhere(self.clock(), self.owner)
        summary.feeds_leased_elsewhere = leased
        if leased:
            log.info("nothing to poll: %d feeds are being polled by another worker", leased)

    def _release_unreleased(self) -> None:
        """Free the leases of feeds this instance claimed but recorded no outcome for."""
        if not self._held:
            return
        try:
            self._retrying(self.store.release_feeds, set(self._held), self.owner)
            self._held.clear()
        except MonitorError as exc:
            log.warning("could not release %d feed leases yet: %s", len(self._held), exc)

    def _reload_seeds_if_changed(self) -> None:
        """Rebuild the scorer's seed index when the seeds table changed (``monitor init``
        run while the daemon runs): a seed change needs no restart."""
        version = self._retrying(self.store.seeds_version)
        if self._seeds_version is not None and version != self._seeds_version:
            from monitor.service import load_scorer

            self.scorer, self.lexicon_version = load_scorer(self.settings, self.store)
            log.info("seeds changed: relevance seed index rebuilt")
        self._seeds_version = version

    def _retrying(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one unit of store work, again on a fresh connection if the connection
        dropped (a restarted server, a terminated backend); bounded."""
        for attempt in range(1, STORE_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except DatabaseDisconnected:
                if attempt == STORE_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    async def poll_feeds(self, feeds: Sequence[FeedState], fetcher: Fetcher) -> PollSummary:
        """Poll these feeds now with ``fetcher``; the caller owns them (``monitor worker``:
        the task engine's per-feed lock), so nothing is claimed or leased here."""
        summary = PollSummary()
        shared = _Pass(fetcher, summary, self.settings.fetch.max_concurrency * ENTRIES_PER_SLOT)
        shared.connectivity = PassConnectivity(self.store, fetcher)
        runs = await asyncio.gather(*(self._poll_feed(shared, feed) for feed in feeds))
        for run, result in runs:
            await self._record_outcome(shared, run, result, leased=False)
        return summary

    async def _poll_feed(self, shared: _Pass, feed: FeedState) -> tuple[_FeedRun, PollResult]:
        run = _FeedRun(feed)
        started = time.perf_counter()
        try:
            response = await shared.fetcher.fetch_feed(feed.url, feed.caching)
            shared.connectivity.succeeded = True
            lifetime = cache_lifetime_s(response.headers, self.clock())
            if response.not_modified:
                # RFC 9111 4.3.4: a 304 updates the stored freshness; without a new
                # max-age the one of the last 200 (and the feed's ttl) still applies.
                hint = max(lifetime or 0.0, feed.hint_s or 0.0) or None
                return run, PollResult(ok=True, not_modified=True, min_delay_s=hint)
            body_hash = hashlib.sha256(response.body).hexdigest()
            caching = replace(response.caching_info, body_hash=body_hash)
            if not (caching.etag or caching.last_modified) and body_hash == feed.caching.body_hash:
                return run, PollResult(ok=True, not_modified=True, min_delay_s=feed.hint_s)
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
        hint = max(parsed.ttl_s or 0.0, lifetime or 0.0) or None
        keys = entry_keys(parsed.entries)
        missed = dropped_items(feed.entry_keys, keys)
        if missed:
            log.warning(
                "feed dropped items between polls: %s: none of its %d entries was in the last"
                " fetch; polling it more often",
                feed.name,
                len(keys),
            )
        log.info(
            "feed polled",
            extra={
                "feed": feed.name,
                "entries": len(parsed.entries),
                "new": run.new,
                "duplicate": run.duplicate,
                "known": run.known,
                "failed": run.failed + run.retry,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        metrics.record_feed_poll_seconds(time.perf_counter() - started)
        # Keep the old validators while an entry waits for a retry: the next
        # poll must see the full feed again, not a 304.
        return run, PollResult(
            ok=True,
            new_items=run.new,
            caching=caching if run.retry == 0 else None,
            min_delay_s=hint,
            hint_s=hint or 0.0,
            entry_keys=keys,
            missed=missed,
        )

    async def _record_outcome(
        self, shared: _Pass, run: _FeedRun, result: PollResult, *, leased: bool = True
    ) -> None:
        """Save a feed's outcome; a leased feed's only while this worker still holds it."""
        penalise = True
        if not result.ok and result.temporary:
            penalise = not await shared.connectivity.network_down(run.feed.id, run.feed.url)
        outcome = next_outcome(
            run.feed, result, self.clock(), self.settings.schedule, rng=self._rng, penalise=penalise
        )
        recorded = await asyncio.to_thread(
            self._retrying,
            self.store.record_feed_outcome,
            run.feed.id,
            outcome,
            self.owner if leased else None,
        )
        self._held.discard(run.feed.id)
        if not recorded:
            log.warning("feed outcome not saved: %s: its lease was taken over", run.feed.name)
        metrics.record_feed_polled(
            "failed" if not result.ok else "not_modified" if result.not_modified else "ok"
        )
        summary = shared.summary
        if not result.ok:
            summary.feeds_failed += 1
            log.warning("feed failed: %s: %s", run.feed.name, result.error)
        elif result.not_modified:
            summary.feeds_not_modified += 1
        else:
            summary.feeds_ok += 1

    # -- entries ----------------------------------------------------------------

    async def _process_entries(self, shared: _Pass, run: _FeedRun, parsed: ParsedFeed) -> None:
        candidates, unusable = await asyncio.to_thread(self._unseen, run.feed, parsed.entries)
        run.failed += unusable
        run.known += len(parsed.entries) - unusable - len(candidates)
        shared.summary.entries_failed += unusable
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
            else:
                run.known += 1

    def _unseen(
        self, feed: FeedState, entries: tuple[FeedEntry, ...]
    ) -> tuple[list[tuple[str, FeedEntry]], int]:
        """Entries not stored yet, by canonical URL and by this feed's entry id; and how
        many entries have no usable link (counted as failed)."""
        unusable = 0
        keyed: dict[str, FeedEntry] = {}
        seen_ids: set[str] = set()
        for entry in entries:
            try:
                canonical = canonical_url(entry.link or "")
            except ValueError:
                unusable += 1
                continue  # no usable link: nothing to fetch or identify it by
            if entry.entry_id in seen_ids:
                continue  # a feed repeating a guid: the first entry wins
            if entry.entry_id:
                seen_ids.add(entry.entry_id)
            keyed.setdefault(canonical, entry)
        ids = [e.entry_id for e in keyed.values() if e.entry_id]
        known_urls, known_ids = self._retrying(self.store.known_entries, feed.id, keyed, ids)
        unseen = [
            (c, e)
            for c, e in keyed.items()
            if c not in known_urls and not (e.entry_id and e.entry_id in known_ids)
        ]
        return unseen, unusable

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
                try:
                    return await asyncio.to_thread(
                        self._retrying,
                        self._store_entry,
                        feed,
                        entry,
                        canonical,
                        article,
                        source,
                        fetched_at,
                        shared.summary,
                    )
                except (DatabaseLocked, DatabaseDisconnected) as exc:
                    log.warning("entry not stored, retried next poll: %s: %s: %s",
                                feed.name, canonical, exc)  # fmt: skip
                    return "retry"
                except (StoreError, ValueError, UnicodeError) as exc:
                    # One entry the store refuses fails alone; its feed carries on.
                    log.error("entry not stored: %s: %s: %s", feed.name, canonical, exc)
                    return "failed"

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
        page_date = article.published_at if source == "page" else None
        published, date_source = choose_published(entry.published_at, page_date)
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
                story_reason=verdict.story_reason,
                published_at_source=date_source,
            )
            stored = writer.add(item, fingerprint)
        summary.timed("store", time.thread_time() - t4)
        if not stored:
            return "known"
        metrics.record_item_stored("new" if verdict.duplicate_of is None else "duplicate")
        return "new" if verdict.duplicate_of is None else "duplicate"
