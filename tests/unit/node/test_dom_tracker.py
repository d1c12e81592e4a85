"""DomTracker (one resumable kernel) equals OrderBook + DomEngine event by event for any batching:
the signals with their event index, the final book, imbalance and bad-update count; bad input,
resets and crossed books included, on synthetic and real data."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from node_support import ESH4_HOUR, batches, morning_events

from orderflow_lib.engine.dom import DomTracker
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import (
    DEPTH_RESET,
    KIND_DEPTH,
    KIND_QUOTE,
    KIND_TRADE,
    MARKET_EVENT_DTYPE,
)
from orderflow_lib.flow.dom import DomParams
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.market.events import DEPTH_DELETE, DEPTH_INSERT, DEPTH_UPDATE, DepthUpdate
from tests.reference.book import OrderBook
from tests.reference.dom import DomEngine

SIZES = [[1], [7, 1, 13], [777], [10**9]]
S = 1_000_000_000
FAST = DomParams(
    imbalance_levels=2,
    sustain_s=1,
    window_s=2,
    pull_min=5,
    near_ticks=2,
    iceberg_window_s=3,
    iceberg_min_vol=20,
)
"""Small thresholds so that short random streams raise every kind of signal."""


@dataclass(frozen=True)
class DomState:
    """What a DOM run leaves: signals (event index, signal), book, imbalance (None for NaN)."""

    signals: list[tuple[int, Signal]]
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]
    imbalance: float | None
    weighted: float | None
    bad_updates: int


def _nan_none(x: float) -> float | None:
    """NaN as None, so that states compare equal."""
    return None if math.isnan(x) else x


def reference(events: np.ndarray, levels: int, params: DomParams | None) -> DomState:
    """OrderBook + DomEngine stepped event by event (DEPTH_RESET resets the book)."""
    book = OrderBook(levels)
    engine = DomEngine(params, book_levels=levels) if params is not None else None
    signals: list[tuple[int, Signal]] = []
    bids: tuple[tuple[int, int], ...] = ()
    asks: tuple[tuple[int, int], ...] = ()
    imbalance = weighted = math.nan
    for i, (ts, kind, side, price, size, *_, pos, op) in enumerate(events.tolist()):
        if kind == KIND_TRADE and engine is not None:
            signals += [(i, s) for s in engine.on_trade(ts, price, size, side)]
        elif kind == KIND_DEPTH and op == DEPTH_RESET:
            book.reset()
            bids, asks = (), ()
        elif kind == KIND_DEPTH:
            frame = book.apply(DepthUpdate(ts, side, pos, op, price, size))
            bids, asks = frame.bids, frame.asks
            if engine is not None:
                imbalance, weighted, got = engine.on_frame(frame)
                signals += [(i, s) for s in got]
    return DomState(
        signals, bids, asks, _nan_none(imbalance), _nan_none(weighted), book.bad_updates
    )


def tracked(
    events: np.ndarray, sizes: list[int], levels: int, params: DomParams | None
) -> DomState:
    """DomTracker fed `events` in batches of the given sizes."""
    tracker = DomTracker(levels, params)
    signals: list[tuple[int, Signal]] = []
    start = 0
    for chunk in batches(events, sizes):
        signals += [(start + i, s) for i, s in tracker.add(chunk)]
        start += chunk.shape[0]
    return DomState(
        signals,
        tracker.bids,
        tracker.asks,
        _nan_none(tracker.imbalance),
        _nan_none(tracker.weighted_imbalance),
        tracker.bad_updates,
    )


def events_of(rows: list[tuple[int, ...]]) -> np.ndarray:
    """Events of (ts, kind, side, price, size, position, operation) rows."""
    out = np.zeros(len(rows), dtype=MARKET_EVENT_DTYPE)
    for k, (ts, kind, side, price, size, pos, op) in enumerate(rows):
        out[k] = (ts, kind, side, price, size, 0, 0, 0, 0, pos, op)
    return out


def depth(ts: int, side: int, pos: int, op: int, price: int = 0, size: int = 0) -> tuple:
    """A depth event row."""
    return (ts, KIND_DEPTH, side, price, size, pos, op)


def trade(ts: int, price: int, size: int, side: int) -> tuple:
    """A trade event row."""
    return (ts, KIND_TRADE, side, price, size, 0, 0)


@pytest.fixture(scope="module")
def morning() -> tuple[np.ndarray, DomState]:
    """The synthetic morning and its reference run (DomParams defaults)."""
    events = morning_events()
    return events, reference(events, 10, DomParams())


@pytest.fixture(scope="module")
def esh4() -> tuple[np.ndarray, DomState]:
    """The ESH4 MBO hour as events and its reference run (skips when the data is absent)."""
    if not ESH4_HOUR.exists():
        pytest.skip(f"real data missing: {ESH4_HOUR}")
    events, _ = dbn_events(ESH4_HOUR)
    return events, reference(events, 10, DomParams())


@pytest.mark.parametrize("sizes", SIZES)
def test_dom_tracker_when_metrics_on_then_equals_book_and_dom_engine(sizes, morning):
    events, expected = morning

    got = tracked(events, sizes, 10, DomParams())

    assert got == expected
    assert len(expected.signals) > 20 and expected.imbalance is not None


@pytest.mark.realdata
@pytest.mark.parametrize("sizes", SIZES)
def test_dom_tracker_when_esh4_hour_then_equals_book_and_dom_engine(sizes, esh4):
    events, expected = esh4

    got = tracked(events, sizes, 10, DomParams())

    assert got == expected
    assert {s.kind for _, s in expected.signals} >= {SignalKind.PULLING, SignalKind.STACKING}


@pytest.mark.parametrize("sizes", SIZES)
def test_dom_tracker_when_metrics_off_then_book_only_and_no_signals(sizes, morning):
    events, with_metrics = morning

    got = tracked(events, sizes, 10, None)

    assert got == DomState(
        [], with_metrics.bids, with_metrics.asks, None, None, with_metrics.bad_updates
    )


BAD_INPUT = [
    depth(1 * S, 1, 0, DEPTH_INSERT, 100, 50),
    depth(1 * S, -1, 0, DEPTH_INSERT, 101, 60),
    depth(2 * S, 0, 0, DEPTH_INSERT, 99, 5),
    depth(2 * S, 2, 0, DEPTH_UPDATE, 99, 5),
    depth(3 * S, 1, 1, DEPTH_UPDATE, 99, 5),
    depth(3 * S, -1, 3, DEPTH_DELETE),
    depth(3 * S, 1, 2, DEPTH_INSERT, 98, 5),
    depth(4 * S, 1, -1, DEPTH_INSERT, 97, 5),
    depth(4 * S, 1, 0, 7, 97, 5),
    depth(4 * S, 1, 0, DEPTH_UPDATE, 100, -5),
    depth(4 * S, -1, 0, DEPTH_INSERT, NO_PRICE, 5),
    depth(4 * S, 1, 1, DEPTH_INSERT, 99, 40),
    depth(4 * S, 1, 2, DEPTH_INSERT, 98, 30),
    depth(4 * S, 1, 3, DEPTH_INSERT, 97, 5),
    depth(5 * S, 1, 0, DEPTH_UPDATE, 101, 50),
    depth(5 * S, 1, 0, DEPTH_UPDATE, 102, 50),
    depth(6 * S, 1, 0, DEPTH_UPDATE, 100, 10),
    trade(6 * S, 100, 30, -1),
    depth(7 * S, -1, 0, DEPTH_INSERT, 101, 90),
    (7 * S, KIND_QUOTE, 0, 0, 0, 0, 0),
    depth(8 * S, 0, 0, DEPTH_RESET),
    depth(9 * S, -1, 0, DEPTH_INSERT, 103, 20),
    depth(9 * S, 1, 0, DEPTH_INSERT, 102, 25),
    depth(10 * S, 1, 0, DEPTH_RESET),
    depth(10 * S, 1, 0, DEPTH_RESET),
    depth(11 * S, 1, 0, DEPTH_INSERT, 100, 70),
    depth(11 * S, -1, 0, DEPTH_INSERT, 101, 10),
    depth(12 * S, -1, 1, DEPTH_INSERT, 102, 15),
]
"""Ten bad updates (unknown sides, update/delete/insert past the end, a negative position, an
unknown operation, a negative size, a missing price, an insert beyond the 3-level depth), locked
and crossed books, and resets (twice in a row) before the book is rebuilt."""
RESET_CUTS = [[20, 8], [21, 7], [23, 1, 4]]
"""Batchings of BAD_INPUT that put a reset first in a batch, last in one, and alone in one."""


@pytest.mark.parametrize("sizes", [*SIZES, *RESET_CUTS])
@pytest.mark.parametrize("params", [FAST, None])
def test_dom_tracker_when_bad_input_and_resets_then_equals_reference_and_book_intact(sizes, params):
    events = events_of(BAD_INPUT)

    got = tracked(events, sizes, 3, params)

    assert got == reference(events, 3, params)
    assert got.bad_updates == 10
    assert (got.bids, got.asks) == (((100, 70),), ((101, 10), (102, 15)))


def test_dom_tracker_when_negative_size_would_zero_the_weighted_sum_then_refused_not_a_crash():
    tracker = DomTracker(3, FAST)
    book = [
        depth(1 * S, 1, 0, DEPTH_INSERT, 100, 2),
        depth(1 * S, 1, 1, DEPTH_INSERT, 99, 2),
        depth(1 * S, -1, 0, DEPTH_INSERT, 101, 6),
    ]
    tracker.add(events_of(book))

    tracker.add(events_of([depth(2 * S, -1, 0, DEPTH_UPDATE, 101, -3)]))

    assert tracker.bad_updates == 1 and math.isnan(tracker.imbalance)
    assert (tracker.bids, tracker.asks) == (((100, 2), (99, 2)), ((101, 6),))
    tracker.add(events_of([depth(3 * S, -1, 0, DEPTH_UPDATE, 101, 8)]))
    assert tracker.imbalance == pytest.approx(-4 / 12)


def test_dom_tracker_when_reset_ends_batch_then_book_empty_and_imbalance_kept_to_next_frame():
    tracker = DomTracker(3, FAST)
    tracker.add(events_of(BAD_INPUT[:2]))

    tracker.add(events_of([depth(3 * S, 1, 0, DEPTH_RESET)]))

    assert (tracker.bids, tracker.asks) == ((), ())
    assert tracker.imbalance == pytest.approx(-10 / 110)


def test_dom_tracker_when_prices_far_apart_then_equal_reference():
    far = 10**12
    rows = [
        depth(1 * S, 1, 0, DEPTH_INSERT, 10, 500),
        depth(1 * S, -1, 0, DEPTH_INSERT, far, 400),
        depth(2 * S, -1, 0, DEPTH_INSERT, 11, 300),
        trade(2 * S, 11, 200, 1),
        depth(3 * S, -1, 0, DEPTH_UPDATE, 11, 100),
        depth(3 * S, 1, 0, DEPTH_UPDATE, -far, 100),
        trade(4 * S, far, 300, 1),
        depth(5 * S, -1, 0, DEPTH_DELETE),
    ]
    events = events_of(rows)

    got = tracked(events, [1], 3, FAST)

    assert got == reference(events, 3, FAST)
    assert (got.bids, got.asks) == (((-far, 100),), ((far, 400),))


PRICES = {1: (98, 104), -1: (103, 109)}
"""Bid and ask price ranges: they overlap so that books sometimes lock or cross."""


def bad_rows(ts: int, side: int, count: int, size: int) -> list[tuple]:
    """Depth rows a side of `count` levels rejects: unknown side, negative position, unknown
    operation, update and insert past the end."""
    return [
        depth(ts, 0, 0, DEPTH_INSERT, 100, size),
        depth(ts, side, -1, DEPTH_INSERT, 100, size),
        depth(ts, side, 0, 5, 100, size),
        depth(ts, side, count, DEPTH_UPDATE, 100, size),
        depth(ts, side, count + 1, DEPTH_INSERT, 100, size),
    ]


def book_row(
    draw: st.DrawFn, book: dict[int, list[int]], levels: int, ts: int, side: int, size: int
) -> tuple:
    """An insert, update or delete valid against the model `book` (prices best first), which
    follows it; an update may move a price by a tick or two, unsorting the side."""
    prices = book[side]
    action = draw(st.sampled_from(["update"] * 5 + ["insert"] * 3 + ["delete"] * 2))
    if action == "insert" or not prices:
        price = draw(st.integers(*PRICES[side]))
        pos = sum(1 for p in prices if (p - price) * side > 0)
        if price in prices:
            return depth(ts, side, pos, DEPTH_UPDATE, price, size)
        if pos < levels:
            prices.insert(pos, price)
            del prices[levels:]
        return depth(ts, side, pos, DEPTH_INSERT, price, size)
    pos = draw(st.integers(0, len(prices) - 1))
    if action == "delete":
        del prices[pos]
        return depth(ts, side, pos, DEPTH_DELETE)
    prices[pos] += draw(st.sampled_from([0] * 12 + [side, -side, 2 * side]))
    return depth(ts, side, pos, DEPTH_UPDATE, prices[pos], size)


@st.composite
def streams(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """(events, levels): book updates on a few ticks (levels come and go at the same prices),
    trades, bad updates and resets, 0 to 1.5 s apart."""
    levels = draw(st.integers(1, 4))
    book: dict[int, list[int]] = {1: [], -1: []}
    rows = []
    ts = 0
    for _ in range(draw(st.integers(30, 200))):
        ts += draw(st.sampled_from([0, 0, S // 4, S // 2, 3 * S // 2]))
        side = draw(st.sampled_from([1, -1]))
        size = draw(st.integers(0, 60))
        what = draw(st.sampled_from(["book"] * 10 + ["trade"] * 3 + ["bad", "reset"]))
        if what == "trade":
            aggressor = draw(st.sampled_from([1, -1, 0]))
            rows.append(trade(ts, draw(st.integers(100, 107)), size + 1, aggressor))
        elif what == "bad":
            rows.append(draw(st.sampled_from(bad_rows(ts, side, len(book[side]), size))))
        elif what == "reset":
            book = {1: [], -1: []}
            rows.append(depth(ts, side, 0, DEPTH_RESET))
        else:
            rows.append(book_row(draw, book, levels, ts, side, size))
    return events_of(rows), levels


@settings(max_examples=200, deadline=None)
@given(
    stream=streams(),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    metrics=st.booleans(),
)
def test_dom_tracker_when_random_stream_and_batches_then_equals_reference(stream, sizes, metrics):
    events, levels = stream
    params = FAST if metrics else None

    assert tracked(events, sizes, levels, params) == reference(events, levels, params)
