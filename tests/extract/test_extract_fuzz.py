"""Mutated pages: extract_article returns an Article or raises ExtractError, nothing else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.exceptions import ExtractError
from monitor.extract import extract_article
from monitor.types import Article

PAGES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "pages").glob("*.html"))
SEEDS = [p.read_bytes() for p in PAGES[:4]]


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    body = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(body)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if kind == "flip" and at < len(body):
            body[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            body[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=12),
                    st.sampled_from(
                        [b"<", b"</div>", b"<html>", b"\x00", b"%PDF-", b"<?xml?>", b"&#0;"]
                    ),
                )
            )
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 400))]
        elif kind == "truncate":
            del body[at:]
    return bytes(body)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_page(), st.sampled_from([None, "text/html", "text/html; charset=windows-1256"]))
def test_fuzz_pages(body: bytes, content_type: str | None) -> None:
    try:
        article = extract_article(body, "https://fuzz.example/a", content_type=content_type)
    except ExtractError as exc:
        assert str(exc).startswith("no article text found in page: ") and "\n" not in str(exc)
        return
    assert isinstance(article, Article)
    assert len(article.text) >= 200
    assert article.language is None or len(article.language) == 2
