"""Databento files as node events: the depth updates rebuild the exchange's book exactly.

Data: Databento GLBX.MDP3 extracts (ESH4, ESM4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); one tiny file per DBN schema from the
databento-python test data (Apache-2.0); see ../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.engine.dom import DomTracker
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import KIND_DEPTH, KIND_QUOTE, KIND_TRADE
from orderflow_lib.flow.book import replay_depth
from orderflow_lib.flow.dom import DomParams, dom_metrics
from orderflow_lib.flow.mbo import replay_mbo_messages
from orderflow_lib.flow.signals import SignalKind
from orderflow_lib.kernels.book import STATUS_CROSSED, STATUS_UNSORTED
from orderflow_lib.market.events import DEPTH_DTYPE, DepthUpdate
from orderflow_lib.market.readers import dbn_mbo_array, load_dbn_records
from tests.reference.book import OrderBook

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
SCHEMAS = DATA / "databento-schemas"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def _replay_book(events: np.ndarray) -> list[tuple[tuple, tuple, tuple]]:
    """At every quote: (book best bid/ask, quote bid/ask, ...) after applying the depth before it."""
    book = OrderBook(10)
    frame = None
    checks = []
    for row in events.tolist():
        ts, kind, side, price, size, bid, bid_size, ask, ask_size, pos, op = row
        if kind == KIND_DEPTH:
            frame = book.apply(DepthUpdate(ts, side, pos, op, price, size))
        elif kind == KIND_QUOTE:
            assert frame is not None
            checks.append((frame.bids[0], frame.asks[0], (bid, bid_size), (ask, ask_size)))
    return checks


@pytest.mark.realdata
def test_mbo_hour_when_converted_then_trades_match_the_file():
    events, contract = dbn_events(_need(ESH4_HOUR))

    trades = events[events["kind"] == KIND_TRADE]
    assert contract == "ESH4"
    assert trades.shape[0] == 2_973
    assert int(trades["size"].sum()) == 9_892
    assert int((trades["side"] == 1).sum()) == 1_542
    assert int((trades["side"] == -1).sum()) == 1_430


@pytest.mark.realdata
def test_mbo_hour_when_depth_replayed_then_every_quote_is_the_rebuilt_top_of_book():
    events, _ = dbn_events(_need(ESH4_HOUR))

    checks = _replay_book(events)

    assert len(checks) > 20_000
    assert all(
        book_bid == quote_bid and book_ask == quote_ask
        for book_bid, book_ask, quote_bid, quote_ask in checks
    )


@pytest.mark.realdata
def test_mbo_hour_when_depth_replayed_then_final_book_is_the_mbo_book():
    events, _ = dbn_events(_need(ESH4_HOUR))
    frames = replay_mbo_messages(dbn_mbo_array(ESH4_HOUR)).frames

    book = OrderBook(10)
    last = None
    for row in events[events["kind"] == KIND_DEPTH].tolist():
        ts, _, side, price, size, _, _, _, _, pos, op = row
        last = book.apply(DepthUpdate(ts, side, pos, op, price, size))

    final = frames.frame(len(frames) - 1)
    assert last is not None and book.bad_updates == 0
    assert (last.bids, last.asks) == (final.bids, final.asks)


@pytest.mark.realdata
def test_mbp10_file_when_converted_then_book_equals_the_last_record_levels():
    path = _need(SCHEMAS / "test_data.mbp-10.dbn.zst")
    events, _ = dbn_events(path)
    record = load_dbn_records(path).records[-1]

    book = OrderBook(10)
    last = None
    for row in events[events["kind"] == KIND_DEPTH].tolist():
        ts, _, side, price, size, _, _, _, _, pos, op = row
        last = book.apply(DepthUpdate(ts, side, pos, op, price, size))

    assert last is not None
    assert last.bids == tuple(
        (int(record[f"bid_px_{k:02d}"]) // 250_000_000, int(record[f"bid_sz_{k:02d}"]))
        for k in range(10)
    )
    assert last.asks == tuple(
        (int(record[f"ask_px_{k:02d}"]) // 250_000_000, int(record[f"ask_sz_{k:02d}"]))
        for k in range(10)
    )


@pytest.mark.realdata
def test_trades_file_when_converted_then_trades_only_with_aggressor():
    events, _ = dbn_events(_need(SCHEMAS / "test_data.trades.dbn.zst"))

    assert set(events["kind"].tolist()) == {KIND_TRADE}
    assert events["side"].tolist()[0] == 1


@pytest.mark.realdata
def test_mbo_hour_when_depth_replayed_then_no_intermediate_book_is_unsorted():
    events, _ = dbn_events(_need(ESH4_HOUR))
    depth = events[events["kind"] == KIND_DEPTH]
    updates = np.zeros(depth.shape[0], dtype=DEPTH_DTYPE)
    updates["ts_ns"], updates["book_side"] = depth["ts_ns"], depth["side"]
    updates["position"], updates["operation"] = depth["position"], depth["operation"]
    updates["price_ticks"], updates["size"] = depth["price_ticks"], depth["size"]
    source = replay_mbo_messages(dbn_mbo_array(ESH4_HOUR)).frames

    frames, bad = replay_depth(updates, 10)

    assert bad == 0 and frames.count(STATUS_UNSORTED) == 0
    assert 0 < frames.count(STATUS_CROSSED) <= source.count(STATUS_CROSSED)
    assert depth.shape[0] < len(source)


@pytest.mark.realdata
def test_mbo_hour_when_replayed_as_depth_updates_then_dom_signals_are_those_of_the_mbo_book():
    events, _ = dbn_events(_need(ESH4_HOUR))
    replay = replay_mbo_messages(dbn_mbo_array(ESH4_HOUR))
    trades = replay.trades
    expected = dom_metrics(
        replay.frames,
        trades[:, 1],
        trades[:, 2],
        trades[:, 3],
        trades[:, 4],
        trade_seq=trades[:, 0],
    ).signals

    got = [signal for _, signal in DomTracker(10, DomParams()).add(events)]

    def flows(signals):
        return [s for s in signals if s.kind != SignalKind.DOM_IMBALANCE]

    def held(signals):
        return [s for s in signals if s.kind == SignalKind.DOM_IMBALANCE]

    assert flows(got) == flows(expected) and len(flows(got)) == 18
    assert [(s.price_ticks, s.direction) for s in held(got)] == [
        (s.price_ticks, s.direction) for s in held(expected)
    ]
    assert all(g.ts_ns >= e.ts_ns for g, e in zip(held(got), held(expected), strict=True))
