"""Where dedup fingerprints live in the database, and the index the detector reads.

The exact-copy check reads the ``content_hash`` columns of seeds and items;
the near-duplicate and story indexes are the tables of ``fingerprint_schema``.
Writes happen inside the caller's transaction (the item or seed row and its
fingerprint are stored together or not at all); reads open their own
connection, so every worker sharing the database shares the index and no
process keeps any of it in memory.

Duplicates are not indexed: a text that duplicates X is found through X, so
one wire story from ten outlets adds one text to the index, not ten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import Engine, delete, select
from sqlalchemy.engine import Connection

from monitor.dedup import TextFingerprint
from monitor.dedup.detector import Candidate, StoryCandidates, day_number, make_fingerprint
from monitor.dedup.signature import SIGNATURE
from monitor.store.engine import translate_errors
from monitor.store.fingerprint_schema import dedup_bands, dedup_story_terms, dedup_texts
from monitor.store.schema import items, seeds
from monitor.types import DuplicateKind, DuplicateRef

_CHUNK = 500  # keys per IN (...): under SQLite's variable limit, and plans stay index lookups


def write_fingerprint(
    conn: Connection, kind: DuplicateKind, owner_id: str, fingerprint: TextFingerprint
) -> None:
    """Index a seed or item inside the caller's transaction (its row must already be written).

    Items stored as duplicates are not indexed. A fingerprint left by an earlier
    write for the same owner is replaced.
    """
    if not fingerprint.index_keys and not fingerprint.story_keys:
        return
    day: int | None = None
    if kind == "item":
        row = conn.execute(
            select(items.c.duplicate_kind, items.c.published_at, items.c.fetched_at).where(
                items.c.id == owner_id
            )
        ).first()
        if row is None or row.duplicate_kind is not None:
            return
        day = day_number(row.published_at or row.fetched_at)
    delete_fingerprint(conn, kind, owner_id)
    text_id = _insert_text(conn, kind, owner_id, fingerprint, day)
    if fingerprint.index_keys:
        conn.execute(
            dedup_bands.insert(),
            [{"band_key": k, "text_id": text_id} for k in sorted(set(fingerprint.index_keys))],
        )
    if day is not None and fingerprint.story_keys:
        conn.execute(
            dedup_story_terms.insert(),
            [
                {"term_key": k, "day": day, "text_id": text_id}
                for k in sorted(set(fingerprint.story_keys))
            ],
        )


def delete_fingerprint(conn: Connection, kind: DuplicateKind, owner_id: str) -> None:
    """Remove a seed's or item's fingerprint inside the caller's transaction.

    Call it while the owner's row still holds the indexed text: the keys are
    recomputed from it, so the delete is a handful of index lookups instead of
    a scan of the key tables (the scan remains the fallback when the text is
    gone or was indexed with another format).
    """
    row = conn.execute(
        select(dedup_texts.c.id, dedup_texts.c.signature, dedup_texts.c.day).where(
            dedup_texts.c.kind == kind, dedup_texts.c.owner_id == owner_id
        )
    ).first()
    if row is None:
        return
    text = _owner_text(conn, kind, owner_id)
    if text is not None and row.signature == SIGNATURE:
        fingerprint = make_fingerprint(text)
        _delete_keys(conn, row.id, fingerprint.index_keys, fingerprint.story_keys, row.day)
    else:
        conn.execute(delete(dedup_bands).where(dedup_bands.c.text_id == row.id))
        conn.execute(delete(dedup_story_terms).where(dedup_story_terms.c.text_id == row.id))
    conn.execute(delete(dedup_texts).where(dedup_texts.c.id == row.id))


class SqlFingerprintIndex:
    """monitor.dedup.FingerprintIndex over the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def find_exact(self, content_hash: str) -> DuplicateRef | None:
        with translate_errors("looking up duplicates"), self._engine.connect() as conn:
            seed = conn.scalar(select(seeds.c.id).where(seeds.c.content_hash == content_hash))
            if seed is not None:
                return DuplicateRef(kind="seed", id=seed, similarity=1.0)
            item = conn.scalar(
                select(items.c.id)
                .where(items.c.content_hash == content_hash, items.c.duplicate_kind.is_(None))
                .order_by(items.c.seq)
                .limit(1)
            )
        return DuplicateRef(kind="item", id=item, similarity=1.0) if item is not None else None

    def story_of(self, item_id: str) -> str | None:
        with translate_errors("looking up a story"), self._engine.connect() as conn:
            story: str | None = conn.scalar(select(items.c.story_id).where(items.c.id == item_id))
        return story

    def find_similar(self, band_keys: Sequence[int], *, limit: int) -> list[Candidate]:
        """Texts sharing band keys with the probe, most shared keys first (ties: oldest first)."""
        hits: Counter[int] = Counter()
        with translate_errors("looking up near-duplicates"), self._engine.connect() as conn:
            for chunk in _chunks(sorted(set(band_keys))):
                query = select(dedup_bands.c.text_id).where(dedup_bands.c.band_key.in_(chunk))
                hits.update(conn.scalars(query))
            return _candidates(conn, _top(hits, limit, minimum=1))

    def find_same_story(
        self,
        term_keys: Sequence[int],
        first_day: int,
        last_day: int,
        *,
        limit: int,
        max_postings: int,
        min_shared: int = 1,
    ) -> StoryCandidates:
        """Items dated in [first_day, last_day] sharing lede facts, most shared first.

        Each fact is read with ``LIMIT max_postings + 1``: one found more often
        than that in the window is common (a country, a group named in every
        report) and is skipped, so the cost of a look-up is bounded by the
        limit, not by how busy the week was or how large the store is.
        """
        hits: Counter[int] = Counter()
        common: set[int] = set()
        with translate_errors("looking up stories"), self._engine.connect() as conn:
            for key in sorted(set(term_keys)):
                query = (
                    select(dedup_story_terms.c.text_id)
                    .where(
                        dedup_story_terms.c.term_key == key,
                        dedup_story_terms.c.day.between(first_day, last_day),
                    )
                    .limit(max_postings + 1)
                )
                found = set(conn.scalars(query))
                if len(found) > max_postings:
                    common.add(key)
                else:
                    hits.update(found)
            found_candidates = _candidates(conn, _top(hits, limit, minimum=min_shared))
        return StoryCandidates(
            tuple(c for c in found_candidates if c.kind == "item"), frozenset(common)
        )


