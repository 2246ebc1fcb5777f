"""The JSON API under ``/api/v1`` (SPEC section 6). Item records are ``monitor.records``'s,
the same as export and webhooks; errors are ``{"error": "one line"}``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from monitor.feed_admin import FeedAddError, check_http_url, discover_feed
from monitor.records import encode_cursor, iso, item_record, triage_record
from monitor.store import Store
from monitor.store.queries import FeedExists, FeedHealth, ItemFilter, Story
from monitor.types import StoredItem
from monitor.web.filters import item_filter, parse_cursor
from monitor.web.security import bearer_ok


class ErrorBody(BaseModel):
    error: str


class ItemsPage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class StoryRecord(BaseModel):
    story_id: str
    outlets: int
    lead: dict[str, Any]
    items: list[dict[str, Any]]
    copies: list[dict[str, Any]]


class StoriesPage(BaseModel):
    stories: list[StoryRecord]
    next_cursor: str | None


class ItemDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    duplicates: list[dict[str, Any]]
    story: dict[str, Any]


class TriageChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    read: bool | None = None
    starred: bool | None = None
    dismissed: bool | None = None
    label: Literal["relevant", "not_relevant"] | None = None
    note: Annotated[str, Field(max_length=10_000)] | None = None


class TriageBody(BaseModel):
    read: bool
    starred: bool
    dismissed: bool
    label: str | None
    note: str | None
    updated_at: str | None


class FeedRecord(BaseModel):
    id: int
    url: str
    name: str
    enabled: bool
    origin: str
    state: str
    last_success_at: str | None
    last_error: str | None
    last_new_item_at: str | None
    consecutive_failures: int
    next_fetch_at: str | None
    items_stored: int
    items_per_day: float
    interval_s: float | None


class FeedsPage(BaseModel):
    feeds: list[FeedRecord]


class NewFeed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class FeedChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


FeedId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ItemId = Annotated[str, Path(min_length=1, max_length=128)]

ERRORS: dict[int | str, dict[str, Any]] = {
    c: {"model": ErrorBody} for c in (400, 401, 404, 409, 422, 503)
}


def require_token(request: Request) -> None:
    if not bearer_ok(request, request.app.state.settings.web.auth_token):
        raise HTTPException(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)")


router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)], responses=ERRORS)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


class FilterParams(BaseModel):
    """The filters every listing takes (SPEC section 6)."""

    relevant: bool | None = None
    tag: str | None = None
    feed: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    language: str | None = None
    place: str | None = None
    group: str | None = None
    story: str | None = None
    since: str | None = Field(default=None, description="ISO 8601 or a duration such as 24h")
    until: str | None = Field(default=None, description="ISO 8601 or a duration such as 24h")
    q: str | None = Field(default=None, max_length=500, description="full-text search")
    include_duplicates: bool = False
    triage: Literal["unread", "starred", "dismissed", "labelled"] | None = None
    min_score: Annotated[float, Field(ge=0, le=1)] | None = None


def _filter(p: FilterParams) -> ItemFilter:
    return item_filter(datetime.now(UTC), **p.model_dump())


@router.get("/items", response_model=ItemsPage)
def list_items(
    request: Request,
    params: Annotated[FilterParams, Query()],
    after: Annotated[str | None, Query(description="cursor from a previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ItemsPage:
    """Items in cursor order, after ``after``; ``next_cursor`` continues, null at the end."""
    found = _store(request).find_items(
        _filter(params), after=parse_cursor("after", after) or 0, limit=limit + 1
    )
    more = len(found) > limit
    page = found[:limit]
    return ItemsPage(
        items=[item_record(i) for i in page],
        next_cursor=encode_cursor(page[-1].seq) if more else None,
    )


@router.get("/items/{item_id}", response_model=ItemDetail)
def get_item(request: Request, item_id: ItemId) -> dict[str, Any]:
    """The item record with its duplicates and its story."""
    store = _store(request)
    item = store.item(item_id)
    if item is None:
        raise HTTPException(404, f"no item {item_id!r}")
    story = store.story(item.story_id)
    return {
        **item_record(item),
        "duplicates": [_duplicate(d) for d in store.duplicates_of(item.id)],
        "story": {
            "story_id": item.story_id,
            "outlets": story.outlets if story else 1,
            "items": [_brief(i) for i in (story.reports + story.copies if story else ())],
        },
    }


@router.post("/items/{item_id}/triage", response_model=TriageBody)
def post_triage(request: Request, item_id: ItemId, changes: TriageChanges) -> dict[str, Any]:
    """Apply any of read, starred, dismissed, label, note; answers the new triage."""
    result = _store(request).set_triage(
        item_id, changes.model_dump(exclude_unset=True), datetime.now(UTC)
    )
    if result is None:
        raise HTTPException(404, f"no item {item_id!r}")
    return triage_record(result)


@router.get("/stories", response_model=StoriesPage)
def list_stories(
    request: Request,
    params: Annotated[FilterParams, Query()],
    before: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StoriesPage:
    """Stories with a matching item, newest first, each with its reports and outlets."""
    stories = _store(request).stories(
        _filter(params), before=parse_cursor("before", before), limit=limit
    )
    return StoriesPage(
        stories=[story_record(s) for s in stories],
        next_cursor=encode_cursor(stories[-1].newest_seq) if len(stories) == limit else None,
    )


def story_record(s: Story) -> StoryRecord:
    return StoryRecord(
        story_id=s.story_id,
        outlets=s.outlets,
        lead=item_record(s.lead),
        items=[_brief(i) for i in s.reports],
        copies=[_brief(i) for i in s.copies],
    )


@router.get("/feeds", response_model=FeedsPage)
def list_feeds(request: Request) -> FeedsPage:
    return FeedsPage(feeds=[feed_record(h) for h in _store(request).feed_health(_now())])


@router.post("/feeds", response_model=FeedRecord, status_code=201)
def add_feed(request: Request, body: NewFeed) -> FeedRecord:
    """Add a feed by its URL or a site URL (feed discovery); SSRF-guarded, 409 if stored."""
    store, settings = _store(request), request.app.state.settings
    try:
        check_http_url(body.url)
        found = discover_feed(settings.fetch, body.url)
        feed_id = store.add_user_feed(found.url, body.name or found.title, _now())
    except FeedAddError as exc:
        raise HTTPException(422, str(exc)) from None
    except FeedExists as exc:
        raise HTTPException(409, str(exc)) from None
    return _feed_by_id(store, feed_id)


@router.patch("/feeds/{feed_id}", response_model=FeedRecord)
def patch_feed(request: Request, feed_id: FeedId, body: FeedChanges) -> FeedRecord:
    """Enable, disable (remembered across ``init``) or rename a feed."""
    store = _store(request)
    if not store.update_feed(feed_id, enabled=body.enabled, name=body.name):
        raise HTTPException(404, f"no feed {feed_id}")
    return _feed_by_id(store, feed_id)


@router.delete("/feeds/{feed_id}", status_code=204, response_class=Response)
def delete_feed(request: Request, feed_id: FeedId) -> Response:
    """Remove a feed added here; a feed from the configured lists is disabled instead."""
    if _store(request).remove_feed(feed_id) == "missing":
        raise HTTPException(404, f"no feed {feed_id}")
    return Response(status_code=204)


def _feed_by_id(store: Store, feed_id: int) -> FeedRecord:
    for h in store.feed_health(_now()):
        if h.state.id == feed_id:
            return feed_record(h)
    raise HTTPException(404, f"no feed {feed_id}")


def feed_record(h: FeedHealth) -> FeedRecord:
    s = h.state
    return FeedRecord(
        id=s.id,
        url=s.url,
        name=s.name,
        enabled=s.enabled,
        origin=h.origin,
        state=s.state if s.enabled else "disabled",
        last_success_at=iso(s.last_success_at),
        last_error=s.last_error,
        last_new_item_at=iso(s.last_new_item_at),
        consecutive_failures=s.consecutive_failures,
        next_fetch_at=iso(s.next_fetch_at),
        items_stored=s.items_stored,
        items_per_day=h.items_per_day,
        interval_s=s.current_interval_s,
    )


def _duplicate(d: StoredItem) -> dict[str, Any]:
    return {
        "id": d.id,
        "url": d.url,
        "source": {"name": d.source_name, "feed_url": d.source_feed_url},
        "similarity": round(d.duplicate_of.similarity, 4) if d.duplicate_of else None,
    }


def _brief(i: StoredItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "title": i.title,
        "url": i.url,
        "source": {"name": i.source_name, "feed_url": i.source_feed_url},
        "published_at": iso(i.published_at),
        "duplicate_of": i.duplicate_of.id if i.duplicate_of else None,
    }


def _now() -> datetime:
    return datetime.now(UTC)
