"""Every string from a feed or a page is cleaned here, once, at ingestion.

Feed text is untrusted and ends up in a database, a terminal and digests:

* C0 and C1 control characters other than tab and newline are removed (``ESC[2J``
  and OSC hyperlinks lose their ESC and become inert text; NUL, which PostgreSQL
  refuses in text, is gone); a carriage return becomes a newline;
* lone surrogates (``"\\ud800"`` is legal JSON but not encodable UTF-8) become U+FFFD;
* a title, name or id is capped at ``MAX_LINE`` characters, a text at ``MAX_TEXT``.

The text is otherwise kept as it is.
"""

from __future__ import annotations

import re

__all__ = ["MAX_LINE", "MAX_TEXT", "clean_line", "clean_text"]

MAX_LINE = 1_000
MAX_TEXT = 2_000_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """``value`` without control characters (tab and newline kept) or lone surrogates."""
    if not value:
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
    return text[:limit]


def clean_line(value: str, limit: int = MAX_LINE) -> str:
    """A one-line field (title, author, name): cleaned, whitespace collapsed, capped."""
    line = " ".join(clean_text(value, limit * 4).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
