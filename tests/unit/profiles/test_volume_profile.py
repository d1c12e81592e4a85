"""VolumeProfile construction: trades, tick arrays, price->volume tables, bars; bad input refused."""

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.core.errors import OffGridPriceError, ValidationError
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE
from orderflow_lib.profiles import VolumeProfile, volume_profile_from_bars
from orderflow_lib.profiles.bars import volume_profile_from_bar_array


def test_from_trades_when_decimal_prices_then_zero_filled_ladder_on_ticks():
    vp = VolumeProfile.from_trades([5000.00, 5000.75, 5000.00, 5000.25], [2, 3, 1, 4])
    assert vp.volumes.tolist() == [3, 4, 0, 3]
    assert vp.row_low_ticks.tolist() == [20000, 20001, 20002, 20003]
    assert vp.prices.tolist() == [5000.0, 5000.25, 5000.5, 5000.75]
    assert (vp.low_tick, vp.high_tick, vp.total, vp.n_rows) == (20000, 20003, 10, 4)


def test_from_trades_when_pandas_series_then_same_as_lists():
    frame = pd.DataFrame({"price": [1.5, 1.25, 1.5], "size": [1, 2, 3]})
    assert VolumeProfile.from_trades(frame["price"], frame["size"]) == VolumeProfile.from_trades(
        [1.5, 1.25, 1.5], [1, 2, 3]
    )


def test_from_trades_when_other_tick_size_then_ticks_of_that_size():
    vp = VolumeProfile.from_trades([1.08550, 1.08560, 1.08555], [1, 1, 1], tick_size=0.00005)
    assert vp.row_low_ticks.tolist() == [21710, 21711, 21712]
    assert vp.value_area().poc == pytest.approx(1.08555, abs=1e-12)


@pytest.mark.parametrize("price", [5000.1, float("nan"), float("inf")])
def test_from_trades_when_price_off_grid_then_off_grid_error_names_index_and_value(price):
    with pytest.raises(OffGridPriceError, match=r"prices\[1\]"):
        VolumeProfile.from_trades([5000.0, price], [1, 1])


@pytest.mark.parametrize(
    ("sizes", "match"),
    [([1, 0], r"sizes\[1\] = 0"), ([1, 1.5], r"sizes\[1\]"), ([-3, 1], r"sizes\[0\] = -3")],
)
def test_from_trades_when_bad_size_then_validation_error_names_it(sizes, match):
    with pytest.raises(ValidationError, match=match):
        VolumeProfile.from_trades([5000.0, 5000.25], sizes)


def test_from_trades_when_lengths_differ_then_validation_error_names_both():
    with pytest.raises(ValidationError, match="price_ticks has 2, sizes has 1"):
        VolumeProfile.from_trades([5000.0, 5000.25], [1])


@pytest.mark.parametrize("tick_size", [0, -0.25, float("nan"), "0.25", True])
def test_from_trades_when_bad_tick_size_then_value_error_names_it(tick_size):
    with pytest.raises(ValueError, match="tick_size"):
        VolumeProfile.from_trades([5000.0], [1], tick_size=tick_size)


@pytest.mark.parametrize("row_ticks", [0, -1, 1.5])
def test_from_trades_when_bad_row_ticks_then_value_error_names_it(row_ticks):
    with pytest.raises(ValueError, match="row_ticks"):
        VolumeProfile.from_trades([5000.0], [1], row_ticks=row_ticks)


def test_from_ticks_when_sides_as_letters_then_buy_and_sell_volume_split():
    vp = VolumeProfile.from_ticks([10, 10, 11, 11], [1, 2, 3, 4], sides=["B", "A", "N", "B"])
    assert vp.volumes.tolist() == [3, 7]
    assert vp.buy_volume.tolist() == [1, 4]
    assert vp.sell_volume.tolist() == [2, 0]


def test_from_ticks_when_bad_side_letter_then_validation_error_lists_it():
    with pytest.raises(ValidationError, match="'X'"):
        VolumeProfile.from_ticks([10], [1], sides=["X"])


def test_from_ticks_when_timestamps_given_then_open_and_close_by_time():
    vp = VolumeProfile.from_ticks([10, 11, 12, 13], [1, 1, 1, 1], ts_ns=[5, 1, 9, 9])
    assert (vp.open_tick, vp.close_tick, vp.as_of_ns) == (11, 13, 9)
    plain = VolumeProfile.from_ticks([10, 11, 12, 13], [1, 1, 1, 1])
    assert (plain.open_tick, plain.close_tick, plain.as_of_ns) == (10, 13, None)


def test_from_ticks_when_negative_ticks_and_rows_of_three_then_rows_floor_to_multiples():
    vp = VolumeProfile.from_ticks([-4, -3, -1, 0, 2], [1, 1, 1, 1, 1], row_ticks=3)
    assert vp.row_low_ticks.tolist() == [-6, -3, 0]
    assert vp.volumes.tolist() == [1, 2, 2]


def test_from_trade_array_when_window_given_then_half_open_and_sided():
    trades = np.array(
        [(100, 20, 1, 1), (200, 21, 2, -1), (300, 22, 3, 1), (400, 23, 4, 0)], dtype=TRADE_DTYPE
    )
    vp = VolumeProfile.from_trade_array(trades, start_ns=200, end_ns=400)
    assert vp.volumes.tolist() == [2, 3]
    assert (vp.buy_volume.tolist(), vp.sell_volume.tolist()) == ([0, 3], [2, 0])
    assert (vp.start_ns, vp.end_ns, vp.open_tick, vp.close_tick) == (200, 400, 21, 22)


