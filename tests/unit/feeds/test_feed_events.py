"""The event array every feed delivers: merging, object round trips and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from orderflow_lib.core.errors import DataError
from orderflow_lib.feeds.events import (
    KIND_DEPTH,
    KIND_QUOTE,
    KIND_TRADE,
    MARKET_EVENT_DTYPE,
    FeedInfo,
    check_events,
    event_objects,
    events_from_objects,
    merge_events,
)
from orderflow_lib.market.events import (
    BOOK_BID,
    DEPTH_DTYPE,
    DEPTH_UPDATE,
    QUOTE_DTYPE,
    TRADE_DTYPE,
    DepthUpdate,
    Quote,
    Trade,
)


def test_merge_when_times_tie_then_trades_before_depth_before_quotes():
    trades = np.array([(10, 100, 1, 1), (20, 101, 2, -1)], dtype=TRADE_DTYPE)
    quotes = np.array([(10, 99, 5, 100, 6)], dtype=QUOTE_DTYPE)
    depth = np.array(
        [(10, BOOK_BID, 0, DEPTH_UPDATE, 99, 5), (15, BOOK_BID, 0, DEPTH_UPDATE, 99, 4)],
        dtype=DEPTH_DTYPE,
    )

    merged = merge_events(trades, quotes, depth)

    assert merged["ts_ns"].tolist() == [10, 10, 10, 15, 20]
    assert merged["kind"].tolist() == [KIND_TRADE, KIND_DEPTH, KIND_QUOTE, KIND_DEPTH, KIND_TRADE]
    assert merged["size"].tolist() == [1, 5, 0, 4, 2]


def test_objects_when_round_tripped_then_identical():
    objects = [Trade(5, 200, 3, -1), Quote(6, 199, 10, 200, 12), DepthUpdate(7, -1, 2, 0, 203, 40)]

    events = events_from_objects(objects)

    assert events.dtype == MARKET_EVENT_DTYPE
    assert event_objects(events) == objects


def test_objects_when_not_an_event_then_refused_naming_the_type():
    with pytest.raises(DataError, match="was str"):
        events_from_objects(["trade"])  # type: ignore[list-item]


def test_check_events_when_kind_unknown_then_error_names_row_and_kind():
    events = np.zeros(3, dtype=MARKET_EVENT_DTYPE)
    events["kind"] = [KIND_TRADE, 9, KIND_QUOTE]

    with pytest.raises(DataError, match=r"event row 1: kind must be one of .* was 9"):
        check_events(events)


def test_check_events_when_wrong_dtype_then_refused():
    with pytest.raises(DataError, match="structured array"):
        check_events(np.zeros(3))


def test_feed_info_when_source_unknown_then_refused():
    with pytest.raises(DataError, match="was 'paper'"):
        FeedInfo(source="paper", contract="ESZ6")
