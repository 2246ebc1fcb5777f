"""Support for the workbench tests: a real SQLite file filled by a real poll of the fixture site.

The site is the pipeline tests' (two English feeds, a syndicated copy) plus an
Urdu outlet; one hostile item (a ``<script>`` title, a ``javascript:`` link) is
stored through the store's own writer, because the pipeline never takes such a
link from a feed. The application is served by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))

from pipeline_support import serve_site, write_config

from httpd import FIXTURES, FixtureServer, Route
from monitor.cli import main
from monitor.dedup import DuplicateDetector
from monitor.settings import Settings, load_settings
from monitor.store import Store
from monitor.types import Entities, NewItem, Relevance
from monitor.web import create_app

WEB = FIXTURES / "web"
HOSTILE_TITLE = "<script>window.__pwned = 1</script> Bajaur blast kills three"


@dataclass
class Site:
    config: Path
    settings: Settings
    store: Store
    hostile_id: str
    ids: dict[str, str] = field(default_factory=dict)  # title fragment -> item id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    server = FixtureServer()
    try:
        urls = serve_site(server)
        server.add(
            "/ur/rss.xml",
            Route(body=(WEB / "urdu-rss.xml").read_bytes(), content_type="application/rss+xml"),
        )
        server.add("/ur/waziristan", Route(body=(WEB / "urdu-waziristan.html").read_bytes()))
        feeds = [
            ("Frontier Daily", urls["rss"]),
            ("Border Times", urls["atom"]),
            ("Sarhad News", server.base + "/ur/rss.xml"),
        ]
        # Generous limits: a loaded machine must not turn a page fetch into a feed fallback.
        config = write_config(
            folder / "config", feeds, fetch={"timeout_s": 60}, extract={"timeout_s": 120}
        )
        assert main(["--config", str(config), "init"]) == 0
        assert main(["--config", str(config), "poll"]) == 0
    finally:
        server.close()
    settings = load_settings(config)
    store = Store(settings.database_url)
    hostile = _store_hostile(store, settings)
    ids = {i.title: i.id for i in store.items(include_duplicates=True)}
    try:
        yield Site(config, settings, store, hostile, ids)
    finally:
        store.close()


def _store_hostile(store: Store, settings: Settings) -> str:
    text = "A blast in Bajaur killed three people; the TTP denied involvement. " * 8
    fingerprint = DuplicateDetector(settings.dedup, store.fingerprint_index).fingerprint(text)
    now = datetime.now(UTC)
    item = NewItem(
        id="hostile0000000000000000000000001",
        feed_id=None,
        url="javascript:window.__pwned=2",
        canonical_url="javascript:window.__pwned=2",
        entry_id=None,
        title=HOSTILE_TITLE,
        authors=(),
        published_at=now,
        fetched_at=now,
        language="en",
        text=text,
        text_source="feed",
        content_hash=fingerprint.content_hash,
        relevance=Relevance(
            score=0.9,
            relevant=True,
            tags=("ttp",),
            evidence=(),
            entities=Entities(groups=("TTP",), places=("Bajaur",)),
        ),
        lexicon_version=None,
        duplicate_of=None,
        duplicate_reason="",
        story_id="hostile0000000000000000000000001",
    )
    assert store.add_item(item, fingerprint)
    return item.id


class Served:
    """The app on a real port; ``stop()`` shuts the server down."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings, store), host="127.0.0.1", port=self.port, log_level="error"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def serve(site: Site) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*, token: str | None = None, store: Store | None = None) -> Served:
        web = site.settings.web.model_copy(update={"auth_token": token})
        settings = site.settings.model_copy(update={"web": web})
        s = Served(settings, store or site.store)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def app_url(serve: Callable[..., Served]) -> str:
    return serve().base


@pytest.fixture
def api(app_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app_url, timeout=30) as client:
        yield client
