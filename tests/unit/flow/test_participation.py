"""Unfinished auctions and lack of participation (spec §7.7)."""

from __future__ import annotations

import pytest

from orderflow_lib.flow.candles import volumetric_candles
from orderflow_lib.flow.participation import (
    HIGH,
    LOW,
    MagnetTracker,
    footprint_unfinished,
    lack_of_participation,
    unfinished_at,
)
from orderflow_lib.flow.signals import SignalKind
from orderflow_lib.flow.trades import trade_arrays

P5000 = 20000
MIN = 60_000_000_000
EX9 = [
    (P5000 + 4, 2, 40),
    (P5000 + 3, 10, 35),
    (P5000 + 2, 10, 30),
    (P5000 + 1, 8, 6),
    (P5000, 25, 0),
]


def ex9_then(later: list[tuple[int, int]]):
    ts, prices, sizes, sides = [], [], [], []
    for price, bid, ask in EX9:
        for size, side in ((bid, -1), (ask, 1)):
            if size:
                ts.append(len(ts))
                prices.append(price)
                sizes.append(size)
                sides.append(side)
    for t, price in later:
        ts.append(t)
        prices.append(price)
        sizes.append(1)
        sides.append(1)
    return trade_arrays(ts, prices, sizes, sides)


def test_lack_of_participation_when_750_per_bar_after_1800_then_flagged():
    assert lack_of_participation(3000, 4, 9000, 5)


def test_lack_of_participation_when_1000_per_bar_after_1800_then_not_flagged():
    assert not lack_of_participation(4000, 4, 9000, 5)


def test_lack_of_participation_when_exactly_half_then_not_flagged():
    assert not lack_of_participation(900, 1, 1800, 1)


def test_lack_of_participation_when_stop_outs_then_flagged_despite_volume():
    assert lack_of_participation(4000, 4, 9000, 5, stop_outs=True)


def test_lack_of_participation_when_swing_has_no_bars_then_value_error():
    with pytest.raises(ValueError, match="swings need at least one bar"):
        lack_of_participation(10, 0, 10, 1)


def test_unfinished_when_ex9_then_high_unfinished_and_low_finished():
    candle = volumetric_candles(ex9_then([]), "1min").candle(0)

    extremes = unfinished_at(candle)

    assert [(u.side, u.price_ticks) for u in extremes] == [(HIGH, P5000 + 4)]
    assert extremes[0].signal().kind == SignalKind.FP_UNFINISHED_HIGH


def test_unfinished_when_later_trade_at_price_then_completed_at_its_time():
    trades = ex9_then([(MIN + 5, P5000 + 3), (MIN + 9, P5000 + 4), (MIN + 20, P5000 + 4)])
    candles = volumetric_candles(trades, "1min")

    batch = footprint_unfinished(candles, trades)
    tracker = MagnetTracker()
    for magnet in unfinished_at(candles.candle(0)):
        tracker.add(magnet)
    for t, p in zip(trades.ts_ns[9:], trades.price_ticks[9:], strict=True):
        tracker.on_trade(int(t), int(p))

    assert [(u.price_ticks, u.completed_ns) for u in batch] == [(P5000 + 4, MIN + 9)]
    assert tracker.completed == [u for u in batch if u.completed_ns is not None]


def test_unfinished_when_single_row_bar_traded_both_sides_then_high_and_low():
    candle = volumetric_candles(trade_arrays([1, 2], [7, 7], [1, 1], [1, -1]), "1min").candle(0)

    assert [u.side for u in unfinished_at(candle)] == [HIGH, LOW]
