"""Volumetric candles (spec §7.12) and the incremental builder's parity with the batch form."""

from __future__ import annotations

import numpy as np
import pytest

from orderflow_lib.flow.candles import volumetric_candles
from orderflow_lib.flow.trades import trade_arrays
from tests.reference.candles import CandleBuilder

MIN = 60_000_000_000
P5000 = 20000


def spec_trades():
    prices = [P5000, P5000 + 1, P5000, P5000 - 1, P5000]
    return trade_arrays([1, 2, 3, 4, 5], prices, [5, 10, 8, 12, 6], [1, 1, -1, -1, 1])


def test_candle_when_spec_example_then_ohlc_volume_and_delta_path():
    c = volumetric_candles(spec_trades(), "1min").candle(0)

    assert (c.open_ticks, c.high_ticks, c.low_ticks, c.close_ticks) == (
        P5000,
        P5000 + 1,
        P5000 - 1,
        P5000,
    )
    assert (c.volume, c.buy_volume, c.sell_volume) == (41, 21, 20)
    assert (c.delta, c.delta_max, c.delta_min) == (1, 15, -5)
    assert c.poc_ticks == P5000
    assert dict((r[0], r[1] + r[2]) for r in c.rows)[P5000] == 19


def test_candle_when_delta_only_rises_then_min_is_starting_zero_and_cd_candle_includes_open():
    ts = [1, 2, MIN + 1, MIN + 2]
    prices = [P5000, P5000, P5000, P5000 + 1]
    arrays = trade_arrays(ts, prices, [60, 40, 3, 2], [1, 1, 1, 1])

    c = volumetric_candles(arrays, "1min").candle(1)

    assert (c.delta, c.delta_max, c.delta_min) == (5, 5, 0)
    assert (c.cd_open, c.cd_high, c.cd_low, c.cd_close) == (100, 105, 100, 105)


def test_candle_when_delta_since_high_then_counts_from_first_print_at_high():
    arrays = trade_arrays([1, 2, 3, 4], [10, 12, 11, 12], [5, 7, 2, 4], [1, 1, -1, -1])

    c = volumetric_candles(arrays, "1min").candle(0)

    assert c.delta_since_high == 7 - 2 - 4
    assert c.delta_since_low == c.delta - 0


def test_candle_when_poc_tied_then_row_nearest_middle_then_lower():
    arrays = trade_arrays([1, 2, 3, 4], [10, 11, 12, 13], [5, 5, 5, 5], [1, 1, 1, 1])

    c = volumetric_candles(arrays, "1min").candle(0)

    assert c.poc_ticks == 11


def test_candle_when_anchor_passes_then_cd_restarts_at_zero():
    arrays = trade_arrays([1, MIN + 1], [10, 10], [7, 3], [1, -1])

    candles = volumetric_candles(arrays, "1min", anchors_ns=[MIN])

    assert candles["cd_open"].tolist() == [0, 0]
    assert candles["cd_close"].tolist() == [7, -3]


def _random_trades(seed: int, n: int):
    rng = np.random.default_rng(seed)
    ts = np.sort(rng.integers(0, 20 * MIN, n) // 10**9 * 10**9)
    prices = 20000 + np.cumsum(rng.integers(-1, 2, n))
    return trade_arrays(ts, prices, rng.integers(1, 30, n), rng.integers(-1, 2, n))


@pytest.mark.parametrize("bar", ["1min", "30s", "volume:250", "tick:17"])
def test_builder_when_fed_trade_by_trade_then_equals_batch(bar):
    trades = _random_trades(7, 3000)
    anchors = [7 * MIN + 123, 15 * MIN]
    batch = volumetric_candles(trades, bar, anchors).candles()

    builder = CandleBuilder(bar, anchors)
    live = []
    for t, p, q, s in zip(trades.ts_ns, trades.price_ticks, trades.size, trades.side, strict=True):
        live += builder.on_trade(int(t), int(p), int(q), int(s))
    live += builder.flush()

    assert live == batch


def test_builder_when_trade_late_then_counted_and_placed_in_open_bar_or_kept_aside():
    builder = CandleBuilder("1min")
    builder.on_trade(10, 5, 1, 1)
    closed = builder.on_trade(MIN + 10, 5, 1, 1)
    builder.on_trade(MIN + 5, 6, 2, -1)
    builder.on_trade(20, 7, 3, 1)

    bar = builder.flush()[0]

    assert len(closed) == 1
    assert builder.late_trades == 2
    assert bar.volume == 3
    assert builder.unplaced_trades == [(20, 7, 3, 1)]


def test_builder_when_volume_bar_fills_then_closed_by_that_trade():
    builder = CandleBuilder("volume:5")

    first = builder.on_trade(1, 10, 3, 1)
    second = builder.on_trade(2, 11, 2, -1)
    third = builder.on_trade(2, 12, 1, 1)

    assert first == []
    assert [(c.volume, c.end_ns) for c in second] == [(5, 3)]
    assert third == [] and builder.late_trades == 0
    assert [(c.start_ns, c.volume) for c in builder.flush()] == [(2, 1)]


def test_builder_when_clock_passes_time_bar_end_then_closed_without_trade():
    builder = CandleBuilder("1min")
    builder.on_trade(10, 5, 1, 1)

    assert builder.on_time(MIN - 1) == []
    assert [c.end_ns for c in builder.on_time(MIN)] == [MIN]
    assert builder.on_trade(MIN - 5, 5, 1, 1) == []
    assert builder.flush() == []
    assert (builder.late_trades, builder.unplaced_trades) == (1, [(MIN - 5, 5, 1, 1)])


def test_builder_when_size_not_positive_then_value_error():
    with pytest.raises(ValueError, match="trade size must be > 0, was 0"):
        CandleBuilder().on_trade(1, 5, 0, 1)


def test_candles_to_frame_when_built_then_one_row_per_bar_with_utc_times():
    frame = volumetric_candles(spec_trades(), "1min").to_frame()

    assert frame[["open_ticks", "volume", "delta", "poc_ticks"]].iloc[0].tolist() == [
        P5000,
        41,
        1,
        P5000,
    ]
    assert str(frame["start"].dtype) == "datetime64[ns, UTC]"
    assert frame["end"].iloc[0].value == MIN
