"""Tables of the dedup index (SQLAlchemy Core, registered on the shared ``metadata``).

    dedup_texts        one row per indexed seed or item: its surrogate id, what it is,
                       the index format it was fingerprinted with, its story day
    dedup_bands        (band_key, text_id): LSH band keys of every text's windows
    dedup_story_terms  (term_key, day, text_id): lede facts of items, by day

The two key tables are clustered on their key (``WITHOUT ROWID`` on SQLite,
the primary key on PostgreSQL): a lookup is one index range scan, whose cost
grows with the logarithm of the store, and a row costs ~20 bytes, not two
copies of the key. There are no foreign keys on purpose: SQLite would scan
the key tables on every parent delete; ``fingerprints.delete_fingerprint``
deletes by key instead.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from monitor.store.schema import metadata

dedup_texts = Table(
    "dedup_texts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # seed | item
    Column("owner_id", String(128), nullable=False),
    Column("words", Integer, nullable=False),
    Column("signature", String(64), nullable=False),
    Column("day", Integer),  # days since 1970-01-01 of the item's date; None for seeds
    UniqueConstraint("kind", "owner_id", name="uq_dedup_texts_owner"),
    sqlite_autoincrement=True,  # never reuse an id: a stale key row must not point at a new text
)

dedup_bands = Table(
    "dedup_bands",
    metadata,
    Column("band_key", BigInteger, nullable=False),
    Column("text_id", Integer, nullable=False),
    PrimaryKeyConstraint("band_key", "text_id", name="pk_dedup_bands"),
    sqlite_with_rowid=False,
)

dedup_story_terms = Table(
    "dedup_story_terms",
    metadata,
    Column("term_key", BigInteger, nullable=False),
    Column("day", Integer, nullable=False),
    Column("text_id", Integer, nullable=False),
    PrimaryKeyConstraint("term_key", "day", "text_id", name="pk_dedup_story_terms"),
    sqlite_with_rowid=False,
)
