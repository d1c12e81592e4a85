"""Strategy research on the node's decision path: minute bars from trades for the review, and the
Lean sessions backtested into the PerformanceAnalyzer.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (`lean-es-2013/`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from research_support import LEAN_MINUTE, need

from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.research.backtest import minute_bars
from orderflow_lib.research.strategies import replay_strategies

M = NS_PER_MINUTE


def test_minute_bars_when_trades_then_ohlcv_per_minute_with_trades() -> None:
    trades = np.array(
        [(5, 100, 1, 1), (M - 1, 103, 2, 1), (3 * M, 99, 3, -1), (3 * M + 7, 101, 4, 1)],
        dtype=TRADE_DTYPE,
    )
    out = minute_bars(trades)
    assert out["ts_ns"].tolist() == [0, 3 * M]
    assert [tuple(b) for b in out[["open_ticks", "high_ticks", "low_ticks", "close_ticks"]]] == [
        (100, 103, 100, 103),
        (99, 101, 99, 101),
    ]
    assert out["volume"].tolist() == [3, 7]


def test_minute_bars_when_no_trades_then_empty() -> None:
    assert len(minute_bars(np.empty(0, dtype=TRADE_DTYPE))) == 0


@pytest.mark.realdata
def test_replay_strategies_when_lean_sessions_then_days_and_analyzer(tmp_path) -> None:
    days = [date(2013, 10, 11), date(2013, 10, 14)]
    settings = Settings.model_validate({"data_dir": str(tmp_path)})

    study = replay_strategies(need(LEAN_MINUTE), days, settings=settings, progress=False)

    assert list(study.days["trade_date"]) == days
    assert list(study.days["regime"]) == ["TREND_UP", "TREND_UP"]
    assert len(study.intents) == study.analyzer.summary().trades == len(study.analyzer.trips)
    assert study.summary().loc["trades", "all"] == len(study.intents)
    assert list(study.days["trades"]) == [0, 1]
    assert study.intents["setup"].tolist() == ["EIGHTY"]
