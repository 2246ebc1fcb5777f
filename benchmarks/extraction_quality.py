"""Extraction quality of ``extract_article`` on the scrapinghub article-extraction benchmark.

    .venv/bin/python benchmarks/extraction_quality.py            # all 181 pages
    .venv/bin/python benchmarks/extraction_quality.py --every 4  # a quarter, for a quick look
    .venv/bin/python benchmarks/extraction_quality.py --table    # one line per page as well
    .venv/bin/python benchmarks/extraction_quality.py --every 2 --offset 0   # the tuning half

Every run also extracts each page without the second opinion (``second_opinion=False``,
trafilatura alone, as before jusText/readability-lxml were added), alternating the two per
page so that load on the machine hits both alike, and prints both scores and the per-page
time ratio. Pages scoring F1 < 0.8 are listed as failures with their text length and error.

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


def page_ids(every: int = 1, offset: int = 0) -> list[str]:
    """Benchmark page ids in a stable order; ``every`` > 1 takes a regular subset
    (``every=2, offset=0`` is the half the second opinion was tuned on)."""
    truth = load_truth()
    return sorted(truth)[offset::every]


def load_truth() -> dict[str, dict[str, str]]:
    with (BENCHMARK / "ground-truth.json").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, str]] = json.load(fh)
    return data


def score_page(
    page_id: str, truth: dict[str, str], min_text_chars: int, *, second_opinion: bool = True
) -> tuple[PageScore, float]:
    """Extract one page with ``extract_article``, score it against its articleBody;
    also the seconds the extraction took."""
    html = gzip.decompress((BENCHMARK / "html" / f"{page_id}.html.gz").read_bytes())
    error = None
    started = time.perf_counter()
    try:
        text = extract_article(
            html,
            truth.get("url", ""),
            min_text_chars=min_text_chars,
            second_opinion=second_opinion,
        ).text
    except ExtractError as exc:
        text, error = "", str(exc)
    elapsed = time.perf_counter() - started
    tp, fp, fn = shingle_match(truth.get("articleBody", ""), text)
    return PageScore(page_id, tp, fp, fn, len(text), error), elapsed


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
    return [score_page(page_id, truth[page_id], min_text_chars)[0] for page_id in ids]


@dataclass
class Comparison:
    """Both ways of extracting, page by page, with their summed extraction times."""

    chosen: list[PageScore]
    alone: list[PageScore]
    chosen_s: float = 0.0
    alone_s: float = 0.0


def compare(ids: Sequence[str], min_text_chars: int = 200) -> Comparison:
    """Each page with and without the second opinion, alternating which goes first."""
    truth = load_truth()
    result = Comparison([], [])
    for n, page_id in enumerate(ids):
        order = (True, False) if n % 2 == 0 else (False, True)
        for second in order:
            score, seconds = score_page(
                page_id, truth[page_id], min_text_chars, second_opinion=second
            )
            if second:
                result.chosen.append(score)
                result.chosen_s += seconds
            else:
                result.alone.append(score)
                result.alone_s += seconds
    return result


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=1, help="score every n-th page only")
    parser.add_argument("--offset", type=int, default=0, help="start the subset at this page")
    parser.add_argument("--min-text-chars", type=int, default=200)
    parser.add_argument("--table", action="store_true", help="print one line per page")
    args = parser.parse_args(argv)
    if not BENCHMARK.is_dir():
        print(f"benchmark corpus not found at {BENCHMARK}", file=sys.stderr)
        return 1
    both = compare(page_ids(args.every, args.offset), args.min_text_chars)
    scores, elapsed = both.chosen, both.chosen_s
    if args.table:
        print(f"{'page':<16} {'P':>6} {'R':>6} {'F1':>6} {'chars':>7}  error")
        for s in sorted(scores, key=lambda s: s.f1):
            print(f"{s.page_id[:16]:<16} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                  f"{s.chars:7d}  {s.error or ''}")  # fmt: skip
    for label, these, seconds in (
        ("trafilatura alone", both.alone, both.alone_s),
        ("with second opinion", scores, elapsed),
    ):
        total = summarise(these)
        print(
            f"{label:20} pages={total.pages} errors={total.failures} "
            f"precision={total.precision:.4f} recall={total.recall:.4f} F1={total.f1:.4f} "
            f"mean-page-F1={total.mean_page_f1:.3f} time={seconds:.1f}s "
            f"({1000 * seconds / max(1, total.pages):.0f} ms/page)"
        )
    print(f"time ratio (with / alone, same run): {elapsed / max(both.alone_s, 1e-9):.2f}")
    failed = [s for s in scores if s.f1 < 0.8]
    print(f"pages with F1 < 0.8: {len(failed)}")
    for s in sorted(failed, key=lambda s: s.f1):
        print(f"  {s.page_id[:16]} F1={s.f1:.3f} P={s.precision:.3f} R={s.recall:.3f} "
              f"chars={s.chars} {s.error or ''}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