def _insert_text(
    conn: Connection,
    kind: DuplicateKind,
    owner_id: str,
    fingerprint: TextFingerprint,
    day: int | None,
) -> int:
    result = conn.execute(
        dedup_texts.insert().values(
            kind=kind,
            owner_id=owner_id,
            words=fingerprint.words,
            signature=fingerprint.signature,
            day=day,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _owner_text(conn: Connection, kind: DuplicateKind, owner_id: str) -> str | None:
    table = seeds if kind == "seed" else items
    text: str | None = conn.scalar(select(table.c.text).where(table.c.id == owner_id))
    return text


def _delete_keys(
    conn: Connection,
    text_id: int,
    band_keys: Sequence[int],
    story_keys: Sequence[int],
    day: int | None,
) -> None:
    for chunk in _chunks(sorted(set(band_keys))):
        conn.execute(
            delete(dedup_bands).where(
                dedup_bands.c.band_key.in_(chunk), dedup_bands.c.text_id == text_id
            )
        )
    if day is None:
        return
    for chunk in _chunks(sorted(set(story_keys))):
        conn.execute(
            delete(dedup_story_terms).where(
                dedup_story_terms.c.term_key.in_(chunk),
                dedup_story_terms.c.day == day,
                dedup_story_terms.c.text_id == text_id,
            )
        )


def _top(hits: Counter[int], limit: int, *, minimum: int) -> list[tuple[int, int]]:
    ranked = sorted(((n, tid) for tid, n in hits.items() if n >= minimum), key=_rank)
    return [(tid, n) for n, tid in ranked[:limit]]


def _rank(entry: tuple[int, int]) -> tuple[int, int]:
    hits, text_id = entry
    return (-hits, text_id)


def _candidates(conn: Connection, ranked: list[tuple[int, int]]) -> list[Candidate]:
    """Candidates in rank order with their texts; items stored as duplicates are left out."""
    if not ranked:
        return []
    rows = conn.execute(
        select(
            dedup_texts.c.id, dedup_texts.c.kind, dedup_texts.c.owner_id, dedup_texts.c.day
        ).where(dedup_texts.c.id.in_([tid for tid, _ in ranked]))
    ).all()
    owners = {r.id: (cast(DuplicateKind, r.kind), str(r.owner_id)) for r in rows}
    days: dict[int, int | None] = {r.id: r.day for r in rows}
    seed_ids = [o for k, o in owners.values() if k == "seed"]
    item_ids = [o for k, o in owners.values() if k == "item"]
    seed_texts = {
        r.id: (r.text, None)
        for r in conn.execute(select(seeds.c.id, seeds.c.text).where(seeds.c.id.in_(seed_ids)))
    }
    item_texts = {
        r.id: (r.text, r.story_id)
        for r in conn.execute(
            select(items.c.id, items.c.text, items.c.story_id).where(
                items.c.id.in_(item_ids), items.c.duplicate_kind.is_(None)
            )
        )
    }
    found: list[Candidate] = []
    for text_id, n in ranked:
        if text_id not in owners:
            continue
        kind, owner = owners[text_id]
        entry = (seed_texts if kind == "seed" else item_texts).get(owner)
        if entry is not None:
            text, story = entry
            found.append(
                Candidate(
                    kind=kind, id=owner, text=text, story_id=story, hits=n, day=days.get(text_id)
                )
            )
    return found


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]
