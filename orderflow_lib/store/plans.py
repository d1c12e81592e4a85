"""Pre-market trade plans and their reviews: one of each per session, contract and source (upserts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from orderflow_lib.store.models import PlanRow, ReviewRow
from orderflow_lib.store.records import PlanRecord, ReviewRecord, check_source
from orderflow_lib.store.sql import upsert

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store

KEY = ["trade_date", "contract", "source"]


def _plan_from_row(row: PlanRow) -> PlanRecord:
    return PlanRecord(
        trade_date=row.trade_date,
        contract=row.contract,
        source=row.source,
        regime=row.regime,
        bias=row.bias,
        confidence=row.confidence,
        created_ts_ns=row.created_ts_ns,
        payload=row.payload,
    )


def _review_from_row(row: ReviewRow) -> ReviewRecord:
    return ReviewRecord(
        trade_date=row.trade_date,
        contract=row.contract,
        source=row.source,
        grade=row.grade,
        score=row.score,
        created_ts_ns=row.created_ts_ns,
        payload=row.payload,
    )


class PlanRepository:
    """Plans and reviews; saving a session's plan or review again replaces it."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save_plans(self, plans: Iterable[PlanRecord]) -> None:
        """Insert or replace plans in one transaction."""
        rows = [asdict(p) for p in plans]
        with self._store.write() as session:
            upsert(session, PlanRow, rows, KEY)

    def plan(self, trade_date: date, contract: str, source: str) -> PlanRecord | None:
        """The plan of one session, or None."""
        query = select(PlanRow).where(
            PlanRow.trade_date == trade_date,
            PlanRow.contract == contract,
            PlanRow.source == check_source(source),
        )
        with self._store.read() as session:
            row = session.scalars(query).first()
            return None if row is None else _plan_from_row(row)

    def plans_range(self, contract: str, source: str, start: date, end: date) -> list[PlanRecord]:
        """Plans with start <= trade_date <= end, oldest first."""
        query = (
            select(PlanRow)
            .where(
                PlanRow.contract == contract,
                PlanRow.source == check_source(source),
                PlanRow.trade_date >= start,
                PlanRow.trade_date <= end,
            )
            .order_by(PlanRow.trade_date)
        )
        with self._store.read() as session:
            return [_plan_from_row(row) for row in session.scalars(query)]

    def save_reviews(self, reviews: Iterable[ReviewRecord]) -> None:
        """Insert or replace reviews in one transaction."""
        rows = [asdict(r) for r in reviews]
        with self._store.write() as session:
            upsert(session, ReviewRow, rows, KEY)

    def review(self, trade_date: date, contract: str, source: str) -> ReviewRecord | None:
        """The review of one session, or None."""
        query = select(ReviewRow).where(
            ReviewRow.trade_date == trade_date,
            ReviewRow.contract == contract,
            ReviewRow.source == check_source(source),
        )
        with self._store.read() as session:
            row = session.scalars(query).first()
            return None if row is None else _review_from_row(row)

    def reviews_range(
        self, contract: str, source: str, start: date, end: date
    ) -> list[ReviewRecord]:
        """Reviews with start <= trade_date <= end, oldest first."""
        query = (
            select(ReviewRow)
            .where(
                ReviewRow.contract == contract,
                ReviewRow.source == check_source(source),
                ReviewRow.trade_date >= start,
                ReviewRow.trade_date <= end,
            )
            .order_by(ReviewRow.trade_date)
        )
        with self._store.read() as session:
            return [_review_from_row(row) for row in session.scalars(query)]
