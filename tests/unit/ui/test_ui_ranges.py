"""Price windows: today's trade stays readable however far the CVA or prior day lie."""

import math

import pytest

from orderflow_lib.ui.ranges import follow_window, price_window, time_window, volume_window


def test_price_window_when_no_core_price_then_none():
    assert price_window([math.nan], [5000.0], 0.25) is None


def test_price_window_when_levels_near_then_included_and_padded_to_steps():
    assert price_window([5000.0, 5003.0], [5006.0, 5010.0], 0.25) == (4998.0, 5008.0)


def test_price_window_when_level_far_then_left_out():
    low, high = price_window([5000.0, 5003.0], [4900.0, 5100.0], 0.25)
    assert (low, high) == (4996.0, 5007.0)


def test_price_window_when_core_is_one_price_then_minimum_height_centred():
    assert price_window([5000.0], [], 0.25) == (4995.0, 5005.0)


def test_price_window_when_core_wide_then_reach_grows_with_it():
    low, high = price_window([5000.0, 5020.0], [4985.0], 0.25)
    assert low == 4984.0 and high == 5021.0


def test_price_window_when_tick_not_positive_then_error_names_value():
    with pytest.raises(ValueError, match="was 0"):
        price_window([1.0], [], 0.0)


def test_follow_window_when_last_well_inside_then_unchanged():
    assert follow_window(5380.0, 5390.0, 5385.0, 0.25) is None


def test_follow_window_when_last_near_edge_then_recentred_half_window_each_side():
    assert follow_window(5380.0, 5390.0, 5389.5, 0.25) == (5384.5, 5394.5)


def test_follow_window_when_last_unknown_then_unchanged():
    assert follow_window(0.0, 1.0, math.nan, 0.25) is None


def test_time_window_when_bars_then_all_shown_with_room_ahead():
    assert time_window([0.0, 60_000.0, 120_000.0], 60_000.0, ahead_bars=2, min_bars=3) == (
        -30_000.0,
        240_000.0,
    )
    assert time_window([], 60_000.0) is None


def test_volume_window_when_profile_then_rounded_room_above_largest():
    assert volume_window([10.0, 460.0]) == (0.0, 500.0)
    assert volume_window([]) is None
