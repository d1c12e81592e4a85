"""Backtest runs: each run saved as a new numbered row, listed by settings hash to compare runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from orderflow_lib.store.mapping import record_from_row, row_values
from orderflow_lib.store.models import BacktestRunRow
from orderflow_lib.store.records import BacktestRunRecord

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store


def _from_row(row: BacktestRunRow) -> BacktestRunRecord:
    return record_from_row(BacktestRunRecord, row, run_id=row.id)


class BacktestRepository:
    """Backtest runs; a run is never replaced, so earlier runs stay to compare against."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, record: BacktestRunRecord) -> int:
        """Store a new run (its `run_id` is ignored) and return the run id it was given."""
        values = row_values(record)
        del values["run_id"]
        row = BacktestRunRow(**values)
        with self._store.write() as session:
            session.add(row)
            session.flush()
            return row.id

    def runs(self, config_hash: str | None = None) -> list[BacktestRunRecord]:
        """Every run, or those with `config_hash`, oldest first."""
        query = select(BacktestRunRow).order_by(BacktestRunRow.id)
        if config_hash is not None:
            query = query.where(BacktestRunRow.config_hash == config_hash)
        with self._store.read() as session:
            return [_from_row(row) for row in session.scalars(query)]

    def get(self, run_id: int) -> BacktestRunRecord | None:
        """The run with `run_id`, or None."""
        with self._store.read() as session:
            row = session.get(BacktestRunRow, run_id)
            return None if row is None else _from_row(row)
