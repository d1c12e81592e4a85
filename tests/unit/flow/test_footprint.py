"""Footprint: the public DataFrame API and the EX9 worked example (spec §7.2, §7.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.core.config import BarSettings, OrderFlowSettings
from orderflow_lib.core.errors import OffGridPriceError, ValidationError
from orderflow_lib.flow import footprint
from orderflow_lib.flow.bars import BarSpec
from orderflow_lib.flow.footprint import FOOTPRINT_COLUMNS, build_footprint
from orderflow_lib.flow.trades import plain_columns, prepare_trades, trade_arrays

MIN = 60_000_000_000
EX9 = {5001.00: (2, 40), 5000.75: (10, 35), 5000.50: (10, 30), 5000.25: (8, 6), 5000.00: (25, 0)}


def ex9_frame() -> pd.DataFrame:
    rows = []
    ts = 0
    for price, (bid, ask) in EX9.items():
        if bid:
            rows.append((ts, price, bid, "A"))
            ts += 1
        if ask:
            rows.append((ts, price, ask, "B"))
            ts += 1
    return pd.DataFrame(rows, columns=["ts", "price", "size", "side"]).astype({"ts": "int64"})


def test_footprint_when_ex9_bar_then_rows_match_bid_by_ask_table():
    fp = footprint(ex9_frame(), bar="1min", tick_size=0.25)

    assert list(fp.columns[:5]) == ["bar", "price", "bid_volume", "ask_volume", "delta"]
    assert fp["price"].tolist() == [5000.00, 5000.25, 5000.50, 5000.75, 5001.00]
    assert fp["bid_volume"].tolist() == [25, 8, 10, 10, 2]
    assert fp["ask_volume"].tolist() == [0, 6, 30, 35, 40]
    assert int(fp["delta"].sum()) == 56


def test_footprint_when_built_then_bar_is_utc_bar_start():
    frame = pd.DataFrame(
        {
            "ts": np.array([5, MIN + 7], dtype=np.int64),
            "price": [1.0, 1.25],
            "size": [1, 2],
            "side": ["B", "A"],
        }
    )

    fp = footprint(frame, bar="1min", tick_size=0.25)

    assert str(fp["bar"].dtype) == "datetime64[ns, UTC]"
    assert fp["bar"].tolist() == [pd.Timestamp(0, tz="UTC"), pd.Timestamp(MIN, tz="UTC")]
    assert fp["delta"].tolist() == [1, -2]


def test_footprint_when_side_unknown_then_volume_counts_but_not_delta():
    frame = pd.DataFrame(
        {
            "ts": np.array([1, 2], dtype=np.int64),
            "price": [10.0, 10.0],
            "size": [3, 4],
            "side": ["N", "B"],
        }
    )

    fp = footprint(frame)

    assert fp[["bid_volume", "ask_volume", "delta", "unknown_volume", "volume", "trades"]].iloc[
        0
    ].tolist() == [0, 4, 4, 3, 7, 2]


def test_footprint_when_no_trades_then_empty_frame_with_columns():
    frame = pd.DataFrame(
        {
            "ts": np.array([], dtype=np.int64),
            "price": np.array([], dtype=float),
            "size": np.array([], dtype=np.int64),
            "side": pd.Series([], dtype=str),
        }
    )

    fp = footprint(frame)

    assert list(fp.columns) == list(FOOTPRINT_COLUMNS)
    assert len(fp) == 0
    assert str(fp["bar"].dtype) == "datetime64[ns, UTC]"


def test_footprint_when_trades_out_of_order_then_sorted_and_counted():
    ts = np.array([MIN + 1, 3, 2], dtype=np.int64)
    arrays = trade_arrays(ts, [4, 4, 5], [1, 2, 3], [1, -1, 1])

    fp = build_footprint(arrays, "1min")

    assert arrays.late_rows == 2
    assert fp.n_bars == 2
    assert fp.price_ticks.tolist() == [4, 5, 4]
    assert fp.bid_volume.tolist() == [2, 0, 0]


def test_footprint_when_volume_bars_then_trade_not_split_and_bar_closes_at_target():
    arrays = trade_arrays([1, 2, 3, 4], [8, 8, 9, 9], [2, 2, 5, 1], [1, 1, -1, 1])

    fp = build_footprint(arrays, "volume:3")

    assert fp.trade_offsets.tolist() == [0, 2, 3, 4]
    assert fp.start_ns.tolist() == [1, 3, 4]
    assert fp.end_ns.tolist() == [3, 4, 5]


def test_footprint_when_tick_bars_then_fixed_trade_count():
    arrays = trade_arrays([1, 2, 3, 4, 5], [8] * 5, [1] * 5, [1] * 5)

    fp = build_footprint(arrays, BarSpec("tick", 2))

    assert fp.trade_offsets.tolist() == [0, 2, 4, 5]


def test_footprint_when_anchor_inside_time_bar_then_bar_splits_at_anchor():
    arrays = trade_arrays([10, MIN // 2 + 1, MIN + 1], [8, 8, 8], [1, 1, 1], [1, 1, 1])

    fp = build_footprint(arrays, "1min", anchors_ns=np.array([MIN // 2]))

    assert fp.start_ns.tolist() == [0, MIN // 2, MIN]
    assert fp.end_ns.tolist() == [MIN // 2, MIN, 2 * MIN]
    assert fp.session.tolist() == [0, 1, 1]


def test_footprint_when_price_off_grid_then_error_names_row_and_value():
    frame = pd.DataFrame(
        {
            "ts": np.array([1, 2], dtype=np.int64),
            "price": [10.0, 10.1],
            "size": [1, 1],
            "side": ["B", "A"],
        }
    )

    with pytest.raises(OffGridPriceError, match=r"row 1: price 10\.1"):
        footprint(frame)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("size", 0, "size must be > 0"), ("side", "X", "side must be 'B', 'A' or 'N'")],
)
def test_footprint_when_bad_row_then_validation_error_names_it(column, value, message):
    frame = pd.DataFrame(
        {
            "ts": np.array([1, 2], dtype=np.int64),
            "price": [10.0, 10.0],
            "size": [1, 1],
            "side": ["B", "A"],
        }
    )
    frame.loc[1, column] = value

    with pytest.raises(ValidationError, match=f"row 1: {message}"):
        footprint(frame)


def test_footprint_when_tick_size_not_positive_then_value_error():
    with pytest.raises(ValueError, match=r"tick_size must be > 0, was -0\.25"):
        footprint(ex9_frame(), tick_size=-0.25)


def test_footprint_when_bar_text_invalid_then_value_error():
    with pytest.raises(ValueError, match="bar must be a duration"):
        footprint(ex9_frame(), bar="volume:lots")


def test_bar_spec_when_settings_or_text_then_kind_and_length():
    assert BarSpec.from_settings(OrderFlowSettings().bar) == BarSpec("volume", 3000)
    assert BarSpec.from_settings(BarSettings(type="time", size=60)) == BarSpec("time", MIN)
    assert BarSpec.parse("5min") == BarSpec("time", 5 * MIN)
    assert BarSpec.parse("tick:500") == BarSpec("tick", 500)
    with pytest.raises(ValueError, match="bar length must be > 0"):
        BarSpec("tick", 0)


def test_footprint_when_tick_not_power_of_two_then_prices_rounded_for_display():
    frame = pd.DataFrame(
        {"ts": np.array([1], dtype=np.int64), "price": [1.2], "size": [1], "side": ["B"]}
    )

    assert footprint(frame, tick_size=0.1)["price"].tolist() == [1.2]


def random_frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "ts": np.sort(rng.integers(0, 30 * MIN, n)).astype(np.int64),
            "price": (20000 + np.cumsum(rng.integers(-1, 2, n))) * 0.25,
            "size": rng.integers(1, 9, n).astype(np.int64),
            "side": rng.choice(np.array(["B", "A", "N"]), n),
        }
    )


@pytest.mark.parametrize("bar", ["1min", "volume:200", "tick:31"])
@pytest.mark.parametrize("side_type", ["str", "category", "object", "codes"])
def test_footprint_when_any_column_type_then_one_pass_equals_validating_path(bar, side_type):
    frame = random_frame(3, 4000)
    expected = build_footprint(
        prepare_trades(frame, 0.25), bar, anchors_ns=[11 * MIN + 7]
    ).to_frame(0.25)
    if side_type == "codes":
        frame["side"] = frame["side"].map({"B": 1, "A": -1, "N": 0}).astype(np.int64)
    else:
        frame["side"] = frame["side"].astype(side_type)

    got = footprint(frame, bar, 0.25, anchors_ns=[11 * MIN + 7])

    pd.testing.assert_frame_equal(got, expected)
    assert (plain_columns(frame) is None) == (side_type == "object")


def test_footprint_when_rows_late_then_same_as_sorted_input():
    frame = random_frame(4, 500)
    shuffled = frame.iloc[np.r_[1:250, 0, 250:500]].reset_index(drop=True)

    pd.testing.assert_frame_equal(footprint(shuffled), footprint(frame))
