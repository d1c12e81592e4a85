"""Tables with one row per session (trade date), contract and source: upserts, one session, a range."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Select, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.store.mapping import record_from_row, row_values
from orderflow_lib.store.records import check_source
from orderflow_lib.store.sql import upsert

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store

Record = TypeVar("Record")


class SessionTable(Generic[Record]):
    """The rows of `model` as `record_type` records; `key` names the columns unique per session.

    `match` arguments name further key columns (a profile's `kind`) that a read must equal.
    """

    def __init__(
        self, store: Store, model: Any, record_type: type[Record], key: Sequence[str]
    ) -> None:
        self._store = store
        self._model = model
        self._record_type = record_type
        self._key = list(key)

    def save(self, records: Iterable[Record], what: str | None = None) -> None:
        """Insert or replace `records` in one transaction; with `what` (the records named in the
        error), a session given twice is refused instead of the last one winning."""
        rows = [row_values(record) for record in records]
        if what is not None:
            keys = [tuple(row[k] for k in self._key) for row in rows]
            if len(set(keys)) != len(keys):
                raise ValidationError(
                    f"{what} names the same session twice in one save: {sorted(keys)}"
                )
        with self._store.write() as session:
            upsert(session, self._model, rows, self._key)

    def one(self, trade_date: date, contract: str, source: str, **match: str) -> Record | None:
        """The record of one session, or None."""
        query = self._select(contract, source, match).where(self._model.trade_date == trade_date)
        with self._store.read() as session:
            row = session.scalars(query).first()
            return None if row is None else record_from_row(self._record_type, row)

    def between(
        self, contract: str, source: str, start: date, end: date, **match: str
    ) -> list[Record]:
        """Records with start <= trade_date <= end, oldest first."""
        query = (
            self._select(contract, source, match)
            .where(self._model.trade_date >= start, self._model.trade_date <= end)
            .order_by(self._model.trade_date)
        )
        with self._store.read() as session:
            return [record_from_row(self._record_type, row) for row in session.scalars(query)]

    def _select(self, contract: str, source: str, match: dict[str, str]) -> Select[Any]:
        model = self._model
        return select(model).where(
            *(getattr(model, name) == value for name, value in match.items()),
            model.contract == contract,
            model.source == check_source(source),
        )