def test_from_trade_array_when_not_structured_then_validation_error():
    with pytest.raises(ValidationError, match="structured array"):
        VolumeProfile.from_trade_array(np.zeros(3))


def test_from_levels_when_duplicate_prices_and_zero_edges_then_summed_and_trimmed():
    vp = VolumeProfile.from_levels([4999.75, 5000.0, 5000.5, 5000.0, 5001.0], [0, 5, 7, 3, 0])
    assert vp.row_low_ticks[0] == 20000
    assert vp.volumes.tolist() == [8, 0, 7]


def test_from_levels_when_negative_volume_then_validation_error_names_it():
    with pytest.raises(ValidationError, match=r"volumes\[1\] = -2"):
        VolumeProfile.from_levels([5000.0, 5000.25], [1, -2])


def test_empty_profile_when_built_then_no_rows_and_no_extremes():
    vp = VolumeProfile.from_trades([], [])
    assert (vp.is_empty, vp.n_rows, vp.total, vp.low_tick, vp.poc_ticks) == (True, 0, 0, None, None)


def test_rebucketed_when_coarser_rows_then_volumes_regroup_and_extremes_stay():
    vp = VolumeProfile.from_ticks([3, 4, 5, 8], [1, 2, 3, 4], sides=[1, 1, -1, 0])
    coarse = vp.rebucketed(2)
    assert coarse.row_low_ticks.tolist() == [2, 4, 6, 8]
    assert coarse.volumes.tolist() == [1, 5, 0, 4]
    assert coarse.buy_volume.tolist() == [1, 2, 0, 0]
    assert (coarse.low_tick, coarse.high_tick) == (3, 8)
    with pytest.raises(ValueError, match="multiple"):
        coarse.rebucketed(3)


def test_shifted_when_back_adjusted_then_every_tick_moves():
    vp = VolumeProfile.from_ticks([100, 101], [1, 2], ts_ns=[1, 2]).shifted(245)
    assert vp.row_low_ticks.tolist() == [345, 346]
    assert (vp.low_tick, vp.high_tick, vp.open_tick, vp.close_tick) == (345, 346, 345, 346)


def test_volumes_when_profile_built_then_read_only():
    vp = VolumeProfile.from_ticks([1, 2], [1, 1])
    with pytest.raises(ValueError, match="read-only"):
        vp.volumes[0] = 5


def test_constructor_when_buy_and_sell_exceed_volume_then_validation_error():
    with pytest.raises(ValidationError, match="exceeds"):
        VolumeProfile([5], 0, buy_volume=[4], sell_volume=[2])


def bars(rows):
    out = np.zeros(len(rows), dtype=BAR_DTYPE)
    for i, row in enumerate(rows):
        out[i] = row
    return out


def test_bars_when_spread_then_even_split_with_remainder_nearest_close():
    # one bar 10..13 with volume 10 and close 12: 2 each, the 2 left go to 12 then 11
    vp = volume_profile_from_bar_array(bars([(0, 10, 13, 10, 12, 10)]))
    assert vp.volumes.tolist() == [2, 3, 3, 2]
    assert vp.approximate


def test_bars_when_close_mode_then_all_volume_at_close():
    data = bars([(0, 10, 13, 10, 12, 10), (60, 12, 12, 11, 11, 5)])
    vp = volume_profile_from_bar_array(data, bar_volume="close")
    assert vp.row_low_ticks.tolist() == [11, 12]
    assert vp.volumes.tolist() == [5, 10]
    assert (vp.open_tick, vp.close_tick, vp.as_of_ns) == (10, 11, 60)


def test_bars_when_window_then_bars_by_open_time_and_zero_volume_ignored():
    data = bars([(0, 10, 10, 10, 10, 1), (60, 20, 20, 20, 20, 0), (120, 11, 11, 11, 11, 2)])
    vp = volume_profile_from_bar_array(data, start_ns=60, end_ns=180)
    assert vp.row_low_ticks.tolist() == [11]
    assert vp.total == 2


def test_bars_when_close_outside_range_then_validation_error_names_bar():
    with pytest.raises(ValidationError, match="bar 0"):
        volume_profile_from_bar_array(bars([(0, 10, 12, 10, 13, 5)]))


def test_bars_when_unknown_mode_then_value_error_names_bar_volume():
    with pytest.raises(ValueError, match="bar_volume"):
        volume_profile_from_bar_array(bars([(0, 10, 12, 10, 11, 5)]), bar_volume="vwap")


def test_bars_when_decimal_frame_then_same_as_tick_array():
    frame = pd.DataFrame(
        {
            "ts": [0, 60],
            "open": [2.5, 3.0],
            "high": [3.0, 3.25],
            "low": [2.5, 2.75],
            "close": [3.0, 3.0],
            "volume": [7, 4],
        }
    )
    ticks = bars([(0, 10, 12, 10, 12, 7), (60, 12, 13, 11, 12, 4)])
    assert volume_profile_from_bars(frame) == volume_profile_from_bar_array(ticks)


def test_bars_when_frame_lacks_columns_then_validation_error_lists_them():
    with pytest.raises(ValidationError, match="volume"):
        volume_profile_from_bars(
            pd.DataFrame({"ts": [0], "open": [1.0], "high": [1.0], "low": [1.0], "close": [1.0]})
        )
