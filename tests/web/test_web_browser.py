"""The review pages in real Chromium (Debian's, driven by Playwright) over the polled site."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from web_support import HOSTILE_TITLE, Served, Site

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
# MONITOR_SCREENSHOTS=1 .venv/bin/pytest tests/web/test_web_browser.py  refreshes docs/*.png
SCREENSHOTS = os.environ.get("MONITOR_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Browser]:
    # The site is polled (asyncio.run) before Playwright starts its own event loop.
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: scripts/test installs Debian's chromium"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield p
    context.close()
    assert errors == [], errors


def _item_id(site: Site, fragment: str) -> str:
    return next(i for t, i in site.ids.items() if fragment in t)


def test_inbox_lists_relevant_stories_with_outlet_counts(page: Page, app_url: str) -> None:
    stories = httpx.get(app_url + "/api/v1/stories", params={"relevant": "true"}).json()
    outlets = next(
        s["outlets"]
        for s in stories["stories"]
        if "terrorists in North Waziristan" in s["lead"]["title"]
    )
    page.goto(app_url + "/")
    story = page.locator("article.story", has_text="terrorists in North Waziristan")
    expect(story).to_have_count(1)
    word = "outlet" if outlets == 1 else "outlets"
    expect(story.locator(".outlets")).to_have_text(f"reported by {outlets} {word}")
    expect(story.locator("ol.reports li")).to_have_count(2)  # the report and its wire copy
    expect(page.locator("article.story", has_text="wickets")).to_have_count(0)
    expect(page.locator("#unread-count")).not_to_have_text("0")
    if SCREENSHOTS:
        page.screenshot(path=str(DOCS / "screenshot-inbox.png"), full_page=True)


def test_search_by_urdu_word_and_english_phrase(page: Page, app_url: str) -> None:
    page.goto(app_url + "/")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("شمالي وزيرستان")  # Arabic yeh; the item is written with the Urdu one
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    expect(page.locator("article.entry")).to_have_count(1)
    expect(page.locator("article.entry h2")).to_have_attribute("dir", "rtl")
    page.goto(app_url + "/search?q=%22ten-day+closure%22")  # a bookmarked search
    expect(page.locator("article.entry", has_text="Torkham border reopens")).to_have_count(1)
    expect(page.locator("article.entry")).to_have_count(1)


def test_urdu_item_reads_right_to_left_with_evidence(page: Page, app_url: str, site: Site) -> None:
    page.goto(f"{app_url}/items/{_item_id(site, 'شمالی')}")
    text = page.locator("#item-text")
    expect(text).to_have_attribute("dir", "rtl")
    assert text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator("#item-title").evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(page.locator(".why li").first).to_contain_text("Score")


def test_item_view_shows_story_and_original_link(page: Page, app_url: str, site: Site) -> None:
    page.goto(f"{app_url}/items/{_item_id(site, 'kill eight terrorists')}")
    href = page.locator("#original").get_attribute("href") or ""
    assert href.startswith("http://127.0.0.1:")
    expect(page.locator("mark").first).to_be_visible()  # evidence highlighted
    if SCREENSHOTS:
        page.screenshot(path=str(DOCS / "screenshot-item.png"), full_page=True)


def test_star_dismiss_label_survive_reload(page: Page, app_url: str, site: Site) -> None:
    item_id = _item_id(site, "Chaman")
    page.goto(f"{app_url}/items/{item_id}")
    page.click("button.t-star")
    expect(page.locator("button.t-star")).to_have_class("t-star on")
    page.click("button.t-relevant")
    expect(page.locator("button.t-relevant")).to_have_class("t-relevant on")
    page.click("button.t-dismiss")
    expect(page.locator("button.t-dismiss")).to_have_class("t-dismiss on")
    page.fill("input[name=note]", "check the figures")
    page.click("text=Save note")
    page.reload()
    for name in ("star", "relevant", "dismiss"):
        expect(page.locator(f"button.t-{name}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("input[name=note]")).to_have_value("check the figures")
    triage = httpx.get(f"{app_url}/api/v1/items/{item_id}").json()["triage"]
    assert triage["starred"] and triage["dismissed"] and triage["label"] == "relevant"
    assert triage["note"] == "check the figures"
    page.goto(app_url + "/")  # dismissed: gone from the inbox
    expect(page.locator(f"article.story a[href$='/items/{item_id}']")).to_have_count(0)


def test_keyboard_shortcuts(page: Page, app_url: str, site: Site) -> None:
    page.goto(app_url + "/search?q=Torkham")
    page.keyboard.press("j")
    first = page.locator("article.entry").first
    expect(first).to_have_class("entry selected")
    before = httpx.get(f"{app_url}/api/v1/items/{_item_id(site, 'Torkham')}").json()["triage"]
    page.keyboard.press("s")
    expected = "true" if not before["starred"] else "false"
    expect(first.locator("button.t-star")).to_have_attribute("aria-pressed", expected)
    page.keyboard.press("n")
    expect(first.locator("button.t-not_relevant")).to_have_attribute(
        "aria-pressed", "false" if before["label"] == "not_relevant" else "true"
    )
    page.keyboard.press("r")
    expect(first.locator("button.t-relevant")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("d")
    expect(first.locator("button.t-dismiss")).to_have_attribute("aria-pressed", "true")
    after = httpx.get(f"{app_url}/api/v1/items/{_item_id(site, 'Torkham')}").json()["triage"]
    assert after["label"] == "relevant" and after["dismissed"] is True
    page.keyboard.press("o")
    page.wait_for_url(f"**/items/{_item_id(site, 'Torkham')}")


def test_hostile_title_and_link_stay_inert(page: Page, app_url: str, site: Site) -> None:
    for url in (app_url + "/", app_url + "/search?q=Bajaur", f"{app_url}/items/{site.hostile_id}"):
        page.goto(url)
        expect(page.get_by_text(HOSTILE_TITLE).first).to_be_visible()
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("a[href^='javascript']").count() == 0
    expect(page.locator("#original")).to_have_count(0)


def test_login_required_with_token(page: Page, serve: Callable[..., Served], site: Site) -> None:
    base = serve(token="tok-123").base
    page.goto(base + "/feeds")
    page.wait_for_url("**/login?*")
    page.fill("input[name=token]", "wrong")
    page.click("main button")
    expect(page.locator("[role=alert]")).to_have_text("Wrong token.")
    page.fill("input[name=token]", "tok-123")
    page.click("main button")
    page.wait_for_url(base + "/feeds")
    expect(page.locator("tr.feed")).not_to_have_count(0)
    cookie = next(c for c in page.context.cookies() if c["name"] == "monitor_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_feeds_and_overview_pages(page: Page, app_url: str) -> None:
    page.goto(app_url + "/feeds")
    expect(page.locator("tr.feed", has_text="Sarhad News")).to_have_count(1)
    page.goto(app_url + "/overview")
    expect(page.locator("svg.chart polyline")).not_to_have_count(0)
    # the places the gazetteer found in this week's relevant items (real poll of the site)
    expect(page.locator("ol.places li")).not_to_have_count(0)
