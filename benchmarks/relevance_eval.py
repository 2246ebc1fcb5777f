"""The relevance figures the issue asks for, on news-dev (train is fitted on, test measured once).

    .venv/bin/python benchmarks/relevance_eval.py            # test split + LOSO + tags
    .venv/bin/python benchmarks/relevance_eval.py --errors   # also list the test errors

1. the shipped model (config/relevance-model.json) on the **test** split: P/R/F1/AUC
   overall, by language and source, Brier, ECE and the reliability table;
2. leave-one-source-out: for each source with ≥ 20 relevant items, a model fitted on
   the train split of the other sources (same settings), measured on every decided
   item of the held-out source (train and test);
3. tags: precision and recall of the tag rules against the hand-labelled tags of
   tests/relevance/tag_labels.jsonl (news-dev relevant items).
Borderline items are left out everywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from monitor.relevance import metrics
from monitor.relevance.evaluate import Scored, format_evaluation, tag_figures
from monitor.relevance.labelled import read_jsonl
from monitor.relevance.model import LinearModel
from monitor.relevance.scorer import RelevanceScorer, load_extractor
from monitor.relevance.tags import load_tag_rules
from monitor.relevance.training import TrainParams, fit_model

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config"
NEWS_DEV = REPO.parent / "shared" / "corpus" / "news-dev" / "items.jsonl"
TAG_LABELS = REPO / "tests" / "relevance" / "tag_labels.jsonl"


def scorer_for(model: LinearModel | None = None) -> RelevanceScorer:
    base = RelevanceScorer.load(CONFIG / "relevance.toml", 0.5)
    if model is None:
        return base
    keep = frozenset(k for k in model.coef if k.startswith(("w:", "c:")))
    ex = load_extractor(CONFIG / "relevance.toml", CONFIG / "gazetteer.toml", keep)
    return RelevanceScorer(ex, model, load_tag_rules(CONFIG / "tags.toml"), 0.5)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    items = [i for i in read_jsonl(NEWS_DEV) if i.label is not None]
    scorer = scorer_for()
    test = [
        Scored(i, scorer.score(i.title, i.text, i.language)) for i in items if i.split == "test"
    ]
    print("== news-dev test split (shipped model) ==")
    print("\n".join(format_evaluation(test)))
    if args.errors:
        print("-- test errors (id, score, label, top evidence)")
        for r in test:
            if r.relevance.relevant != bool(r.item.label):
                ev = "; ".join(
                    f"{e.term}@{e.where}:{e.weight:+.2f}" for e in r.relevance.evidence[:5]
                )
                print(f"{r.item.id:<28} {r.relevance.score:.3f} label={r.item.label} {ev}")
    print("\n== leave-one-source-out (fit on the other sources' train split) ==")
    extractor = load_extractor(CONFIG / "relevance.toml", CONFIG / "gazetteer.toml")
    for source in sorted({i.source for i in items}):
        held = [i for i in items if i.source == source]
        if sum(i.label or 0 for i in held) < 20:
            continue
        train = [i for i in items if i.source != source and i.split == "train"]
        model, _ = fit_model(train, extractor, TrainParams())
        s = scorer_for(model)
        rows = [Scored(i, s.score(i.title, i.text, i.language)) for i in held]
        y = [int(r.item.label or 0) for r in rows]
        f = metrics.scores(
            y, [r.relevance.score for r in rows], [r.relevance.relevant for r in rows]
        )
        print(f.line(source))
    print("\n== tags (hand-labelled relevant items, tests/relevance/tag_labels.jsonl) ==")
    gold = {}
    for line in TAG_LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold[row["id"]] = tuple(row["tags"])
    labelled = [replace(i, tags=gold[i.id]) for i in items if i.id in gold]
    rows = [Scored(i, scorer.score(i.title, i.text, i.language)) for i in labelled]
    for split in ("train", "test"):
        sub = [r for r in rows if r.item.split == split]
        if not sub:
            continue
        print(f"-- {split}: {len(sub)} items")
        for t, (tp, fp, fn) in tag_figures(sub, {r.item.id for r in sub}).items():
            p = tp / (tp + fp) if tp + fp else 0.0
            rc = tp / (tp + fn) if tp + fn else 0.0
            print(f"{t:<20} labelled={tp + fn:<4} given={tp + fp:<4} P={p:.3f} R={rc:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
