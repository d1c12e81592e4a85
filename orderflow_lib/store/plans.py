"""Pre-market trade plans and their reviews: one of each per session, contract and source (upserts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from orderflow_lib.store.models import SESSION_KEY, PlanRow, ReviewRow
from orderflow_lib.store.records import PlanRecord, ReviewRecord
from orderflow_lib.store.sessions import SessionTable

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store


class PlanRepository:
    """Plans and reviews; saving a session's plan or review again replaces it."""

    def __init__(self, store: Store) -> None:
        self._plans = SessionTable(store, PlanRow, PlanRecord, SESSION_KEY)
        self._reviews = SessionTable(store, ReviewRow, ReviewRecord, SESSION_KEY)

    def save_plans(self, plans: Iterable[PlanRecord]) -> None:
        """Insert or replace plans in one transaction."""
        self._plans.save(plans)

    def plan(self, trade_date: date, contract: str, source: str) -> PlanRecord | None:
        """The plan of one session, or None."""
        return self._plans.one(trade_date, contract, source)

    def plans_range(self, contract: str, source: str, start: date, end: date) -> list[PlanRecord]:
        """Plans with start <= trade_date <= end, oldest first."""
        return self._plans.between(contract, source, start, end)

    def save_reviews(self, reviews: Iterable[ReviewRecord]) -> None:
        """Insert or replace reviews in one transaction."""
        self._reviews.save(reviews)

    def review(self, trade_date: date, contract: str, source: str) -> ReviewRecord | None:
        """The review of one session, or None."""
        return self._reviews.one(trade_date, contract, source)

    def reviews_range(
        self, contract: str, source: str, start: date, end: date
    ) -> list[ReviewRecord]:
        """Reviews with start <= trade_date <= end, oldest first."""
        return self._reviews.between(contract, source, start, end)
