"""Overnight inventory (spec §4.5): inv and labels, FULL precedence, correction window, no data."""

from fractions import Fraction

import numpy as np
from auction_builders import RTH_OPEN_NS, ny, prints, tk

from orderflow_lib.auction.inventory import (
    CorrectionStatus,
    InventoryLabel,
    inventory_balance,
    median_range,
    overnight_inventory,
    profile_vwap,
)
from orderflow_lib.profiles.volume import VolumeProfile

REF = tk(5005.00)


def _eth(levels):
    return VolumeProfile.from_level_ticks([tk(p) for p, _ in levels], [v for _, v in levels])


NET_LONG_ON = _eth([(5003.00, 15_000), (5005.00, 9_000), (5006.00, 40_000), (5007.00, 20_000)])


def test_inventory_when_spec_case_then_060_net_long():
    result = overnight_inventory(NET_LONG_ON, REF)
    assert result.inv == Fraction(3, 5)
    assert result.label == InventoryLabel.NET_LONG
    assert result.stats is not None and result.stats.on_low == tk(5003.00)


def test_inventory_when_rth_trades_ref_at_0952_then_corrected_at_0952():
    rth = prints([(ny(9, 30), 5006.00), (ny(9, 52), 5004.75), (ny(10, 0), 5003.00)])
    result = overnight_inventory(
        NET_LONG_ON, REF, rth_prints=rth, rth_open_ns=RTH_OPEN_NS, as_of_ns=ny(10, 5)
    )
    assert result.correction_status == CorrectionStatus.CORRECTED
    assert result.correction_at_ns == ny(9, 52)


def test_inventory_when_evaluated_at_0945_then_pending():
    rth = prints([(ny(9, 30), 5006.00), (ny(9, 52), 5004.75)])
    result = overnight_inventory(
        NET_LONG_ON, REF, rth_prints=rth, rth_open_ns=RTH_OPEN_NS, as_of_ns=ny(9, 45)
    )
    assert result.correction_status == CorrectionStatus.PENDING
    assert result.correction_at_ns is None


def test_inventory_when_window_ends_without_ref_then_not_corrected():
    rth = prints([(ny(9, 30), 5006.00), (ny(10, 45), 5004.75)])
    result = overnight_inventory(
        NET_LONG_ON, REF, rth_prints=rth, rth_open_ns=RTH_OPEN_NS, as_of_ns=ny(11, 0)
    )
    assert result.correction_status == CorrectionStatus.NOT_CORRECTED


def test_inventory_when_whole_on_range_above_ref_then_full_long_not_net_long():
    result = overnight_inventory(_eth([(5005.25, 30_000), (5008.00, 30_000)]), REF)
    assert result.inv == 1
    assert result.label == InventoryLabel.FULL_LONG


def test_inventory_when_full_short_open_inside_on_range_then_early_correction_hint():
    eth = _eth([(5000.00, 10_000), (5004.50, 10_000)])
    rth = prints([(ny(9, 30), 5002.00)])
    result = overnight_inventory(
        eth, REF, rth_prints=rth, rth_open_ns=RTH_OPEN_NS, as_of_ns=ny(9, 31)
    )
    assert result.label == InventoryLabel.FULL_SHORT
    assert result.early_correction_hint


def test_inventory_when_balanced_then_neutral_without_correction():
    result = overnight_inventory(_eth([(5004.00, 10_000), (5006.00, 11_000)]), REF)
    assert result.label == InventoryLabel.NEUTRAL
    assert result.correction_status == CorrectionStatus.NOT_APPLICABLE


def test_inventory_when_no_on_volume_then_neutral_and_data_not_ok():
    result = overnight_inventory(VolumeProfile.empty(), REF)
    assert result.label == InventoryLabel.NEUTRAL
    assert result.data_ok is False


def test_inventory_when_median_given_then_on_range_ratio():
    result = overnight_inventory(NET_LONG_ON, REF, on_range_median_ticks=40)
    assert result.on_range_ratio == Fraction(16, 40)


def test_inventory_when_target_on_mid_then_half_tick_target_compared_exactly():
    eth = _eth([(5003.00, 15_000), (5006.25, 60_000)])
    rth = prints([(ny(9, 30), 5006.00), (ny(9, 40), 5004.75), (ny(9, 50), 5004.50)])
    result = overnight_inventory(
        eth,
        REF,
        rth_prints=rth,
        rth_open_ns=RTH_OPEN_NS,
        as_of_ns=ny(10, 0),
        completion_target="on_mid",
    )
    assert result.target == Fraction(tk(5003.00) + tk(5006.25), 2)
    assert result.correction_at_ns == ny(9, 50)


def test_inventory_balance_when_only_ref_volume_then_none():
    assert inventory_balance(np.array([REF]), np.array([100]), REF) is None


def test_median_range_when_even_count_then_exact_half():
    assert median_range([10, 20, 31, 40], 20) == Fraction(51, 2)
    assert median_range([], 20) is None


def test_profile_vwap_when_spec_vwap_example_then_101_20_and_sigma_060():
    profile = VolumeProfile.from_levels([100.0, 102.0, 101.0], [10, 30, 60], tick_size=0.25)
    vwap, sigma = profile_vwap(profile)
    assert abs(vwap * 0.25 - 101.20) < 1e-9
    assert abs(sigma * 0.25 - 0.60) < 1e-9
