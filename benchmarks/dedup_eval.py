"""Precision and recall of duplicate (and story) detection on the labelled pairs.

    .venv/bin/python benchmarks/dedup_eval.py [--pairs tests/fixtures/dedup/pairs.jsonl] [-v]
    .venv/bin/python benchmarks/dedup_eval.py --pairs tests/fixtures/dedup/real_pairs.jsonl

The real-material set names its texts by id in ``../shared/corpus`` (``$MONITOR_SHARED_DIR``
overrides ``../shared``); its floors are asserted by ``tests/dedup/test_dedup_real.py``.

Each pair is judged by the real detector on its own fresh SQLite database
(see monitor.dedup.evaluation). Prints precision/recall for "duplicate" and
for "same story", accuracy per transformation, and every wrong verdict with
its reason. Exit status 1 when duplicate precision < 0.98 or recall < 0.95.
Threshold overrides come from the environment like the service's
(``MONITOR_DEDUP__JACCARD=0.6``), so a default can be re-justified in one line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from monitor.dedup.evaluation import Pair, Report, evaluate, load_pairs
from monitor.dedup.tokens import tokenise
from monitor.settings import DedupSettings

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "dedup"
CORPUS = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared")) / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=FIXTURES / "pairs.jsonl")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every verdict")
    parser.add_argument(
        "--sweep", action="store_true", help="precision/recall as each threshold moves"
    )
    args = parser.parse_args()
    settings = DedupSettings.model_validate(_overrides())
    pairs = load_pairs(
        args.pairs, seeds_dir=args.seeds, articles_dir=FIXTURES / "articles", corpus_dir=CORPUS
    )
    if args.sweep:
        sweep(pairs, settings)
        return 0
    started = time.perf_counter()
    report = evaluate(pairs, settings)
    elapsed = time.perf_counter() - started
    positives = sum(p.duplicate for p in pairs)
    negatives = len(pairs) - positives
    print(f"{len(pairs)} pairs ({positives} duplicates, {negatives} not) in {elapsed:.1f} s")
    print(f"duplicate: precision {report.precision():.3f}  recall {report.recall():.3f}")
    print(
        f"story:     precision {report.precision('story'):.3f}  recall {report.recall('story'):.3f}"
    )
    long_enough = [
        o
        for o in report.outcomes
        if min(len(tokenise(o.pair.a)), len(tokenise(o.pair.b))) >= settings.min_words
    ]
    if len(long_enough) < len(report.outcomes):
        sub = Report(long_enough)
        print(
            f"pairs with both texts >= {settings.min_words} words ({len(long_enough)}): "
            f"duplicate P {sub.precision():.3f} R {sub.recall():.3f}, "
            f"story P {sub.precision('story'):.3f} R {sub.recall('story'):.3f}"
        )
    print("\nper transformation (correct/total):")
    for name, (ok, total) in report.by_transformation().items():
        print(f"  {name:30} {ok}/{total}")
    shown = report.outcomes if args.verbose else report.errors()
    if shown:
        print("\nverdicts:" if args.verbose else "\nwrong:")
    for o in shown:
        mark = "ok " if o.correct else "ERR"
        label = "dup" if o.pair.duplicate else "new"
        print(f"  {mark} {o.pair.id:45} want {label}: {o.verdict.reason}")
    good = report.precision() >= 0.98 and report.recall() >= 0.95
    return 0 if good else 1


SWEEP: dict[str, list[object]] = {
    "jaccard": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    "jaccard_short": [0.5, 0.6, 0.7, 0.8, 0.9],
    "containment": [0.6, 0.7, 0.8, 0.9, 0.95],
    "containment_short": [0.7, 0.8, 0.9, 0.95],
    "contains_min_ratio": [0.3, 0.4, 0.5, 0.7],
    "min_words": [20, 30, 40, 60, 80],
    "check_facts": [True, False],
}


def sweep(pairs: list[Pair], base: DedupSettings) -> None:
    """One row per (setting, value), the others at ``base``: the table in docs/dedup.md."""
    print("| setting | value | precision | recall | story precision | story recall |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, values in SWEEP.items():
        for value in values:
            settings = base.model_copy(update={name: value})
            r = evaluate(pairs, settings)
            mark = " (default)" if getattr(base, name) == value else ""
            print(
                f"| {name} | {value}{mark} | {r.precision():.3f} | {r.recall():.3f} "
                f"| {r.precision('story'):.3f} | {r.recall('story'):.3f} |"
            )


def _overrides() -> dict[str, str]:
    prefix = "MONITOR_DEDUP__"
    return {k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}


if __name__ == "__main__":
    sys.exit(main())
