"""Measuring the relevance stage on labelled JSON Lines: by language, source and tag.

``monitor relevance eval`` and ``benchmarks/relevance_eval.py`` print these.
Borderline lines are left out (docs/relevance.md). Tag figures: for each tag,
the relevance figures of the items it was given to or labelled with; and, where
the lines carry gold ``tags``, the tag's own precision and recall on the items
labelled relevant.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.relevance import metrics
from monitor.relevance.labelled import LabelledItem, read_jsonl
from monitor.relevance.scorer import RelevanceScorer
from monitor.types import Relevance


@dataclass(frozen=True, slots=True)
class Scored:
    item: LabelledItem
    relevance: Relevance


def evaluate_files(
    scorer: RelevanceScorer, files: Iterable[Path], split: str | None = None
) -> list[Scored]:
    """Every decided line of the files (of one split, if given), scored."""
    out = []
    for f in files:
        for it in read_jsonl(f):
            if it.label is None or (split is not None and it.split != split):
                continue
            out.append(Scored(it, scorer.score(it.title, it.text, it.language)))
    return out


def figures(rows: Sequence[Scored]) -> metrics.Scores:
    y = [int(r.item.label or 0) for r in rows]
    return metrics.scores(
        y, [r.relevance.score for r in rows], [r.relevance.relevant for r in rows]
    )


def _grouped(rows: Sequence[Scored], key: Callable[[Scored], Iterable[str]]) -> list[str]:
    groups: dict[str, list[Scored]] = {}
    for r in rows:
        for k in key(r):
            groups.setdefault(k, []).append(r)
    return [figures(g).line(k) for k, g in sorted(groups.items())]


def tag_figures(
    rows: Sequence[Scored], labelled: Collection[str] | None = None
) -> dict[str, tuple[int, int, int]]:
    """tag -> (tp, fp, fn) of tag assignment on the relevant items whose tags were labelled
    (the ids in ``labelled``; by default the items that carry gold tags)."""
    out: dict[str, list[int]] = {}
    for r in rows:
        if r.item.label != 1 or not (r.item.id in labelled if labelled else r.item.tags):
            continue
        gold, got = set(r.item.tags), set(r.relevance.tags)
        for t in gold | got:
            c = out.setdefault(t, [0, 0, 0])
            c[0] += t in gold and t in got
            c[1] += t in got and t not in gold
            c[2] += t in gold and t not in got
    return {t: (c[0], c[1], c[2]) for t, c in sorted(out.items())}


def format_evaluation(rows: Sequence[Scored]) -> list[str]:
    y = [int(r.item.label or 0) for r in rows]
    p = [r.relevance.score for r in rows]
    lines = [
        figures(rows).line("overall"),
        f"{'calibration':<24} Brier={metrics.brier(y, p):.4f} ECE={metrics.ece(y, p):.4f}",
        "-- by language",
        *_grouped(rows, lambda r: [r.item.language or "?"]),
        "-- by source",
        *_grouped(rows, lambda r: [r.item.source or "?"]),
        "-- by tag (items given or labelled with the tag)",
        *_grouped(rows, lambda r: sorted(set(r.relevance.tags) | set(r.item.tags))),
    ]
    tags = tag_figures(rows)
    if tags:
        lines.append("-- tag assignment on relevant items with labelled tags")
        for t, (tp, fp, fn) in tags.items():
            prec = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / (tp + fn) if tp + fn else 0.0
            lines.append(
                f"{t:<24} labelled={tp + fn:<4} given={tp + fp:<4} P={prec:.3f} R={rec:.3f}"
            )
    lines.append("-- reliability (score bin: n, mean score, fraction relevant)")
    lines += [
        f"[{lo:.1f}, {hi:.1f})  n={n:<4} mean={m:.3f} relevant={f:.3f}"
        for lo, hi, n, m, f in metrics.reliability(y, p)
    ]
    return lines
