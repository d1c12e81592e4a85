"""PerformanceAnalyzer: FIFO round trips from fills, P&L in ticks/USD/GBP (spec §1.1 numbers), win
rate, expectancy, profit factor, drawdown, daily series with Sharpe, and tag breakdowns."""

import datetime as dt
import math
from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.execution.events import Fill
from orderflow_lib.execution.performance import (
    PerformanceAnalyzer,
    max_drawdown,
    round_trips,
    sharpe_ratio,
)
from orderflow_lib.risk.records import OrderAction

BUY, SELL = OrderAction.BUY, OrderAction.SELL


def tk(price: float) -> int:
    return round(price * 4)


def at(day: int, hour: int = 10, minute: int = 0) -> int:
    return ny_to_ns(dt.date(2024, 3, day), dt.time(hour, minute))


def fill(order_id, action, qty, price, ts, instrument="MES", fill_id=None):
    return Fill(
        order_id,
        f"b{order_id}",
        fill_id or f"f{order_id}",
        instrument,
        action,
        qty,
        tk(price),
        qty,
        ts,
    )


def test_round_trip_when_long_2_mes_5000_to_5003_25_then_32_50_usd():
    trips, open_pos = round_trips(
        [fill("1", BUY, 2, 5000.00, at(4)), fill("2", SELL, 2, 5003.25, at(4, 11))]
    )
    assert open_pos == {}
    assert (trips[0].pnl_ticks, trips[0].pnl_usd) == (26, 32.50)


def test_round_trip_when_one_es_then_162_50_and_short_mes_then_16_25():
    es, _ = round_trips(
        [fill("1", BUY, 1, 5000.00, at(4), "ES"), fill("2", SELL, 1, 5003.25, at(4, 11), "ES")]
    )
    short, _ = round_trips(
        [fill("3", SELL, 1, 5003.25, at(4)), fill("4", BUY, 1, 5000.00, at(4, 11))]
    )
    assert es[0].pnl_usd == 162.50
    assert short[0].pnl_usd == 16.25 and short[0].side == -1


def test_round_trips_when_partial_closes_then_fifo_lots_and_open_remainder():
    fills = [
        fill("1", BUY, 2, 5000.00, at(4, 10, 0)),
        fill("2", BUY, 1, 5001.00, at(4, 10, 5)),
        fill("3", SELL, 2, 5002.00, at(4, 10, 10)),
    ]
    trips, open_pos = round_trips(fills)
    assert [(t.entry_order_id, t.quantity, t.entry_ticks) for t in trips] == [("1", 2, tk(5000.00))]
    assert open_pos == {"MES": 1}


def test_round_trips_when_one_fill_flips_the_position_then_close_and_open_the_rest():
    trips, open_pos = round_trips(
        [fill("1", BUY, 1, 5000.00, at(4)), fill("2", SELL, 3, 5001.00, at(4, 11))]
    )
    assert [(t.side, t.quantity) for t in trips] == [(1, 1)]
    assert open_pos == {"MES": -2}


def test_round_trips_when_fill_repeated_then_counted_once():
    f = fill("1", BUY, 1, 5000.00, at(4))
    trips, open_pos = round_trips([f, f, fill("2", SELL, 1, 5001.00, at(4, 11))])
    assert len(trips) == 1 and open_pos == {}


def test_round_trips_when_tags_given_then_trip_carries_the_opening_orders_tags():
    trips, _ = round_trips(
        [fill("1", BUY, 1, 5000.00, at(4)), fill("2", SELL, 1, 5001.00, at(4, 11))],
        {"1": {"setup": "BVP", "regime": "TREND_UP", "scenario": "S1"}},
    )
    assert trips[0].tags["setup"] == "BVP"


