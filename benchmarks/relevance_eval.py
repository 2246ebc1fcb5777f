"""Precision, recall and F1 of the relevance stage, per language, tag and category.

    .venv/bin/python benchmarks/relevance_eval.py [--split tune|heldout|all]
        [--lexicon config/relevance.toml] [--threshold 0.5] [--fit]

Prints one block per split — ``tune`` (the lexicon is tuned on it, errors
listed), ``heldout`` (never used for tuning: the figure that counts) and
``real-feeds`` (hand-labelled items of ../shared/corpus/real-feeds/, when the
corpus is there). ``--fit`` re-fits the ``[model]`` coefficients of the lexicon
on the tune split (L2-regularised logistic regression, the regularisation
chosen by cross-validation on tune) and prints them as TOML to paste into the
lexicon; it changes no file.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from monitor.relevance import RelevanceScorer, SeedDoc  # noqa: E402
from monitor.relevance.evaluate import (  # noqa: E402
    REAL_FEEDS_SPLIT,
    LabelledText,
    evaluate,
    feature_rows,
    format_report,
    load_eval_set,
    load_real_feeds,
)

EVAL_DIR = REPO / "tests" / "relevance" / "eval"
LABELS = REPO / "tests" / "relevance" / "real_feeds_labels.jsonl"
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared"))
FEEDS_DIR = SHARED / "corpus" / "real-feeds"


def load_scorer(lexicon: Path, threshold: float) -> RelevanceScorer:
    seeds = [
        SeedDoc(p.stem, p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "seeds").glob("*.txt"))
    ]
    return RelevanceScorer.load(lexicon, threshold, seeds)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--split", choices=["tune", "heldout", "all"], default="all")
    ap.add_argument("--lexicon", type=Path, default=REPO / "config" / "relevance.toml")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--fit", action="store_true", help="print [model] coefficients fitted on tune")
    args = ap.parse_args()
    scorer = load_scorer(args.lexicon, args.threshold)
    print(f"lexicon {args.lexicon} version {scorer.version}, threshold {args.threshold}")
    if args.fit:
        return fit(scorer, load_eval_set(EVAL_DIR, "tune"))
    splits = ["tune", "heldout"] if args.split == "all" else [args.split]
    for split in splits:
        items = load_eval_set(EVAL_DIR, split)
        report = evaluate(scorer, items)
        print("\n".join(format_report(split, report, errors=split == "tune")))
        print()
    if args.split in ("all", "heldout"):
        if FEEDS_DIR.is_dir():
            report = evaluate(scorer, load_real_feeds(LABELS, FEEDS_DIR))
            print("\n".join(format_report(REAL_FEEDS_SPLIT, report, errors=True)))
        else:
            print(f"== {REAL_FEEDS_SPLIT} == not run: corpus not found at {FEEDS_DIR}")
    return 0


def fit(scorer: RelevanceScorer, items: list[LabelledText]) -> int:
    """Fit the model on tune; each coefficient keeps the sign it has in the lexicon (or 0).

    The sign constraint keeps the model monotonic, as an analyst reads it: more
    evidence of the conflict never lowers a score, more negative cues never raise it.
    """
    names = [name for name, _ in scorer.lexicon.model]
    signs = np.array([math.copysign(1.0, coef) for _, coef in scorer.lexicon.model])
    report = evaluate(scorer, items)
    rows, ys = feature_rows(report.outcomes, names)
    x = np.array(rows, dtype=float)
    y = np.array(ys, dtype=float)
    best = min((cv_loss(x, y, lam, signs), lam) for lam in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0))
    lam = best[1]
    w = signed_fit(x, y, lam, signs)
    acc = cv_accuracy(x, y, lam, signs)
    print(
        f"# fitted on {len(y)} tune texts, L2 lambda={lam}: 5-fold cross-validation "
        f"log-loss {best[0]:.4f}, accuracy {acc:.3f}"
    )
    print("[model]")
    print(f"bias = {w[0]:.2f}")
    for name, coef in zip(names, w[1:], strict=True):
        key = f'"{name}"' if "*" in name else name
        print(f"{key} = {coef:.2f}")
    return 0


def signed_fit(x: np.ndarray, y: np.ndarray, lam: float, signs: np.ndarray) -> np.ndarray:
    """Active-set fit: a coefficient of the wrong sign is fixed at 0 and the rest refitted."""
    active = np.ones(x.shape[1], dtype=bool)
    while True:
        w_active = logistic_fit(x[:, active], y, lam)
        w = np.zeros(x.shape[1] + 1)
        w[0] = w_active[0]
        w[1:][active] = w_active[1:]
        wrong = active & (w[1:] * signs < 0)
        if not wrong.any():
            return w
        active &= ~wrong


def logistic_fit(x: np.ndarray, y: np.ndarray, lam: float, iters: int = 50) -> np.ndarray:
    """Newton's method for L2-regularised logistic regression; the bias is not penalised."""
    xb = np.hstack([np.ones((x.shape[0], 1)), x])
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], lam)
    penalty[0] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -50, 50)))
        grad = xb.T @ (p - y) + penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w


def cv_loss(x: np.ndarray, y: np.ndarray, lam: float, signs: np.ndarray, folds: int = 5) -> float:
    """Mean log-loss of k-fold cross-validation (deterministic folds)."""
    idx = np.arange(len(y))
    loss = 0.0
    for k in range(folds):
        test = idx % folds == k
        w = signed_fit(x[~test], y[~test], lam, signs)
        z = np.hstack([np.ones((int(test.sum()), 1)), x[test]]) @ w
        p = np.clip(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))), 1e-6, 1 - 1e-6)
        loss -= float(np.sum(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p)))
    return loss / max(len(y), 1) if not math.isnan(loss) else math.inf


def cv_accuracy(
    x: np.ndarray, y: np.ndarray, lam: float, signs: np.ndarray, folds: int = 5
) -> float:
    """Share of tune texts decided right (score >= 0.5) by a model fitted without them."""
    idx = np.arange(len(y))
    right = 0
    for k in range(folds):
        test = idx % folds == k
        w = signed_fit(x[~test], y[~test], lam, signs)
        z = np.hstack([np.ones((int(test.sum()), 1)), x[test]]) @ w
        right += int(np.sum((z >= 0) == (y[test] == 1)))
    return right / max(len(y), 1)


if __name__ == "__main__":
    raise SystemExit(main())
