"""Labelled texts as JSON Lines: the news-dev format and the label export format.

One reader for both, so ``monitor train``, ``monitor relevance eval`` and the
benchmarks see the same thing. A line is an object with ``id``, ``title``,
``text``, a language (``lang`` or ``language``), ``source`` and a label:
``label`` 1 / 0 / ``"borderline"`` (news-dev) or ``"relevant"`` /
``"not_relevant"`` (``monitor labels export``); news-dev lines also carry
``split``. **Borderline items are kept apart**: they are neither trained on
nor counted in the figures (docs/relevance.md says why).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.exceptions import ConfigError

BORDERLINE = "borderline"


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """A text with its label: ``label`` is 1, 0, or None for borderline."""

    id: str
    title: str
    text: str
    language: str
    source: str
    label: int | None
    split: str = ""
    tags: tuple[str, ...] = ()
    note: str | None = None


def parse_label(value: Any) -> int | None:
    """1 / 0 / None (borderline) from any of the accepted spellings; ValueError otherwise."""
    if value in (1, True, "1", "relevant"):
        return 1
    if value in (0, False, "0", "not_relevant", "not-relevant"):
        return 0
    if value == BORDERLINE:
        return None
    raise ValueError(f"label must be 1, 0, relevant, not_relevant or borderline (got {value!r})")


def item_from_row(row: Any, where: str) -> LabelledItem:
    """One JSON object as a LabelledItem; ConfigError naming ``where`` if it is not one."""
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    try:
        return LabelledItem(
            id=str(row["id"]),
            title=str(row.get("title") or ""),
            text=str(row.get("text") or ""),
            language=str(row.get("lang") or row.get("language") or ""),
            source=str(row.get("source") or ""),
            label=parse_label(row["label"]),
            split=str(row.get("split") or ""),
            tags=tuple(str(t) for t in row.get("tags") or ()),
            note=str(row["note"]) if row.get("note") else None,
        )
    except KeyError as exc:
        raise ConfigError(f"{where}: missing key {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def read_jsonl(path: Path) -> list[LabelledItem]:
    """Every labelled line of a file (borderline included, label None)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"labelled file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read labelled file {path}: {exc}") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n}: not JSON ({exc.msg})") from None
        out.append(item_from_row(row, f"{path}:{n}"))
    return out


def decided(items: Iterable[LabelledItem]) -> Iterator[LabelledItem]:
    """The items with a 1/0 label (borderline left out)."""
    return (i for i in items if i.label is not None)
