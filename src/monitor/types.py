"""Value types that flow between the pipeline's stages.

Each stage takes one of these and returns the next; all are immutable so a
stage cannot change what another one sees:

    FeedConfig ──fetch──▶ FetchedResponse ──feeds──▶ ParsedFeed(FeedEntry…)
    FeedEntry ──fetch page──▶ FetchedResponse ──extract──▶ Article
    text ──dedup──▶ DuplicateVerdict        text ──relevance──▶ Relevance
    all of it ──store──▶ StoredItem
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

TextSource = Literal["page", "feed"]
DateSource = Literal["feed", "page", "none"]
DuplicateKind = Literal["seed", "item"]
Label = Literal["relevant", "not_relevant"]
LABELS: tuple[Label, ...] = ("relevant", "not_relevant")


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One feed as the configuration lists it."""

    url: str
    name: str
    interval_s: float | None = None
    language: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class CachingInfo:
    """Validators of a feed's last good response, sent back as a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    # sha256 of the last body, the fallback for servers that send neither validator
    body_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchedResponse:
    """What the fetch stage got: the final URL after redirects, status, headers, body.

    ``headers`` has lower-cased names. A ``304`` has an empty body.
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed_s: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def caching_info(self) -> CachingInfo:
        return CachingInfo(
            etag=self.headers.get("etag"), last_modified=self.headers.get("last-modified")
        )

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed, reduced to what the pipeline uses.

    ``content_text`` is the entry's own full content or summary as plain text
    (the fallback when the page cannot be used); ``link`` is absolute.
    """

    entry_id: str | None
    link: str | None
    title: str
    content_text: str
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed. ``warning`` says what feedparser tolerated (ill-formed XML…)."""

    title: str
    entries: tuple[FeedEntry, ...]
    ttl_s: float | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """What extraction got from an article page."""

    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    language: str | None
    text: str


@dataclass(frozen=True, slots=True)
class DuplicateRef:
    """What a duplicate duplicates."""

    kind: DuplicateKind
    id: str
    similarity: float


@dataclass(frozen=True, slots=True)
class DuplicateVerdict:
    """The dedup stage's decision for one text.

    ``duplicate_of`` is None for a new text. ``story_id`` names an existing
    story the text belongs to (looser than duplicate), or None to start one.
    ``reason`` is a short human explanation (``"exact copy"``, ``"too short to tell"``…).
    ``story_reason`` says which rule gave ``story_id`` (``"shared facts with item X: …"``,
    ``"similar wording to item X …"``, ``"copy of item X"``), None when no story was joined.
    """

    duplicate_of: DuplicateRef | None
    story_id: str | None = None
    reason: str = ""
    story_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence behind a relevance score.

    ``weight`` is its signed contribution to the model's decision value;
    ``where`` is the part of the text it matched in (title, lead, body);
    ``facet`` says what kind of evidence it is (a lexicon facet, an anchor class,
    words, characters). ``tag`` repeats the facet for older readers.
    """

    term: str
    tag: str
    count: int
    weight: float = 0.0
    where: str = ""
    facet: str = ""


@dataclass(frozen=True, slots=True)
class Entities:
    """Actors and places of the conflict named in a text, by their gazetteer names."""

    groups: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Relevance:
    """The relevance stage's decision for one text; ``closest_seed`` is a seed id or None."""

    score: float
    relevant: bool
    tags: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    closest_seed: str | None = None
    closest_seed_similarity: float = 0.0
    extra: Mapping[str, object] = field(default_factory=dict)
    entities: Entities = Entities()


@dataclass(frozen=True, slots=True)
class Triage:
    """What the analyst decided about an item (SPEC section 4's ``triage`` object).

    ``updated_at`` is None for an item nobody has triaged yet.
    """

    read: bool = False
    starred: bool = False
    dismissed: bool = False
    label: Label | None = None
    note: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewItem:
    """A fully processed entry, ready to be stored in one transaction."""

    id: str
    feed_id: int | None
    url: str
    canonical_url: str
    entry_id: str | None
    title: str
    authors: tuple[str, ...]
    published_at: datetime | None
    fetched_at: datetime
    language: str | None
    text: str
    text_source: TextSource
    content_hash: str
    relevance: Relevance
    lexicon_version: str | None
    duplicate_of: DuplicateRef | None
    duplicate_reason: str
    story_id: str
    story_reason: str | None = None  # which rule joined ``story_id`` (DuplicateVerdict)
    published_at_source: DateSource = "none"


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as read back from the store (the item record of SPEC section 4)."""

    seq: int
    id: str
    url: str
    canonical_url: str
    title: str
    authors: tuple[str, ...]
    published_at: datetime | None
    fetched_at: datetime
    stored_at: datetime
    language: str | None
    text: str
    text_source: TextSource
    source_name: str | None
    source_feed_url: str | None
    content_hash: str
    relevance: Relevance
    duplicate_of: DuplicateRef | None
    story_id: str
    triage: Triage = Triage()
    story_reason: str | None = None
    published_at_source: DateSource | None = None  # None: stored before revision 0004
    updated_seq: int | None = None  # change cursor of the last re-score, if any


FeedStateName = Literal["new", "ok", "not-modified", "error", "failing"]


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed's row: its configuration and what happened the last times it was polled."""

    id: int
    url: str
    name: str
    language: str | None
    enabled: bool
    interval_s: float | None
    current_interval_s: float | None
    caching: CachingInfo
    next_fetch_at: datetime
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    state: FeedStateName
    items_stored: int = 0
    hint_s: float | None = None  # the server's last ttl / max-age
    entry_keys: tuple[str, ...] = ()  # hashed keys of the last fetch's entries
    missed_at: datetime | None = None  # last time the feed dropped items between polls
    missed_count: int = 0


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What one poll of a feed changes on its row (decided by monitor.schedule)."""

    state: FeedStateName
    fetched_at: datetime
    next_fetch_at: datetime
    current_interval_s: float
    caching: CachingInfo | None  # None: keep the stored validators
    error: str | None = None
    consecutive_failures: int = 0
    new_items: int = 0
    hint_s: float | None = None  # None: keep the stored one
    entry_keys: tuple[str, ...] | None = None  # None: keep the stored ones
    missed: bool = False  # this fetch shared no entry with the last one, and the feed is full
