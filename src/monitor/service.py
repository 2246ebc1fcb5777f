"""Building the service's parts from the settings: what every command shares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.dedup import DuplicateDetector
from monitor.exceptions import ConfigError, StoreError
from monitor.feedlist import load_feeds
from monitor.notify.routing import install_outbox
from monitor.relevance import RelevanceScorer, SeedDoc
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
        feeds = "feed" if self.feeds == 1 else "feeds"
        return (
            f"database ready; {self.feeds} {feeds}; seeds: {self.seeds_loaded} loaded, "
            f"{self.seeds_unchanged} unchanged, {self.seeds_removed} removed"
        )


def database_location(settings: Settings) -> str:
    """Where the database is, for error lines: the SQLite file, or PostgreSQL's host and name
    (never the password)."""
    path = settings.sqlite_path
    if path is not None:
        return f"database {path}"
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return "database"
    host = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"database {url.database or ''} on {host}".replace("database  on", "database on")


def open_store(settings: Settings, *, require_schema: bool = True) -> Store:
    """The store, checked reachable (and set up, unless we are about to set it up).

    Every command but ``init`` needs the database to exist: an SQLite file is opened
    only if it is there, so reading never leaves an empty database behind.
    """
    path = settings.sqlite_path
    if require_schema and path is not None and not path.is_file():
        raise StoreError(f"no database at {path}: run 'monitor init' first")
    store = Store(
        settings.database_url,
        busy_timeout_s=settings.database.busy_timeout_s,
        create=not require_schema,
    )
    if require_schema:
        try:
            store.check_connection()
        except BaseException:
            store.close()
            raise
        install_outbox(store, settings)  # webhooks: deliveries written with each item
    return store


def prepare_database_folder(settings: Settings) -> None:
    """Create the SQLite file's folder, but only inside the configured data folder
    (``database.data_dir``): a typo in ``database.url`` must not plant folders anywhere."""
    path = settings.sqlite_path
    if path is None or path.parent.is_dir():
        return
    data_dir = settings.data_dir
    if not _is_within(path.parent, data_dir):
        raise ConfigError(
            f"the folder of the database {path} does not exist; monitor creates folders "
            f"only in database.data_dir ({data_dir}): create it, or fix database.url"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the database folder {path.parent}: {exc.strerror}"
        ) from None


def _is_within(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def initialise(settings: Settings, on_seed: Callable[[int], None] | None = None) -> InitReport:
    """Create or migrate the schema, sync the feed list, (re)load the seed corpus. Idempotent.

    ``on_seed(total)`` is called once per seed file done (a progress bar's hook).
    """
    feeds = load_feeds(settings)
    seed_files = read_seed_folder(settings.path(settings.sources.seeds))
    prepare_database_folder(settings)
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
            if on_seed is not None:
                on_seed(len(seed_files))
        removed = store.remove_seeds_except(s.id for s in seed_files)
    finally:
        store.close()
    return InitReport(len(feeds), loaded, len(seed_files) - loaded, removed)


def load_scorer(settings: Settings, store: Store | None) -> tuple[RelevanceScorer, str]:
    """The relevance scorer (with the stored seeds, or the seeds folder) and the model version
    (recorded with every item as its ``lexicon_version``, so ``rescore`` knows what scored it)."""
    rs = settings.relevance
    path = settings.lexicon_path
    if store is not None:
        seeds = [SeedDoc(id=i, text=t) for i, t in store.seed_texts()]
    else:
        folder = settings.path(settings.sources.seeds)
        # Without a config file there may be no seed corpus: score against the lexicon alone.
        files = read_seed_folder(folder) if settings.config_file or folder.is_dir() else []
        seeds = [SeedDoc(id=s.id, text=s.text) for s in files]
    scorer = RelevanceScorer.load(
        path,
        rs.threshold,
        seeds,
        model_path=beside_lexicon(settings, rs.model),
        gazetteer_path=beside_lexicon(settings, rs.gazetteer),
        tags_path=beside_lexicon(settings, rs.tags),
    )
    return scorer, scorer.version


def beside_lexicon(settings: Settings, value: str) -> Path:
    """A relevance file path: relative ones are next to the lexicon (they belong together,
    and the packaged defaults sit together in monitor/defaults/)."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else settings.lexicon_path.parent / p
