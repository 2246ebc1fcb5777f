"""parse_feed on the fixture feeds: every dialect, relative links, entities, bad input, bombs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from httpd import FixtureServer, Route
from monitor.exceptions import FeedParseError
from monitor.feeds import parse_feed
from monitor.types import FeedEntry, ParsedFeed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
BASE = "http://127.0.0.1:8000"
NOW = datetime(2025, 11, 1, tzinfo=UTC)


def parse(name: str, url: str | None = None, **headers: str) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), headers, url or f"{BASE}/feeds/{name}", now=NOW)


def expected_pages() -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads((PAGES / "expected.json").read_text("utf-8"))
    return data


# --- the three feeds the end-to-end tests serve ---------------------------------------------


@pytest.mark.parametrize(
    "name", ["rss2.xml", "atom.xml", "illformed.xml", "rdf.xml", "jsonfeed.json"]
)
def test_fixture_feed_links_name_fixture_pages(name: str) -> None:
    feed = parse(name)
    pages = expected_pages()
    assert len(feed.entries) >= 3
    slugs = []
    for entry in feed.entries:
        assert entry.link is not None and entry.link.startswith(f"{BASE}/news/")
        slug = entry.link.removeprefix(f"{BASE}/news/")
        assert (PAGES / f"{slug}.html").is_file()
        assert entry.title == pages[slug]["title"]
        assert entry.published_at == datetime.fromisoformat(str(pages[slug]["published_at"]))
        assert len(entry.content_text) >= 100, "feed-level content/summary is the fallback text"
        slugs.append(slug)
    assert len(set(slugs)) == len(slugs), "distinct stories"


def test_rss2() -> None:
    feed = parse("rss2.xml")
    assert feed.title == "Frontier Daily - Pakistan"
    assert feed.ttl_s == 15 * 60
    assert feed.warning is None
    first = feed.entries[0]
    assert first == FeedEntry(
        entry_id="frontier-daily-2025-10-001",
        link=f"{BASE}/news/ttp-attack-north-waziristan-checkpost",
        title="Twelve soldiers martyred as TTP militants storm checkpost in North Waziristan",
        content_text=first.content_text,
        authors=("Zahid Khan Wazir",),
        published_at=datetime(2025, 10, 8, 4, 40, tzinfo=UTC),
    )
    # content:encoded (three paragraphs) is longer than <description>, so it wins
    assert first.content_text.startswith("MIRAN SHAH: Twelve soldiers were martyred")
    assert first.content_text.count("\n\n") == 2
    assert "<p>" not in first.content_text


def test_atom() -> None:
    feed = parse("atom.xml")
    assert feed.title == "Khyber Observer: Border and Security"
    assert [e.entry_id for e in feed.entries] == [
        "tag:khyber-observer.example,2025:pakistan-airstrikes-paktika-khost",
        "tag:khyber-observer.example,2025:bannu-cantonment-suicide-attack",
        "tag:khyber-observer.example,2025:bajaur-operation-urdu",
    ]
    assert feed.entries[1].authors == ("Mohammad Irfan", "Saleem Shah")
    assert feed.entries[2].title.startswith("باجوڑ میں دہشت گردوں")
    assert feed.entries[0].published_at is not None
    assert feed.entries[0].published_at.tzinfo is UTC


def test_rss1_rdf_with_syndication_module_ttl() -> None:
    feed = parse("rdf.xml")
    assert feed.title == "Frontier Daily (RSS 1.0)"
    assert feed.ttl_s == 3600 / 2  # sy:updatePeriod hourly, sy:updateFrequency 2
    assert feed.entries[0].entry_id == (
        "https://frontier-daily.example/news/ttp-attack-north-waziristan-checkpost"
    )
    assert feed.entries[0].published_at == datetime(2025, 10, 8, 4, 40, tzinfo=UTC)


def test_illformed_feed_is_read_with_a_warning() -> None:
    feed = parse("illformed.xml")
    assert feed.warning is not None and feed.warning.startswith("ill-formed XML at line ")
    assert "\n" not in feed.warning
    assert feed.title == "Frontier Daily - Border & Regions"
    assert [e.authors for e in feed.entries] == [
        ("Ali Afzal Afzaal",),
        ("Saleem Achakzai",),
        ("نور محمد افریدی",),
    ]
    assert "Updates & analysis inside." in feed.entries[0].content_text


def test_json_feed() -> None:
    feed = parse("jsonfeed.json", **{"Content-Type": "application/feed+json"})
    assert feed.title == "The Capital Review"
    assert feed.warning is None
    entry = feed.entries[0]
    assert (
        entry.entry_id == "https://capital-review.example/p/islamabad-kabul-talks-ttp-sanctuaries"
    )
    assert entry.authors == ("Ayesha Siddiqa Malik",)
    assert entry.published_at == datetime(2025, 10, 19, 15, 15, tzinfo=UTC)
    assert entry.content_text.startswith("ISLAMABAD: Pakistan on Sunday")


def test_json_feed_is_recognised_without_a_content_type() -> None:
    assert len(parse("jsonfeed.json").entries) == 3


def test_json_feed_1_0_author_and_odd_items() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "Old style",
            "items": [
                {"id": 7, "url": "https://x.example/a", "content_text": "Para one.\n\nPara two.",
                 "author": {"name": "Desk"}, "date_published": "2025-10-01T10:00:00+05:00"},
                "not an object",
                {"id": True, "title": 5, "external_url": "https://x.example/ext"},
                {},
            ],
        }
    ).encode()  # fmt: skip
    feed = parse_feed(body, {}, "https://x.example/feed.json", now=NOW)
    first, second = feed.entries
    assert first.entry_id == "7"
    assert first.authors == ("Desk",)
    assert first.content_text == "Para one.\n\nPara two."
    assert first.published_at == datetime(2025, 10, 1, 5, 0, tzinfo=UTC)
    assert second.entry_id is None and second.link == "https://x.example/ext" and second.title == ""
    assert feed.warning == "skipped 1 JSON Feed items that are not objects"


# --- links ----------------------------------------------------------------------------------


def test_relative_links_resolve_against_the_feed_url() -> None:
    feed = parse("relative-links.xml", url=f"{BASE}/feeds/section/relative-links.xml")
    assert [e.link for e in feed.entries] == [
        f"{BASE}/news/ttp-attack-north-waziristan-checkpost",
        f"{BASE}/feeds/section/story/torkham-border-crossing-closed-clashes",
        f"{BASE}/feeds/archive/kurram-ceasefire-jirga?page=2",
        "http://cdn.news.example/news/bannu",
        "https://frontier-daily.example/news/chaman-traders-protest-border",  # permalink guid
        None,  # javascript: is never a link
    ]
    assert feed.entries[0].content_text == "See the full story and ."


def test_relative_links_follow_the_final_url_after_redirects() -> None:
    feed = parse("rss2.xml", url="https://mirror.example/moved/rss")
    assert (
        feed.entries[0].link == "https://mirror.example/news/ttp-attack-north-waziristan-checkpost"
    )


def test_entities_and_markup_in_titles_become_plain_text() -> None:
    feed = parse("entities.xml")
    assert feed.title == "Frontier Daily & Friends – Headlines"
    assert [e.title for e in feed.entries] == [
        "Pakistan & Afghanistan agree to resume talks in Istanbul",
        "Breaking: Torkham reopens after nine days",
        "Kabul’s envoy summoned to Foreign Office over “cross-border raids”",
        "Quetta & Chaman: traders’ strike enters second week",
        "Army chief: no talks with TTP <until attacks stop>",
        "Peshawar — 3 policemen injured in grenade attack",
    ]
    assert feed.entries[1].content_text == "Trucks start moving again."
    assert feed.entries[3].content_text == "Shops closed in Chaman & Quetta."


# --- dates and ttl -------------------------------------------------------------------------


def _rss_with_dates(*dates: str) -> bytes:
    items = "".join(
        f"<item><title>t{i}</title><link>https://x.example/{i}</link><pubDate>{d}</pubDate></item>"
        for i, d in enumerate(dates)
    )
    return f'<rss version="2.0"><channel><title>d</title>{items}</channel></rss>'.encode()


def test_dates_are_utc_and_implausible_ones_dropped() -> None:
    body = _rss_with_dates(
        "Fri, 31 Oct 2025 23:30:00 -0500",  # next day in UTC
        "Sun, 02 Nov 2025 23:00:00 GMT",  # within now + 2 days: clock skew, kept
        "Mon, 03 Nov 2025 00:00:01 GMT",  # beyond now + 2 days: dropped
        "Thu, 01 Jan 1970 00:00:00 GMT",  # a zero timestamp: dropped
        "not a date",
    )
    dates = [e.published_at for e in parse_feed(body, {}, "https://x.example/f", now=NOW).entries]
    assert dates == [
        datetime(2025, 11, 1, 4, 30, tzinfo=UTC),
        datetime(2025, 11, 2, 23, 0, tzinfo=UTC),
        None,
        None,
        None,
    ]


def test_updated_date_is_used_when_there_is_no_published_date() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><entry><title>x</title>'
        b'<id>urn:x</id><link href="https://x.example/x"/><updated>2025-10-30T10:00:00+05:00</updated>'
        b"</entry></feed>"
    )
    (entry,) = parse_feed(body, {}, "https://x.example/f", now=NOW).entries
    assert entry.published_at == datetime(2025, 10, 30, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("channel", "ttl"),
    [
        ("<ttl>60</ttl>", 3600.0),
        ("<ttl>0</ttl>", None),
        ("<ttl>soon</ttl>", None),
        ("<sy:updatePeriod>daily</sy:updatePeriod>", 86400.0),
        (
            "<sy:updatePeriod>weekly</sy:updatePeriod><sy:updateFrequency>7</sy:updateFrequency>",
            86400.0,
        ),
        ("<sy:updatePeriod>sometimes</sy:updatePeriod>", None),
        ("", None),
    ],
)
def test_ttl(channel: str, ttl: float | None) -> None:
    body = (
        '<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
        f"<title>t</title>{channel}<item><title>a</title></item></channel></rss>"
    ).encode()
    assert parse_feed(body, {}, "https://x.example/f").ttl_s == ttl


# --- not a feed ----------------------------------------------------------------------------


SIGN_IN = (FEEDS / "not-a-feed.html").read_bytes()
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'
TRUNCATED_JSON_FEED = b'{"version": "https://jsonfeed.org/version/1", "items": ['
NOT_A_FEED = "not a feed: "


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b" \r\n\t ", "empty body"),
        (SIGN_IN, "got an HTML page (<title>Sign in | Frontier Daily</title>)"),
        (b"<html><body>no title</body></html>", "got an HTML page (no title)"),
        (
            b'<?xml version="1.0"?>\n<page>\n<oops></page>',
            "XML parse error at line 3: mismatched tag",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "got a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "got a PNG image"),
        (b'{"hello": "world"}', "JSON without a JSON Feed version (https://jsonfeed.org)"),
        (TRUNCATED_JSON_FEED, "JSON parse error at line 1: Expecting value"),
        (b"[" * 100_000, "not XML (starts with '" + "[" * 40 + "')"),
        (b'{"a":' + b"[" * 100_000, "JSON nested too deeply"),
        (b"just some words", "not XML (starts with 'just some words')"),
        (SVG, "no RSS, Atom or RDF root element (starts with " + repr(SVG[:40].decode()) + ")"),
    ],
)
def test_not_a_feed(body: bytes, message: str) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(body, {}, "https://x.example/feed")
    assert str(caught.value) == NOT_A_FEED + message


def test_valid_feed_without_entries_is_not_an_error() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, {}, "https://x.example/f") == ParsedFeed(title="Quiet", entries=())


def test_empty_items_are_skipped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item></item><item><title>x</title></item></channel></rss>"
    )
    assert [e.title for e in parse_feed(body, {}, "https://x.example/f").entries] == ["x"]


def test_a_wrong_content_type_is_no_reason_to_warn() -> None:
    feed = parse("rss2.xml", **{"Content-Type": "text/html; charset=utf-8"})
    assert feed.warning is None and len(feed.entries) == 3


# --- XML bombs -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_declarations_are_refused_before_parsing(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedParseError, match="declares entities"):
        parse(name)
    assert time.perf_counter() - started < 5  # nothing was expanded (a generous sanity bound)


@pytest.mark.parametrize(
    "doctype",
    [
        # one line, as feedparser's own line-based entity filter would miss it
        b'<!DOCTYPE rss [<!ENTITY a "x"><!ENTITY b "&a;&a;&a;&a;">]>',
        # a parameter entity that declares the entity
        b"<!DOCTYPE rss [<!ENTITY % p \"<!ENTITY b 'boom'>\"> %p;]>",
        # an attribute default hiding "]>" before the declaration
        b'<!DOCTYPE rss [<!ATTLIST rss x CDATA "]>"><!ENTITY b "boom">]>',
        # a comment that looks like an element before the DOCTYPE
        b'<!-- <rss> --><!DOCTYPE rss [<!ENTITY b "boom">]>',
    ],
)
def test_entity_declarations_are_found_however_they_are_hidden(doctype: bytes) -> None:
    body = (
        b'<?xml version="1.0"?>'
        + doctype
        + b'<rss version="2.0"><channel><title>&b;</title></channel></rss>'
    )
    with pytest.raises(FeedParseError, match="declares entities"):
        parse_feed(body, {}, "https://x.example/f")


def test_entity_declarations_in_utf16_are_refused() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY b "boom">]>'
        '<rss version="2.0"><channel><title>&b;</title></channel></rss>'
    )
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        with pytest.raises(FeedParseError, match="declares entities"):
            parse_feed(text.encode(encoding), {}, "https://x.example/f")


def test_an_external_dtd_without_entities_is_fine_and_never_fetched(server: FixtureServer) -> None:
    # RSS 0.91 feeds name Netscape's DTD; reading the feed must not fetch it.
    dtd = server.add(
        "/rss-0.91.dtd", Route(body=b"<!ENTITY leak 'fetched'>", content_type="text/plain")
    )
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss '
        b'PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "'
        + dtd.encode()
        + b'">\n<rss version="0.91"><channel><title>Old</title>'
        b"<item><title>a &leak;</title><link>https://x.example/a</link></item></channel></rss>"
    )
    feed = parse_feed(body, {}, "https://x.example/f")
    assert feed.title == "Old" and feed.entries[0].link == "https://x.example/a"
    assert "fetched" not in feed.entries[0].title
    assert server.hits("/rss-0.91.dtd") == []


def test_external_entities_are_never_fetched(server: FixtureServer) -> None:
    dtd = server.add(
        "/evil.dtd", Route(body=b"<!ENTITY leak 'fetched'>", content_type="text/plain")
    )
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM "'
        + dtd.encode()
        + b'"> %remote;'
        b'<!ENTITY direct SYSTEM "' + dtd.encode() + b'">]><rss version="2.0"><channel>'
        b"<title>&leak; &direct;</title></channel></rss>"
    )
    with pytest.raises(FeedParseError, match="declares entities"):
        parse_feed(body, {}, "https://x.example/f")
    assert server.hits("/evil.dtd") == []
