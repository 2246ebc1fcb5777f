"""Figures of a set of scored, labelled items: P/R/F1, ROC AUC, Brier, ECE, reliability.

Pure Python (no scikit-learn), so ``monitor relevance eval`` and the tests use
the same arithmetic as the benchmarks. ECE is the bin-weighted mean of
``|mean score − fraction relevant|`` over ``bins`` equal-width score bins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    """P/R/F1 at the decision, AUC of the score, and the counts behind them."""

    n: int
    positives: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    auc: float | None

    def line(self, name: str) -> str:
        auc = f"{self.auc:.3f}" if self.auc is not None else "  -  "
        return (
            f"{name:<24} n={self.n:<4} rel={self.positives:<4} P={self.precision:.3f} "
            f"R={self.recall:.3f} F1={self.f1:.3f} AUC={auc}"
        )


def scores(y: Sequence[int], p: Sequence[float], decided: Sequence[bool]) -> Scores:
    tp = sum(1 for a, d in zip(y, decided, strict=True) if a and d)
    fp = sum(1 for a, d in zip(y, decided, strict=True) if not a and d)
    fn = sum(1 for a, d in zip(y, decided, strict=True) if a and not d)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return Scores(len(y), sum(y), tp, fp, fn, prec, rec, f1, roc_auc(y, p))


def roc_auc(y: Sequence[int], p: Sequence[float]) -> float | None:
    """Probability that a relevant item outscores a not-relevant one (ties count half)."""
    pos = [s for a, s in zip(y, p, strict=True) if a]
    neg = [s for a, s in zip(y, p, strict=True) if not a]
    if not pos or not neg:
        return None
    order = sorted(range(len(p)), key=p.__getitem__)
    ranks = [0.0] * len(p)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and p[order[j + 1]] == p[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(r for r, a in zip(ranks, y, strict=True) if a)
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def brier(y: Sequence[int], p: Sequence[float]) -> float:
    return sum((s - a) ** 2 for a, s in zip(y, p, strict=True)) / len(y) if y else 0.0


def reliability(
    y: Sequence[int], p: Sequence[float], bins: int = 10
) -> list[tuple[float, float, int, float, float]]:
    """Per non-empty bin: (low, high, n, mean score, fraction relevant)."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, s in enumerate(p) if lo <= s < hi or (b == bins - 1 and s == 1.0)]
        if idx:
            mean = sum(p[i] for i in idx) / len(idx)
            frac = sum(y[i] for i in idx) / len(idx)
            out.append((lo, hi, len(idx), mean, frac))
    return out


def ece(y: Sequence[int], p: Sequence[float], bins: int = 10) -> float:
    n = len(y)
    return sum(k / n * abs(m - f) for _, _, k, m, f in reliability(y, p, bins)) if n else 0.0
