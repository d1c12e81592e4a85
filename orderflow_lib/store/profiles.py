"""Daily and composite profiles and the CVA archive: upserts keyed by session, contract and source.

Saving the same session twice replaces it, so a backfill run twice stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.store.mapping import record_from_row
from orderflow_lib.store.models import (
    PROFILE_KEY,
    SESSION_KEY,
    CompositeProfileRow,
    CvaArchiveRow,
    DailyProfileRow,
)
from orderflow_lib.store.records import (
    CompositeRecord,
    CvaArchiveRecord,
    ProfileRecord,
    check_source,
)
from orderflow_lib.store.sessions import SessionTable

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store


class ProfileRepository:
    """Daily profiles and composites: key figures as columns, the full profile dict as JSON."""

    def __init__(self, store: Store) -> None:
        self._daily = SessionTable(store, DailyProfileRow, ProfileRecord, PROFILE_KEY)
        self._composites = SessionTable(store, CompositeProfileRow, CompositeRecord, PROFILE_KEY)

    def save_daily(self, profiles: Iterable[ProfileRecord]) -> None:
        """Insert or replace daily profiles in one transaction (all or none)."""
        self._daily.save(profiles, "daily profiles")

    def daily(
        self, trade_date: date, kind: str, contract: str, source: str
    ) -> ProfileRecord | None:
        """One session's profile, or None."""
        return self._daily.one(trade_date, contract, source, kind=kind)

    def daily_range(
        self, kind: str, contract: str, source: str, start: date, end: date
    ) -> list[ProfileRecord]:
        """Profiles with start <= trade_date <= end, oldest first."""
        return self._daily.between(contract, source, start, end, kind=kind)

    def save_composites(self, composites: Iterable[CompositeRecord]) -> None:
        """Insert or replace composites in one transaction (all or none)."""
        self._composites.save(composites, "composites")

    def composite(
        self, trade_date: date, kind: str, contract: str, source: str
    ) -> CompositeRecord | None:
        """The composite used on one session, or None."""
        return self._composites.one(trade_date, contract, source, kind=kind)

    def composite_range(
        self, kind: str, contract: str, source: str, start: date, end: date
    ) -> list[CompositeRecord]:
        """Composites with start <= trade_date <= end, oldest first."""
        return self._composites.between(contract, source, start, end, kind=kind)


class CvaArchiveRepository:
    """The CVA archive (spec §3.5): one entry per session, contract and source."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._table = SessionTable(store, CvaArchiveRow, CvaArchiveRecord, SESSION_KEY)

    def save(self, entries: Iterable[CvaArchiveRecord]) -> None:
        """Insert or replace archive entries in one transaction (all or none)."""
        self._table.save(entries, "archive entries")

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
            return [
                record_from_row(CvaArchiveRecord, row)
                for row in reversed(list(session.scalars(query)))
            ]

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
