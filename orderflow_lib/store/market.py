"""Signals, market data snapshots and system status: idempotent appends and one status row per source."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from orderflow_lib.store.mapping import record_from_row, row_values
from orderflow_lib.store.models import MarketSnapshotRow, SignalRow, SystemStatusRow
from orderflow_lib.store.records import (
    MarketSnapshotRecord,
    SignalRecord,
    SystemStatusRecord,
    check_source,
)
from orderflow_lib.store.sql import insert_ignore, upsert

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store


class SignalRepository:
    """Strategy signals, keyed by signal_id (a repeat is ignored)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, signals: Iterable[SignalRecord]) -> int:
        """Store signals in one transaction; the number new (already stored ids are skipped)."""
        rows = [row_values(s) for s in signals]
        with self._store.write() as session:
            return insert_ignore(session, SignalRow, rows, ["signal_id"])

    def get(self, signal_id: str) -> SignalRecord | None:
        """The signal with this id, or None."""
        with self._store.read() as session:
            row = session.get(SignalRow, signal_id)
            return None if row is None else record_from_row(SignalRecord, row)

    def between(self, source: str, start_ns: int, end_ns: int) -> list[SignalRecord]:
        """Signals of `source` with start_ns <= ts_ns < end_ns, oldest first."""
        query = (
            select(SignalRow)
            .where(
                SignalRow.source == check_source(source),
                SignalRow.ts_ns >= start_ns,
                SignalRow.ts_ns < end_ns,
            )
            .order_by(SignalRow.ts_ns, SignalRow.signal_id)
        )
        with self._store.read() as session:
            return [record_from_row(SignalRecord, row) for row in session.scalars(query)]


class MarketSnapshotRepository:
    """Market data snapshots, unique per (contract, source, ts_ns) (a repeat is ignored)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, snapshots: Iterable[MarketSnapshotRecord]) -> int:
        """Store snapshots in one transaction; the number new."""
        rows = [row_values(s) for s in snapshots]
        with self._store.write() as session:
            return insert_ignore(session, MarketSnapshotRow, rows, ["contract", "source", "ts_ns"])

    def latest(self, contract: str, source: str) -> MarketSnapshotRecord | None:
        """The newest snapshot of one contract and source, or None."""
        query = (
            select(MarketSnapshotRow)
            .where(
                MarketSnapshotRow.contract == contract,
                MarketSnapshotRow.source == check_source(source),
            )
            .order_by(MarketSnapshotRow.ts_ns.desc())
            .limit(1)
        )
        with self._store.read() as session:
            row = session.scalars(query).first()
            return None if row is None else record_from_row(MarketSnapshotRecord, row)

    def between(
        self, contract: str, source: str, start_ns: int, end_ns: int
    ) -> list[MarketSnapshotRecord]:
        """Snapshots with start_ns <= ts_ns < end_ns, oldest first."""
        query = (
            select(MarketSnapshotRow)
            .where(
                MarketSnapshotRow.contract == contract,
                MarketSnapshotRow.source == check_source(source),
                MarketSnapshotRow.ts_ns >= start_ns,
                MarketSnapshotRow.ts_ns < end_ns,
            )
            .order_by(MarketSnapshotRow.ts_ns)
        )
        with self._store.read() as session:
            return [record_from_row(MarketSnapshotRecord, row) for row in session.scalars(query)]


class SystemStatusRepository:
    """The latest system status (balances, USD per GBP, connections), one row per source."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, status: SystemStatusRecord) -> None:
        """Replace the status of `status.source`."""
        with self._store.write() as session:
            upsert(session, SystemStatusRow, [row_values(status)], ["source"])

    def load(self, source: str) -> SystemStatusRecord | None:
        """The status of one source, or None."""
        with self._store.read() as session:
            row = session.get(SystemStatusRow, check_source(source))
            return None if row is None else record_from_row(SystemStatusRecord, row)
