"""SQLAlchemy engines for the store: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL.

With `timeout_ms`, the database itself gives up on a statement after that long: PostgreSQL's
statement and lock timeouts, SQLite's busy timeout (waiting for another writer's lock).

Write transactions on SQLite begin IMMEDIATE, so two processes (node and notebook) queue for the
write lock instead of failing on a lock upgrade; reads stay DEFERRED and never block writers.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from orderflow_lib.core.errors import StoreError
from orderflow_lib.store.urls import is_sqlite, is_sqlite_memory, mask_url

SQLITE_BUSY_TIMEOUT_MS = 15_000
WAL_RETRY_S = 0.02
POSTGRES_CONNECT_TIMEOUT_S = 10
WRITE_OPTION = "orderflow_write"


def create_store_engine(url: URL, *, timeout_ms: int | None = None) -> Engine:
    """An engine for `url` with the store's connection settings applied; `timeout_ms` bounds
    every statement (None: only the connect is bounded)."""
    if is_sqlite(url):
        return _sqlite_engine(url, SQLITE_BUSY_TIMEOUT_MS if timeout_ms is None else timeout_ms)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
        if timeout_ms is not None:
            given = url.query.get("options", "")
            connect_args["options"] = " ".join(
                [*([given] if isinstance(given, str) else given), _pg_timeouts(timeout_ms)]
            ).strip()
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _pg_timeouts(timeout_ms: int) -> str:
    """PostgreSQL options that end any statement or lock wait after `timeout_ms`."""
    return f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}"


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions take the write lock at BEGIN on SQLite."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    connect_args: dict[str, Any] = {
        "timeout": busy_timeout_ms / 1000,
        "check_same_thread": False,
    }
    if is_sqlite_memory(url):
        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool)
    else:
        engine = create_engine(url, connect_args=connect_args)
    memory = is_sqlite_memory(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if not memory:
                _use_wal(cursor)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    """Put the file in WAL mode (it stays so). Two processes opening a new file at once both hold
    a read lock while asking for the write lock the switch needs; SQLite then refuses one at once
    ("database is locked") instead of waiting, so retry until the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(WAL_RETRY_S)


def store_error(exc: SQLAlchemyError, url: URL, action: str) -> StoreError:
    """A StoreError for a failed `action` on `url`, naming the database (password masked) and cause."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(str(cause).split())
    if url.password:
        text = text.replace(str(url.password), "***")
    return StoreError(f"store {mask_url(url)}: {action} failed: {type(cause).__name__}: {text}")
