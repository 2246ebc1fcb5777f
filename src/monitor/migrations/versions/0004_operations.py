"""what the daemon needs to ride out faults and not lose items

Revision ID: 0004
Revises: 0003

feeds: ``body_hash`` (skip an unchanged body from a server without validators),
``hint_s`` (the server's ttl / max-age, kept for the poll after a 304),
``entry_keys`` (hashed keys of the last fetch, to notice a feed that drops items
between polls), ``missed_at`` / ``missed_count`` (when that was last seen, how often).
items: ``published_at_source`` (feed | page | none) and ``updated_seq``, the change
cursor a re-scored item gets (``monitor export --changed-after``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hint_s", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("entry_keys", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("missed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("missed_count", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at_source", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("updated_seq", sa.Integer(), nullable=True))
        batch_op.create_index("ix_items_updated_seq", ["updated_seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_updated_seq")
        batch_op.drop_column("updated_seq")
        batch_op.drop_column("published_at_source")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for name in ("missed_count", "missed_at", "entry_keys", "hint_s", "body_hash"):
            batch_op.drop_column(name)
