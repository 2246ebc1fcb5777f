"""Engines with the connection settings each database needs, and error translation.

SQLite: WAL (readers never block the writer), a busy timeout (a second writer
waits instead of failing), foreign keys on, and ``BEGIN IMMEDIATE`` for write
transactions so two writers queue on the lock up front instead of deadlocking
when a read transaction tries to upgrade.

``create=False`` opens an SQLite file only if it exists (``mode=rw``): the
commands that read must never leave an empty database behind, and a file
deleted under a running process must not be silently re-created. Creating
the folder of a new database is ``monitor init``'s decision, not the engine's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from monitor.exceptions import DatabaseDisconnected, DatabaseLocked, StoreError


def make_engine(url: str, *, busy_timeout_s: float = 30.0, create: bool = True) -> Engine:
    """An engine for ``url``; StoreError with one line when the URL is unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database URL is not valid: {url!r}") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, parsed.database, busy_timeout_s, create)
        return create_engine(url, pool_pre_ping=True, connect_args=_pg_args(parsed.drivername))
    except NoSuchModuleError:
        raise StoreError(f"database URL {url!r}: no driver for {parsed.drivername}") from None


def _pg_args(drivername: str) -> dict[str, Any]:
    return {"connect_timeout": 10} if drivername.startswith("postgresql") else {}


def _sqlite_engine(url: str, database: str | None, busy_timeout_s: float, create: bool) -> Engine:
    if create or not database or database == ":memory:":
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
    else:
        existing = f"file:{quote(database)}?mode=rw"

        def connect_existing() -> sqlite3.Connection:
            return sqlite3.connect(
                existing, uri=True, timeout=busy_timeout_s, check_same_thread=False
            )

        engine = create_engine(url, creator=connect_existing)
    timeout_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Turn driver errors into StoreError/DatabaseLocked with one readable line."""
    try:
        yield
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "database is locked" in detail or "database table is locked" in detail:
            raise DatabaseLocked(f"{what}: the database stayed locked by another process") from exc
        if exc.connection_invalidated:
            raise DatabaseDisconnected(f"{what}: lost the database connection ({detail})") from exc
        if "connect" in detail.lower() or "terminating connection" in detail:
            raise DatabaseDisconnected(f"{what}: cannot reach the database ({detail})") from exc
        raise StoreError(f"{what}: database error: {detail}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"{what}: database error: {exc}") from exc


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None (another database, or in memory)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def sqlite_file_identity(url: str) -> tuple[Path, tuple[int, int]] | None:
    """(path, (device, inode)) of an existing SQLite file, to notice it being replaced."""
    path = sqlite_path(url)
    if path is None:
        return None
    try:
        st = path.stat()
    except FileNotFoundError:
        return None  # created by init/migrate; identity taken on the next open
    return path, (st.st_dev, st.st_ino)
