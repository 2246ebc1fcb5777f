"""Fitting the relevance model with scikit-learn: logistic regression, then Platt calibration.

``fit_model`` turns labelled items into a ``LinearModel``:

1. features of every item (features.py); word and character n-grams seen in
   fewer than ``min_df`` training items are dropped (they cannot generalise);
2. each feature family is multiplied by its scale before fitting — with one
   L2 penalty that is a per-family prior: the lexicon, facet and anchor
   features (scale 1) are trusted more than the n-grams (``word_scale``,
   ``char_scale`` < 1), which keeps the decision anchored in the conflict's
   vocabulary and not in one outlet's wording;
3. ``LogisticRegression`` (L2, ``C``, lbfgs, fixed seed: deterministic);
4. calibration: the decision values of a stratified ``folds``-fold
   cross-validation of the same fit are mapped to the labels by a one-feature
   logistic regression (Platt); the stored coefficients are the full fit's,
   already multiplied by their scale.

scikit-learn is imported here only: scoring never needs it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from monitor.relevance.features import Extracted, FeatureExtractor
from monitor.relevance.labelled import LabelledItem
from monitor.relevance.model import LinearModel


@dataclass(frozen=True, slots=True)
class TrainParams:
    """The fit's settings; the defaults were chosen by cross-validation on news-dev train
    (``benchmarks/relevance_tune.py``), never on test."""

    C: float = 1.0
    word_scale: float = 0.3
    char_scale: float = 0.3
    min_df: int = 2
    folds: int = 5
    seed: int = 0


def scale_of(name: str, p: TrainParams) -> float:
    if name.startswith("w:"):
        return p.word_scale
    if name.startswith("c:"):
        return p.char_scale
    return 1.0


def _vocabulary(rows: Sequence[Extracted], p: TrainParams) -> list[str]:
    df: Counter[str] = Counter()
    for r in rows:
        df.update(r.values.keys())
    keep = [
        k
        for k, n in df.items()
        if (n >= p.min_df or not k.startswith(("w:", "c:"))) and scale_of(k, p) > 0
    ]
    return sorted(keep)


def _matrix(rows: Sequence[Extracted], vocab: list[str], p: TrainParams) -> Any:
    import numpy as np
    from scipy.sparse import csr_matrix

    index = {k: i for i, k in enumerate(vocab)}
    scales = np.array([scale_of(k, p) for k in vocab])
    data, cols, ptr = [], [], [0]
    for r in rows:
        for k, v in r.values.items():
            j = index.get(k)
            if j is not None:
                cols.append(j)
                data.append(v * scales[j])
        ptr.append(len(cols))
    return csr_matrix((data, cols, ptr), shape=(len(rows), len(vocab)), dtype=float)


def _classifier(p: TrainParams) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=p.C, max_iter=5000, random_state=p.seed)


def fit_linear(
    rows: Sequence[Extracted], y: Sequence[int], p: TrainParams
) -> tuple[float, dict[str, float]]:
    """Intercept and coefficients (per unscaled feature) of the L2 logistic fit."""
    vocab = _vocabulary(rows, p)
    clf = _classifier(p).fit(_matrix(rows, vocab, p), list(y))
    coef = {k: float(c) * scale_of(k, p) for k, c in zip(vocab, clf.coef_[0], strict=True)}
    return float(clf.intercept_[0]), coef


def cv_decisions(rows: Sequence[Extracted], y: Sequence[int], p: TrainParams) -> list[float]:
    """Out-of-fold decision values z (each item scored by a fit that did not see it)."""
    from sklearn.model_selection import StratifiedKFold

    z = [0.0] * len(rows)
    folds = StratifiedKFold(n_splits=p.folds, shuffle=True, random_state=p.seed)
    for train_idx, test_idx in folds.split([[0]] * len(rows), list(y)):
        b, coef = fit_linear([rows[i] for i in train_idx], [y[i] for i in train_idx], p)
        for i in test_idx:
            z[i] = b + sum(coef.get(k, 0.0) * v for k, v in rows[i].values.items())
    return z


def platt(z: Sequence[float], y: Sequence[int]) -> tuple[float, float]:
    """``a, b`` of ``P(relevant) = σ(a·z + b)`` fitted on (out-of-fold) decision values."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit([[v] for v in z], list(y))
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def fit_model(
    items: Sequence[LabelledItem],
    extractor: FeatureExtractor,
    p: TrainParams = TrainParams(),
    training_info: dict[str, Any] | None = None,
) -> tuple[LinearModel, list[float]]:
    """The calibrated model fitted on the decided items, and their out-of-fold probabilities."""
    items = [i for i in items if i.label is not None]
    if len({i.label for i in items}) < 2 or min(Counter(i.label for i in items).values()) < p.folds:
        raise ValueError(
            f"training needs at least {p.folds} relevant and {p.folds} not-relevant items"
        )
    rows = [extractor.extract(i.title, i.text) for i in items]
    y = [int(i.label or 0) for i in items]
    intercept, coef = fit_linear(rows, y, p)
    z_cv = cv_decisions(rows, y, p)
    a, b = platt(z_cv, y)
    probe = LinearModel(intercept, coef, (a, b))
    info = {
        "params": asdict(p),
        "items": len(items),
        "relevant": sum(y),
        "by_source": dict(sorted(Counter(i.source for i in items).items())),
        **(training_info or {}),
    }
    model = LinearModel(
        intercept=intercept,
        coef=coef,
        calibration=(a, b),
        lexicon_version=extractor.lexicon.version,
        gazetteer_version=extractor.gazetteer.version,
        training=info,
    )
    return model, [probe.probability(v) for v in z_cv]
