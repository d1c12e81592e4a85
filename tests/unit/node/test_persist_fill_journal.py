"""A fill the store does not take in time (the SQLite file locked by another connection) goes to
the fill journal before the call returns; it reaches the store on the next flush or, after a kill,
on the next start, exactly once, and leaves the journal then."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderflow_lib.execution.events import Fill
from orderflow_lib.node.fill_journal import FillJournal
from orderflow_lib.node.fill_rows import fill_record
from orderflow_lib.node.persist import Persister, StoreSink
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus
from orderflow_lib.store import Store, open_store

FILL = Fill("replay:o1", "PAPER-2", "PAPER-FILL-3", "MES", OrderAction.BUY, 1, 24_000, 1, 5_000)


TIMEOUT_MS = 150
HOLD_S = 1.0
"""How long the lock is held at least: well past the store's own wait of TIMEOUT_MS, so the write
that missed its deadline has surely given up (and not slipped in as the lock goes) before the
test goes on."""


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another connection holds the database's write lock (a hung database, as the node sees it)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    taken = time.monotonic()
    try:
        yield
    finally:
        time.sleep(max(0.0, taken + HOLD_S - time.monotonic()))
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{db}", timeout_ms=TIMEOUT_MS)
    yield opened
    opened.close()


def _wait_up(store: Store) -> None:
    deadline = store.deadline
    assert deadline is not None
    end = time.monotonic() + 5
    while deadline.down is not None and time.monotonic() < end:
        time.sleep(0.02)


def _rows(store: Store) -> list[str]:
    return [f.exec_id for f in store.orders("replay").fills()]


def test_fill_when_store_hangs_then_journalled_before_the_call_returns(
    store: Store, db: Path, tmp_path: Path
):
    journal = FillJournal(tmp_path / "fills.jsonl")
    persister = Persister(store, journal)

    with locked(db):
        StoreSink(persister, "replay").fill(FILL)
        assert journal.pending() == [("replay", fill_record(FILL))]
    assert not persister.healthy


def test_fill_when_store_recovers_then_flush_stores_it_once_and_journal_emptied(
    store: Store, db: Path, tmp_path: Path
):
    journal = FillJournal(tmp_path / "fills.jsonl")
    persister = Persister(store, journal)
    with locked(db):
        persister.fill("replay", fill_record(FILL))
    _wait_up(store)

    assert persister.flush() == 1

    assert _rows(store) == [fill_record(FILL).exec_id]
    assert not journal.path.exists()


def test_start_when_fill_only_in_journal_then_replayed_once_and_acknowledged(
    store: Store, db: Path, tmp_path: Path
):
    journal = FillJournal(tmp_path / "fills.jsonl")
    with locked(db):
        Persister(store, journal).fill("replay", fill_record(FILL))
    _wait_up(store)

    restarted = Persister(store, FillJournal(journal.path))
    again = Persister(store, FillJournal(journal.path))

    assert (restarted.replayed, again.replayed) == (1, 0)
    assert _rows(store) == [fill_record(FILL).exec_id]
    assert not journal.path.exists()


def test_start_when_journalled_fill_reached_the_store_after_all_then_not_written_twice(
    store: Store, tmp_path: Path
):
    journal = FillJournal(tmp_path / "fills.jsonl")
    store.orders("replay").add_fill(fill_record(FILL))
    journal.append("replay", fill_record(FILL))

    restarted = Persister(store, journal)

    assert restarted.replayed == 0
    assert _rows(store) == [fill_record(FILL).exec_id]
    assert journal.pending() == []


def test_executions_when_order_known_then_missing_rows_added_once(store: Store):
    order = OrderRecord(
        order_id="replay:o1", signal_id="s1", instrument="MES", action=OrderAction.BUY,
        quantity=1, price_ticks=24_000, status=OrderStatus.SUBMITTED, created_ts_ns=1,
        updated_ts_ns=1,
    )  # fmt: skip
    store.safety_store("replay", "test").upsert_order(order)
    persister = Persister(store)
    foreign = Fill("other", "9", "X", "MES", OrderAction.BUY, 1, 24_000, 1, 5_000)

    added = persister.executions("replay", [FILL, foreign])
    again = persister.executions("replay", [FILL])

    assert (added, again) == (1, 0)
    assert _rows(store) == [fill_record(FILL).exec_id]
