"""Paths and helpers shared by the relevance tests (conftest.py holds the fixtures)."""

from __future__ import annotations

from pathlib import Path

from monitor.relevance import SeedDoc

REPO = Path(__file__).resolve().parents[2]
LEXICON = REPO / "config" / "relevance.toml"
EVAL_DIR = Path(__file__).resolve().parent / "eval"
REAL_FEEDS_LABELS = Path(__file__).resolve().parent / "real_feeds_labels.jsonl"


def repo_seeds() -> list[SeedDoc]:
    """The shipped seed corpus, as the service loads it (id = file stem)."""
    return [
        SeedDoc(p.stem, p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "seeds").glob("*.txt"))
    ]
