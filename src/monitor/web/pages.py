"""The review pages: inbox, search, item, feeds, overview, login (server-rendered,
Jinja2 with autoescape; htmx swaps the triage controls in place)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from monitor.feed_admin import FeedAddError, discover_feed, read_opml, write_opml
from monitor.records import encode_cursor
from monitor.store import Store
from monitor.store.queries import FeedExists
from monitor.web import render
from monitor.web.filters import item_filter, parse_cursor
from monitor.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_ok,
    csrf_token,
    new_session,
    session_ok,
)

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
TEMPLATES.env.autoescape = True
TEMPLATES.env.globals.update(direction=render.direction, safe_href=render.safe_href)
FILTER_KEYS = ("tag", "feed", "language", "place", "group", "since", "until", "triage", "q")
TOGGLES = {"read": "read", "star": "starred", "dismiss": "dismissed"}
MAX_OPML_BYTES = 2_000_000


def require_login(request: Request) -> None:
    if not session_ok(request, request.app.state.settings.web.auth_token):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": target})})


def require_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    if not csrf_ok(request, csrf or request.headers.get("x-csrf-token")):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")


router = APIRouter(include_in_schema=False)
logged_in = [Depends(require_login)]
changes_state = [Depends(require_login), Depends(require_csrf)]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    token = csrf_token(request)
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {"csrf": token, "auth": _logged_in_with_token(request), **context},
        status_code=status,
    )
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax")
    return response


def _logged_in_with_token(request: Request) -> bool:
    token = request.app.state.settings.web.auth_token
    return token is not None and session_ok(request, token)


def _params(request: Request) -> dict[str, str]:
    return {k: v for k in FILTER_KEYS if (v := request.query_params.get(k, "").strip())}


def _filter(request: Request, **extra: Any) -> Any:
    p = _params(request)
    feed = p.pop("feed", None)
    score = request.query_params.get("min_score") or None
    return item_filter(
        datetime.now(UTC),
        feed=int(feed) if feed and feed.isdigit() else None,
        min_score=float(score) if score and score.replace(".", "", 1).isdigit() else None,
        **p,  # type: ignore[arg-type]
        **extra,
    )


@router.get("/", dependencies=logged_in)
def inbox(request: Request) -> HTMLResponse:
    store = _store(request)
    params = _params(request)
    f = _filter(request, relevant=True, hide_dismissed=params.get("triage") != "dismissed")
    stories = store.stories(f, before=parse_cursor("before", request.query_params.get("before")))
    more = len(stories) == 20
    return page(
        request,
        "inbox.html",
        stories=stories,
        params=params,
        counts=store.unread_counts(),
        tags=sorted({t for s in stories for i in s.reports for t in i.relevance.tags}),
        next_url=_next_url(params, "before", stories[-1].newest_seq) if more else None,
    )


@router.get("/search", dependencies=logged_in)
def search_page(request: Request) -> HTMLResponse:
    params = _params(request)
    f = _filter(request)
    before = parse_cursor("before", request.query_params.get("before"))
    found = _store(request).find_items(f, before=before, newest_first=True, limit=51)
    more = len(found) > 50
    return page(
        request,
        "search.html",
        results=found[:50],
        params=params,
        next_url=_next_url(params, "before", found[49].seq) if more else None,
    )


def _next_url(params: dict[str, str], key: str, seq: int) -> str:
    return "?" + urlencode({**params, key: encode_cursor(seq)})


@router.get("/items/{item_id}", dependencies=logged_in)
def item_page(request: Request, item_id: str) -> HTMLResponse:
    store = _store(request)
    item = store.item(item_id)
    if item is None:
        return page(request, "error.html", status=404, message=f"No item {item_id}.")
    story = store.story(item.story_id)
    terms = [e.term for e in item.relevance.evidence]
    return page(
        request,
        "item.html",
        item=item,
        title_segments=render.highlight(item.title, terms),
        text_segments=render.highlight(item.text, terms),
        reasons=render.reasons(item, request.app.state.settings.relevance.threshold),
        story=story,
        duplicates=store.duplicates_of(item.id),
    )


@router.post("/items/{item_id}/triage", dependencies=changes_state)
def triage_form(
    request: Request,
    item_id: str,
    action: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    store = _store(request)
    item = store.item(item_id)
    if item is None:
        raise HTTPException(404, f"no item {item_id!r}")
    t = item.triage
    changes: dict[str, Any]
    if action in TOGGLES:
        changes = {TOGGLES[action]: not getattr(t, TOGGLES[action])}
    elif action in ("relevant", "not_relevant"):
        changes = {"label": None if t.label == action else action}
    elif action == "note":
        changes = {"note": note.strip() or None}
    else:
        raise HTTPException(422, f"unknown triage action {action!r}")
    new = store.set_triage(item_id, changes, datetime.now(UTC))
    if request.headers.get("hx-request"):
        return page(request, "_triage.html", item_id=item_id, triage=new)
    back = request.headers.get("referer") or f"/items/{item_id}"
    return RedirectResponse(_same_site(back, f"/items/{item_id}"), status_code=303)


def _same_site(url: str, fallback: str) -> str:
    """Path and query of ``url`` only, so a redirect never leaves this site
    (``//host`` and ``/\\host`` are other sites to a browser)."""
    parts = urlsplit(url)
    path = parts.path
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")


@router.get("/feeds", dependencies=logged_in)
def feeds_page(request: Request, message: str = "") -> HTMLResponse:
    health = _store(request).feed_health(datetime.now(UTC))
    return page(request, "feeds.html", feeds=health, message=message)


@router.post("/feeds/add", dependencies=changes_state)
def feeds_add(
    request: Request, url: Annotated[str, Form()], name: Annotated[str, Form()] = ""
) -> Response:
    try:
        found = discover_feed(request.app.state.settings.fetch, url)
        _store(request).add_user_feed(found.url, name.strip() or found.title, datetime.now(UTC))
        message = f"Added {found.url}"
    except (FeedAddError, FeedExists) as exc:
        message = str(exc)
    return RedirectResponse("/feeds?" + urlencode({"message": message}), status_code=303)


@router.post("/feeds/{feed_id}/{action}", dependencies=changes_state)
def feeds_action(request: Request, feed_id: int, action: str) -> Response:
    store = _store(request)
    if action in ("enable", "disable"):
        found = store.update_feed(feed_id, enabled=action == "enable")
        message = f"Feed {feed_id} {action}d" if found else f"No feed {feed_id}"
    elif action == "remove":
        message = f"Feed {feed_id}: {store.remove_feed(feed_id)}"
    else:
        raise HTTPException(404, f"no feed action {action!r}")
    return RedirectResponse("/feeds?" + urlencode({"message": message}), status_code=303)


@router.post("/feeds-import", dependencies=changes_state)
async def feeds_import(request: Request, opml: Annotated[UploadFile, File()]) -> Response:
    data = await opml.read(MAX_OPML_BYTES + 1)
    store, now, added = _store(request), datetime.now(UTC), 0
    try:
        if len(data) > MAX_OPML_BYTES:
            raise FeedAddError("OPML file larger than 2 MB")
        for feed in read_opml(data):
            try:
                store.add_user_feed(feed.url, feed.title, now)
                added += 1
            except FeedExists:
                continue
        message = f"Imported {added} new feeds"
    except FeedAddError as exc:
        message = str(exc)
    return RedirectResponse("/feeds?" + urlencode({"message": message}), status_code=303)


@router.get("/feeds.opml", dependencies=logged_in)
def feeds_export(request: Request) -> Response:
    body = write_opml(_store(request).feed_states())
    return Response(body, media_type="text/x-opml; charset=utf-8")


@router.get("/overview", dependencies=logged_in)
def overview_page(request: Request) -> HTMLResponse:
    overview = _store(request).overview(datetime.now(UTC))
    return page(request, "overview.html", overview=overview, chart=render.tag_chart(overview))


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", next=_same_site(next, "/"), failed=False)


@router.post("/login", dependencies=[Depends(require_csrf)])
def login(
    request: Request, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    expected = request.app.state.settings.web.auth_token
    if expected is None:
        return RedirectResponse("/", status_code=303)
    import hmac

    if not hmac.compare_digest(token.strip(), expected):
        return page(request, "login.html", status=401, next=_same_site(next, "/"), failed=True)
    response = RedirectResponse(_same_site(next, "/"), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, new_session(expected), httponly=True, samesite="lax", max_age=14 * 86400
    )
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
