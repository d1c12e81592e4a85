"""Daily and composite profiles and the CVA archive: upserts keyed by session, contract and source.

Saving the same session twice replaces it, so a backfill run twice stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.store.models import CompositeProfileRow, CvaArchiveRow, DailyProfileRow
from orderflow_lib.store.records import (
    CompositeRecord,
    CvaArchiveRecord,
    ProfileRecord,
    check_source,
)
from orderflow_lib.store.sql import upsert

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store

PROFILE_KEY = ["trade_date", "kind", "contract", "source"]
ARCHIVE_KEY = ["trade_date", "contract", "source"]

_Record = TypeVar("_Record", ProfileRecord, CompositeRecord)
_ProfileModel = type[DailyProfileRow] | type[CompositeProfileRow]


def _profile_from_row(row: DailyProfileRow) -> ProfileRecord:
    return ProfileRecord(
        trade_date=row.trade_date,
        kind=row.kind,
        contract=row.contract,
        source=row.source,
        row_ticks=row.row_ticks,
        as_of_ns=row.as_of_ns,
        poc_tick=row.poc_tick,
        val_tick=row.val_tick,
        vah_tick=row.vah_tick,
        payload=row.payload,
    )


def _composite_from_row(row: CompositeProfileRow) -> CompositeRecord:
    return CompositeRecord(
        trade_date=row.trade_date,
        kind=row.kind,
        contract=row.contract,
        source=row.source,
        first_date=row.first_date,
        last_date=row.last_date,
        n_days=row.n_days,
        row_ticks=row.row_ticks,
        as_of_ns=row.as_of_ns,
        poc_tick=row.poc_tick,
        val_tick=row.val_tick,
        vah_tick=row.vah_tick,
        payload=row.payload,
    )


def _archive_values(entry: CvaArchiveRecord) -> dict[str, Any]:
    values = asdict(entry)
    values["days_window"] = [day.isoformat() for day in entry.days_window]
    return values


def _archive_from_row(row: CvaArchiveRow) -> CvaArchiveRecord:
    return CvaArchiveRecord(
        trade_date=row.trade_date,
        contract=row.contract,
        source=row.source,
        poc_tick=row.poc_tick,
        vah_tick=row.vah_tick,
        val_tick=row.val_tick,
        width_ticks=row.width_ticks,
        days_window=tuple(date.fromisoformat(day) for day in row.days_window),
        character=row.character,
        shape=row.shape,
    )


def _unique_keys(what: str, keys: list[tuple[Any, ...]]) -> None:
    if len(set(keys)) != len(keys):
        raise ValidationError(f"{what} names the same session twice in one save: {sorted(keys)}")


class ProfileRepository:
    """Daily profiles and composites: key figures as columns, the full profile dict as JSON."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save_daily(self, profiles: Iterable[ProfileRecord]) -> None:
        """Insert or replace daily profiles in one transaction (all or none)."""
        self._save("daily profiles", DailyProfileRow, profiles)

    def daily(
        self, trade_date: date, kind: str, contract: str, source: str
    ) -> ProfileRecord | None:
        """One session's profile, or None."""
        return self._one(DailyProfileRow, _profile_from_row, trade_date, kind, contract, source)

    def daily_range(
        self, kind: str, contract: str, source: str, start: date, end: date
    ) -> list[ProfileRecord]:
        """Profiles with start <= trade_date <= end, oldest first."""
        return self._range(DailyProfileRow, _profile_from_row, kind, contract, source, start, end)

    def save_composites(self, composites: Iterable[CompositeRecord]) -> None:
        """Insert or replace composites in one transaction (all or none)."""
        self._save("composites", CompositeProfileRow, composites)

    def composite(
        self, trade_date: date, kind: str, contract: str, source: str
    ) -> CompositeRecord | None:
        """The composite used on one session, or None."""
        return self._one(
            CompositeProfileRow, _composite_from_row, trade_date, kind, contract, source
        )

    def composite_range(
        self, kind: str, contract: str, source: str, start: date, end: date
    ) -> list[CompositeRecord]:
        """Composites with start <= trade_date <= end, oldest first."""
        return self._range(
            CompositeProfileRow, _composite_from_row, kind, contract, source, start, end
        )

    def _save(
        self, what: str, model: _ProfileModel, records: Iterable[ProfileRecord | CompositeRecord]
    ) -> None:
        """Upsert records keyed by PROFILE_KEY in one transaction: shared by both tables."""
        rows = [asdict(r) for r in records]
        _unique_keys(what, [tuple(r[k] for k in PROFILE_KEY) for r in rows])
        with self._store.write() as session:
            upsert(session, model, rows, PROFILE_KEY)

    def _one(
        self,
        model: _ProfileModel,
        convert: Callable[[Any], _Record],
        trade_date: date,
        kind: str,
        contract: str,
        source: str,
    ) -> _Record | None:
        """The row of one session converted to a record, or None: shared by both tables."""
        query = select(model).where(
            model.trade_date == trade_date,
            model.kind == kind,
            model.contract == contract,
            model.source == check_source(source),
        )
        with self._store.read() as session:
            row = session.scalars(query).first()
            return None if row is None else convert(row)

    def _range(
        self,
        model: _ProfileModel,
        convert: Callable[[Any], _Record],
        kind: str,
        contract: str,
        source: str,
        start: date,
        end: date,
    ) -> list[_Record]:
        """Rows with start <= trade_date <= end, oldest first, as records: shared by both tables."""
        query = (
            select(model)
            .where(
                model.kind == kind,
                model.contract == contract,
                model.source == check_source(source),
                model.trade_date >= start,
                model.trade_date <= end,
            )
            .order_by(model.trade_date)
        )
        with self._store.read() as session:
            return [convert(row) for row in session.scalars(query)]


