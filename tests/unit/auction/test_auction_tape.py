"""Prints and period summaries: bar paths, trades, the incremental builder against the batch form."""

import numpy as np
import pytest
from auction_builders import ny, prints, rth_periods

from orderflow_lib.auction.tape import (
    PeriodBuilder,
    as_windows,
    bar_path,
    period_summaries,
    prints_from_bars,
    prints_from_trades,
    prints_in,
)
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE


def test_bar_path_when_open_nearer_the_low_then_low_first():
    assert bar_path(10, 14, 9, 13) == (10, 9, 14, 13)
    assert bar_path(13, 14, 9, 10) == (13, 14, 9, 10)


def test_bar_path_when_open_in_the_middle_then_bar_direction_decides():
    assert bar_path(10, 12, 8, 11) == (10, 8, 12, 11)
    assert bar_path(10, 12, 8, 9) == (10, 12, 8, 9)


def test_prints_from_bars_when_two_bars_then_four_prints_each_in_time_order():
    bars = np.array([(200, 10, 12, 8, 9, 5), (100, 10, 14, 9, 13, 5)], dtype=BAR_DTYPE)
    out = prints_from_bars(bars)
    assert out["ts_ns"].tolist() == [100] * 4 + [200] * 4
    assert out["price_ticks"].tolist() == [10, 9, 14, 13, 10, 12, 8, 9]


def test_prints_from_bars_when_close_above_high_then_refused_by_position():
    bars = np.array([(100, 10, 12, 8, 13, 5)], dtype=BAR_DTYPE)
    with pytest.raises(ValidationError, match="bar 0"):
        prints_from_bars(bars)


def test_prints_from_trades_when_out_of_order_then_sorted_stably():
    trades = np.array([(300, 5, 1, 1), (100, 7, 1, -1), (100, 8, 1, 1)], dtype=TRADE_DTYPE)
    out = prints_from_trades(trades)
    assert out["price_ticks"].tolist() == [7, 8, 5]
    assert prints_in(out, 100, 300)["price_ticks"].tolist() == [7, 8]


def test_period_builder_when_fed_incrementally_then_matches_batch_and_skips_halted_periods():
    rows = [
        (ny(9, 31), 5000.00),
        (ny(9, 45), 5002.00),
        (ny(9, 59), 5001.00),
        (ny(10, 40), 4999.00),
        (ny(10, 50), 5003.00),
    ]
    batch = period_summaries(prints(rows), rth_periods(3))
    builder = PeriodBuilder(rth_periods(3))
    incremental = []
    for ts, price in rows:
        incremental += builder.on_print(ts, round(price * 4))
    incremental += builder.advance(ny(11, 0))
    assert batch == incremental
    assert [(p.label, p.open_tick, p.high_tick, p.low_tick, p.close_tick) for p in batch] == [
        ("A", 20000, 20008, 20000, 20004),
        ("C", 19996, 20012, 19996, 20012),
    ]


def test_as_windows_when_overlapping_periods_then_refused():
    with pytest.raises(ValidationError, match="starts before"):
        as_windows([("A", 0, 10), ("B", 5, 20)])
