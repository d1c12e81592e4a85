"""Trades DataFrame validation and conversion to engine arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.flow.trades import prepare_trades, side_codes, trade_arrays


def frame(**overrides):
    data = {
        "ts": np.array([1, 2, 3], dtype=np.int64),
        "price": [10.0, 10.25, 10.5],
        "size": [1, 2, 3],
        "side": ["B", "A", "N"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_prepare_when_valid_then_ticks_and_sides():
    arrays = prepare_trades(frame(), 0.25)

    assert arrays.price_ticks.tolist() == [40, 41, 42]
    assert arrays.side.tolist() == [1, -1, 0]
    assert arrays.late_rows == 0
    assert arrays.to_records()["size"].tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "side",
    [
        pd.Series(["B", "A", "N"], dtype=object),
        pd.Series(["B", "A", "N"], dtype="category"),
        pd.Series([1, -1, 0]),
        pd.Series(["B", "A", "N"], dtype="string[python]"),
    ],
)
def test_side_codes_when_any_supported_dtype_then_same_codes(side):
    assert side_codes(side).tolist() == [1, -1, 0]


def test_prepare_when_timestamps_are_aware_datetimes_then_utc_ns():
    ts = pd.to_datetime([1, 2, 3], unit="ns", utc=True).tz_convert("America/New_York")

    arrays = prepare_trades(frame(ts=ts), 0.25)

    assert arrays.ts_ns.tolist() == [1, 2, 3]


def test_prepare_when_naive_datetimes_then_refused():
    with pytest.raises(ValidationError, match="naive"):
        prepare_trades(frame(ts=pd.to_datetime([1, 2, 3], unit="ns")), 0.25)


def test_prepare_when_column_missing_then_error_lists_it():
    with pytest.raises(ValidationError, match=r"missing \['side'\]"):
        prepare_trades(frame().drop(columns="side"), 0.25)


def test_prepare_when_side_missing_value_then_error_names_row():
    with pytest.raises(ValidationError, match="trade row 1: side is missing"):
        prepare_trades(frame(side=["B", None, "A"]), 0.25)


def test_prepare_when_size_fractional_then_error_names_row():
    with pytest.raises(
        ValidationError, match=r"trade row 2: size must be a whole number, was 1\.5"
    ):
        prepare_trades(frame(size=[1.0, 2.0, 1.5]), 0.25)


def test_prepare_when_rows_late_then_stable_sorted_and_counted():
    arrays = prepare_trades(frame(ts=np.array([5, 1, 5], dtype=np.int64)), 0.25)

    assert arrays.ts_ns.tolist() == [1, 5, 5]
    assert arrays.size.tolist() == [2, 1, 3]
    assert arrays.late_rows == 1


def test_trade_arrays_when_lengths_differ_then_error():
    with pytest.raises(ValidationError, match="one length"):
        trade_arrays([1, 2], [1], [1, 1], [0, 0])


def test_trade_arrays_when_side_out_of_range_then_error():
    with pytest.raises(ValidationError, match="side must be -1, 0 or \\+1, was 2"):
        trade_arrays([1], [1], [1], [2])
