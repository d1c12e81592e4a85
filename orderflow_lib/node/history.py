"""Where the prior sessions of a trade date come from: the synthetic market's own history, or
the RTH profiles a node stored at the end of earlier sessions (per source and contract)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.engine.context import PROFILE_KIND, PriorSession, priors_from_synthetic
from orderflow_lib.engine.loop import HistorySource
from orderflow_lib.feeds.synthetic import SyntheticFeed
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.node.persist import Persister, StoreSink
from orderflow_lib.store import Store

LOOKBACK_DAYS: Final = 45


def synthetic_history(
    feed: SyntheticFeed, calendar: SessionCalendar, tick_size: float = ES_TICK_SIZE
) -> HistorySource:
    """The sessions the synthetic feed generated before its first trade date."""

    async def history(trade_date: date, contract: str, source: str) -> Sequence[PriorSession]:
        sessions = await feed.history()
        return [
            p for p in priors_from_synthetic(sessions, calendar, tick_size) if p.date < trade_date
        ]

    return history


def store_history(store: Store, lookback_days: int = LOOKBACK_DAYS) -> HistorySource:
    """Profiles stored by earlier runs of the same source and contract (read in a worker thread)."""

    async def history(trade_date: date, contract: str, source: str) -> Sequence[PriorSession]:
        records = await asyncio.to_thread(
            store.profiles.daily_range,
            PROFILE_KIND,
            contract,
            source,
            trade_date - timedelta(days=lookback_days),
            trade_date - timedelta(days=1),
        )
        return [PriorSession.from_payload(r.trade_date, r.contract, r.payload) for r in records]

    return history


def combined_history(*sources: HistorySource) -> HistorySource:
    """Every source's sessions; for a date found in several, the first source wins."""

    async def history(trade_date: date, contract: str, source: str) -> Sequence[PriorSession]:
        by_date: dict[date, PriorSession] = {}
        for each in sources:
            for prior in await each(trade_date, contract, source):
                by_date.setdefault(prior.date, prior)
        return [by_date[d] for d in sorted(by_date)]

    return history


def saved_history(source: HistorySource, store: Store, calendar: SessionCalendar) -> HistorySource:
    """`source`'s sessions, also written to the store as the node's own session profiles, as of
    each session's RTH close (the demo's fresh store then holds the prior days its plan uses)."""

    async def history(trade_date: date, contract: str, origin: str) -> Sequence[PriorSession]:
        priors = await source(trade_date, contract, origin)
        persister = Persister(store)
        sink = StoreSink(persister, origin)
        for prior in priors:
            session = calendar.rth_session(prior.date)
            if session is not None:
                sink.profile(prior, prior.contract, session.rth_close_ns)
        await persister.flush_async()
        return priors

    return history
