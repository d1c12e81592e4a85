"""Switching a new SQLite file to WAL while another process does the same: a refused lock is
retried until the busy timeout; any other error, or a lock that outlasts the timeout, is raised."""

from __future__ import annotations

import sqlite3

import pytest

from orderflow_lib.store import engine


class Cursor:
    """A cursor whose mode switch is refused as locked `locked` times before it succeeds."""

    def __init__(self, locked: int, mode: str = "delete", error: str = "database is locked"):
        self.locked = locked
        self.mode = mode
        self.error = error
        self.switches = 0

    def execute(self, sql: str) -> Cursor:
        if sql == "PRAGMA journal_mode=WAL":
            self.switches += 1
            if self.locked:
                self.locked -= 1
                raise sqlite3.OperationalError(self.error)
            self.mode = "wal"
        return self

    def fetchone(self) -> tuple[str]:
        return (self.mode,)


def test_use_wal_when_switch_refused_as_locked_then_retried_until_it_succeeds(monkeypatch):
    monkeypatch.setattr(engine, "WAL_RETRY_S", 0.0)
    cursor = Cursor(locked=3)

    engine._use_wal(cursor)

    assert cursor.mode == "wal" and cursor.switches == 4


def test_use_wal_when_already_wal_then_no_switch_asked():
    cursor = Cursor(locked=5, mode="wal")

    engine._use_wal(cursor)

    assert cursor.switches == 0


def test_use_wal_when_other_error_then_raised_at_once():
    cursor = Cursor(locked=1, error="disk I/O error")

    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        engine._use_wal(cursor)
    assert cursor.switches == 1


def test_use_wal_when_locked_past_the_busy_timeout_then_raised(monkeypatch):
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 30)
    monkeypatch.setattr(engine, "WAL_RETRY_S", 0.01)
    cursor = Cursor(locked=10**6)

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        engine._use_wal(cursor)
    assert 1 < cursor.switches < 100
