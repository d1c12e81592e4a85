"""The resumable DOM kernel: its codes agree with the feed and book modules, its state is a fixed
few arrays whatever the prices, and rows carry the index of the event that raised them."""

from __future__ import annotations

import numpy as np

from orderflow_lib.engine.dom import param_array
from orderflow_lib.flow.book import GAP_STATUS
from orderflow_lib.flow.dom import DomParams
from orderflow_lib.kernels.dom_state import (
    B_PX,
    B_SIZE,
    GAP,
    KIND_ICEBERG,
    S_BAD,
    S_COUNT,
    _dom_step,
    new_dom_state,
)
from orderflow_lib.market.events import (
    DEPTH_INSERT,
    KIND_DEPTH,
    KIND_QUOTE,
    KIND_TRADE,
    empty_events,
)

FAR = 10**12


def test_codes_when_compared_then_the_gap_status_equals_the_book_code():
    assert GAP == GAP_STATUS


def _far_events() -> np.ndarray:
    events = empty_events(4)
    events[0] = (1, KIND_DEPTH, 1, 10, 5, 0, 0, 0, 0, 0, DEPTH_INSERT)
    events[1] = (2, KIND_DEPTH, -1, FAR, 5, 0, 0, 0, 0, 0, DEPTH_INSERT)
    events[2] = (3, KIND_QUOTE, 0, 0, 0, 9, 1, 11, 1, 0, 0)
    events[3] = (4, KIND_TRADE, 1, FAR, 30, 0, 0, 0, 0, 0, 0)
    return events


def test_dom_step_when_prices_far_apart_then_state_keeps_its_size_and_iceberg_row_found():
    arrays = new_dom_state(10)
    sizes = [a.nbytes for a in arrays]
    params = param_array(DomParams(iceberg_min_vol=20))

    rows = _dom_step(_far_events(), params, *arrays)

    assert [a.nbytes for a in arrays] == sizes and sum(sizes) < 64_000
    assert rows.tolist() == [[3, 4, KIND_ICEBERG, -1, FAR, 30, 5, 1]]
    assert arrays[3].tolist() == [0.0, 0.0]


def test_dom_step_when_metrics_off_then_book_only_and_no_rows():
    state, book, pool, imbalance = new_dom_state(2)

    rows = _dom_step(_far_events(), param_array(None), state, book, pool, imbalance)

    assert rows.shape == (0, 8)
    assert state[S_COUNT : S_COUNT + 2].tolist() == [1, 1] and state[S_BAD] == 0
    assert book[:, B_PX, 0].tolist() == [10, FAR] and book[:, B_SIZE, 0].tolist() == [5, 5]
    assert np.isnan(imbalance).all()
