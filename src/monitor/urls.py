"""Canonical URLs: one spelling per article, so the same story is recognised however it is linked.

Feeds link the same page many ways: ``HTTP://Dawn.com:80/news/1?utm_source=rss#comments``,
``https://www.dawn.com/news/1?fbclid=…``. ``canonical_url`` removes what does not change
the resource (case of scheme and host, default port, fragment, tracking parameters, needless
percent-escapes, dot segments) and keeps everything that might (path case, trailing slash,
remaining query parameters in their original order, http vs https).

The result is stable: ``canonical_url(canonical_url(u)) == canonical_url(u)``. Userinfo
(``user:pass@``) is dropped: it never identifies an article and must not be stored.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import idna

__all__ = ["canonical_url", "url_host"]

_SCHEMES = {"http": 80, "https": 443}

# Parameters that only say how a reader arrived (campaign, click and mail-list ids).
_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid",
        "mc_eid", "igshid", "igsh", "yclid", "_ga", "_gl", "_hsenc", "_hsmi", "__hssc",
        "__hstc", "__hsfp", "hsctatracking", "mkt_tok", "vero_id", "vero_conv", "oly_anon_id",
        "oly_enc_id", "rb_clickid", "s_cid", "spm", "scm", "ncid", "ocid", "cmpid", "cmp",
        "icid", "twclid", "ttclid", "li_fat_id", "srsltid", "xtor", "ref_src", "ref_url",
        "wt.mc_id", "wt.tsrc", "ito", "at_medium", "at_campaign",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")

# ``ref`` is tracking only when its value names where the click came from
# (``ref=rss``, ``ref=twitter``, ``ref=example.com``); elsewhere (``ref=main`` on a code
# host, ``ref=12``) it may select content, so it stays.
_TRACKING_REF_VALUE = re.compile(
    r"^(rss|feeds?|feedly|twitter|tw|twsrc.*|x|facebook|fb|linkedin|whatsapp|telegram|e-?mail"
    r"|newsletter|share|social|hp|homepage|home|nav|menu|related|trending|sidebar|footer"
    r"|header|widget|search|google|bing|yahoo|reddit|hn|hackernews|producthunt|flipboard"
    r"|smartnews|dlvr\.?it|ifttt|buffer|hootsuite|substack|medium"
    r"|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,})$"
)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = frozenset(_SUB_DELIMS + ":@/") | _UNRESERVED
_QUERY_SAFE = frozenset(_SUB_DELIMS + ":@/?") | _UNRESERVED
_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
# Per WHATWG URL: tab and newlines anywhere are removed; C0 controls and spaces trimmed.
_REMOVED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def canonical_url(url: str, base: str | None = None) -> str:
    """The one spelling of ``url`` (joined with ``base``); ValueError unless http(s)."""
    cleaned = _REMOVED.sub("", url).strip(_C0_AND_SPACE)
    if base is not None:
        cleaned = urljoin(_REMOVED.sub("", base).strip(_C0_AND_SPACE), cleaned)
    parts = urlsplit(cleaned)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        shown = f"scheme {scheme!r}" if scheme else "no scheme (relative URL without base)"
        raise ValueError(f"not an http(s) URL: {url[:200]!r} has {shown}")
    host = _canonical_host(parts.hostname, url)
    port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    netloc = host if port in (None, _SCHEMES[scheme]) else f"{host}:{port}"
    path = _remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _canonical_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_host(url: str) -> str:
    """The host of ``url`` as ``canonical_url`` spells it (lower-case, punycode, no port)."""
    host = urlsplit(canonical_url(url)).hostname
    if not host:  # pragma: no cover - canonical_url guarantees a host
        raise ValueError(f"URL has no host: {url[:200]!r}")
    return f"[{host}]" if ":" in host else host


def _canonical_host(hostname: str | None, url: str) -> str:
    """Lower-case, IDNA (punycode) host; IPv6 literals keep their brackets."""
    if not hostname:
        raise ValueError(f"URL has no host: {url[:200]!r}")
    if hostname.startswith("[") or ":" in hostname:
        try:
            return f"[{ipaddress.IPv6Address(hostname.strip('[]')).compressed}]"
        except ValueError:
            raise ValueError(f"invalid IPv6 host in URL {url[:200]!r}") from None
    host = hostname.rstrip(".")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError(f"invalid international host name in {url[:200]!r}: {exc}") from None
    host = host.lower()
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"invalid host name {host[:100]!r} in URL {url[:200]!r}")
    return host


def _canonical_query(query: str) -> str:
    """Query without tracking parameters; the others keep their order and spelling."""
    kept: list[str] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        name = _normalise_escapes(name, _QUERY_SAFE - {"=", "&"})
        value = _normalise_escapes(value, _QUERY_SAFE - {"&"})
        if not _is_tracking(name, value):
            kept.append(f"{name}{sep}{value}")
    return "&".join(kept)


def _is_tracking(name: str, value: str) -> bool:
    key = name.lower()
    if key in _TRACKING_EXACT or key.startswith(_TRACKING_PREFIXES):
        return True
    return key == "ref" and bool(_TRACKING_REF_VALUE.match(value.lower()))


def _normalise_escapes(component: str, safe: frozenset[str]) -> str:
    """Percent-escape what must be escaped, unescape unreserved chars, upper-case the hex.

    A ``%`` not followed by two hex digits is a literal percent sign and becomes ``%25``.
    """
    out: list[str] = []
    i, n = 0, len(component)
    while i < n:
        char = component[i]
        if char == "%" and _is_hex_pair(component, i + 1):
            code = component[i + 1 : i + 3].upper()
            decoded = chr(int(code, 16))
            out.append(decoded if decoded in _UNRESERVED else f"%{code}")
            i += 3
            continue
        if char in safe:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _is_hex_pair(text: str, start: int) -> bool:
    return start + 2 <= len(text) and text[start] in _HEX and text[start + 1] in _HEX


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: resolve ``.`` and ``..`` segments of an absolute path."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output)
