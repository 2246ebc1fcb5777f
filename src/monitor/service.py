"""Building the service's parts from the settings: what every command shares."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.dedup import DuplicateDetector
from monitor.feedlist import load_feeds
from monitor.notify.routing import install_outbox
from monitor.relevance import RelevanceScorer, SeedDoc, lexicon_version
from monitor.seeds import read_seed_folder
from monitor.settings import Settings
from monitor.store import Store

log = logging.getLogger("monitor")


@dataclass(frozen=True, slots=True)
class InitReport:
    feeds: int
    seeds_loaded: int
    seeds_unchanged: int
    seeds_removed: int

    def line(self) -> str:
        return (
            f"database ready; {self.feeds} feeds; seeds: {self.seeds_loaded} loaded, "
            f"{self.seeds_unchanged} unchanged, {self.seeds_removed} removed"
        )


def open_store(settings: Settings, *, require_schema: bool = True) -> Store:
    """The store, checked reachable (and set up, unless we are about to set it up)."""
    store = Store(settings.database_url, busy_timeout_s=settings.database.busy_timeout_s)
    if require_schema:
        store.check_connection()
        install_outbox(store, settings)  # webhooks: deliveries written with each item
    return store


def initialise(settings: Settings) -> InitReport:
    """Create or migrate the schema, sync the feed list, (re)load the seed corpus. Idempotent."""
    feeds = load_feeds(settings)
    seed_files = read_seed_folder(settings.path(settings.sources.seeds))
    store = open_store(settings, require_schema=False)
    try:
        store.migrate()
        now = datetime.now(UTC)
        store.sync_feeds(feeds, now)
        detector = DuplicateDetector(settings.dedup, store.fingerprint_index)
        loaded = 0
        for seed in seed_files:
            fp = detector.fingerprint(seed.text)
            loaded += store.upsert_seed(seed.id, str(seed.path), seed.text, fp, now)
        removed = store.remove_seeds_except(s.id for s in seed_files)
    finally:
        store.close()
    return InitReport(len(feeds), loaded, len(seed_files) - loaded, removed)


def load_scorer(settings: Settings, store: Store | None) -> tuple[RelevanceScorer, str]:
    """The relevance scorer (with the stored seeds, or the seeds folder) and the lexicon version."""
    path = settings.path(settings.relevance.lexicon)
    if store is not None:
        seeds = [SeedDoc(id=i, text=t) for i, t in store.seed_texts()]
    else:
        folder = settings.path(settings.sources.seeds)
        seeds = [SeedDoc(id=s.id, text=s.text) for s in read_seed_folder(folder)]
    scorer = RelevanceScorer.load(path, settings.relevance.threshold, seeds)
    return scorer, lexicon_version(path)
