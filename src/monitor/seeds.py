"""The seed corpus: documents already known, read from the configured folder.

A seed's id is its file name without the extension, so re-running
``monitor init`` after editing a file replaces that seed in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.exceptions import ConfigError, ExtractError

SEED_SUFFIXES = {".txt", ".md", ".html", ".htm"}


@dataclass(frozen=True, slots=True)
class SeedFile:
    id: str
    path: Path
    text: str


def read_seed_folder(folder: Path) -> list[SeedFile]:
    """Every seed document in ``folder`` (sorted), HTML pages reduced to their article text."""
    if not folder.is_dir():
        raise ConfigError(f"seeds folder not found: {folder}")
    seeds = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SEED_SUFFIXES or not path.is_file():
            continue
        text = _read(path)
        if text.strip():
            seeds.append(SeedFile(id=path.stem, path=path, text=text))
    return seeds


def _read(path: Path) -> str:
    if path.suffix.lower() in {".html", ".htm"}:
        from monitor.extract import extract_article

        try:
            return extract_article(path.read_bytes(), path.as_uri(), min_text_chars=0).text
        except ExtractError:
            return ""
    return path.read_text(encoding="utf-8", errors="replace")
