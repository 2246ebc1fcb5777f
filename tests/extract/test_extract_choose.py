"""The second opinion: jusText and readability-lxml replace a truncated trafilatura text.

Real extractors on real markup (no mocks): a page whose article is ten paragraphs, given
with trafilatura's text cut to its first paragraph, must come back whole; a text that
matches its page is kept as it is.
"""

from __future__ import annotations

from monitor.extract import extract_article
from monitor.extract.choose import choose_text

_PARAGRAPHS = [
    f"Paragraph {n} of the report says that the district administration met the elders "
    f"of the valley on the {n}th day of talks and agreed that the road would reopen, "
    "that the markets would stay open until evening and that the schools would resume."
    for n in range(1, 11)
]
PAGE = (
    "<html><head><title>Talks in the valley</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>Talks</h1>"
    + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS)
    + "</article><footer><p>Copyright</p></footer></body></html>"
)


def test_a_truncated_main_text_is_replaced_by_the_agreeing_fallbacks() -> None:
    choice = choose_text(_PARAGRAPHS[0], PAGE)
    assert choice.extractor in ("justext", "readability")
    for paragraph in _PARAGRAPHS:
        assert paragraph in choice.text


def test_a_whole_main_text_is_kept() -> None:
    whole = "\n\n".join(_PARAGRAPHS)
    choice = choose_text(whole, PAGE)
    assert choice == type(choice)(whole, "trafilatura")


def test_an_unparseable_page_keeps_the_main_text() -> None:
    assert choose_text("short text", "").text == "short text"


def test_extract_article_gives_the_whole_article() -> None:
    article = extract_article(PAGE.encode(), "https://example.org/talks", min_text_chars=100)
    assert all(p in article.text for p in _PARAGRAPHS)
