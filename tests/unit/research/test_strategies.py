"""Strategy research: intents simulated as brackets on 1-minute bars, bars from trades, and the
strategies replayed over real sessions into the PerformanceAnalyzer.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (`lean-es-2013/`).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pytest
from research_support import LEAN_MINUTE, need

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE
from orderflow_lib.plan import MarketData
from orderflow_lib.research.strategies import (
    EXIT_CLOSE,
    EXIT_STOP,
    EXIT_TARGET,
    minute_bars,
    replay_strategies,
    simulate_intent,
)
from orderflow_lib.strategy import TradeIntent

M = NS_PER_MINUTE


def intent(side: int = 1, entry: int = 100, stop: int = 96, target: int = 108) -> TradeIntent:
    return TradeIntent(
        signal_id="S1@0",
        ts_ns=M,
        instrument="MES",
        side=side,
        quantity=1,
        entry_tick=entry,
        stop_tick=stop,
        target_tick=target,
        entry_reason="test",
        scenario_id="S1",
        family="DIRECTIONAL_BULLISH",
        setup="BVP",
        regime="TREND_UP",
        score=Fraction(9, 10),
    )


def bars(rows: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Bars opening at minutes 0, 1, 2, ... from (open, high, low, close)."""
    out = np.zeros(len(rows), dtype=BAR_DTYPE)
    for i, (o, h, lo, c) in enumerate(rows):
        out[i] = (i * M, o, h, lo, c, 10)
    return out


def test_simulate_when_target_reached_first_then_exit_at_target() -> None:
    tape = bars([(99, 101, 98, 100), (100, 104, 99, 103), (103, 109, 102, 108)])

    trip, kind = simulate_intent(intent(), tape)

    assert (kind, trip.exit_ticks, trip.pnl_ticks, trip.exit_ts_ns) == (EXIT_TARGET, 108, 8, 3 * M)
    assert trip.tags["setup"] == "BVP" and trip.instrument == "MES"


def test_simulate_when_bar_reaches_stop_and_target_then_stop_taken_first() -> None:
    tape = bars([(99, 101, 98, 100), (100, 110, 95, 101)])

    trip, kind = simulate_intent(intent(), tape)

    assert (kind, trip.exit_ticks, trip.pnl_ticks) == (EXIT_STOP, 96, -4)


def test_simulate_when_short_and_neither_hit_then_exit_at_last_close() -> None:
    tape = bars([(100, 101, 99, 100), (100, 102, 98, 99), (99, 101, 97, 98)])

    trip, kind = simulate_intent(intent(side=-1, entry=100, stop=104, target=90), tape)

    assert (kind, trip.exit_ticks, trip.pnl_ticks, trip.exit_ts_ns) == (EXIT_CLOSE, 98, 2, 3 * M)


def test_minute_bars_when_trades_then_ohlcv_per_minute_with_trades() -> None:
    trades = np.zeros(4, dtype=TRADE_DTYPE)
    trades["ts_ns"] = [0, 10, 2 * M, 2 * M + 5]
    trades["price_ticks"] = [100, 103, 99, 101]
    trades["size"] = [1, 2, 3, 4]
    trades["side"] = [1, -1, 1, 1]

    out = minute_bars(MarketData("ESM24", "test", trades=trades))

    assert out["ts_ns"].tolist() == [0, 2 * M]
    assert out[["open_ticks", "high_ticks", "low_ticks", "close_ticks"]].tolist() == [
        (100, 103, 100, 103),
        (99, 101, 99, 101),
    ]
    assert out["volume"].tolist() == [3, 7]


@pytest.mark.realdata
def test_replay_strategies_when_lean_sessions_then_days_and_analyzer() -> None:
    days = [date(2013, 10, 11), date(2013, 10, 14)]

    study = replay_strategies(need(LEAN_MINUTE), days, progress=False)

    assert list(study.days["trade_date"]) == days
    assert list(study.days["regime"]) == ["BALANCE", "TREND_UP"]
    assert len(study.intents) == study.analyzer.summary().trades == len(study.analyzer.trips)
    assert study.summary().loc["trades", "all"] == len(study.intents)
