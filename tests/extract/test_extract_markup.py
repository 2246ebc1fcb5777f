"""html_to_text (feed HTML → plain text) and decode_html (which charset wins)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract import html_to_text
from monitor.extract.markup import declared_language, decode_html

# --- html_to_text --------------------------------------------------------------------------


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    html = "<p>First  paragraph\n of text.</p><p>Second <b>bold</b> one.</p><div>Third</div>"
    assert html_to_text(html) == "First paragraph of text.\n\nSecond bold one.\n\nThird"


def test_line_breaks_lists_and_headings() -> None:
    html = (
        "<h2>Key points</h2><ul><li>Border shut</li><li>Talks in Doha</li></ul>Line one<br>Line two"
    )
    assert html_to_text(html) == "Key points\n\nBorder shut\n\nTalks in Doha\n\nLine one\nLine two"


def test_table_rows_are_lines_and_cells_are_words() -> None:
    html = "<table><tr><th>District</th><th>Attacks</th></tr><tr><td>Bannu</td><td>12</td></tr>"
    assert html_to_text(html) == "District Attacks\n\nBannu 12"


def test_entities_are_decoded() -> None:
    assert html_to_text("Quetta &amp; Chaman&nbsp;&#8211; &ldquo;strike&rdquo; &lt;day 2&gt;") == (
        "Quetta & Chaman – “strike” <day 2>"
    )


def test_scripts_styles_forms_and_comments_are_dropped() -> None:
    html = (
        "<style>p{color:red}</style><p>Kept<script>alert('x')</script> text</p><!-- hidden -->"
        "<form><button>Subscribe</button></form><noscript>enable js</noscript><p>end</p>"
    )
    assert html_to_text(html) == "Kept text\n\nend"


def test_tail_text_after_a_skipped_element_is_kept() -> None:
    assert html_to_text("<p>before<script>x()</script> after</p>") == "before after"


def test_a_whole_document_loses_its_head() -> None:
    html = "<html><head><title>Title</title><meta charset='utf-8'></head><body><p>Body</p></body>"
    assert html_to_text(html) == "Body"


@pytest.mark.parametrize("html", ["", "   ", "<!-- only a comment -->", "<p></p>", "<br><br>"])
def test_nothing_to_say(html: str) -> None:
    assert html_to_text(html) == ""


def test_plain_text_passes_through() -> None:
    assert html_to_text("  Plain   text, no markup.  ") == "Plain text, no markup."


def test_xml_declaration_and_control_characters_do_not_break_it() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?><p>a\x00b\x0bc</p>'
    assert html_to_text(html) == "abc"


def test_urdu_stays_intact() -> None:
    assert (
        html_to_text("<p>باجوڑ میں آپریشن</p><p>ہزاروں خاندان</p>")
        == "باجوڑ میں آپریشن\n\nہزاروں خاندان"
    )


def test_deep_nesting_keeps_its_text() -> None:
    # libxml2 stops at 256 levels unless told otherwise (then at 2048)
    assert html_to_text("<div>" * 2000 + "deep" + "</div>" * 2000) == "deep"


def test_absurd_nesting_neither_crashes_nor_recurses() -> None:
    assert html_to_text("<b>" * 100_000 + "deep") in ("", "deep")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fuzz_any_text_gives_text(html: str) -> None:
    text = html_to_text(html)
    assert isinstance(text, str)
    assert text == text.strip()
    assert "\n\n\n" not in text


# --- decode_html ---------------------------------------------------------------------------

# 0xC7 is "Ç" in windows-1252 and "ا" (alef) in windows-1256: the declaration decides.
ALEF_OR_C = b"<html><head>%s</head><body><p>\xc7\xe1\xd3\xe1\xc7\xe3</p></body></html>"


def test_http_charset_wins() -> None:
    body = ALEF_OR_C % b'<meta charset="windows-1256">'
    assert "ÇáÓáÇã" in decode_html(body, "text/html; charset=windows-1252")


def test_meta_charset_is_used_without_an_http_charset() -> None:
    assert "السلام" in decode_html(ALEF_OR_C % b'<meta charset="windows-1256">', "text/html")


def test_http_equiv_meta_charset() -> None:
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    assert "السلام" in decode_html(ALEF_OR_C % meta)


def test_latin1_label_means_windows_1252_as_in_browsers() -> None:
    assert (
        decode_html(b"<p>\x93quoted\x94</p>", "text/html; charset=iso-8859-1") == "<p>“quoted”</p>"
    )


def test_bom_wins_over_everything() -> None:
    body = "\ufeff<p>سلام</p>".encode("utf-8")
    assert decode_html(body, "text/html; charset=windows-1252") == "<p>سلام</p>"


def test_a_declaration_that_lies_is_skipped() -> None:
    body = "<meta charset='ascii'><p>ٹیسٹ</p>".encode()  # declared ASCII, really UTF-8
    assert "ٹیسٹ" in decode_html(body, "text/html; charset=utf-8")


def test_unknown_labels_are_ignored() -> None:
    assert decode_html("<p>é</p>".encode(), "text/html; charset=x-klingon") == "<p>é</p>"


def test_undeclared_non_utf8_is_guessed() -> None:
    text = (
        "<html><body><p>" + "طالبان پاکستان کے حملے میں اضافہ ہوا ہے " * 20 + "</p></body></html>"
    )
    body = text.replace("ی", "ي").replace("ک", "ك").encode("windows-1256", "replace")
    decoded = decode_html(body)
    assert "طالبان" in decoded


@pytest.mark.parametrize(
    ("html", "lang"),
    [
        ('<html lang="ur-PK" dir="rtl">', "ur"),
        ("<HTML LANG=ps>", "ps"),
        ('<html><meta http-equiv="content-language" content="fa-AF">', "fa"),
        ("<html>", None),
    ],
)
def test_declared_language(html: str, lang: str | None) -> None:
    assert declared_language(html) == lang
