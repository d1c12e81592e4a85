"""Each batch engine of the node equals its incremental `flow` / `profiles` engine trade by trade,
for any batching (one event at a time, odd sizes, all at once)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from node_support import TRADE_DATE, batches, small_session

from orderflow_lib.core.config import OrderFlowSettings, TapeSettings
from orderflow_lib.engine.bars import BarBuilder
from orderflow_lib.engine.running import (
    RunningTrades,
    SessionWindows,
    TradeRun,
    optional,
    tape_params,
)
from orderflow_lib.flow.detect import BarSignalEngine
from orderflow_lib.flow.tape import TapeParams
from orderflow_lib.kernels import session_trades as col
from orderflow_lib.market.calendar import default_calendar
from tests.reference.candles import CandleBuilder
from tests.reference.tape import TapePressure
from tests.reference.vwap import VwapEngine

SIZES = [[1], [7, 1, 13], [997], [10**9]]


def _trades():
    trades = small_session().trades
    return trades[:6_000]


@pytest.mark.parametrize("sizes", [[5, 1, 300], [2_000], [10**9]])
def test_bar_builder_when_batched_then_candles_and_signals_equal_candle_builder_and_engine(sizes):
    trades = _trades()
    settings = OrderFlowSettings(abs_min_vol=20, abs_median_bars=5)
    builder = CandleBuilder("1min")
    engine = BarSignalEngine(settings)
    expected_candles, expected_signals = [], []
    for ts, price, size, side in trades.tolist():
        for candle in builder.on_trade(ts, price, size, side):
            expected_candles.append(candle)
            expected_signals.extend(engine.on_candle(candle))
        engine.on_trade(ts, price)

    bars = BarBuilder(settings)
    got_candles, got_signals = [], []
    start = 0
    for chunk in batches(trades, sizes):
        idx = np.arange(start, start + chunk.shape[0])
        start += chunk.shape[0]
        for bar in bars.add(
            chunk["ts_ns"], chunk["price_ticks"], chunk["size"], chunk["side"], idx
        ):
            got_candles.append(bar.candle)
            got_signals.extend(bar.signals)

    assert got_candles == expected_candles
    assert got_signals == expected_signals
    assert bars.detectors.all_zones() == engine.all_zones()
    assert bars.detectors.all_magnets() == engine.all_magnets()
    assert bars.open_candle() == builder.flush()[0]


def test_bar_builder_when_first_trade_of_bar_then_bar_closes_at_the_event_before_it():
    trades = _trades()[:400]
    bars = BarBuilder()
    closed = bars.add(
        trades["ts_ns"],
        trades["price_ticks"],
        trades["size"],
        trades["side"],
        np.arange(400) + 1_000,
    )

    minute = 60_000_000_000
    for bar in closed:
        i = bar.at + 1 - 1_000
        assert trades["ts_ns"][i] // minute != trades["ts_ns"][i - 1] // minute
        assert bar.candle.last_ts_ns == trades["ts_ns"][i - 1]


def _running(tape: TapeParams, anchor: int | None, rth_open: int | None = None) -> RunningTrades:
    ib_end = None if rth_open is None else rth_open + 3_600_000_000_000
    return RunningTrades(tape, SessionWindows(anchor, rth_open, ib_end))


def _run_all(running: RunningTrades, trades: np.ndarray, sizes: list[int]) -> list[TradeRun]:
    return [
        running.add(c["ts_ns"], c["price_ticks"], c["size"], c["side"])
        for c in batches(trades, sizes)
    ]


@pytest.mark.parametrize("mode", ["time", "trades"])
@pytest.mark.parametrize("sizes", SIZES)
def test_running_tape_when_batched_then_pressure_and_signals_equal_tape_pressure(sizes, mode):
    trades = _trades()
    params = replace(tape_params(TapeSettings(min_vol=20)), mode=mode)
    incremental = TapePressure(params)
    expected, sums = [], []
    for row in trades.tolist():
        if (s := incremental.on_trade(*row)) is not None:
            expected.append(s)
        sums.append((incremental.buy, incremental.sell, incremental.trades))

    running = _running(params, None)
    runs = _run_all(running, trades, sizes)

    assert [s for run in runs for s in run.signals] == expected and len(expected) > 5
    ints = np.concatenate([run.ints for run in runs])
    got = [tuple(row) for row in ints[:, [col.O_BUY, col.O_SELL, col.O_IN_WINDOW]].tolist()]
    assert got == sums
    assert running.trades_in_window == incremental.trades
    assert ints[-1, col.O_LARGE_LOT_DELTA] == incremental.large_buy - incremental.large_sell


def test_running_tape_when_window_holds_more_trades_than_the_ring_then_ring_grows():
    trades = _trades()
    params = TapeParams(window_s=3_600, min_vol=20)
    incremental = TapePressure(params)
    for row in trades.tolist():
        incremental.on_trade(*row)

    running = _running(params, None)
    _run_all(running, trades, [1, 700, 3])

    assert running.trades_in_window == incremental.trades > 1_024
    assert tuple(running.state[[col.S_BUY, col.S_SELL]]) == (incremental.buy, incremental.sell)


@pytest.mark.parametrize("sizes", SIZES)
def test_running_vwap_when_batched_then_equal_vwap_engine_at_every_trade(sizes):
    trades = _trades()
    anchor = int(trades["ts_ns"][1_000])
    engine = VwapEngine([anchor])
    expected = [engine.on_trade(ts, p, s) for ts, p, s, _ in trades.tolist()]

    floats = np.concatenate(
        [run.floats for run in _run_all(_running(TapeParams(), anchor), trades, sizes)]
    )
    got = list(zip(floats[:, col.F_VWAP].tolist(), floats[:, col.F_SIGMA].tolist(), strict=True))

    assert all(
        (math.isnan(a) and math.isnan(b)) or a == b
        for (a, sa), (b, sb) in zip(got, expected, strict=True)
        for a, b in ((a, b), (sa, sb))
    )
    assert got[-1] == expected[-1]


@pytest.mark.parametrize("sizes", SIZES)
def test_running_values_when_batched_then_equal_a_plain_loop(sizes):
    trades = _trades()
    rth_open = int(trades["ts_ns"][2_000])
    ib_end = rth_open + 3_600_000_000_000
    expected = []
    volume = cd = 0
    high = low = on_high = on_low = ib_high = ib_low = None
    for ts, price, size, side in trades.tolist():
        volume += size
        cd += size if side > 0 else -size if side < 0 else 0
        high, low = max(high or price, price), min(low or price, price)
        if ts < rth_open:
            on_high, on_low = max(on_high or price, price), min(on_low or price, price)
        elif ts < ib_end:
            ib_high, ib_low = max(ib_high or price, price), min(ib_low or price, price)
        expected.append((volume, high, low, cd, on_high, on_low, ib_high, ib_low))

    runs = _run_all(_running(TapeParams(), None, rth_open), trades, sizes)
    ints = np.concatenate([run.ints for run in runs])
    columns = (
        col.O_VOLUME,
        col.O_HIGH,
        col.O_LOW,
        col.O_CD,
        col.O_ON_HIGH,
        col.O_ON_LOW,
        col.O_IB_HIGH,
        col.O_IB_LOW,
    )
    got = [tuple(optional(v) for v in row) for row in ints[:, columns].tolist()]

    assert got == expected
    assert expected[-1][6] is not None and expected[0][6] is None


def test_calendar_window_when_session_built_then_rth_inside_globex():
    from orderflow_lib.engine.pipeline import SessionSpec

    spec = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", default_calendar())

    assert spec.open_ns < spec.rth_open_ns < spec.rth_close_ns <= spec.close_ns  # type: ignore[operator]
    assert spec.vwap_anchor_ns == spec.rth_open_ns
    assert spec.ib_end_ns == spec.rth_open_ns + 3_600_000_000_000  # type: ignore[operator]
