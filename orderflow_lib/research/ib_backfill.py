"""Backfill the store from Interactive Brokers: N trade dates of 5-minute Globex bars through the
adapter, each day's profiles (TPO exact, volume approximate from bars), then the composites and
archive. Running it twice stores nothing twice. The FakeGateway serves it in tests and demos.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from orderflow_lib.adapters.ibkr import (
    IbConnection,
    PacingLimiter,
    RateLimiter,
    backfill_bars,
    last_complete_trade_date,
    resolve_front_month,
)
from orderflow_lib.core.config import Settings
from orderflow_lib.research.daily import calendar_for, canonical_contract, day_profiles_from_bars
from orderflow_lib.research.ingest import ImportReport, store_days
from orderflow_lib.research.paths import research_settings
from orderflow_lib.research.rebuild import RebuildReport, rebuild_value
from orderflow_lib.store import Store
from orderflow_lib.testing import FakeGateway


@dataclass(slots=True)
class BackfillReport:
    """The contract backfilled, what was stored per day, the rebuild, and the dates IB had no
    bars for (holidays)."""

    contract: str
    stored: ImportReport
    rebuilt: RebuildReport | None
    empty_dates: list[date] = field(default_factory=list)


async def backfill_from_ib(
    store: Store,
    *,
    days: int = 7,
    settings: Settings | None = None,
    connection: IbConnection | None = None,
    source: str = "live",
    last_trade_date: date | None = None,
    now_ns: int | None = None,
    limiter: RateLimiter | None = None,
    progress: bool = True,
    rebuild: bool = True,
) -> BackfillReport:
    """Backfill `days` trade dates ending at `last_trade_date` (default: the last complete one)
    of the ES front month into the store under `source`, then rebuild its composites/archive.

    Without `connection`, one is opened from settings.ib (IB Gateway, paper port by default)
    and closed afterwards. Await it (notebook cells may `await` directly).
    """
    s = research_settings(settings)
    last = last_trade_date or last_complete_trade_date(time.time_ns() if now_ns is None else now_ns)
    owned = connection is None
    link = IbConnection(s.ib) if connection is None else connection
    if owned:
        await link.connect()
    try:
        front = await resolve_front_month(
            link.ib, last, roll_days=s.calendar.roll_days_before_third_friday
        )
        result = await backfill_bars(
            link.ib,
            front.data_contract,
            days=days,
            last_trade_date=last,
            tick_size=s.instrument.tick_size,
            limiter=limiter,
            progress=progress,
        )
    finally:
        if owned:
            await link.close()
    contract = canonical_contract(front.data_symbol, last)
    calendar = calendar_for(s)
    profiles = [
        day_profiles_from_bars(bars, day, contract, settings=s, calendar=calendar)
        for day, bars in sorted(result.bars.items())
    ]
    stored = store_days(store, profiles, source=source, settings=s)
    rebuilt = None
    if rebuild and profiles:
        rebuilt = rebuild_value(
            store, contract, source, start=profiles[0].trade_date, settings=s, progress=progress
        )
    return BackfillReport(contract, stored, rebuilt, list(result.empty_dates))


async def fake_backfill(
    store: Store,
    *,
    days: int = 7,
    last_trade_date: date | None = None,
    settings: Settings | None = None,
    source: str = "live",
    progress: bool = True,
) -> BackfillReport:
    """`backfill_from_ib` against an in-process FakeGateway on a free port (its deterministic
    synthetic bars), so demos and tests run the whole IB path without IB Gateway."""
    s = research_settings(settings)
    last = last_trade_date or last_complete_trade_date(time.time_ns())
    async with FakeGateway(port=0, today=last) as gateway:
        ib = s.ib.model_copy(update={"host": "127.0.0.1", "port": gateway.port})
        return await backfill_from_ib(
            store,
            days=days,
            settings=s.model_copy(update={"ib": ib}),
            source=source,
            last_trade_date=last,
            limiter=PacingLimiter(min_gap_s=0.0),
            progress=progress,
        )