class CvaArchiveRepository:
    """The CVA archive (spec §3.5): one entry per session, contract and source."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, entries: Iterable[CvaArchiveRecord]) -> None:
        """Insert or replace archive entries in one transaction (all or none)."""
        rows = [_archive_values(e) for e in entries]
        _unique_keys("archive entries", [tuple(r[k] for k in ARCHIVE_KEY) for r in rows])
        with self._store.write() as session:
            upsert(session, CvaArchiveRow, rows, ARCHIVE_KEY)

    def entries(
        self, contract: str, source: str, until: date | None = None, limit: int | None = None
    ) -> list[CvaArchiveRecord]:
        """The newest `limit` entries (all if None) on or before `until`, returned oldest first."""
        if limit is not None and limit < 0:
            raise ValidationError(f"limit must be >= 0 or None; was {limit}")
        query = select(CvaArchiveRow).where(
            CvaArchiveRow.contract == contract, CvaArchiveRow.source == check_source(source)
        )
        if until is not None:
            query = query.where(CvaArchiveRow.trade_date <= until)
        query = query.order_by(CvaArchiveRow.trade_date.desc()).limit(limit)
        with self._store.read() as session:
            return [_archive_from_row(row) for row in reversed(list(session.scalars(query)))]

    def prune(self, contract: str, source: str, keep: int) -> int:
        """Delete all but the newest `keep` entries of one contract and source; the number deleted."""
        if keep < 0:
            raise ValidationError(f"keep must be >= 0; was {keep}")
        source = check_source(source)
        newest = (
            select(CvaArchiveRow.trade_date)
            .where(CvaArchiveRow.contract == contract, CvaArchiveRow.source == source)
            .order_by(CvaArchiveRow.trade_date.desc())
            .limit(keep)
        )
        with self._store.write() as session:
            kept = list(session.scalars(newest))
            statement = delete(CvaArchiveRow).where(
                CvaArchiveRow.contract == contract,
                CvaArchiveRow.source == source,
                CvaArchiveRow.trade_date.not_in(kept),
            )
            return cast(CursorResult[Any], session.execute(statement)).rowcount
