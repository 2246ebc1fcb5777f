"""Extraction quality of ``extract_article`` on the scrapinghub article-extraction benchmark.

    .venv/bin/python benchmarks/extraction_quality.py            # all 181 pages
    .venv/bin/python benchmarks/extraction_quality.py --every 4  # a quarter, for a quick look
    .venv/bin/python benchmarks/extraction_quality.py --table    # one line per page as well

Reads ``../shared/corpus/extraction-benchmark/`` in place (``$MONITOR_SHARED_DIR`` overrides
``../shared``). The score is the benchmark's own (its ``evaluate.py``): word 4-gram
shingles of the extracted text against the human-checked ``articleBody``, counted as
multisets and normalised per page; precision is averaged over pages with output, recall
over all pages, and F1 is their harmonic mean, so the figure compares with the published
ones (trafilatura 2.0.0: F1 0.958, precision 0.938, recall 0.978). The mean of per-page
F1 is printed too. A page where extraction raises counts as empty output.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.exceptions import ExtractError
from monitor.extract import extract_article

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared"))
BENCHMARK = SHARED / "corpus" / "extraction-benchmark"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class PageScore:
    """Shingle counts of one page, normalised so that they sum to 1 (as the benchmark does)."""

    page_id: str
    tp: float
    fp: float
    fn: float
    chars: int
    error: str | None = None

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == self.fn == 0 else self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float
    mean_page_f1: float
    pages: int
    failures: int


def page_ids(every: int = 1) -> list[str]:
    """Benchmark page ids in a stable order; ``every`` > 1 takes a regular subset."""
    truth = load_truth()
    return sorted(truth)[::every]


def load_truth() -> dict[str, dict[str, str]]:
    with (BENCHMARK / "ground-truth.json").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, str]] = json.load(fh)
    return data


def score_page(page_id: str, truth: dict[str, str], min_text_chars: int) -> PageScore:
    """Extract one page with ``extract_article`` and score it against its articleBody."""
    html = gzip.decompress((BENCHMARK / "html" / f"{page_id}.html.gz").read_bytes())
    error = None
    try:
        text = extract_article(html, truth.get("url", ""), min_text_chars=min_text_chars).text
    except ExtractError as exc:
        text, error = "", str(exc)
    tp, fp, fn = shingle_match(truth.get("articleBody", ""), text)
    return PageScore(page_id, tp, fp, fn, len(text), error)


def shingle_match(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """(tp, fp, fn) over word n-gram multisets, normalised to sum to 1."""
    true_counts, pred_counts = _shingles(true, n), _shingles(pred, n)
    tp = fp = fn = 0.0
    for key in true_counts.keys() | pred_counts.keys():
        t, p = true_counts.get(key, 0), pred_counts.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summarise(scores: Sequence[PageScore]) -> Summary:
    """The benchmark's aggregate (mean P over pages with output, mean R, F1 of the means)."""
    precision = statistics.mean(s.precision for s in scores if s.tp + s.fp > 0)
    recall = statistics.mean(s.recall for s in scores if s.tp + s.fn > 0)
    return Summary(
        precision=precision,
        recall=recall,
        f1=2 * precision * recall / (precision + recall),
        mean_page_f1=statistics.mean(s.f1 for s in scores),
        pages=len(scores),
        failures=sum(1 for s in scores if s.error),
    )


def run(ids: Iterable[str], min_text_chars: int = 200) -> list[PageScore]:
    truth = load_truth()
    return [score_page(page_id, truth[page_id], min_text_chars) for page_id in ids]


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=1, help="score every n-th page only")
    parser.add_argument("--min-text-chars", type=int, default=200)
    parser.add_argument("--table", action="store_true", help="print one line per page")
    args = parser.parse_args(argv)
    if not BENCHMARK.is_dir():
        print(f"benchmark corpus not found at {BENCHMARK}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    scores = run(page_ids(args.every), args.min_text_chars)
    elapsed = time.perf_counter() - started
    if args.table:
        print(f"{'page':<16} {'P':>6} {'R':>6} {'F1':>6} {'chars':>7}  error")
        for s in sorted(scores, key=lambda s: s.f1):
            print(f"{s.page_id[:16]:<16} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                  f"{s.chars:7d}  {s.error or ''}")  # fmt: skip
    total = summarise(scores)
    print(
        f"pages={total.pages} failures={total.failures} "
        f"precision={total.precision:.3f} recall={total.recall:.3f} F1={total.f1:.3f} "
        f"mean-page-F1={total.mean_page_f1:.3f} time={elapsed:.1f}s "
        f"({1000 * elapsed / max(1, total.pages):.0f} ms/page)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
