"""Choose the relevance fit's settings by cross-validation on news-dev **train** only.

    .venv/bin/python benchmarks/relevance_tune.py [--quick]

For each setting of C, word_scale and char_scale it prints the out-of-fold
F1/precision/AUC (stratified 5-fold on train) and the leave-one-source-out F1
inside train (fit without web_pages, measure on them; the same for
urdu_bbc_voa_2016). The defaults of ``TrainParams`` are the setting with the
best mean of the CV F1 and the two LOSO F1. The test split is never read.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from monitor.relevance import metrics
from monitor.relevance.labelled import read_jsonl
from monitor.relevance.model import LinearModel
from monitor.relevance.scorer import default_paths, load_extractor
from monitor.relevance.training import TrainParams, cv_decisions, fit_linear, platt

REPO = Path(__file__).resolve().parents[1]
NEWS_DEV = REPO.parent / "shared" / "corpus" / "news-dev" / "items.jsonl"
LOSO = ("web_pages", "urdu_bbc_voa_2016")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    lexicon, gazetteer = default_paths(REPO / "config")
    extractor = load_extractor(lexicon, gazetteer)
    items = [i for i in read_jsonl(NEWS_DEV) if i.split == "train" and i.label is not None]
    rows = [extractor.extract(i.title, i.text) for i in items]
    y = [int(i.label or 0) for i in items]
    grid = itertools.product(
        (0.3, 1.0, 3.0) if args.quick else (0.1, 0.3, 1.0, 3.0, 10.0),
        (0.0, 0.3, 0.6, 1.0),
        (0.0, 0.3, 0.6),
    )
    for C, ws, cs in grid:
        p = TrainParams(C=C, word_scale=ws, char_scale=cs)
        z = cv_decisions(rows, y, p)
        a, b = platt(z, y)
        m = LinearModel(0.0, {}, (a, b))
        prob = [m.probability(v) for v in z]
        cv = metrics.scores(y, prob, [q >= 0.5 for q in prob])
        loso = []
        for src in LOSO:
            tr = [k for k, i in enumerate(items) if i.source != src]
            te = [k for k, i in enumerate(items) if i.source == src]
            b0, coef = fit_linear([rows[k] for k in tr], [y[k] for k in tr], p)
            ztr = cv_decisions([rows[k] for k in tr], [y[k] for k in tr], p)
            a2, b2 = platt(ztr, [y[k] for k in tr])
            mm = LinearModel(b0, coef, (a2, b2))
            pr = [mm.probability(mm.z(rows[k].values)) for k in te]
            loso.append(metrics.scores([y[k] for k in te], pr, [q >= 0.5 for q in pr]))
        goal = (cv.f1 + sum(s.f1 for s in loso)) / (1 + len(loso))
        print(
            f"C={C:<5} word={ws:<4} char={cs:<4} cv F1={cv.f1:.3f} P={cv.precision:.3f} "
            f"AUC={cv.auc or 0:.3f} ECE={metrics.ece(y, prob):.3f} | "
            + " ".join(f"LOSO {s_}={s.f1:.3f}" for s_, s in zip(LOSO, loso, strict=True))
            + f" | goal={goal:.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