FILLS = [
    fill("1", BUY, 1, 5000.00, at(4, 10)),
    fill("2", SELL, 1, 5004.00, at(4, 11)),  # +16 ticks
    fill("3", SELL, 1, 5010.00, at(5, 10)),
    fill("4", BUY, 1, 5012.00, at(5, 11)),  # -8 ticks
    fill("5", BUY, 1, 5000.00, at(7, 10)),
    fill("6", SELL, 1, 4997.00, at(7, 11)),  # -12 ticks
    fill("7", BUY, 1, 5000.00, at(7, 12)),
    fill("8", SELL, 1, 5010.00, at(7, 13)),  # +40 ticks
]
TAGS = {
    "1": {"setup": "BVP", "regime": "TREND_UP"},
    "3": {"setup": "ROTATE", "regime": "BALANCE"},
    "5": {"setup": "BVP", "regime": "TREND_UP"},
    "7": {"setup": "RTV", "regime": "TREND_UP"},
}


def _analyzer():
    return PerformanceAnalyzer.from_fills(FILLS, TAGS, gbp_per_usd=0.8)


def test_summary_when_four_trades_then_hand_computed_statistics():
    s = _analyzer().summary()
    assert (s.trades, s.wins, s.losses) == (4, 2, 2)
    assert s.win_rate == Fraction(1, 2)
    assert s.pnl_ticks == 36
    assert s.pnl_usd == 45.0
    assert s.pnl_gbp == pytest.approx(36.0)
    assert s.expectancy_ticks == 9
    assert s.gross_profit_usd == 70.0 and s.gross_loss_usd == 25.0
    assert s.profit_factor == pytest.approx(2.8)
    assert s.max_drawdown_usd == -25.0
    assert s.max_drawdown_gbp == pytest.approx(-20.0)


def test_daily_pnl_when_a_trade_date_has_no_trades_then_zero_row():
    daily = _analyzer().daily_pnl()
    assert list(daily.index) == [
        dt.date(2024, 3, 4),
        dt.date(2024, 3, 5),
        dt.date(2024, 3, 6),
        dt.date(2024, 3, 7),
    ]
    assert daily["pnl_usd"].tolist() == [20.0, -10.0, 0.0, 35.0]
    assert daily["trades"].tolist() == [1, 1, 0, 2]


def test_sharpe_when_daily_series_then_matches_numpy_reference():
    daily = np.array([20.0, -10.0, 0.0, 35.0])
    expected = daily.mean() / daily.std(ddof=1) * math.sqrt(252)
    assert _analyzer().summary().sharpe == pytest.approx(expected)


def test_breakdown_when_tags_then_per_setup_regime_and_scenario():
    by = _analyzer().breakdown()
    assert by["setup"]["BVP"].trades == 2 and by["setup"]["BVP"].pnl_ticks == 4
    assert by["regime"]["BALANCE"].pnl_usd == -10.0
    assert set(by["scenario"]) == {"UNTAGGED"}


def test_summary_when_no_trades_then_empty_values():
    s = PerformanceAnalyzer([], gbp_per_usd=0.8).summary()
    assert (s.trades, s.win_rate, s.profit_factor, s.sharpe, s.max_drawdown_usd) == (
        0,
        None,
        None,
        None,
        0.0,
    )


def test_summary_when_only_winners_then_profit_factor_infinite():
    trips = _analyzer().trips[:1]
    assert PerformanceAnalyzer(trips, gbp_per_usd=0.8).summary().profit_factor == math.inf


def test_gbp_when_rate_per_trade_date_then_each_day_converted_at_its_rate():
    rates = {dt.date(2024, 3, d): r for d, r in ((4, 0.5), (5, 1.0), (7, 0.8))}
    s = PerformanceAnalyzer.from_fills(FILLS, gbp_per_usd=rates).summary()
    assert s.pnl_gbp == pytest.approx(20 * 0.5 - 10 * 1.0 + 35 * 0.8)


def test_gbp_when_rate_missing_or_not_positive_then_refused():
    with pytest.raises(ValueError, match="no GBP rate"):
        PerformanceAnalyzer.from_fills(FILLS, gbp_per_usd={}).summary()
    with pytest.raises(ValueError, match="gbp_per_usd must be > 0"):
        PerformanceAnalyzer([], gbp_per_usd=0)


def test_max_drawdown_and_sharpe_helpers_when_edge_inputs_then_defined():
    assert max_drawdown([]) == 0.0
    assert max_drawdown([-5.0, 10.0, -3.0]) == -5.0
    assert sharpe_ratio([1.0]) is None
    assert sharpe_ratio([2.0, 2.0]) is None
