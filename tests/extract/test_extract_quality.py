"""Regression guard on extraction quality: the scrapinghub benchmark, on a regular subset.

The full set runs in ``benchmarks/extraction_quality.py`` (F1 0.9735 with the second
opinion, 0.9656 trafilatura alone, trafilatura 2.3.1; see docs/extraction.md); here every
4th page (46 of 181) keeps the test to a few seconds, and the whole set runs once
(``test_extraction_f1_on_all_pages``, a minute).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "extraction_quality.py"
# Measured on this subset: F1 0.977 (precision 0.974, recall 0.979), no page failing.
F1_FLOOR = 0.95


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_quality", BENCHMARK_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
def test_extraction_f1_stays_above_the_floor() -> None:
    bench = load_benchmark()
    scores = bench.run(bench.page_ids(every=4))
    total = bench.summarise(scores)
    worst = sorted(scores, key=lambda s: s.f1)[:3]
    detail = ", ".join(f"{s.page_id}: F1 {s.f1:.2f} {s.error or ''}" for s in worst)
    assert total.pages == 46
    assert total.f1 >= F1_FLOOR, f"F1 {total.f1:.3f} < {F1_FLOOR}; worst pages: {detail}"
    assert total.failures <= 1, detail


@pytest.mark.corpus
def test_extraction_f1_on_all_pages_reaches_the_issue_floor() -> None:
    bench = load_benchmark()
    total = bench.summarise(bench.run(bench.page_ids()))
    assert total.pages == 181
    assert total.f1 >= 0.97, f"F1 {total.f1:.4f} on all pages"


def test_shingle_score_matches_the_benchmark_definition() -> None:
    bench = load_benchmark()
    assert bench.shingle_match("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = bench.shingle_match("a b c d e", "a b c d x")  # 1 shared 4-gram of 2 each
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert bench.shingle_match("a b c d", "") == (0.0, 0.0, 1.0)
    empty = bench.PageScore("p", 0.0, 0.0, 1.0, 0, "failed")
    perfect = bench.PageScore("q", 1.0, 0.0, 0.0, 10)
    summary = bench.summarise([empty, perfect])
    # precision averages pages with output only; recall averages all of them
    assert (summary.precision, summary.recall) == (1.0, 0.5)
    assert summary.f1 == pytest.approx(2 / 3)
