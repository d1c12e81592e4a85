"""Local net positions of one source, one row per instrument; `replace_all` serves force-sync."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.risk.records import PositionRecord
from orderflow_lib.store.mapping import record_from_row, row_values
from orderflow_lib.store.models import PositionRow
from orderflow_lib.store.records import NAME_MAX, check_text
from orderflow_lib.store.sql import upsert

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store


def _values(position: PositionRecord, source: str) -> dict[str, object]:
    check_text("position.instrument", position.instrument, NAME_MAX)
    if isinstance(position.quantity, bool) or not isinstance(position.quantity, int):
        raise ValidationError(f"position.quantity must be an int; was {position.quantity!r}")
    return row_values(position, source=source)


class PositionRepository:
    """Positions of one source (synthetic, replay or live)."""

    def __init__(self, store: Store, source: str) -> None:
        self._store = store
        self._source = source

    def save(self, position: PositionRecord) -> None:
        """Insert or replace the position of `position.instrument`."""
        values = _values(position, self._source)
        with self._store.write() as session:
            upsert(session, PositionRow, [values], ["source", "instrument"])

    def replace_all(self, positions: Iterable[PositionRecord]) -> None:
        """Make the stored positions exactly `positions` (force-sync from the broker), atomically."""
        chosen = list(positions)
        rows = [_values(position, self._source) for position in chosen]
        instruments = [position.instrument for position in chosen]
        if len(set(instruments)) != len(instruments):
            raise ValidationError(f"positions name an instrument twice: {sorted(instruments)}")
        with self._store.write() as session:
            session.execute(delete(PositionRow).where(PositionRow.source == self._source))
            upsert(session, PositionRow, rows, ["source", "instrument"])

    def all(self) -> list[PositionRecord]:
        """Every stored position, by instrument."""
        query = (
            select(PositionRow)
            .where(PositionRow.source == self._source)
            .order_by(PositionRow.instrument)
        )
        with self._store.read() as session:
            return [record_from_row(PositionRecord, row) for row in session.scalars(query)]
