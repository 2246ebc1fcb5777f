"""triage state per item, entities per item

Revision ID: 0003
Revises: 0002

The analyst's triage (read, starred, dismissed, label, note) lives in its own
table keyed by item id, so re-scoring or re-storing an item never touches
what a person decided about it, and a label survives a rescore. ``entities``
holds the groups and places the relevance stage found (SPEC section 4).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entities", sa.JSON(), nullable=True))
    op.create_table(
        "triage",
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("dismissed", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("triage", schema=None) as batch_op:
        batch_op.create_index("ix_triage_label", ["label"], unique=False)


def downgrade() -> None:
    op.drop_table("triage")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("entities")
