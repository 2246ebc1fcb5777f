"""Full-text search over item titles and texts, one interface over two engines.

SQLite: an FTS5 table ``item_search`` without content of its own (``content=''``),
rowid = ``items.seq``. PostgreSQL: a table ``item_search(seq, document tsvector)``
with a GIN index, ``'simple'`` configuration (no stemming: five languages, one
index). Both index the text after the relevance stage's Arabic-script
normalisation (``monitor.relevance.normalize.tokenize``), and a query goes
through the same function, so ``شمالي وزيرستان`` (Arabic yeh) finds
``شمالی وزیرستان`` (Urdu yeh). The normalisation is Python, so the writer keeps
the index in sync (``index_item`` inside the item's transaction), not a trigger.

Query syntax: words are ANDed; ``"a quoted phrase"`` must appear as written;
an Arabic-script word also matches as a prefix, because Urdu, Pashto and
Persian attach suffixes (``وزیرستان`` finds ``وزیرستانی``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from monitor.relevance.normalize import is_arabic_script, tokenize

_PHRASE = re.compile(r'"([^"]*)"')
_MAX_TERMS = 16  # bound on a query's size: each term is one index lookup


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: phrases, each a tuple of normalised tokens (a word is a 1-phrase)."""

    phrases: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.phrases


def parse_query(q: str) -> SearchQuery:
    """Split a user's query into normalised phrases; punctuation and operators are inert."""
    phrases: list[tuple[str, ...]] = []
    for quoted in _PHRASE.findall(q):
        tokens = tuple(tokenize(quoted))
        if tokens:
            phrases.append(tokens)
    for word in tokenize(_PHRASE.sub(" ", q)):
        phrases.append((word,))
    return SearchQuery(tuple(phrases[:_MAX_TERMS]))


def document(title: str, body: str) -> str:
    """What is indexed: the normalised tokens of title and text, space-separated."""
    return " ".join(tokenize(f"{title}\n{body}"))


def create_index(conn: Connection) -> None:
    """Create the index (migration 0006)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("CREATE TABLE item_search (seq INTEGER PRIMARY KEY, document TSVECTOR NOT NULL)")
        )
        conn.execute(text("CREATE INDEX ix_item_search_doc ON item_search USING GIN (document)"))
    else:
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE item_search USING fts5("
                "document, content='', tokenize='unicode61 remove_diacritics 0')"
            )
        )


def drop_index(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS item_search"))


def index_item(conn: Connection, seq: int, title: str, body: str) -> None:
    """Index one stored item (inside the transaction that stores it)."""
    doc = document(title, body)
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "INSERT INTO item_search (seq, document) VALUES (:seq, to_tsvector('simple', :d)) "
                "ON CONFLICT (seq) DO UPDATE SET document = EXCLUDED.document"
            ),
            {"seq": seq, "d": doc},
        )
    else:
        conn.execute(
            text("INSERT INTO item_search (rowid, document) VALUES (:seq, :d)"),
            {"seq": seq, "d": doc},
        )


def matching_seqs(dialect: str, query: SearchQuery) -> tuple[Any, dict[str, Any]]:
    """A ``SELECT seq`` of the items matching ``query`` and its bound parameters."""
    sql, params = _match(dialect, query)
    return text(sql), params


def matching_window(
    conn: Connection,
    query: SearchQuery,
    *,
    above: int | None,
    below: int | None,
    newest_first: bool,
    size: int,
) -> list[int]:
    """Up to ``size`` matching seqs next to a cursor, in page order.

    A common word matches most of the table; reading its matches a window at a
    time in seq order (FTS5 walks its rowids in order) keeps a page's cost
    bounded instead of materialising every match first.
    """
    sql, params = _match(conn.dialect.name, query)
    key = "seq" if conn.dialect.name == "postgresql" else "rowid"
    if above is not None:
        sql += f" AND {key} > :above"
        params["above"] = above
    if below is not None:
        sql += f" AND {key} < :below"
        params["below"] = below
    sql += f" ORDER BY {key} {'DESC' if newest_first else 'ASC'} LIMIT :size"
    params["size"] = size
    return [int(r[0]) for r in conn.execute(text(sql), params)]


def _match(dialect: str, query: SearchQuery) -> tuple[str, dict[str, Any]]:
    if dialect == "postgresql":
        parts, params = [], {}
        for i, phrase in enumerate(query.phrases):
            lexemes = [_pg_lexeme(t) for t in phrase]
            params[f"q{i}"] = " <-> ".join(lexemes)
            parts.append(f"to_tsquery('simple', :q{i})")
        cond = " && ".join(parts)
        return f"SELECT seq FROM item_search WHERE document @@ ({cond})", params
    expr = " AND ".join(_fts5_phrase(p) for p in query.phrases)
    return "SELECT rowid FROM item_search WHERE item_search MATCH :m", {"m": expr}


def _fts5_phrase(tokens: tuple[str, ...]) -> str:
    # Each token is a quoted string, so nothing in a query is FTS5 syntax;
    # "a" + "b" is FTS5's phrase (adjacent tokens).
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if len(tokens) == 1 and is_arabic_script(tokens[0]):
        return quoted[0] + "*"
    return "(" + " + ".join(quoted) + ")"


def _pg_lexeme(token: str) -> str:
    # A quoted lexeme is literal in tsquery syntax; ":*" makes it a prefix.
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + (":*" if is_arabic_script(token) else "")
