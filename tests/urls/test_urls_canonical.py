"""canonical_url / url_host: one spelling per article, stable, and strict about what a URL is."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.urls import canonical_url, url_host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host lower-cased, default port and fragment dropped, empty path -> "/"
        ("HTTP://Dawn.COM:80#top", "http://dawn.com/"),
        ("https://WWW.Dawn.com:443/news/1#comments", "https://www.dawn.com/news/1"),
        ("https://dawn.com:8443/news/1", "https://dawn.com:8443/news/1"),
        ("http://dawn.com:443/x", "http://dawn.com:443/x"),  # 443 is not http's default
        # path case and trailing slash are the site's business
        ("https://dawn.com/News/Story/", "https://dawn.com/News/Story/"),
        # tracking parameters removed, the rest kept in their original order
        (
            "https://dawn.com/news/1?utm_source=rss&b=2&fbclid=XYZ&a=1&gclid=1&utm_medium=feed",
            "https://dawn.com/news/1?b=2&a=1",
        ),
        (
            "https://x.example/a?mc_cid=1&mc_eid=2&igshid=3&yclid=4&_ga=5&msclkid=6&dclid=7&spm=8",
            "https://x.example/a",
        ),
        ("https://x.example/a?UTM_Campaign=x&id=9", "https://x.example/a?id=9"),
        (
            "https://www.bbc.co.uk/news/1?at_medium=RSS&at_campaign=rss",
            "https://www.bbc.co.uk/news/1",
        ),
        # ref only when it names where the click came from
        ("https://x.example/a?ref=rss", "https://x.example/a"),
        ("https://x.example/a?ref=twitter&x=1", "https://x.example/a?x=1"),
        ("https://x.example/a?ref=producthunt.com", "https://x.example/a"),
        ("https://x.example/a?ref_src=twsrc%5Etfw", "https://x.example/a"),
        ("https://code.example/repo?ref=main", "https://code.example/repo?ref=main"),
        ("https://x.example/a?ref=12", "https://x.example/a?ref=12"),
        # blank parameters and a bare "?" dropped; "+" and "=" in values untouched
        ("https://x.example/a?&&q=a+b&&", "https://x.example/a?q=a+b"),
        ("https://x.example/a?", "https://x.example/a"),
        ("https://x.example/a?token=abc==", "https://x.example/a?token=abc=="),
        # percent-encoding: unreserved decoded, hex upper-cased, the unsafe encoded
        ("https://x.example/%7Euser/%61bc", "https://x.example/~user/abc"),
        ("https://x.example/a%2fb?q=%e2%82%ac", "https://x.example/a%2Fb?q=%E2%82%AC"),
        ("https://x.example/a b/ä?q=a b", "https://x.example/a%20b/%C3%A4?q=a%20b"),
        ("https://x.example/100%/x?q=%zz", "https://x.example/100%25/x?q=%25zz"),
        # dot segments
        ("https://x.example/a/./b/../c/", "https://x.example/a/c/"),
        ("https://x.example/../../a", "https://x.example/a"),
        ("https://x.example/%2E%2E/a", "https://x.example/a"),
        # IDN host -> punycode; trailing dot dropped
        ("https://Bücher.Example/Straße", "https://xn--bcher-kva.example/Stra%C3%9Fe"),
        ("https://xn--bcher-kva.example./", "https://xn--bcher-kva.example/"),
        ("https://ｅｘａｍｐｌｅ.com/", "https://example.com/"),
        # userinfo never kept
        ("https://user:secret@x.example/a", "https://x.example/a"),
        # IP literals
        ("http://[2001:DB8::0001]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("http://127.0.0.1:8000/feeds/rss2.xml", "http://127.0.0.1:8000/feeds/rss2.xml"),
        # whitespace around and tab/newline inside are not part of a URL (WHATWG)
        ("  https://x.example/a\n/b\t \r\n", "https://x.example/a/b"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/news/x", "http://127.0.0.1:8000/feeds/rss2.xml", "http://127.0.0.1:8000/news/x"),
        ("story/y", "https://x.example/feeds/section/", "https://x.example/feeds/section/story/y"),
        ("../a?utm_source=z", "https://x.example/feeds/s/f.xml", "https://x.example/feeds/a"),
        ("//cdn.example/p", "https://x.example/feed", "https://cdn.example/p"),
        ("https://other.example/p", "https://x.example/feed", "https://other.example/p"),
        ("#frag", "https://x.example/feed?x=1", "https://x.example/feed?x=1"),
    ],
)
def test_canonical_url_joins_relative_urls_with_base(url: str, base: str, expected: str) -> None:
    assert canonical_url(url, base=base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.example/file",
        "javascript:alert(1)",
        "mailto:desk@x.example",
        "data:text/html,hi",
        "file:///etc/passwd",
        "/relative/without/base",
        "//host.example/no-scheme",
        "",
        "http://",
        "http:///path-only",
        "http://[::1",
        "http://x.example:99999/",
        "http://x.example:port/",
        "http://exa mple.com/",
        "http://a..b/",
        "http://bad_%41host/",
        "https://bücher_x.example/",
    ],
)
def test_canonical_url_rejects_what_is_not_an_http_url(url: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(url)


def test_error_message_names_the_url_and_the_reason() -> None:
    with pytest.raises(
        ValueError, match=r"not an http\(s\) URL: 'ftp://x.example/f' has scheme 'ftp'"
    ):
        canonical_url("ftp://x.example/f")


def test_the_same_story_linked_differently_gets_one_spelling() -> None:
    spellings = [
        "HTTPS://www.Dawn.com/news/1948001/ttp-attack?utm_source=feed#comments",
        "https://www.dawn.com:443/news/1948001/ttp-attack?fbclid=IwAR0",
        "https://www.dawn.com/news/1948001/./ttp-attack",
        "/news/1948001/ttp-attack?utm_medium=rss",
    ]
    found = {canonical_url(u, base="https://www.dawn.com/feeds/home/") for u in spellings}
    assert found == {"https://www.dawn.com/news/1948001/ttp-attack"}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("HTTPS://WWW.Dawn.com:8443/x", "www.dawn.com"),
        ("https://Bücher.example/", "xn--bcher-kva.example"),
        ("http://[::1]:8080/", "[::1]"),
    ],
)
def test_url_host(url: str, host: str) -> None:
    assert url_host(url) == host


def test_url_host_rejects_non_http() -> None:
    with pytest.raises(ValueError):
        url_host("mailto:x@y.example")


# --- fuzz ----------------------------------------------------------------------------------

_URL_ALPHABET = st.sampled_from(
    [*"abcXYZ019-._~:/?#[]@!$&'()*+,;=% \t\n\\\"<>^`{|}", "ä", "ü", "€", "。", "\x00", "\ud800"]
)
_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(url: str) -> None:
    try:
        first = canonical_url(url)
    except ValueError:
        return
    assert isinstance(first, str)
    assert canonical_url(first) == first, "canonical_url must be idempotent"
    assert first.startswith(("http://", "https://"))
    assert "#" not in first


@_FUZZ
@given(st.text())
def test_fuzz_any_text(url: str) -> None:
    _check(url)


@_FUZZ
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "hTTps://", "ftp://", ""]),
    st.text(_URL_ALPHABET, max_size=20),
    st.text(_URL_ALPHABET, max_size=40),
)
def test_fuzz_url_shaped_text(scheme: str, host: str, rest: str) -> None:
    _check(f"{scheme}{host}/{rest}")
    _check(f"{scheme}x.example/{rest}")


@_FUZZ
@given(st.text(_URL_ALPHABET, max_size=40))
def test_fuzz_relative_text_with_base(rest: str) -> None:
    try:
        first = canonical_url(rest, base="https://news.example/feeds/rss.xml")
    except ValueError:
        return
    assert canonical_url(first) == first
