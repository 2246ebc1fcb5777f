"""What reaches the operator's terminal: text from feeds made inert, tables, JSON lines.

A feed title can carry ``ESC[2J`` (clear the screen), ``ESC]0;…BEL`` (retitle
the window) or ``ESC]8;;http://…`` (a hyperlink the terminal obeys). Every
string printed by the CLI or the text logs goes through ``printable``, which
writes control characters as visible escapes (``\\x1b``) and keeps all other
text, any script, as it is.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import IO, Any

# C0 controls (tab and newline are kept in free text), DEL, C1 controls, lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CELL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What json.dumps(ensure_ascii=False) leaves raw but a terminal or a JS reader may trip on.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with control characters written as visible escapes; ``one_line`` escapes
    tabs and newlines too (a table cell, a log field)."""
    return (_CELL_CONTROL if one_line else _CONTROL).sub(_escape, text)


def json_line(obj: Any) -> str:
    """One JSON object on one line, UTF-8 text kept, C1 controls and lone surrogates as
    ``\\uXXXX`` (still the same JSON value, and writable as UTF-8)."""
    text = json.dumps(obj, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 feed``, ``2 feeds``; ``many`` for irregular plurals."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    out: IO[str] | None = None,
    title: str | None = None,
) -> None:
    """A table: drawn by rich on a terminal, plain aligned columns when piped.

    Cells are made printable here, so no caller can forget it.
    """
    out = sys.stdout if out is None else out
    cells = [[printable(c, one_line=True) for c in row] for row in rows]
    if is_terminal(out):
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, header_style="bold", show_lines=False)
        for name in headers:
            table.add_column(name, overflow="fold")
        for row in cells:
            table.add_row(*(Text(c) for c in row))  # Text: no markup is read from cells
        Console(file=out, highlight=False).print(table)
        return
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [list(headers), *cells]
    for row in lines:
        padded = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1], strict=True)]
        out.write("  ".join([*padded, row[-1]]).rstrip() + "\n")
