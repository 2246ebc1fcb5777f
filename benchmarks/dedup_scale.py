"""Cost of the duplicate check per article as the store grows (10k, 100k, 1M items).

    .venv/bin/python benchmarks/dedup_scale.py [--sizes 10000 100000 1000000]
        [--queries 300] [--db /tmp/dedup_scale.db] [--per-day 1000] [--real 1000]

What it builds, in one SQLite file grown stage by stage:

* ``--real`` synthetic articles (realistic length and shape: 250-900 words,
  names, figures, dates) stored through the real path (``Store.add_item``
  with the detector's fingerprint), so near-duplicate queries have
  something true to find;
* filler items up to each size, written straight into the tables in bulk:
  an items row, a ``dedup_texts`` row, one random band key per window and
  band (a text of n words has ceil(n / 48) windows), and 6-16 story terms
  drawn from the same Zipf-distributed name vocabulary the articles use.
  The store grows at ``--per-day`` items a day, as a real one does, so the
  newest week holds the same number of items at every size.

At each size a fresh process (so its memory is its own) checks ``--queries``
texts, half near-duplicates of stored articles (new headline, a sentence
cut, a sentence added) and half new articles, dated on the newest day; it
times ``fingerprint`` + ``check`` per article and reports median and p95,
the peak RSS of the process and the tracemalloc peak during the checks.
The query plans are printed once (EXPLAIN QUERY PLAN).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from monitor.dedup import DuplicateDetector
from monitor.dedup.signature import BANDS, SIGNATURE, WINDOW, term_key
from monitor.settings import DedupSettings
from monitor.store import Store
from monitor.types import NewItem, Relevance

EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
_BATCH = 20_000


class Vocabulary:
    """Deterministic pseudo-English: Zipf-distributed words and names."""

    def __init__(self, seed: int = 7) -> None:
        rng = random.Random(seed)
        syllables = [a + b for a in "bcdfghklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ai")]
        self.words = list(dict.fromkeys(self._word(rng, syllables) for _ in range(30_000)))
        self.names = list(
            dict.fromkeys(self._word(rng, syllables).capitalize() for _ in range(8_000))
        )
        self.word_weights = list(itertools.accumulate(_zipf(len(self.words))))
        self.name_weights = list(itertools.accumulate(_zipf(len(self.names))))

    @staticmethod
    def _word(rng: random.Random, syllables: list[str]) -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))

    def article(self, rng: random.Random) -> str:
        length = rng.randint(250, 900)
        sentences: list[str] = []
        count = 0
        while count < length:
            size = rng.randint(12, 30)
            words = rng.choices(self.words, cum_weights=self.word_weights, k=size)
            for _ in range(rng.randint(0, 3)):
                words[rng.randrange(1, size)] = rng.choices(
                    self.names, cum_weights=self.name_weights
                )[0]
            if rng.random() < 0.3:
                words[rng.randrange(1, size)] = str(rng.randint(2, 400))
            sentences.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
            count += size
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        return "\n".join(paragraphs)

    def story_terms(self, rng: random.Random) -> list[int]:
        names = rng.choices(self.names, cum_weights=self.name_weights, k=rng.randint(6, 16))
        return sorted({term_key(n.casefold()) for n in names})


def _zipf(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


def near_copy(text: str, rng: random.Random) -> str:
    """A syndicated copy: new headline, one sentence cut, one added."""
    sentences = text.replace("\n", " ").split(". ")
    del sentences[rng.randrange(1, len(sentences) - 1)]
    sentences.insert(rng.randrange(1, len(sentences)), "Officials gave no further details")
    return "Latest: what we know so far\n" + ". ".join(sentences)


# -- building -------------------------------------------------------------------


def build_real(store: Store, vocab: Vocabulary, count: int, per_day: int) -> list[str]:
    detector = DuplicateDetector(DedupSettings(), store.fingerprint_index)
    rng = random.Random(11)
    texts = []
    for i in range(count):
        text = vocab.article(rng)
        when = EPOCH + timedelta(days=i // per_day)
        fingerprint = detector.fingerprint(text)
        store.add_item(_item(f"real{i}", text, fingerprint.content_hash, when), fingerprint)
        texts.append(text)
    return texts


def _item(item_id: str, text: str, content_hash: str, when: datetime) -> NewItem:
    return NewItem(
        id=item_id,
        feed_id=None,
        url=f"https://example.org/{item_id}",
        canonical_url=f"https://example.org/{item_id}",
        entry_id=None,
        title=item_id,
        authors=(),
        published_at=when,
        fetched_at=when,
        language="en",
        text=text,
        text_source="page",
        content_hash=content_hash,
        relevance=Relevance(score=0.0, relevant=False, tags=(), evidence=()),
        lexicon_version=None,
        duplicate_of=None,
        duplicate_reason="new",
        story_id=item_id,
    )


def grow_filler(db: Path, vocab: Vocabulary, start: int, stop: int, per_day: int) -> None:
    """Bulk-insert filler items ``start``..``stop`` (by position in the store)."""
    rng = random.Random(start * 7919 + 1)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA cache_size = -1000000")  # the builder may use 1 GB; the checker may not
    conn.execute("PRAGMA synchronous = OFF")
    try:
        for lo in range(start, stop, _BATCH):
            _insert_batch(conn, vocab, rng, lo, min(stop, lo + _BATCH), per_day)
            conn.commit()
    finally:
        conn.close()


def _insert_batch(
    conn: sqlite3.Connection,
    vocab: Vocabulary,
    rng: random.Random,
    lo: int,
    hi: int,
    per_day: int,
) -> None:
    first_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM dedup_texts").fetchone()[0]) + 1
    count = hi - lo
    text_ids = np.arange(first_id, first_id + count, dtype=np.int64)
    days = np.arange(lo, hi, dtype=np.int64) // per_day + _EPOCH_DAYS
    words = np.maximum(60, np.random.default_rng(lo).normal(500, 180, count)).astype(np.int64)
    items: list[tuple[str, str, str, str]] = []
    texts: list[tuple[int, str, int, str, int]] = []
    terms: list[tuple[int, int, int]] = []
    for n, position in enumerate(range(lo, hi)):
        day = int(days[n])
        stamp = (EPOCH + timedelta(days=day - _EPOCH_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
        item_id = f"f{position}"
        items.append((item_id, f"https://example.org/{item_id}", stamp, f"{position:064x}"))
        texts.append((int(text_ids[n]), item_id, int(words[n]), SIGNATURE, day))
        terms.extend((key, day, int(text_ids[n])) for key in vocab.story_terms(rng))
    keys_per_text = -(-words // WINDOW) * BANDS
    band_ids = np.repeat(text_ids, keys_per_text)
    band_keys = np.random.default_rng(hi).integers(
        np.iinfo(np.int64).min, np.iinfo(np.int64).max, band_ids.size, dtype=np.int64
    )
    order = np.argsort(band_keys, kind="stable")
    bands = zip(band_keys[order].tolist(), band_ids[order].tolist(), strict=True)
    terms.sort()
    conn.executemany(
        "INSERT INTO items (id, url, canonical_url, title, authors, published_at, fetched_at, "
        "stored_at, text, text_source, content_hash, relevance_score, relevant, tags, evidence, "
        "story_id) VALUES (?1, ?2, ?2, '', '[]', ?3, ?3, ?3, 'filler', 'page', ?4, 0, 0, "
        "'[]', '[]', ?1)",
        items,
    )
    conn.executemany(
        "INSERT INTO dedup_texts (id, kind, owner_id, words, signature, day) "
        "VALUES (?, 'item', ?, ?, ?, ?)",
        texts,
    )
    conn.executemany("INSERT OR IGNORE INTO dedup_bands VALUES (?, ?)", bands)
    conn.executemany("INSERT OR IGNORE INTO dedup_story_terms VALUES (?, ?, ?)", terms)


_EPOCH_DAYS = (EPOCH.date() - datetime(1970, 1, 1, tzinfo=UTC).date()).days


# -- measuring (in a fresh process) ---------------------------------------------


def measure(db: Path, queries: int, size: int, per_day: int, real: int) -> dict[str, float]:
    vocab = Vocabulary()
    rng = random.Random(size)
    originals = build_texts(vocab, real)
    newest = EPOCH + timedelta(days=max(0, size - 1) // per_day)
    texts = [
        near_copy(rng.choice(originals), rng) if i % 2 == 0 else vocab.article(rng)
        for i in range(queries)
    ]
    store = Store(f"sqlite:///{db}")
    detector = DuplicateDetector(DedupSettings(), store.fingerprint_index)
    for text in texts[:10]:  # warm the connection pool and the page cache for the plans
        detector.check(text, detector.fingerprint(text), published_at=newest)
    rss_before = _rss_mb()
    timings: list[float] = []
    found = 0
    for text in texts:
        started = time.perf_counter()
        verdict = detector.check(text, detector.fingerprint(text), published_at=newest)
        timings.append(time.perf_counter() - started)
        found += verdict.duplicate_of is not None
    rss_after = _rss_mb()
    tracemalloc.start()  # a second pass: tracemalloc slows allocation, so it is not timed
    for text in texts:
        detector.check(text, detector.fingerprint(text), published_at=newest)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    timings.sort()
    return {
        "size": size,
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
        "rss_before_mb": rss_before,
        "rss_mb": rss_after,
        "tracemalloc_peak_mb": peak / 2**20,
        "duplicates_found": found,
        "duplicates_sent": (queries + 1) // 2,
    }


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    VmHWM, not ``getrusage``: Linux carries ``ru_maxrss`` over from the parent
    through fork and exec, so a child of the (large) builder would report the
    builder's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_texts(vocab: Vocabulary, count: int) -> list[str]:
    rng = random.Random(11)
    return [vocab.article(rng) for _ in range(count)]


def explain(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        plans = [
            "SELECT text_id FROM dedup_bands WHERE band_key IN (1, 2, 3)",
            "SELECT text_id FROM dedup_story_terms WHERE term_key = 1 AND day BETWEEN 1 AND 9 "
            "LIMIT 201",
            "SELECT id, kind, owner_id FROM dedup_texts WHERE id IN (1, 2)",
            "SELECT id, text, story_id FROM items WHERE id IN ('a', 'b') "
            "AND duplicate_kind IS NULL",
        ]
        return [f"{q}\n    -> {conn.execute('EXPLAIN QUERY PLAN ' + q).fetchall()}" for q in plans]
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dedup_scale.db"))
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--real", type=int, default=1000)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # internal: one size
    args = parser.parse_args()
    if args.measure is not None:
        result = measure(args.db, args.queries, args.measure, args.per_day, args.real)
        print(json.dumps(result))
        return 0
    return run(args)


def run(args: argparse.Namespace) -> int:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    store = Store(f"sqlite:///{args.db}")
    store.migrate()
    vocab = Vocabulary()
    started = time.perf_counter()
    build_real(store, vocab, args.real, args.per_day)
    store.close()
    print(f"{args.real} real articles stored in {time.perf_counter() - started:.1f} s")
    rows = []
    filled = args.real
    for size in sorted(args.sizes):
        started = time.perf_counter()
        grow_filler(args.db, vocab, filled, size, args.per_day)
        filled = max(filled, size)
        built = time.perf_counter() - started
        out = subprocess.run(
            [
                *(sys.executable, __file__, "--db", str(args.db)),
                *("--queries", str(args.queries), "--per-day", str(args.per_day)),
                *("--real", str(args.real), "--measure", str(size)),
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        result = json.loads(out.stdout)
        result["build_s"] = built
        result["db_mb"] = args.db.stat().st_size / 2**20
        rows.append(result)
        print(json.dumps(result), flush=True)
    print("\n".join(explain(args.db)))
    print(
        "\n| items | median ms | p95 ms | peak RSS MB (before checks) | tracemalloc peak MB "
        "| dups found | DB MB | build s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['size']:,} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} "
            f"| {r['rss_mb']:.0f} ({r['rss_before_mb']:.0f}) | {r['tracemalloc_peak_mb']:.1f} "
            f"| {r['duplicates_found']}/{r['duplicates_sent']} | {r['db_mb']:.0f} "
            f"| {r['build_s']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
