"""extract_article on realistic fixture pages: main text in, boilerplate out, metadata right."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.exceptions import ExtractError
from monitor.extract import extract_article

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
EXPECTED: dict[str, dict[str, object]] = json.loads((PAGES / "expected.json").read_text("utf-8"))
NOW = datetime(2025, 11, 1, tzinfo=UTC)


def page(slug: str) -> bytes:
    return (PAGES / f"{slug}.html").read_bytes()


def test_fixture_set_covers_english_urdu_and_pashto() -> None:
    assert len(EXPECTED) >= 9
    assert {"en", "ur", "ps"} <= {str(e["language"]) for e in EXPECTED.values()}
    assert {p.stem for p in PAGES.glob("*.html")} == set(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_main_text_in_boilerplate_out(slug: str) -> None:
    expected = EXPECTED[slug]
    article = extract_article(page(slug), f"https://news.example/news/{slug}", now=NOW)
    for phrase in expected["present"]:  # type: ignore[attr-defined]
        assert phrase in article.text, f"main text lost: {phrase!r}"
    for phrase in expected["absent"]:  # type: ignore[attr-defined]
        assert phrase not in article.text, f"boilerplate kept: {phrase!r}"
    assert not article.text.startswith(str(expected["title"])), "headline is in .title only"


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_metadata(slug: str) -> None:
    expected = EXPECTED[slug]
    article = extract_article(page(slug), f"https://news.example/news/{slug}", now=NOW)
    assert article.title == expected["title"]
    assert list(article.authors) == expected["authors"]
    assert article.language == expected["language"]
    published = datetime.fromisoformat(str(expected["published_at"]))
    assert article.published_at is not None and article.published_at.tzinfo is UTC
    if expected["language"] == "en":  # the English layouts carry the time of day
        assert article.published_at == published
    else:
        assert article.published_at.date() == published.date()


def test_pashto_page_declared_as_urdu_is_pashto() -> None:
    html = page("khyber-attack-pashto")
    assert b'<html lang="ur"' in html  # the shared CMS template claims Urdu
    assert extract_article(html, "https://news.example/p", now=NOW).language == "ps"


def test_text_decides_over_a_wrong_declaration() -> None:
    html = page("ttp-attack-north-waziristan-checkpost").replace(b'lang="en"', b'lang="ur"')
    assert extract_article(html, "https://news.example/p").language == "en"


def test_future_publication_date_is_dropped() -> None:
    article = extract_article(
        page("kurram-ceasefire-jirga"),
        "https://news.example/p",
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert article.published_at is None


# --- charsets ------------------------------------------------------------------------------


def _as_cp1256(text: str) -> str:
    """Urdu as windows-1256 pages write it: Arabic yeh for Farsi yeh, "." for "۔"."""
    return text.replace("ی", "ي").replace("۔", ".")


def _urdu_in(encoding: str, meta: bool) -> bytes:
    text = _as_cp1256(page("bajaur-operation-urdu").decode("utf-8"))
    declaration = f'<meta charset="{encoding}">' if meta else ""
    return text.replace('<meta charset="utf-8">', declaration).encode(encoding)


URDU_TITLE = _as_cp1256(str(EXPECTED["bajaur-operation-urdu"]["title"]))


def test_http_charset_is_honoured() -> None:
    body = _urdu_in("windows-1256", meta=False)
    article = extract_article(
        body, "https://x.example/u", content_type="text/html; charset=windows-1256"
    )
    assert article.title == URDU_TITLE
    assert article.language == "ur"


def test_meta_charset_is_honoured() -> None:
    body = _urdu_in("windows-1256", meta=True)
    article = extract_article(body, "https://x.example/u")
    assert article.title == URDU_TITLE
    assert _as_cp1256(str(EXPECTED["bajaur-operation-urdu"]["present"][0])) in article.text  # type: ignore[index]


def test_http_charset_wins_over_a_wrong_meta_charset() -> None:
    body = page("ttp-attack-north-waziristan-checkpost").replace(
        b"Funeral prayers", b"Fun\xe9ral prayers"
    )
    article = extract_article(
        body, "https://x.example/e", content_type="text/html; charset=ISO-8859-1"
    )
    assert "Funéral prayers" in article.text


def test_utf16_with_bom() -> None:
    body = page("khyber-attack-pashto").decode("utf-8").replace('<meta charset="utf-8">', "")
    article = extract_article(body.encode("utf-16"), "https://x.example/p")
    assert article.language == "ps"


def test_xml_declaration_with_encoding_is_accepted() -> None:
    body = b'<?xml version="1.0" encoding="windows-1256"?>\n' + _urdu_in("windows-1256", meta=True)
    assert extract_article(body, "https://x.example/u").language == "ur"


# --- not an article ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "is a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "is a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "is a GIF image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "is a ZIP archive or Office document"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "is a gzip file"),
        (b"\x00\x00\x00\x18ftypmp42", "is an MP4/QuickTime media file"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "is a RIFF media file"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00", "is binary data"),
        (b"", "is an empty body"),
        (b"   \n", "is an empty body"),
        (b'{"article": "a JSON API response, not a page"}', "is not HTML"),
        (b"Plain text without any markup at all. " * 20, "is not HTML"),
    ],
)
def test_non_html_bodies_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(
        ExtractError, match=f"^no article text found in page: https://x.example/f {reason}"
    ):
        extract_article(body, "https://x.example/f")


def test_too_little_text_is_refused_with_the_count() -> None:
    body = b"<html><head><title>Video</title></head><body><p>Watch the video.</p></body></html>"
    with pytest.raises(ExtractError, match=r"^no article text found in page: .* \(minimum 200\)$"):
        extract_article(body, "https://x.example/v")


def test_min_text_chars_is_the_threshold() -> None:
    html = page("kurram-ceasefire-jirga")
    length = len(extract_article(html, "https://x.example/k").text)
    assert extract_article(html, "https://x.example/k", min_text_chars=length).text
    with pytest.raises(ExtractError, match=f"has only {length} characters of text"):
        extract_article(html, "https://x.example/k", min_text_chars=length + 1)


def test_page_without_any_text() -> None:
    with pytest.raises(ExtractError, match="has no main text"):
        extract_article(b"<html><body><div></div></body></html>", "https://x.example/e")


def test_extraction_is_repeatable_no_global_dedup_cache() -> None:
    # trafilatura's deduplicate=True would drop the second copy; a daemon sees the same
    # boilerplate on every page of a site, so extraction must not remember anything.
    html = page("chaman-traders-protest-border")
    first = extract_article(html, "https://x.example/c")
    assert extract_article(html, "https://x.example/c") == first
