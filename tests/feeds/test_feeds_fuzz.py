"""Mutated feeds (bit flips, insertions, deletions, truncation): ParsedFeed or FeedParseError."""

from __future__ import annotations

import functools
import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feeds_support import assert_sane_feed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.exceptions import FeedParseError
from monitor.feeds import parse_feed
from monitor.types import ParsedFeed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FIXTURES = ["rss2.xml", "atom.xml", "illformed.xml", "rdf.xml", "jsonfeed.json", "entities.xml"]
# Small real feeds of three dialects: RSS 2.0, Atom, and RDF in ISO-8859-1.
CORPUS_FEEDS = ["c297e9381ecd4a00.gz", "5e19d3b495454497.gz", "a4911bd5d9977a79.gz"]
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    body = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]))
        at = draw(st.integers(0, len(body)))
        if kind == "flip" and at < len(body):
            body[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            body[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=16),
                    st.sampled_from(
                        [b"<", b">", b"&", b"]]>", b"<![CDATA[", b"<!ENTITY x 'y'>", b"\x00",
                         b"\xff\xfe", b"&#0;", b"&#xD800;", b"</item>", b"<item>", b'"', b"{", b"}"]
                    ),
                )
            )  # fmt: skip
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del body[at:]
        elif kind == "splice" and len(body) > 2:
            start = draw(st.integers(0, len(body) - 1))
            body[at:at] = body[start : start + draw(st.integers(1, 200))]
    return bytes(body)


def check(body: bytes, content_type: str) -> None:
    try:
        feed = parse_feed(
            body, {"content-type": content_type}, "https://fuzz.example/feed", now=NOW
        )
    except FeedParseError as exc:
        assert str(exc).startswith("not a feed: ") and "\n" not in str(exc)
        return
    assert isinstance(feed, ParsedFeed)
    assert_sane_feed(feed, NOW)


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
_TYPES = st.sampled_from(
    ["", "application/rss+xml", "text/html; charset=windows-1252", "application/json"]
)


@_SETTINGS
@given(mutated([(FEEDS / name).read_bytes() for name in FIXTURES]), _TYPES)
def test_fuzz_fixture_feeds(body: bytes, content_type: str) -> None:
    check(body, content_type)


@functools.cache
def _corpus_seeds(corpus_dir: Path) -> list[bytes]:
    folder = corpus_dir / "real-feeds"
    return [gzip.decompress((folder / name).read_bytes()) for name in CORPUS_FEEDS]


@pytest.mark.corpus
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), content_type=_TYPES)
def test_fuzz_real_feeds(corpus_dir: Path, data: st.DataObject, content_type: str) -> None:
    check(data.draw(mutated(_corpus_seeds(corpus_dir))), content_type)
