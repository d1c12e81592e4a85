"""Statement deadlines: with `timeout_ms` the database gives up on a slow statement or a lock
wait after that long (PostgreSQL statement/lock timeouts, SQLite busy timeout), and the safety
store refuses at once while the store is down."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from orderflow_lib.core.errors import StoreError
from orderflow_lib.risk.records import PositionRecord
from orderflow_lib.risk.timed_store import TimedSafetyStore
from orderflow_lib.store import open_store

TIMEOUT_MS = 300


@pytest.mark.postgres
def test_postgres_when_statement_runs_past_timeout_then_store_error_in_time(pg_url: str):
    store = open_store(pg_url, timeout_ms=TIMEOUT_MS)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="statement timeout"), store.read() as session:
            session.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 2.0
        store.ping()
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_when_opened_without_timeout_then_slow_statement_runs(pg_url: str):
    store = open_store(pg_url)
    try:
        with store.read() as session:
            session.execute(text("SELECT pg_sleep(0.5)"))
        assert store.deadline is None
    finally:
        store.close()


def test_sqlite_when_another_writer_holds_the_lock_then_write_fails_within_timeout(
    tmp_path: Path,
):
    path = tmp_path / "locked.sqlite"
    store = open_store(f"sqlite:///{path}", timeout_ms=TIMEOUT_MS)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked"):
            store.positions("replay").save(PositionRecord("MES", 1, 1))
        assert time.monotonic() - started < 2.0
    finally:
        other.execute("ROLLBACK")
        other.close()
        store.close()


def test_safety_store_when_locked_then_refuses_in_time_and_writes_after_release(tmp_path: Path):
    path = tmp_path / "locked.sqlite"
    store = open_store(f"sqlite:///{path}", timeout_ms=TIMEOUT_MS)
    safety = store.safety_store("replay", "test")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        assert isinstance(safety, TimedSafetyStore)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreError):
            safety.save_position(PositionRecord("MES", 1, 1))
        assert time.monotonic() - started < TIMEOUT_MS / 1000 + 0.5
        other.execute("ROLLBACK")
        started = time.monotonic()
        while safety.down is not None and time.monotonic() - started < 3:
            time.sleep(0.02)
        safety.save_position(PositionRecord("MES", 3, 3))
        assert [p.quantity for p in safety.load_positions()] == [3]
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()
        store.close()
