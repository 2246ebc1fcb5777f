"""Labels imported for items this database does not hold (table ``label_imports``).

``monitor labels import`` writes a label for a stored item to its triage row
(``Store.set_triage``); a label for any other item lands here, with the text it
was given for, so ``monitor train`` can still learn from it and
``monitor labels export`` hands it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from monitor.store.engine import translate_errors
from monitor.store.schema import label_imports
from monitor.store.store import Store


@dataclass(frozen=True, slots=True)
class ImportedLabel:
    item_id: str
    label: str
    note: str | None
    title: str
    text: str
    language: str | None
    source: str | None


def save_imported_label(store: Store, lab: ImportedLabel, now: datetime) -> None:
    """Insert or replace the imported label of one item id."""
    with (
        translate_errors("saving an imported label"),
        store.engine.connect().execution_options(immediate=True) as conn,
        conn.begin(),
    ):
        conn.execute(delete(label_imports).where(label_imports.c.item_id == lab.item_id))
        conn.execute(
            label_imports.insert().values(
                item_id=lab.item_id,
                label=lab.label,
                note=lab.note,
                title=lab.title,
                text=lab.text,
                language=lab.language,
                source=lab.source,
                updated_at=now,
            )
        )


def imported_labels(store: Store) -> list[ImportedLabel]:
    """Every imported label, by item id."""
    with translate_errors("reading imported labels"), store.engine.connect() as conn:
        rows = conn.execute(select(label_imports).order_by(label_imports.c.item_id)).all()
    return [
        ImportedLabel(r.item_id, r.label, r.note, r.title, r.text, r.language, r.source)
        for r in rows
    ]
