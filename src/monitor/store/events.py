"""What the store tells others inside its own write transactions.

An ``ItemEvents`` object, when set on ``Store.events``, is called with the
open connection right after an item is inserted (inside the item's
savepoint) and right after a triage change, so whatever it writes (the
webhook outbox) commits or rolls back together with the item.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Connection

from monitor.types import NewItem


class ItemEvents(Protocol):
    def item_added(self, conn: Connection, item: NewItem) -> None:
        """An item was inserted on ``conn`` (not yet committed)."""

    def item_triaged(self, conn: Connection, item_id: str) -> None:
        """An item's triage was changed on ``conn`` (not yet committed)."""
