"""Backfill of 5-minute Globex bars through the real ib_async client: one paced request per trade
date, bars per trade date as BAR_DTYPE arrays, and a refused request reported as such."""

from __future__ import annotations

import asyncio
from datetime import date

import numpy as np
import pytest
from ibkr_support import STEP_S, TODAY

from orderflow_lib.adapters.ibkr import IbConnection, IbkrError, backfill_bars, resolve_front_month
from orderflow_lib.adapters.ibkr.backfill import trade_date_of
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.events import BAR_DTYPE
from orderflow_lib.testing import FakeGateway

BARS_PER_GLOBEX_SESSION = 23 * 12


class CountingLimiter:
    """A rate limiter that only counts (pacing itself is unit-tested)."""

    def __init__(self) -> None:
        self.calls = 0

    async def acquire(self) -> None:
        self.calls += 1


async def test_backfill_when_seven_days_then_full_globex_sessions_per_trade_date(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    limiter = CountingLimiter()

    result = await asyncio.wait_for(
        backfill_bars(
            connection.ib,
            front.data_contract,
            days=7,
            last_trade_date=date(2026, 11, 20),
            limiter=limiter,
            progress=False,
        ),
        STEP_S * 4,
    )

    expected = [date(2026, 11, d) for d in (12, 13, 16, 17, 18, 19, 20)]
    assert list(result.bars) == expected
    assert result.empty_dates == []
    assert limiter.calls == 7
    assert gateway.history_requests == 7
    for day, bars in result.bars.items():
        assert bars.dtype == BAR_DTYPE
        assert len(bars) == BARS_PER_GLOBEX_SESSION
        assert np.all(np.diff(bars["ts_ns"]) > 0)
        assert {trade_date_of(int(t)) for t in bars["ts_ns"]} == {day}
        assert np.all(bars["high_ticks"] - bars["low_ticks"] == 4)
        assert np.all(bars["ts_ns"] % (5 * NS_PER_MINUTE) == 0)
    frame = result.frames()[expected[0]]
    assert list(frame.columns) == list(BAR_DTYPE.names or ())


async def test_backfill_when_history_not_permitted_then_error_names_code_and_date(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    gateway.scenario.entitlements.history = False

    with pytest.raises(IbkrError, match=r"2026-11-20: IB error 162"):
        await asyncio.wait_for(
            backfill_bars(
                connection.ib,
                front.data_contract,
                days=1,
                last_trade_date=date(2026, 11, 20),
                limiter=CountingLimiter(),
                progress=False,
            ),
            STEP_S,
        )
