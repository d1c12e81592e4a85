"""Diagonal imbalances and stacked zones: EX9 (spec §7.4) and the edge cases of §8."""

from __future__ import annotations

import pytest

from orderflow_lib.flow.candles import volumetric_candles
from orderflow_lib.flow.imbalance import (
    RESISTANCE,
    SUPPORT,
    ImbalanceZone,
    ZoneTracker,
    candle_imbalances,
    candle_stacks,
    footprint_imbalances,
    footprint_stacks,
)
from orderflow_lib.flow.trades import trade_arrays

P5000 = 20000
EX9 = {
    P5000 + 4: (2, 40),
    P5000 + 3: (10, 35),
    P5000 + 2: (10, 30),
    P5000 + 1: (8, 6),
    P5000: (25, 0),
}


def bar_of(table: dict[int, tuple[int, int]]):
    ts, prices, sizes, sides = [], [], [], []
    for price, (bid, ask) in table.items():
        for size, side in ((bid, -1), (ask, 1)):
            if size:
                ts.append(len(ts))
                prices.append(price)
                sizes.append(size)
                sides.append(side)
    return volumetric_candles(trade_arrays(ts, prices, sizes, sides), "1min")


def test_imbalance_when_ex9_then_three_buy_rows_and_one_sell_row():
    candles = bar_of(EX9)

    buy, sell = footprint_imbalances(candles.footprint, 3.0, 10)
    prices = candles.footprint.price_ticks

    assert prices[buy].tolist() == [P5000 + 2, P5000 + 3, P5000 + 4]
    assert prices[sell].tolist() == [P5000]


def test_stack_when_ex9_then_buy_zone_5000_50_to_5001_00():
    candles = bar_of(EX9)
    buy, sell = footprint_imbalances(candles.footprint)

    zones = footprint_stacks(candles.footprint, buy, sell, candles["last_ts_ns"], 3)

    assert [(z.side, z.low_ticks, z.high_ticks) for z in zones] == [(SUPPORT, P5000 + 2, P5000 + 4)]


def test_incremental_when_ex9_then_same_imbalances_and_zone():
    candle = bar_of(EX9).candle(0)

    buy, sell = candle_imbalances(candle.rows)
    zones = candle_stacks(candle, buy, sell)

    assert (buy, sell) == ([P5000 + 2, P5000 + 3, P5000 + 4], [P5000])
    assert [(z.low_ticks, z.high_ticks) for z in zones] == [(P5000 + 2, P5000 + 4)]


def test_imbalance_when_compared_cell_zero_then_min_volume_decides():
    candles = bar_of({11: (0, 10), 10: (0, 1), 12: (0, 9)})

    buy, _ = footprint_imbalances(candles.footprint, 3.0, 10)

    assert candles.footprint.price_ticks[buy].tolist() == [11]


def test_imbalance_when_both_cells_zero_and_no_minimum_then_none():
    candles = bar_of({10: (0, 4), 11: (3, 0)})

    buy, sell = footprint_imbalances(candles.footprint, 3.0, 0)

    assert buy.tolist() == [False, False]
    assert sell.tolist() == [False, False]


def test_imbalance_when_lowest_and_highest_rows_then_no_outer_test():
    candles = bar_of({10: (0, 50), 11: (50, 0)})

    buy, sell = footprint_imbalances(candles.footprint, 3.0, 10)

    assert not buy[0] and not sell[1]


def test_imbalance_when_tick_gap_then_untraded_tick_compares_as_zero_and_breaks_stack():
    candles = bar_of({10: (0, 20), 11: (0, 20), 13: (0, 20), 14: (0, 20), 15: (0, 20)})
    buy, sell = footprint_imbalances(candles.footprint)

    zones = footprint_stacks(candles.footprint, buy, sell, candles["last_ts_ns"], 3)

    assert candles.footprint.price_ticks[buy].tolist() == [11, 13, 14, 15]
    assert [(z.low_ticks, z.high_ticks) for z in zones] == [(13, 15)]


def test_imbalance_when_exactly_three_times_then_holds_by_exact_ratio():
    candles = bar_of({10: (10, 0), 11: (0, 30)})

    buy, _ = footprint_imbalances(candles.footprint, "3.0", 10)
    buy_strict, _ = footprint_imbalances(candles.footprint, 3.01, 10)

    assert buy.tolist() == [False, True]
    assert buy_strict.tolist() == [False, False]


def test_horizontal_mode_when_same_row_then_compares_ask_with_bid_at_price():
    candles = bar_of({10: (3, 30), 11: (40, 10)})

    buy, sell = footprint_imbalances(candles.footprint, 3.0, 10, mode="horizontal")
    inc_buy, inc_sell = candle_imbalances(candles.candle(0).rows, 3.0, 10, mode="horizontal")

    assert (buy.tolist(), sell.tolist()) == ([True, False], [False, True])
    assert (inc_buy, inc_sell) == ([10], [11])


def test_zone_when_price_trades_two_ticks_through_then_broken():
    tracker = ZoneTracker(stack_break_ticks=2)
    tracker.add(ImbalanceZone(SUPPORT, 100, 102, 5, 0))
    tracker.add(ImbalanceZone(RESISTANCE, 110, 112, 5, 0))

    assert tracker.on_trade(10, 99) == []
    broken = tracker.on_trade(11, 98)
    ended = tracker.end_session(20)

    assert [(z.low_ticks, z.ended_ns, z.broken) for z in broken] == [(100, 11, True)]
    assert [(z.low_ticks, z.ended_ns, z.broken) for z in ended] == [(110, 20, False)]


def test_imbalance_when_mode_unknown_then_value_error():
    with pytest.raises(ValueError, match="imbalance mode must be"):
        candle_imbalances((), mode="sideways")  # type: ignore[arg-type]
