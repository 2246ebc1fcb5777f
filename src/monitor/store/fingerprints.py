"""Where dedup fingerprints live in the database, and the index the detector reads.

The exact-copy check reads the ``content_hash`` columns of seeds and items.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from monitor.dedup import TextFingerprint
from monitor.store.engine import translate_errors
from monitor.store.schema import items, seeds
from monitor.types import DuplicateKind, DuplicateRef


def write_fingerprint(
    conn: Connection, kind: DuplicateKind, owner_id: str, fingerprint: TextFingerprint
) -> None:
    """Store a fingerprint inside the caller's transaction (the hash is on the owner's row)."""


def delete_fingerprint(conn: Connection, kind: DuplicateKind, owner_id: str) -> None:
    """Remove a fingerprint inside the caller's transaction."""


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
                .limit(1)
            )
        return DuplicateRef(kind="item", id=item, similarity=1.0) if item is not None else None
