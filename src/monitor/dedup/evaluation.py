"""The labelled-pairs evaluation of duplicate and story detection.

Each line of a pairs file (JSON Lines) is one labelled pair::

    {"id": "wire-datta-khel", "transformation": "wire-copy",
     "a": <text spec>,            # the text being checked
     "b": <text spec>,            # the text already stored (a seed or an item)
     "duplicate": true,           # should ``a`` be recorded as a duplicate of ``b``?
     "story": false,              # optional: should ``a`` join ``b``'s story?
     "b_kind": "item",            # optional: "seed" (default for {"seed": …}) or "item"
     "a_published": "2025-03-14T09:00:00Z", "b_published": "…"}   # optional

A text spec is ``{"seed": "<file stem>"}`` (a file of the seeds folder),
``{"file": "<name>"}`` (a fixture article), ``{"text": "…"}``, or a
transformation of another spec, applied in this order::

    {"from": <spec>, "lines": [i, j], "replace": [["old", "new"], …],
     "words": [i, j], "prepend": "…", "append": "…", "typography": true}

A spec may also name a text of the shared corpus by id (``{"news_dev": id}``,
``{"feed": stem, "entry": n}``; ``monitor.dedup.corpus_texts``) when ``corpus_dir`` is given.

``lines`` keeps non-empty lines i..j-1, ``words`` whitespace words i..j-1,
``replace`` must find every ``old`` (so a fixture cannot rot silently) and
``typography`` changes quotes, dashes, spaces and case the way another
outlet's CMS would.

Every pair is judged on its own fresh, migrated SQLite database holding only
``b``, through the real detector and store.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.dedup.corpus_texts import corpus_text, is_corpus_spec
from monitor.dedup.detector import DuplicateDetector
from monitor.exceptions import ConfigError
from monitor.settings import DedupSettings
from monitor.store import Store
from monitor.types import DuplicateVerdict, NewItem, Relevance

_DEFAULT_DATE = "2025-03-20T09:00:00Z"


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    transformation: str
    a: str
    b: str
    b_kind: str
    duplicate: bool
    story: bool | None
    a_published: datetime
    b_published: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    pair: Pair
    verdict: DuplicateVerdict
    predicted_duplicate: bool
    predicted_story: bool

    @property
    def correct(self) -> bool:
        if self.predicted_duplicate != self.pair.duplicate:
            return False
        return self.pair.story is None or self.predicted_story == self.pair.story


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _counts(self, label: str) -> tuple[int, int, int]:
        tp = fp = fn = 0
        for o in self.outcomes:
            truth = o.pair.duplicate if label == "duplicate" else o.pair.story
            guess = o.predicted_duplicate if label == "duplicate" else o.predicted_story
            if truth is None:
                continue
            tp += truth and guess
            fp += (not truth) and guess
            fn += truth and not guess
        return tp, fp, fn

    def precision(self, label: str = "duplicate") -> float:
        tp, fp, _ = self._counts(label)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, label: str = "duplicate") -> float:
        tp, _, fn = self._counts(label)
        return tp / (tp + fn) if tp + fn else 1.0

    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def by_transformation(self) -> dict[str, tuple[int, int]]:
        """transformation -> (correct, total)."""
        table: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            ok, total = table.get(o.pair.transformation, (0, 0))
            table[o.pair.transformation] = (ok + o.correct, total + 1)
        return dict(sorted(table.items()))


def load_pairs(
    path: Path, *, seeds_dir: Path, articles_dir: Path, corpus_dir: Path | None = None
) -> list[Pair]:
    """Read and resolve a pairs file; ConfigError names the line of a broken pair."""
    pairs: list[Pair] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            pairs.append(_pair(raw, seeds_dir, articles_dir, corpus_dir))
        except (ValueError, KeyError, OSError) as exc:
            raise ConfigError(f"{path}:{number}: bad pair: {exc}") from None
    return pairs


def evaluate(pairs: Iterable[Pair], settings: DedupSettings | None = None) -> Report:
    """Judge every pair on its own fresh database; the report holds every verdict."""
    settings = settings or DedupSettings()
    report = Report()
    # Scratch databases in RAM where there is a RAM disk: ~140 small files are
    # created and synced, which a slow virtual disk turns into minutes.
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="dedup-eval-", dir=scratch) as tmp:
        template = Path(tmp) / "template.db"
        store = Store(f"sqlite:///{template}")
        store.migrate()
        store.close()
        for n, pair in enumerate(pairs):
            db = Path(tmp) / f"pair{n}.db"
            shutil.copyfile(template, db)
            report.outcomes.append(_judge(pair, db, settings))
            db.unlink()
    return report


def _judge(pair: Pair, db: Path, settings: DedupSettings) -> Outcome:
    store = Store(f"sqlite:///{db}")
    try:
        detector = DuplicateDetector(settings, store.fingerprint_index)
        stored_id = _store_b(store, detector, pair)
        verdict = detector.check(
            pair.a, detector.fingerprint(pair.a), published_at=pair.a_published
        )
    finally:
        store.close()
    dup = verdict.duplicate_of is not None and verdict.duplicate_of.id == stored_id
    story = verdict.duplicate_of is None and verdict.story_id == stored_id
    return Outcome(pair, verdict, dup, story)


def _store_b(store: Store, detector: DuplicateDetector, pair: Pair) -> str:
    fingerprint = detector.fingerprint(pair.b)
    if pair.b_kind == "seed":
        store.upsert_seed("stored-seed", "stored-seed.txt", pair.b, fingerprint, pair.b_published)
        return "stored-seed"
    item = NewItem(
        id="stored-item",
        feed_id=None,
        url="https://example.org/stored",
        canonical_url="https://example.org/stored",
        entry_id=None,
        title="",
        authors=(),
        published_at=pair.b_published,
        fetched_at=pair.b_published,
        language="en",
        text=pair.b,
        text_source="page",
        content_hash=fingerprint.content_hash,
        relevance=Relevance(score=0.0, relevant=False, tags=(), evidence=()),
        lexicon_version=None,
        duplicate_of=None,
        duplicate_reason="new",
        story_id="stored-item",
    )
    store.add_item(item, fingerprint)
    return "stored-item"


def _pair(
    raw: Mapping[str, Any], seeds_dir: Path, articles_dir: Path, corpus_dir: Path | None
) -> Pair:
    b_spec = raw["b"]
    default_kind = "seed" if "seed" in b_spec else "item"
    b_kind = raw.get("b_kind", default_kind)
    if b_kind not in ("seed", "item"):
        raise ValueError(f"b_kind must be 'seed' or 'item', not {b_kind!r}")
    story = raw.get("story")
    return Pair(
        id=str(raw["id"]),
        transformation=str(raw["transformation"]),
        a=resolve(raw["a"], seeds_dir, articles_dir, corpus_dir),
        b=resolve(b_spec, seeds_dir, articles_dir, corpus_dir),
        b_kind=b_kind,
        duplicate=bool(raw["duplicate"]),
        story=None if story is None else bool(story),
        a_published=_date(raw.get("a_published", _DEFAULT_DATE)),
        b_published=_date(raw.get("b_published", _DEFAULT_DATE)),
    )


def resolve(
    spec: Mapping[str, Any], seeds_dir: Path, articles_dir: Path, corpus_dir: Path | None = None
) -> str:
    """The text a spec stands for (see the module docstring)."""
    if is_corpus_spec(spec):
        if corpus_dir is None:
            raise ValueError("a corpus text needs the corpus folder (corpus_dir)")
        return corpus_text(spec, corpus_dir)
    if "seed" in spec:
        return (seeds_dir / f"{spec['seed']}.txt").read_text(encoding="utf-8")
    if "file" in spec:
        return (articles_dir / str(spec["file"])).read_text(encoding="utf-8")
    if "text" in spec:
        return str(spec["text"])
    text = resolve(spec["from"], seeds_dir, articles_dir, corpus_dir)
    if "lines" in spec:
        i, j = spec["lines"]
        text = "\n".join([ln for ln in text.splitlines() if ln.strip()][i:j])
    for old, new in spec.get("replace", ()):
        if old not in text:
            raise ValueError(f"replace: {old!r} not found")
        text = text.replace(old, new)
    if "words" in spec:
        i, j = spec["words"]
        text = " ".join(text.split()[i:j])
    text = str(spec.get("prepend", "")) + text + str(spec.get("append", ""))
    if spec.get("typography"):
        text = _retypeset(text)
    return text


def _retypeset(text: str) -> str:
    lines = text.splitlines()
    if lines:
        lines[0] = lines[0].upper()
    out = "\n\n".join(lines)
    for plain, fancy in (("'", "\u2019"), (" - ", " \u2013 "), (", ", ",\u00a0")):
        out = out.replace(plain, fancy)
    return out.replace('"', "\u201c")


def _date(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
