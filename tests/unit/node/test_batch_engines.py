"""Each batch engine of the node equals its incremental `flow` / `profiles` engine trade by trade,
for any batching (one event at a time, odd sizes, all at once)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from node_support import TRADE_DATE, batches, morning_events, small_session

from orderflow_lib.core.config import OrderFlowSettings, TapeSettings
from orderflow_lib.feeds.events import KIND_DEPTH, KIND_TRADE
from orderflow_lib.flow.book import PositionBook
from orderflow_lib.flow.candles import CandleBuilder
from orderflow_lib.flow.detect import BarSignalEngine
from orderflow_lib.flow.tape import TapePressure
from orderflow_lib.flow.vwap import VwapEngine
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import DepthUpdate
from orderflow_lib.node.bars import BarBuilder
from orderflow_lib.node.dom import DomTracker
from orderflow_lib.node.tape import BatchTape, tape_params
from orderflow_lib.node.vwap import BatchVwap

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


def test_bar_builder_when_first_trade_of_bar_then_closing_index_is_that_trade():
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
        i = bar.closing_index - 1_000
        assert trades["ts_ns"][i] // minute != trades["ts_ns"][i - 1] // minute
        assert bar.candle.last_ts_ns == trades["ts_ns"][i - 1]


@pytest.mark.parametrize("sizes", SIZES)
def test_batch_tape_when_batched_then_pressure_and_signals_equal_tape_pressure(sizes):
    trades = _trades()
    params = tape_params(TapeSettings(min_vol=20))
    incremental = TapePressure(params)
    expected = [s for row in trades.tolist() if (s := incremental.on_trade(*row)) is not None]

    tape = BatchTape(params)
    got = []
    for chunk in batches(trades, sizes):
        got.extend(
            tape.add(chunk["ts_ns"], chunk["price_ticks"], chunk["size"], chunk["side"]).signals
        )

    assert got == expected and len(expected) > 5
    assert tape.state == incremental.state
    assert tape.large_lot_delta == incremental.large_buy - incremental.large_sell
    assert tape.trades_in_window == incremental.trades


@pytest.mark.parametrize("sizes", SIZES)
def test_batch_vwap_when_batched_then_equal_vwap_engine_at_every_trade(sizes):
    trades = _trades()
    anchor = int(trades["ts_ns"][1_000])
    engine = VwapEngine([anchor])
    expected = [engine.on_trade(ts, p, s) for ts, p, s, _ in trades.tolist()]

    vwap = BatchVwap(anchor)
    got = []
    for chunk in batches(trades, sizes):
        v, sigma = vwap.add(chunk["ts_ns"], chunk["price_ticks"], chunk["size"])
        got.extend(zip(v.tolist(), sigma.tolist(), strict=True))

    assert all(
        (math.isnan(a) and math.isnan(b)) or a == b
        for (a, sa), (b, sb) in zip(got, expected, strict=True)
        for a, b in ((a, b), (sa, sb))
    )
    assert vwap.vwap_ticks == engine.vwap_ticks


@pytest.mark.parametrize("sizes", [[1], [13, 400], [10**9]])
def test_dom_tracker_when_metrics_off_then_book_equals_position_book(sizes):
    events = morning_events()
    depth = events[events["kind"] == KIND_DEPTH][:20_000]
    book = PositionBook(10)
    frame = None
    for row in depth.tolist():
        ts, _, side, price, size, *_, pos, op = row
        frame = book.apply(DepthUpdate(ts, side, pos, op, price, size))

    tracker = DomTracker(10, None)
    for chunk in batches(depth, sizes):
        assert tracker.add(chunk) == []

    assert frame is not None
    assert (tracker.bids, tracker.asks) == (frame.bids, frame.asks)


def test_dom_tracker_when_metrics_on_then_book_and_signals_equal_book_and_dom_engine():
    from orderflow_lib.flow.dom import DomEngine, DomParams

    events = morning_events()[:30_000]
    params = DomParams()
    book, engine = PositionBook(10), DomEngine(params, book_levels=10)
    expected = []
    for i, row in enumerate(events.tolist()):
        ts, kind, side, price, size, *_, pos, op = row
        if kind == KIND_TRADE:
            expected += [(i, s) for s in engine.on_trade(ts, price, size, side)]
        elif kind == KIND_DEPTH:
            expected += [
                (i, s)
                for s in engine.on_frame(book.apply(DepthUpdate(ts, side, pos, op, price, size)))[2]
            ]

    tracker = DomTracker(10, params)
    got = []
    start = 0
    for chunk in batches(events, [777]):
        got += [(start + i, s) for i, s in tracker.add(chunk)]
        start += chunk.shape[0]

    assert got == expected


def test_calendar_window_when_session_built_then_rth_inside_globex():
    from orderflow_lib.node.pipeline import SessionSpec

    spec = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", default_calendar())

    assert spec.open_ns < spec.rth_open_ns < spec.rth_close_ns <= spec.close_ns  # type: ignore[operator]
    assert spec.vwap_anchor_ns == spec.rth_open_ns
    assert spec.ib_end_ns == spec.rth_open_ns + 3_600_000_000_000  # type: ignore[operator]
