"""The labelled evaluation set: the precision and recall the issue requires.

The same numbers are printed, with every wrong verdict, by
``.venv/bin/python benchmarks/dedup_eval.py``.
"""

from __future__ import annotations

from collections import Counter

import pytest
from dedup_support import ARTICLES, FIXTURES, SEEDS

from monitor.dedup.evaluation import Pair, Report, evaluate, load_pairs

REQUIRED = {
    "other-template",
    "wire-copy",
    "sentence-added",
    "light-re-edit",
    "truncated",
    "main-article-of-seed",
    "related-fragment",
    "same-formula-other-event",
    "too-short",
}


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    return load_pairs(FIXTURES / "pairs.jsonl", seeds_dir=SEEDS, articles_dir=ARTICLES)


@pytest.fixture(scope="module")
def report(pairs: list[Pair]) -> Report:
    return evaluate(pairs)


def test_the_set_covers_every_transformation_of_the_issue(pairs: list[Pair]) -> None:
    assert len(pairs) >= 80
    counts = Counter(p.transformation for p in pairs)
    assert set(counts) >= REQUIRED
    assert sum(not p.duplicate for p in pairs) >= 30
    assert len({p.id for p in pairs}) == len(pairs)


def test_duplicate_precision_and_recall(report: Report) -> None:
    wrong = [f"{o.pair.id}: {o.verdict.reason}" for o in report.errors()]
    assert report.precision() >= 0.98, wrong
    assert report.recall() >= 0.95, wrong


def test_stories_are_never_merged_wrongly(report: Report) -> None:
    assert report.precision("story") == 1.0
    assert report.recall("story") >= 0.8
