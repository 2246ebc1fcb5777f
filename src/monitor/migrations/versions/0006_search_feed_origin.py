"""full-text search index; feeds remember who added them

Revision ID: 0006
Revises: 0005

``item_search`` is the full-text index (see ``monitor.store.search``: FTS5 on
SQLite, tsvector + GIN on PostgreSQL), backfilled here from the stored items.
``feeds.origin`` is ``config`` for a feed from the configured feed lists and
``user`` for one added from the workbench or ``monitor feeds add``: ``init``
leaves user feeds alone. ``feeds.user_enabled`` is the analyst's enable/disable
of a configured feed, which then wins over the feed list on every sync.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.store import search

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=8), nullable=False, server_default="config")
        )
        batch_op.add_column(sa.Column("user_enabled", sa.Boolean(), nullable=True))
    # Duplicates of an item (item page, a story's syndicated copies) are looked up by it.
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_duplicate_id", ["duplicate_id"], unique=False)
        # The inbox, unread counts and relevant-only listings: SQLite stores `relevant`
        # after the long text (in overflow pages), so scanning it without an index is slow.
        batch_op.create_index("ix_items_relevant", ["relevant", "duplicate_kind"], unique=False)
    conn = op.get_bind()
    search.create_index(conn)
    _backfill(conn)


def _backfill(conn: sa.engine.Connection) -> None:
    last = 0
    while True:
        rows = conn.execute(
            sa.text("SELECT seq, title, text FROM items WHERE seq > :last ORDER BY seq LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).all()
        for seq, title, body in rows:
            search.index_item(conn, seq, title or "", body or "")
        if len(rows) < _BATCH:
            return
        last = rows[-1][0]


def downgrade() -> None:
    search.drop_index(op.get_bind())
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_duplicate_id")
        batch_op.drop_index("ix_items_relevant")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("user_enabled")
        batch_op.drop_column("origin")
