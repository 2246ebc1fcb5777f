"""The analyst teaches the relevance model: ``label``, ``labels``, ``train``, ``relevance eval``.

    monitor label ITEM_ID relevant|not-relevant [--note TEXT]
    monitor labels export [-o FILE]        JSON Lines: id, label, note, title, text, language…
    monitor labels import FILE…            to stored items' triage; other ids kept for training
    monitor train [-o FILE] [--no-stored]  refit from the shipped training data + stored labels
    monitor relevance eval [FILE…]         P / R / F1 / AUC by language, source and tag

Registered from cli.py (``register``); each command prints only its own output
on stdout and a one-line error otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.exceptions import ConfigError
from monitor.settings import Settings

Command = Callable[[Settings, argparse.Namespace], int]


def register(sub: Any) -> dict[str, Command]:
    """Add the commands to the ``monitor`` sub-parsers; return name -> handler."""
    label = sub.add_parser(
        "label", help="label a stored item relevant or not (train learns from it)"
    )
    label.add_argument("item_id")
    label.add_argument("label", choices=["relevant", "not-relevant"])
    label.add_argument("--note", help="why (kept with the label)")
    labels = sub.add_parser("labels", help="export or import the analyst's labels (JSON Lines)")
    lsub = labels.add_subparsers(dest="labels_command", required=True, metavar="SUBCOMMAND")
    exp = lsub.add_parser("export", help="every label, with the item's text")
    exp.add_argument("--output", "-o", help="write to FILE instead of stdout")
    imp = lsub.add_parser("import", help="labels from JSON Lines files")
    imp.add_argument("files", nargs="+", metavar="FILE")
    train = sub.add_parser("train", help="refit the relevance model (shipped data + stored labels)")
    train.add_argument("--output", "-o", help="model file (default: the relevance.model setting)")
    train.add_argument("--no-stored", action="store_true", help="shipped training data only")
    rel = sub.add_parser("relevance", help="relevance model commands")
    rsub = rel.add_subparsers(dest="relevance_command", required=True, metavar="SUBCOMMAND")
    ev = rsub.add_parser("eval", help="P/R/F1/AUC of labelled JSON Lines by language, source, tag")
    ev.add_argument("files", nargs="*", metavar="FILE")
    ev.add_argument("--split", help="only lines of this split (default: all; 'test' without FILE)")
    return {
        "label": cmd_label,
        "labels": cmd_labels,
        "train": cmd_train,
        "relevance": cmd_relevance,
    }


def cmd_label(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store

    value = "relevant" if args.label == "relevant" else "not_relevant"
    store = open_store(settings)
    try:
        triage = store.set_triage(
            args.item_id, {"label": value, "note": args.note}, datetime.now(UTC)
        )
    finally:
        store.close()
    if triage is None:
        print(f"monitor: error: no stored item {args.item_id!r}", file=sys.stderr)
        return 1
    print(f"{args.item_id}: {value}" + (f" ({args.note})" if args.note else ""))
    return 0


def cmd_labels(settings: Settings, args: argparse.Namespace) -> int:
    return _export(settings, args) if args.labels_command == "export" else _import(settings, args)


def _label_rows(store: Any) -> list[dict[str, Any]]:
    from monitor.store.labels import imported_labels

    rows = [
        {
            "id": it.id,
            "label": it.triage.label,
            "note": it.triage.note,
            "title": it.title,
            "text": it.text,
            "language": it.language,
            "source": it.source_name,
        }
        for it in store.items(labelled_only=True, include_duplicates=True)
    ]
    held = {r["id"] for r in rows}
    rows += [
        {
            "id": lab.item_id,
            "label": lab.label,
            "note": lab.note,
            "title": lab.title,
            "text": lab.text,
            "language": lab.language,
            "source": lab.source,
        }
        for lab in imported_labels(store)
        if lab.item_id not in held
    ]
    return rows


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store

    store = open_store(settings)
    try:
        rows = _label_rows(store)
    finally:
        store.close()
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.output:
        Path(args.output).write_text(lines, encoding="utf-8")
        print(f"exported {len(rows)} labels to {args.output}")
    else:
        sys.stdout.write(lines)
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.relevance.labelled import read_jsonl
    from monitor.service import open_store
    from monitor.store.labels import ImportedLabel, save_imported_label

    batches = [read_jsonl(Path(f)) for f in args.files]  # all files checked before any write
    store = open_store(settings)
    applied = kept = skipped = 0
    now = datetime.now(UTC)
    try:
        for items in batches:
            for it in items:
                if it.label is None:
                    skipped += 1
                    continue
                value = "relevant" if it.label == 1 else "not_relevant"
                note = it.note
                if store.set_triage(it.id, {"label": value, "note": note}, now) is not None:
                    applied += 1
                    continue
                lab = ImportedLabel(
                    it.id, value, note, it.title, it.text, it.language or None, it.source or None
                )
                save_imported_label(store, lab, now)
                kept += 1
    finally:
        store.close()
    print(
        f"imported {applied + kept} labels: {applied} on stored items, {kept} kept for "
        f"items this database does not hold; {skipped} borderline skipped"
    )
    return 0


def training_items(settings: Settings, *, stored: bool) -> tuple[list[Any], dict[str, Any]]:
    """Shipped training lines (never a ``test`` split) plus, if ``stored``, the stored labels.

    A stored label replaces a shipped line with the same id: the analyst has the last word.
    """
    from monitor.relevance.labelled import LabelledItem, item_from_row, read_jsonl

    by_id: dict[str, LabelledItem] = {}
    for name in settings.relevance.training:
        for it in read_jsonl(settings.path(name)):
            if it.split != "test" and it.label is not None:
                by_id[it.id] = it
    shipped = len(by_id)
    n_stored = 0
    if stored:
        from monitor.service import open_store

        store = open_store(settings)
        try:
            rows = _label_rows(store)
        finally:
            store.close()
        for r in rows:
            it = item_from_row({**r, "source": r["source"] or "stored"}, "stored label")
            by_id[it.id] = it
            n_stored += 1
    info = {
        "shipped_items": shipped,
        "stored_labels": n_stored,
        "files": list(settings.relevance.training),
    }
    return list(by_id.values()), info


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.relevance import metrics
    from monitor.relevance.model import save_model
    from monitor.relevance.scorer import load_extractor
    from monitor.relevance.training import fit_model
    from monitor.service import beside_lexicon

    rs = settings.relevance
    items, info = training_items(settings, stored=not args.no_stored)
    extractor = load_extractor(settings.path(rs.lexicon), beside_lexicon(settings, rs.gazetteer))
    try:
        model, p_cv = fit_model(items, extractor, training_info=info)
    except ValueError as exc:
        raise ConfigError(f"cannot train: {exc}") from None
    y = [int(i.label or 0) for i in items]
    cv = metrics.scores(y, p_cv, [p >= rs.threshold for p in p_cv])
    model = _with_cv(model, cv, metrics.ece(y, p_cv), metrics.brier(y, p_cv))
    out = Path(args.output) if args.output else beside_lexicon(settings, rs.model)
    model = save_model(model, out)
    print(
        f"trained on {len(items)} items ({sum(y)} relevant; "
        f"{info['stored_labels']} stored labels); "
        f"cross-validated F1={cv.f1:.3f} P={cv.precision:.3f} R={cv.recall:.3f} "
        f"AUC={cv.auc or 0:.3f}; model {model.version} written to {out}"
    )
    return 0


def _with_cv(model: Any, cv: Any, ece: float, brier: float) -> Any:
    from dataclasses import replace

    figures = {
        "f1": round(cv.f1, 4),
        "precision": round(cv.precision, 4),
        "recall": round(cv.recall, 4),
        "auc": round(cv.auc or 0.0, 4),
        "ece": round(ece, 4),
        "brier": round(brier, 4),
    }
    return replace(model, training={**model.training, "cross_validated": figures})


def cmd_relevance(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.relevance.evaluate import evaluate_files, format_evaluation
    from monitor.service import load_scorer

    files = [Path(f) for f in args.files] or [settings.path(f) for f in settings.relevance.training]
    split = args.split if args.split is not None else (None if args.files else "test")
    scorer, _ = load_scorer(settings, None)
    print("\n".join(format_evaluation(evaluate_files(scorer, files, split))))
    return 0
