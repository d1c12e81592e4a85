"""Value area and POC: spec §2.3-§2.4 worked examples EX1-EX5 and the §8 edge cases."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.core.config import ProfileSettings
from orderflow_lib.profiles import ValueArea, ValueAreaRules, VolumeProfile

EX1 = {
    5002.50: 5,
    5002.25: 10,
    5002.00: 20,
    5001.75: 40,
    5001.50: 60,
    5001.25: 100,
    5001.00: 80,
    5000.75: 50,
    5000.50: 30,
    5000.25: 15,
    5000.00: 10,
}
EX2 = {
    5002.00: 10,
    5001.75: 45,
    5001.50: 5,
    5001.25: 100,
    5001.00: 30,
    5000.75: 30,
    5000.50: 20,
    5000.25: 10,
    5000.00: 5,
}
EX3 = {5001.00: 10, 5000.75: 50, 5000.50: 20, 5000.25: 50, 5000.00: 5, 4999.75: 5, 4999.50: 5}
EX4 = {5001.00: 10, 5000.75: 20, 5000.50: 20, 5000.25: 100, 5000.00: 25, 4999.75: 15, 4999.50: 10}
EX5 = {5000.75: 13, 5000.50: 15, 5000.25: 20, 5000.00: 60, 4999.75: 22, 4999.50: 20}


def profile(levels, **kwargs):
    return VolumeProfile.from_levels(list(levels), list(levels.values()), **kwargs)


def edges(va):
    return va.poc, va.val, va.vah


def test_ex1_dual_row_value_area_when_default_pct_then_poc_5001_25_va_5000_75_to_5001_75():
    va = profile(EX1).value_area()
    assert edges(va) == (5001.25, 5000.75, 5001.75)
    assert (va.volume, va.total) == (330, 420)
    assert va.captured == Fraction(330, 420)


def test_ex2_when_dual_and_single_then_value_areas_differ_as_in_spec():
    vp = profile(EX2)
    dual = vp.value_area(0.70, method="dual")
    single = vp.value_area(0.70, method="single")
    assert (dual.val, dual.vah, dual.volume) == (5000.75, 5001.75, 210)
    assert (single.val, single.vah, single.volume) == (5000.50, 5001.25, 180)
    assert (dual.val, dual.vah) != (single.val, single.vah)


def test_ex3_poc_tie_when_two_rows_equal_then_closest_to_centre_and_one_sided_va():
    va = profile(EX3).value_area()
    assert edges(va) == (5000.25, 5000.25, 5000.75)
    assert va.volume == 120


@pytest.mark.parametrize(
    ("tie", "val", "vah", "captured"),
    [
        ("both", 4999.75, 5000.75, 180),
        ("up", 5000.25, 5000.75, 140),
        ("down", 4999.75, 5000.25, 140),
    ],
)
def test_ex4_pair_tie_when_40_vs_40_then_tie_rule_decides(tie, val, vah, captured):
    va = profile(EX4).value_area(tie=tie)
    assert (va.poc, va.val, va.vah, va.volume) == (5000.25, val, vah, captured)


def test_ex5_exact_target_when_pct_068_then_stops_at_102_of_150():
    va = profile(EX5).value_area(pct=0.68)
    assert edges(va) == (5000.00, 4999.50, 5000.00)
    assert va.captured == Fraction(68, 100)
    assert 0.68 * 150 != 102  # the float target that would have added the up pair


@pytest.mark.parametrize("pct", [0.68, "0.68", Decimal("0.68"), Fraction(17, 25)])
def test_ex5_when_pct_given_as_text_decimal_or_fraction_then_same_exact_result(pct):
    va = profile(EX5).value_area(pct=pct)
    assert (va.val, va.vah, va.pct) == (4999.50, 5000.00, Fraction(17, 25))


@pytest.mark.parametrize("method", ["dual", "single"])
def test_value_area_when_pct_is_one_then_covers_every_row(method):
    va = profile(EX1).value_area(pct=1.0, method=method)
    assert (va.val, va.vah, va.volume, va.total) == (5000.00, 5002.50, 420, 420)


@pytest.mark.parametrize("pct", [0, -0.1, 1.0001, 2, float("nan"), float("inf"), "abc", True, None])
def test_value_area_when_pct_outside_0_1_then_value_error_names_pct(pct):
    with pytest.raises(ValueError, match="pct"):
        profile(EX1).value_area(pct=pct)


def test_value_area_when_pct_has_too_many_digits_then_value_error_names_pct():
    with pytest.raises(ValueError, match="pct"):
        profile(EX1).value_area(pct=Fraction(1, 2**40))


@pytest.mark.parametrize(
    ("name", "value"),
    [("method", "triple"), ("tie", "sideways"), ("poc_tie", "middle"), ("poc_tie_final", "left")],
)
def test_value_area_when_unknown_rule_name_then_value_error_names_it(name, value):
    with pytest.raises(ValueError, match=name):
        profile(EX1).value_area(**{name: value})


@pytest.mark.parametrize("method", ["dual", "single"])
def test_value_area_when_empty_profile_then_none(method):
    assert VolumeProfile.from_trades([], []).value_area(method=method) is None
    assert VolumeProfile.from_levels([5000.0], [0]).value_area(method=method) is None


@pytest.mark.parametrize("method", ["dual", "single"])
def test_value_area_when_single_row_then_poc_equals_val_equals_vah(method):
    va = VolumeProfile.from_trades([5000.25, 5000.25], [3, 4]).value_area(method=method)
    assert edges(va) == (5000.25, 5000.25, 5000.25)
    assert (va.volume, va.total, va.width_ticks) == (7, 7, 1)


@pytest.mark.parametrize("method", ["dual", "single"])
def test_value_area_when_poc_alone_reaches_pct_then_vah_equals_val_equals_poc(method):
    va = profile({5000.0: 1, 5000.25: 98, 5000.5: 1}).value_area(method=method)
    assert edges(va) == (5000.25, 5000.25, 5000.25)


@pytest.mark.parametrize("method", ["dual", "single"])
def test_value_area_when_gap_rows_then_zero_rows_count_as_rows(method):
    # 5000.25 and 5000.50 traded nothing; nothing lies below the POC, so the expansion must
    # walk through the zero rows to reach 5000.75.
    vp = profile({5000.0: 100, 5000.75: 50})
    va = vp.value_area(0.70, method=method)
    assert vp.volumes.tolist() == [100, 0, 0, 50]
    assert (va.poc, va.val, va.vah, va.volume, va.total) == (5000.00, 5000.00, 5000.75, 150, 150)


def test_value_area_when_gap_rows_then_zero_rows_still_count_single():
    vp = profile({5000.0: 10, 5000.75: 10, 5001.0: 50, 5001.25: 5})
    va = vp.value_area(0.90, method="single")
    assert (va.val, va.vah, va.volume, va.total) == (5000.00, 5001.25, 75, 75)
    assert va.width_ticks == 6


def test_poc_tie_when_final_rule_higher_then_higher_of_equally_near_rows():
    vp = profile({5000.0: 5, 5000.25: 9, 5000.5: 9, 5000.75: 5})
    assert vp.value_area(poc_tie_final="lower").poc == 5000.25
    assert vp.value_area(poc_tie_final="higher").poc == 5000.50
    assert vp.value_area(poc_tie_final="upper").poc == 5000.50


def test_poc_tie_when_lower_or_upper_rule_then_extreme_tied_row():
    vp = profile(EX3)
    assert vp.value_area(poc_tie="lower").poc == 5000.25
    assert vp.value_area(poc_tie="upper").poc == 5000.75


def test_poc_tie_when_rows_of_two_ticks_then_row_units_differ_from_traded_mid():
    # rows (2 ticks): 5000.00-5000.25, 5000.50-5000.75, 5001.00-5001.25; traded 5000.25..5001.25
    # (mid 5000.75): in row units the two end rows tie (lower wins), by ticks the top is nearer.
    vp = VolumeProfile.from_trades([5000.25, 5000.5, 5001.25], [4, 1, 4], row_ticks=2)
    assert vp.value_area(0.1, poc_mid_basis="rows").poc == 5000.00
    assert vp.value_area(0.1, poc_mid_basis="trades").poc == 5001.00


def test_value_area_when_rows_of_two_ticks_then_vah_is_top_tick_of_its_row():
    vp = VolumeProfile.from_trades([5000.0, 5000.25, 5000.5, 5001.0], [10, 10, 30, 5], row_ticks=2)
    va = vp.value_area(0.5)
    assert (va.poc, va.val, va.vah) == (5000.50, 5000.50, 5000.75)
    assert va.width_ticks == 2


def test_value_area_when_settings_spelling_then_same_rules():
    rules = ValueAreaRules.from_settings(ProfileSettings(va_method="SINGLE_ROW", va_pct=0.7))
    assert rules == ValueAreaRules.make(0.7, "single")
    assert profile(EX2).value_area(rules=rules).val == 5000.50


def test_value_area_contract_when_built_then_decimal_prices_and_ticks_agree():
    va = profile(EX1, tick_size=0.25).value_area()
    assert isinstance(va, ValueArea)
    assert (va.poc_ticks, va.val_ticks, va.vah_ticks) == (20005, 20003, 20007)
    assert va.poc == va.poc_ticks * 0.25
    assert (va.method, va.basis, va.pct) == ("dual", "VOLUME", Fraction(7, 10))


def test_value_area_when_huge_volumes_then_exact_without_overflow():
    big = 4 * 10**17
    vp = VolumeProfile(np.array([big, big, 2 * big], dtype=np.int64), 100)
    va = vp.value_area(pct=Fraction(1, 2))
    assert (va.poc_ticks, va.val_ticks, va.vah_ticks, va.volume) == (102, 102, 102, 2 * big)


def test_value_area_from_ticks_when_val_above_poc_then_value_error():
    with pytest.raises(ValueError, match="val <= poc <= vah"):
        ValueArea.from_ticks(10, 11, 12, 1, 1)
