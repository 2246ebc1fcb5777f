"""Every output of the shipped scorer for a fixed set of texts, as a JSON-able record.

Speed work on the scorer must not change a single output. ``golden_scores.json``
holds what the scorer gave for the project-written evaluation texts (``eval/``)
and, as scores and digests only (no corpus text is ever stored in the
repository), for the news-dev ``train`` items; test_relevance_golden.py compares
the current scorer with it. Rewrite the file only when the model, lexicon,
gazetteer or tag rules change on purpose:

    .venv/bin/python tests/relevance/golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_scores.json"
NEWS_DEV = Path("news-dev") / "items.jsonl"


def eval_texts() -> list[tuple[str, str, str, str | None]]:
    """(id, title, text, language) of the project-written evaluation set."""
    out = []
    for path in sorted((HERE / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.append((row["id"], row["title"], row["text"], row.get("lang")))
    return out


def news_dev_train(corpus_dir: Path) -> list[tuple[str, str, str, str | None]]:
    """(id, title, text, language) of the news-dev ``train`` items, read in place."""
    rows = [json.loads(line) for line in (corpus_dir / NEWS_DEV).read_text("utf-8").splitlines()]
    return [
        (r["id"], r.get("title") or "", r.get("text") or "", r.get("lang"))
        for r in rows
        if r.get("split") == "train"
    ]


def record(relevance: Any) -> dict[str, Any]:
    """Everything the scorer decided about one text, comparable with ``==``."""
    return {
        "score": relevance.score,
        "relevant": relevance.relevant,
        "tags": list(relevance.tags),
        "evidence": [
            [e.term, e.tag, e.count, e.weight, e.where, e.facet] for e in relevance.evidence
        ],
        "closest_seed": relevance.closest_seed,
        "closest_seed_similarity": relevance.closest_seed_similarity,
        "extra": json.loads(json.dumps(dict(relevance.extra), ensure_ascii=False)),
        "entities": [list(relevance.entities.groups), list(relevance.entities.places)],
    }


def digest(rec: dict[str, Any]) -> str:
    """A short hash of a record without its score: compares corpus outputs, stores no text."""
    rest = {k: v for k, v in rec.items() if k != "score"}
    body = json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def dumps(doc: dict[str, Any]) -> str:
    """The golden document with one record a line (reviewable diffs when it changes)."""

    def one(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    lines = ["{", f'"model_version": {one(doc["model_version"])},']
    for part in ("eval", "news_dev_train"):
        recs = [f"{one(k)}: {one(v)}" for k, v in doc[part].items()]
        lines += [f'"{part}": {{', ",\n".join(recs), "}," if part == "eval" else "}"]
    return "\n".join([*lines, "}"]) + "\n"


def main() -> int:
    sys.path.insert(0, str(HERE))
    from relevance_support import LEXICON, REPO, repo_seeds

    sys.path.insert(0, str(REPO / "src"))
    from monitor.relevance import RelevanceScorer

    scorer = RelevanceScorer.load(LEXICON, 0.5, repo_seeds())
    corpus = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared")) / "corpus"
    doc = {
        "model_version": scorer.version,
        "eval": {i: record(scorer.score(t, x, lang)) for i, t, x, lang in eval_texts()},
        "news_dev_train": {
            i: [scorer.score(t, x, lang).score, digest(record(scorer.score(t, x, lang)))]
            for i, t, x, lang in news_dev_train(corpus)
        },
    }
    GOLDEN.write_text(dumps(doc), encoding="utf-8")
    print(f"{len(doc['eval'])} eval and {len(doc['news_dev_train'])} news-dev records -> {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
