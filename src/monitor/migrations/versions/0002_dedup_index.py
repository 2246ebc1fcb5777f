"""dedup index: LSH band keys and story terms

Revision ID: 0002
Revises: 0001

Written by hand (plain ``sa`` types, no dialect-specific DDL) so it runs on
SQLite and PostgreSQL alike. See monitor/store/fingerprint_schema.py for why
the key tables are clustered on their keys and carry no foreign keys.
Seeds loaded before this revision have no fingerprint yet: their stored hash
is cleared, so the next ``monitor init`` sees them as changed and re-loads
them, which writes their fingerprints.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dedup_texts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "owner_id", name="uq_dedup_texts_owner"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "dedup_bands",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("band_key", "text_id", name="pk_dedup_bands"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "dedup_story_terms",
        sa.Column("term_key", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term_key", "day", "text_id", name="pk_dedup_story_terms"),
        sqlite_with_rowid=False,
    )
    op.execute(sa.text("UPDATE seeds SET content_hash = ''"))


def downgrade() -> None:
    op.drop_table("dedup_story_terms")
    op.drop_table("dedup_bands")
    op.drop_table("dedup_texts")
