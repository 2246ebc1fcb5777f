"""Bytes to HTML text, and HTML to plain text: the small steps around trafilatura.

* ``sniff_non_html`` tells a PDF, image, archive or other binary body from a page,
  because servers label downloads ``text/html`` often enough to matter.
* ``decode_html`` decodes the way browsers do (BOM, then the HTTP charset, then the
  ``<meta>`` charset, then UTF-8, then a statistical guess); trafilatura by itself ignores
  the declared charsets and guesses, which mangles some Urdu and Arabic pages in
  ``windows-1256``.
* ``html_to_text`` turns the HTML of a feed's content or summary into plain text with
  paragraph breaks, for when the article page cannot be used.
"""

from __future__ import annotations

import codecs
import re

import lxml.html  # type: ignore[import-untyped, unused-ignore]
from charset_normalizer import from_bytes
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "declared_language",
    "decode_html",
    "html_to_text",
    "looks_like_html",
    "sniff_binary",
    "sniff_non_html",
    "strip_xml_declaration",
]

# Magic numbers of the non-HTML bodies a news site serves under article URLs.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x1f\x8b", "a gzip file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
    (b"fLaC", "a FLAC file"),
    (b"\x1a\x45\xdf\xa3", "a WebM/Matroska video"),
    (b"%!PS", "a PostScript document"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_HTML_MARKER = re.compile(
    rb"<(!doctype\s+html|html|head|body|meta|title|div|p|article|main|section|span|h[1-6]|table"
    rb"|script|link|a\s)[\s>/]?",
    re.IGNORECASE,
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Labels browsers read as a superset (WHATWG Encoding Standard).
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "shift_jis",
}
_SNIFF_BYTES = 8192
_LANG_ATTR = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.IGNORECASE)
_LANG_META = re.compile(
    r"""<meta\b[^>]*?http-equiv\s*=\s*["']?content-language["']?[^>]*?"""
    r"""content\s*=\s*["']?\s*([A-Za-z]{2,3})\b""",
    re.IGNORECASE,
)

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "thead",
        "tbody",
        "tfoot",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "figure",
        "figcaption",
        "hr",
        "main",
        "nav",
        "address",
        "details",
        "summary",
        "caption",
        "center",
    ]
)
_SKIPPED_TAGS = frozenset(
    [
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "button",
        "select",
        "textarea",
        "form",
    ]
)
_INVALID_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Markers used while walking; neither can occur in cleaned text (_INVALID_CHARS removes them).
_PARAGRAPH = "\x00"  # between blocks
_LINE_BREAK = "\x01"  # a <br>; source newlines are only whitespace


def sniff_binary(body: bytes) -> str | None:
    """What ``body`` is when its magic number names a binary format (``"a PDF document"``)."""
    head = body[:64]
    stripped = head.lstrip(b" \t\r\n")
    for magic, what in _MAGIC:
        if stripped.startswith(magic) or head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "an MP4/QuickTime media file"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "a RIFF media file (WebP, WAV or AVI)"
    return None


def sniff_non_html(body: bytes) -> str | None:
    """What ``body`` is when it is clearly not an HTML page (``"a PDF document"``), else None."""
    what = sniff_binary(body)
    if what is not None:
        return what
    head = body[:_SNIFF_BYTES]
    if not head.strip():
        return "an empty body"
    if not any(head.startswith(bom) for bom, _ in _BOMS) and b"\x00" in head:
        return "binary data"
    return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page: BOM, HTTP charset, ``<meta>`` charset, UTF-8, then a guess."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")
    for label in (_header_charset(content_type), _meta_charset(body)):
        codec = _codec(label)
        if codec is not None:
            try:
                return body.decode(codec)
            except UnicodeDecodeError:
                continue  # the declaration lies; try the next clue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = body if len(body) <= 20_000 else body[:10_000] + body[-10_000:]
    guess = from_bytes(sample).best()
    codec = _codec(guess.encoding if guess is not None else None)
    return body.decode(codec or "utf-8", "replace")


def looks_like_html(text: str) -> bool:
    """True when the decoded text has at least one common HTML tag near its start."""
    return bool(_HTML_MARKER.search(text[:_SNIFF_BYTES].encode("utf-8", "replace")))


def strip_xml_declaration(text: str) -> str:
    """lxml refuses ``str`` input that still declares an encoding; it was decoded already."""
    return _XML_DECLARATION.sub("", text, count=1)


def declared_language(html: str) -> str | None:
    """The page's own language claim (``<html lang>`` or content-language meta), lower-case."""
    head = html[: _SNIFF_BYTES * 4]
    match = _LANG_ATTR.search(head) or _LANG_META.search(head)
    return match.group(1).lower() if match else None


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page; paragraphs separated by a blank line.

    Scripts, styles, forms and the ``<head>`` are dropped; entities are decoded; ``<br>``
    becomes a line break. Text without markup comes back whitespace-normalised.
    """
    cleaned = strip_xml_declaration(_INVALID_CHARS.sub("", html))
    if not cleaned.strip():
        return ""
    # huge_tree lifts libxml2's depth limit from 256 to 2048 levels (past it libxml2 drops
    # the rest of the text); the walk below is iterative, so depth costs nothing.
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(cleaned, parser=parser)
    except (etree.ParserError, ValueError):
        return ""  # nothing but comments or processing instructions
    return _join_paragraphs(_walk_text(root))


def _walk_text(root: etree._Element) -> list[str]:
    """Text pieces in document order, with ``_PARAGRAPH`` markers at block boundaries."""
    pieces: list[str] = []
    skipping: etree._Element | None = None
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if skipping is not None:
            if event == "end" and element is skipping:
                skipping = None
                pieces.append(element.tail or "")
            continue
        if event == "start":
            if tag.lower() in _SKIPPED_TAGS:
                skipping = element
                continue
            if tag.lower() in _BLOCK_TAGS:
                pieces.append(_PARAGRAPH)
            elif tag.lower() == "br":
                pieces.append(_LINE_BREAK)
            elif tag.lower() in ("td", "th"):
                pieces.append(" ")  # cells of a row: "a b", not "ab"
            if tag:
                pieces.append(element.text or "")
        else:
            if tag.lower() in _BLOCK_TAGS:
                pieces.append(_PARAGRAPH)
            pieces.append(element.tail or "")
    return pieces


def _join_paragraphs(pieces: list[str]) -> str:
    paragraphs: list[str] = []
    for block in "".join(pieces).split(_PARAGRAPH):
        lines = (" ".join(line.split()) for line in block.split(_LINE_BREAK))
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown or not ASCII-based."""
    if not label:
        return None
    name = _LABEL_ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # A page that declares UTF-16 in ASCII bytes is not UTF-16 (WHATWG rule).
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return info.name
