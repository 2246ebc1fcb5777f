"""story_reason per item: which rule linked an item to its story

Revision ID: 0008
Revises: 0007

``items.story_reason`` holds the dedup stage's ``DuplicateVerdict.story_reason``
("shared facts with item X: …", "similar wording to item X …", "copy of item X"),
so the item view and the API can say why items were counted as one story. Items
stored before this revision have none (NULL): the reason was not kept then.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("story_reason")
