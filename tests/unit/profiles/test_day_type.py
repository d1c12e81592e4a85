"""Dalton day types: the spec §2.7 table (IB 5000.00-5010.00, R20 = 30.00 points)."""

from fractions import Fraction

import pytest

from orderflow_lib.profiles import TpoProfile, classify_day_type
from orderflow_lib.profiles.daytype import DayInputs, average_range_ticks, day_inputs_of

R20 = Fraction(120)


def t(price):
    return round(price / 0.25)


def day(high, low, open_, close, ib=(5000.0, 5010.0), r20=R20):
    return DayInputs(t(ib[1]), t(ib[0]), t(high), t(low), t(open_), t(close), r20)


@pytest.mark.parametrize(
    ("high", "low", "open_", "close", "expected"),
    [
        (5011.00, 5000.00, 5002.00, 5006.00, "NORMAL"),
        (5018.00, 5000.00, 5002.00, 5012.00, "NORMAL_VARIATION"),
        (5025.00, 5000.00, 5001.00, 5024.00, "TREND"),
        (5025.00, 5000.00, 5001.00, 5015.00, "NORMAL_VARIATION"),
        (5014.00, 4996.00, 5004.00, 5013.00, "NEUTRAL_EXTREME"),
        (5014.00, 4996.00, 5004.00, 5005.00, "NEUTRAL_CENTER"),
    ],
)
def test_day_type_table_when_spec_rows_then_expected_type(high, low, open_, close, expected):
    assert classify_day_type(day(high, low, open_, close)) == expected


def test_day_type_when_narrow_ib_and_tiny_extension_then_nontrend():
    assert (
        classify_day_type(day(5005.25, 5000.0, 5001.0, 5002.0, ib=(5000.0, 5005.0))) == "NONTREND"
    )


def test_day_type_when_trend_day_has_b_shape_then_double_distribution():
    assert (
        classify_day_type(day(5025.0, 5000.0, 5001.0, 5024.0), shape="B") == "DOUBLE_DISTRIBUTION"
    )


def test_day_type_when_no_r20_then_nontrend_rule_skipped():
    inputs = day(5005.25, 5000.0, 5001.0, 5002.0, ib=(5000.0, 5005.0), r20=None)
    assert classify_day_type(inputs) == "NORMAL"


def test_average_range_when_ranges_then_exact_mean_or_none():
    assert average_range_ticks([100, 101]) == Fraction(201, 2)
    assert average_range_ticks([]) is None


def test_day_inputs_of_tpo_profile_when_open_and_close_known_then_ib_from_a_and_b():
    tpo = TpoProfile(
        list("ABC"), [20000, 20004, 20008], [20006, 20010, 20012], open_tick=20001, close_tick=20011
    )
    inputs = day_inputs_of(tpo, R20)
    assert inputs == DayInputs(20010, 20000, 20012, 20000, 20001, 20011, R20)
    assert day_inputs_of(TpoProfile(list("A"), [1], [2]), R20) is None
