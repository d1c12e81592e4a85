"""Databento files as node events: the depth updates rebuild the exchange's book exactly.

Data: Databento GLBX.MDP3 extracts (ESH4, ESM4 MBO), published as test fixtures by the
NautilusTrader project (LGPL-3.0 repository); one tiny file per DBN schema from the
databento-python test data (Apache-2.0); see ../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import KIND_DEPTH, KIND_QUOTE, KIND_TRADE
from orderflow_lib.flow.book import PositionBook
from orderflow_lib.flow.mbo import replay_mbo_messages
from orderflow_lib.market.events import DepthUpdate
from orderflow_lib.market.readers import dbn_mbo_array, load_dbn_records

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ESH4_HOUR = DATA / "databento-es-mbo" / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
SCHEMAS = DATA / "databento-schemas"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def _replay_book(events: np.ndarray) -> list[tuple[tuple, tuple, tuple]]:
    """At every quote: (book best bid/ask, quote bid/ask, ...) after applying the depth before it."""
    book = PositionBook(10)
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

    book = PositionBook(10)
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

    book = PositionBook(10)
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
