"""Snapshot -> ColumnDataSource columns: pure transforms, no browser."""

import math

import pytest
from ui_samples import T0

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.ui.columns import (
    BUY_COLOUR,
    SELL_COLOUR,
    candle_columns,
    colour_scale,
    footprint_columns,
    last_price_columns,
    level_columns,
    ny_ms,
    profile_columns,
    zone_columns,
)


def test_level_columns_when_snapshot_complete_then_every_level_has_its_price(snapshot):
    levels = level_columns(snapshot)
    by_name = dict(zip(levels["name"], levels["price"], strict=True))
    assert by_name["CVA VAH"] == 5390.0
    assert by_name["CVA POC"] == 5380.0
    assert by_name["DVA VAL"] == 5379.0
    assert by_name["VWAP"] == 5382.5
    assert by_name["VWAP +1σ"] == 5384.5
    assert by_name["VWAP -2σ"] == 5378.5
    assert by_name["IB HIGH"] == 5387.0
    assert by_name["ON MID"] == 5380.5
    assert by_name["PRIOR CLOSE"] == 5378.5
    labels = dict(zip(levels["name"], levels["label"], strict=True))
    assert labels["CVA VAH"] == "VAH 5390.00"
    assert labels["VWAP -2σ"] == "-2σ 5378.50"


def test_level_columns_when_values_unknown_then_prices_are_nan_and_rows_kept(empty_snapshot):
    known = level_columns(empty_snapshot)
    assert len(known["name"]) == 23
    assert all(math.isnan(p) for p in known["price"])
    assert known["label"][0] == "VAH —"


def test_level_columns_when_built_then_no_two_columns_share_a_list(snapshot):
    levels = level_columns(snapshot)
    ids = [id(values) for values in levels.values()]
    assert len(set(ids)) == len(ids)


def test_last_price_columns_when_last_known_then_one_labelled_row(snapshot):
    assert last_price_columns(snapshot) == {
        "name": ["LAST"],
        "price": [5384.25],
        "label": ["LAST 5384.25"],
    }


def test_zone_columns_when_value_known_then_cva_dva_ib_bounds(snapshot):
    zones = zone_columns(snapshot)
    assert zones["name"] == ["CVA", "DVA", "IB"]
    assert zones["low"] == [5370.0, 5379.0, 5378.0]
    assert zones["high"] == [5390.0, 5386.0, 5387.0]


def test_profile_columns_when_profile_given_then_prices_and_volumes_as_numbers(snapshot):
    assert profile_columns(snapshot) == {
        "price": [5383.75, 5384.0, 5384.25],
        "volume": [120, 80, 40],
    }


def test_profile_columns_when_lengths_differ_then_error_names_both(snapshot):
    snapshot["profile"]["volumes"] = [1]
    with pytest.raises(ValueError, match="were 3 and 1"):
        profile_columns(snapshot)


def test_profile_columns_when_profile_null_then_empty():
    assert profile_columns({"profile": None}) == {"price": [], "volume": []}


def test_candle_columns_when_up_and_down_bars_then_bodies_and_colours(snapshot):
    candles = candle_columns(snapshot)
    assert candles["ts_ns"] == [T0, T0 + NS_PER_MINUTE]
    assert candles["body_low"] == [5383.0, 5383.5]
    assert candles["body_high"] == [5384.0, 5384.0]
    assert candles["colour"] == [BUY_COLOUR, SELL_COLOUR]
    assert candles["delta"] == [55, -20]


def test_ny_ms_when_winter_then_five_hours_behind_utc():
    assert ny_ms(T0) == T0 / 1e6 - 5 * 3600 * 1000


def test_footprint_columns_when_cells_given_then_text_and_delta_per_cell(snapshot):
    cells = footprint_columns(snapshot)
    assert cells["text"] == ["10 x 30", "25 x 5", "7 x 7"]
    assert cells["delta"] == [20, -20, 0]
    assert cells["key"][0] == f"{T0}@5383.0"
    assert len(set(cells["key"])) == 3


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 1.0),
        ([0, 1], 1.0),
        ([3, -7], 10.0),
        ([-15], 20.0),
        ([45], 50.0),
        ([50], 50.0),
        ([51], 100.0),
    ],
)
def test_colour_scale_when_values_given_then_round_bound_covering_all(values, expected):
    assert colour_scale(values) == expected
