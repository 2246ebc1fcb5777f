"""The JSON API of SPEC section 6 over a real poll of the fixture site, errors included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from web_support import Served, Site

from monitor.store import Store


def _by_title(api: httpx.Client, fragment: str) -> dict[str, object]:
    items = api.get("/api/v1/items", params={"limit": 500}).json()["items"]
    return next(i for i in items if fragment in i["title"])


def test_health_ready_metrics(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    api.get("/api/v1/items")
    metrics = api.get("/metrics")
    assert metrics.status_code == 200
    assert 'monitor_web_requests_total{route="/api/v1/items",status="200"}' in metrics.text


def test_openapi_describes_the_api(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/v1/items", "/api/v1/items/{item_id}", "/api/v1/items/{item_id}/triage"} <= paths
    assert {"/api/v1/stories", "/api/v1/feeds", "/api/v1/feeds/{feed_id}"} <= paths
    assert not any(p.startswith("/items") for p in paths)  # pages stay out of the schema


def test_items_keyset_pagination_visits_every_item_once(api: httpx.Client) -> None:
    everything = api.get("/api/v1/items", params={"limit": 500}).json()
    assert everything["next_cursor"] is None
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"after": cursor} if cursor else {})}
        page = api.get("/api/v1/items", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [i["id"] for i in everything["items"]]
    assert len(seen) >= 4  # waziristan, torkham, cricket, urdu, hostile (chaman: from the feed)


def test_items_filters(api: httpx.Client, site: Site) -> None:
    relevant = api.get("/api/v1/items", params={"relevant": "true"}).json()["items"]
    assert relevant and all(i["relevance"]["relevant"] for i in relevant)
    assert not any("wickets" in i["title"] for i in relevant)  # the cricket story
    urdu = api.get("/api/v1/items", params={"language": "ur"}).json()["items"]
    assert [i["title"][:5] for i in urdu] == ["شمالی"]
    with_dups = api.get("/api/v1/items", params={"include_duplicates": "true"}).json()["items"]
    assert any(i["duplicate_of"] for i in with_dups)
    without = api.get("/api/v1/items").json()["items"]
    assert not any(i["duplicate_of"] for i in without)
    assert api.get("/api/v1/items", params={"since": "2h"}).json()["items"]
    assert api.get("/api/v1/items", params={"until": "2000-01-01"}).json()["items"] == []
    placed = api.get("/api/v1/items", params={"place": "Bajaur"}).json()["items"]
    assert [i["id"] for i in placed] == [site.hostile_id]
    tagged = api.get("/api/v1/items", params={"tag": "ttp"}).json()["items"]
    assert site.hostile_id in [i["id"] for i in tagged]


def test_search_english_phrase_and_urdu_spelling_variants(api: httpx.Client) -> None:
    def titles(q: str) -> list[str]:
        return [i["title"] for i in api.get("/api/v1/items", params={"q": q}).json()["items"]]

    assert any("Torkham border reopens" in t for t in titles('"ten-day closure"'))
    assert titles('"closure ten-day"') == []  # a phrase keeps its order
    urdu = titles("شمالی وزیرستان")
    assert len(urdu) == 1 and urdu[0].startswith("شمالی")
    # Arabic yeh (U+064A) instead of the Urdu one, as an Arabic keyboard types it.
    assert titles("شمالي وزيرستان") == urdu
    assert titles("وزیر") == urdu  # an Arabic-script word also matches as a prefix
    assert titles("\"'*) OR (") == []  # query syntax is inert


def test_item_detail_has_duplicates_and_story(api: httpx.Client) -> None:
    lead = _by_title(api, "terrorists in North Waziristan")
    detail = api.get(f"/api/v1/items/{lead['id']}").json()
    assert detail["id"] == lead["id"]
    assert detail["duplicates"] and detail["duplicates"][0]["similarity"] > 0.5
    assert detail["duplicates"][0]["source"]["name"] in ("Border Times", "Frontier Daily")
    # The feed polled first owns the shared URL; the syndicated copy is Border Times'.
    sources = {lead["source"]["name"], detail["duplicates"][0]["source"]["name"]}  # type: ignore[index]
    assert detail["story"]["outlets"] == len(sources)
    assert len(detail["story"]["items"]) == 2
    assert api.get("/api/v1/items/nope").status_code == 404
    assert api.get("/api/v1/items/nope").json() == {"error": "no item 'nope'"}


def test_stories_count_syndicated_outlets(api: httpx.Client) -> None:
    stories = api.get("/api/v1/stories", params={"relevant": "true"}).json()["stories"]
    waziristan = next(s for s in stories if "terrorists in North Waziristan" in s["lead"]["title"])
    assert len(waziristan["copies"]) == 1
    sources = {waziristan["lead"]["source"]["name"], waziristan["copies"][0]["source"]["name"]}
    assert waziristan["outlets"] == len(sources)
    page1 = api.get("/api/v1/stories", params={"limit": 1}).json()
    page2 = api.get("/api/v1/stories", params={"limit": 1, "before": page1["next_cursor"]}).json()
    assert page1["stories"][0]["story_id"] != page2["stories"][0]["story_id"]


def test_triage_round_trip(api: httpx.Client) -> None:
    item = _by_title(api, "Torkham border")
    r = api.post(f"/api/v1/items/{item['id']}/triage", json={"starred": True, "note": "watch"})
    assert r.status_code == 200 and r.json()["starred"] is True and r.json()["note"] == "watch"
    r = api.post(f"/api/v1/items/{item['id']}/triage", json={"label": "not_relevant"})
    assert r.json()["starred"] is True and r.json()["label"] == "not_relevant"
    assert api.get(f"/api/v1/items/{item['id']}").json()["triage"]["label"] == "not_relevant"
    starred = api.get("/api/v1/items", params={"triage": "starred"}).json()["items"]
    assert item["id"] in [i["id"] for i in starred]
    bad = api.post(f"/api/v1/items/{item['id']}/triage", json={"label": "maybe"})
    assert bad.status_code == 422 and "label" in bad.json()["error"]
    assert api.post(f"/api/v1/items/{item['id']}/triage", json={"x": 1}).status_code == 422
    assert api.post("/api/v1/items/nope/triage", json={"read": True}).status_code == 404


def test_bad_parameters_are_400_or_422(api: httpx.Client) -> None:
    r = api.get("/api/v1/items", params={"after": "not-a-cursor"})
    assert r.status_code == 400 and r.json()["error"].startswith("after:")
    r = api.get("/api/v1/items", params={"since": "yesterday-ish"})
    assert r.status_code == 400 and "since" in r.json()["error"]
    assert api.get("/api/v1/items", params={"limit": 501}).status_code == 422
    assert api.get("/api/v1/items", params={"triage": "later"}).status_code == 422
    assert api.get("/api/v1/items", params={"relevant": "perhaps"}).status_code == 422


def test_feeds_list_add_patch_delete(api: httpx.Client, site: Site) -> None:
    feeds = api.get("/api/v1/feeds").json()["feeds"]
    assert {f["name"] for f in feeds} >= {"Frontier Daily", "Border Times", "Sarhad News"}
    assert all(f["origin"] == "config" for f in feeds)
    frontier = next(f for f in feeds if f["name"] == "Frontier Daily")
    assert frontier["last_success_at"] and frontier["items_stored"] >= 2
    r = api.patch(f"/api/v1/feeds/{frontier['id']}", json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False
    r = api.patch(f"/api/v1/feeds/{frontier['id']}", json={"enabled": True, "name": "FD"})
    assert r.json()["enabled"] is True and r.json()["name"] == "FD"
    assert api.patch("/api/v1/feeds/9999", json={"enabled": True}).status_code == 404
    # Adding: the SSRF guard refuses loopback (this instance allows only 127.0.0.1/32... so
    # a link-local target is refused), and a non-http URL is refused before any request.
    r = api.post("/api/v1/feeds", json={"url": "http://169.254.169.254/latest/"})
    assert r.status_code == 422 and "169.254.169.254" in r.json()["error"]
    r = api.post("/api/v1/feeds", json={"url": "file:///etc/passwd"})
    assert r.status_code == 422 and "http" in r.json()["error"]
    assert api.post("/api/v1/feeds", json={}).status_code == 422
    # Deleting a configured feed disables it (the feed list would bring it back).
    border = next(f for f in feeds if f["name"] == "Border Times")
    assert api.delete(f"/api/v1/feeds/{border['id']}").status_code == 204
    after = {f["id"]: f for f in api.get("/api/v1/feeds").json()["feeds"]}
    assert after[border["id"]]["enabled"] is False
    assert api.delete("/api/v1/feeds/9999").status_code == 404
    api.patch(f"/api/v1/feeds/{border['id']}", json={"enabled": True})
    api.patch(f"/api/v1/feeds/{frontier['id']}", json={"name": "Frontier Daily"})


def test_feed_added_by_site_url_survives_init(
    api: httpx.Client, site: Site, server: object
) -> None:
    from httpd import FixtureServer, Route

    assert isinstance(server, FixtureServer)
    feed_xml = (Path(__file__).parents[1] / "fixtures" / "web" / "urdu-rss.xml").read_bytes()
    server.add("/other/feed.xml", Route(body=feed_xml, content_type="application/rss+xml"))
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/other/feed.xml">'
    server.add("/other/", Route(body=page + b"</head><body>hi</body></html>"))
    r = api.post("/api/v1/feeds", json={"url": server.base + "/other/", "name": "Other"})
    assert r.status_code == 201, r.text
    added = r.json()
    assert added["url"] == server.base + "/other/feed.xml" and added["origin"] == "user"
    again = api.post("/api/v1/feeds", json={"url": server.base + "/other/feed.xml"})
    assert again.status_code == 409
    from monitor.cli import main

    assert main(["--config", str(site.config), "init"]) == 0
    assert main(["--config", str(site.config), "feeds", "list"]) == 0
    feeds = {f["id"]: f for f in api.get("/api/v1/feeds").json()["feeds"]}
    assert feeds[added["id"]]["enabled"] is True
    assert api.delete(f"/api/v1/feeds/{added['id']}").status_code == 204
    assert added["id"] not in {f["id"] for f in api.get("/api/v1/feeds").json()["feeds"]}


def test_token_required_on_api(serve: Callable[..., Served]) -> None:
    base = serve(token="s3cret").base
    with httpx.Client(base_url=base) as client:
        r = client.get("/api/v1/items")
        assert r.status_code == 401 and "bearer" in r.json()["error"].lower()
        wrong = client.get("/api/v1/items", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = client.get("/api/v1/items", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert client.get("/healthz").status_code == 200
        page = client.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_database_gone_is_503(serve: Callable[..., Served], tmp_path: Path) -> None:
    db = tmp_path / "gone.db"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    served = serve(store=store)
    db.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    store.engine.dispose()
    with httpx.Client(base_url=served.base) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "database" in ready.json()["error"]
        assert ready.json()["checks"]["database"] != "ok"
        r = client.get("/api/v1/items")
        assert r.status_code == 503 and r.json()["error"]
    store.close()


@pytest.mark.parametrize("path", ["/", "/search?q=Torkham", "/feeds", "/overview"])
def test_pages_carry_csp_without_inline_script(api: httpx.Client, path: str) -> None:
    r = api.get(path)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in r.text  # every script is a src= file


def test_page_post_without_csrf_is_refused(api: httpx.Client) -> None:
    item = _by_title(api, "Torkham border")
    r = api.post(f"/items/{item['id']}/triage", data={"action": "star"})
    assert r.status_code == 403
    assert api.get(f"/api/v1/items/{item['id']}").json()["triage"]["starred"] is True


def test_login_redirect_stays_on_site(serve: Callable[..., Served]) -> None:
    base = serve(token="tok").base
    with httpx.Client(base_url=base) as client:
        form = client.get("/login", params={"next": "/\\evil.example/x"})
        assert 'name="next" value="/"' in form.text
        csrf = client.cookies["monitor_csrf"]
        r = client.post(
            "/login",
            data={"token": "tok", "next": "//evil.example/", "csrf": csrf},
            headers={"Origin": base},
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert client.get("/api/v1/items").status_code == 401  # a session is not a bearer token
