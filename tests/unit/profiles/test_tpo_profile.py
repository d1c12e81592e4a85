"""TPO profile and its features: spec §2.2 and §2.5 worked example EX6 (and its variant)."""

import numpy as np
import pytest

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE
from orderflow_lib.profiles import TpoProfile, ValueAreaRules, profile_features
from orderflow_lib.profiles.bars import tpo_profile_from_bar_array
from orderflow_lib.profiles.periods import Period, make_periods

EX6 = {
    "A": (5000.00, 5001.00),
    "B": (5000.50, 5001.50),
    "C": (5001.00, 5002.00),
    "D": (5001.25, 5001.75),
    "E": (5000.75, 5001.50),
    "F": (5001.25, 5003.00),
    "G": (5001.50, 5002.00),
}
EX6_ROWS = ["F", "F", "F", "F", "CFG", "CDFG", "BCDEFG", "BCDEF", "ABCE", "ABE", "AB", "A", "A"]


def tick(price):
    return round(price / 0.25)


def tpo_of(periods):
    return TpoProfile(
        list(periods),
        [tick(lo) for lo, _ in periods.values()],
        [tick(hi) for _, hi in periods.values()],
    )


def test_ex6_rows_when_seven_periods_then_letters_per_row_as_in_spec():
    tpo = tpo_of(EX6)
    assert tpo.row_letters()[::-1] == EX6_ROWS
    assert tpo.row_low_ticks[[0, -1]].tolist() == [tick(5000.00), tick(5003.00)]
    assert tpo.total_tpos == 33


def test_ex6_tpo_value_area_when_dual_70_then_5000_50_to_5002_00():
    va = tpo_of(EX6).value_area()
    assert (va.poc, va.val, va.vah, va.volume, va.total) == (5001.50, 5000.50, 5002.00, 27, 33)
    assert va.basis == "TPO"


def test_ex6_features_when_seven_periods_then_ib_extensions_and_excess_both_ends():
    f = profile_features(tpo_of(EX6))
    assert (f.ib_low_tick, f.ib_high_tick, f.ib_range_ticks) == (tick(5000.0), tick(5001.5), 6)
    assert f.extension_up == ("C", "F")
    assert f.first_extension_up == "C"
    assert f.extension_down == ()
    assert (f.selling_tail.rows, f.selling_tail.printing_period) == (4, "F")
    assert (f.selling_tail.low_tick, f.selling_tail.high_tick) == (tick(5002.25), tick(5003.00))
    assert (f.buying_tail.rows, f.buying_tail.printing_period) == (2, "A")
    assert f.excess_high and f.excess_low
    assert f.poor_high is None and f.poor_low is None


def test_ex6_variant_when_g_reaches_the_high_then_poor_high_weak_and_no_excess_high():
    periods = dict(EX6, G=(5001.50, 5003.00))
    tpo = tpo_of(periods)
    f = profile_features(tpo)
    va = tpo.value_area()
    assert tpo.total_tpos == 37
    assert (f.poor_high.tick, f.poor_high.tpos, f.poor_high.weak) == (tick(5003.0), 2, True)
    assert not f.excess_high
    assert f.excess_low
    assert (va.val, va.vah, va.volume, va.total) == (5000.50, 5002.00, 27, 37)


def test_tail_when_made_in_last_period_then_not_excess():
    periods = {"A": (5000.0, 5001.0), "B": (5000.0, 5001.0), "C": (5000.0, 5002.0)}
    f = profile_features(tpo_of(periods))
    assert f.selling_tail.rows == 4
    assert f.selling_tail.printing_period == "C"
    assert not f.excess_high


def test_tail_when_one_row_then_tail_but_not_excess():
    periods = {"A": (5000.0, 5001.0), "B": (5000.25, 5001.25), "C": (5000.25, 5001.0)}
    f = profile_features(tpo_of(periods))
    assert f.buying_tail.rows == 1 and not f.excess_low
    assert f.selling_tail.rows == 1 and not f.excess_high


def test_interior_single_prints_when_run_of_two_then_reported_with_letters():
    periods = {
        "A": (5000.0, 5000.5),
        "B": (5000.0, 5001.5),
        "C": (5001.25, 5002.0),
        "D": (5001.25, 5002.0),
    }
    f = profile_features(tpo_of(periods))
    assert len(f.interior_single_runs) == 1
    run = f.interior_single_runs[0]
    assert (run.low_tick, run.high_tick, run.rows, run.letters) == (
        tick(5000.75),
        tick(5001.0),
        2,
        "B",
    )
    assert profile_features(tpo_of(periods), min_single_run=3).interior_single_runs == ()


def test_poor_low_when_two_periods_stop_at_low_and_filter_on_then_ignored_inside_ib():
    periods = {
        "A": (5000.0, 5001.0),
        "B": (5000.0, 5001.5),
        "C": (5000.5, 5002.0),
        "D": (5001.0, 5002.0),
    }
    assert profile_features(tpo_of(periods)).poor_low.tpos == 2
    assert profile_features(tpo_of(periods), poor_validity_filter=True).poor_low is None


def trades(rows):
    return np.array(rows, dtype=TRADE_DTYPE)


def test_from_trade_array_when_period_has_one_trade_then_one_row_single_print():
    m = NS_PER_MINUTE
    periods = make_periods(0, 90 * m)
    data = trades(
        [(1 * m, 100, 5, 1), (10 * m, 104, 1, -1), (31 * m, 102, 2, 1), (89 * m, 103, 1, 0)]
    )
    tpo = TpoProfile.from_trade_array(data, periods)
    assert [p.letter for p in periods] == ["A", "B", "C"]
    assert tpo.counts.tolist() == [1, 1, 2, 2, 1]
    assert tpo.row_letters() == ["A", "A", "AB", "AC", "A"]
    assert (tpo.open_tick, tpo.close_tick) == (100, 103)
    assert tpo.volumes.tolist() == [5, 0, 2, 1, 1]


def test_from_trade_array_when_a_period_prints_nothing_then_marked_halted():
    m = NS_PER_MINUTE
    tpo = TpoProfile.from_trade_array(
        trades([(1 * m, 100, 1, 0), (61 * m, 101, 1, 0)]), make_periods(0, 90 * m)
    )
    assert tpo.halted == ("B",)
    assert tpo.printed.tolist() == [True, False, True]


def test_from_trade_array_when_no_trade_in_periods_then_empty_and_no_value_area():
    tpo = TpoProfile.from_trade_array(
        trades([(10_000 * NS_PER_MINUTE, 1, 1, 0)]), make_periods(0, 60 * NS_PER_MINUTE)
    )
    assert tpo.is_empty and tpo.value_area() is None
    assert profile_features(tpo).selling_tail is None


def test_tpo_poc_when_counts_tie_and_volume_tiebreak_on_then_heavier_row_wins():
    m = NS_PER_MINUTE
    data = trades([(1 * m, 10, 1, 0), (2 * m, 12, 9, 0), (31 * m, 10, 1, 0), (32 * m, 12, 1, 0)])
    tpo = TpoProfile.from_trade_array(data, make_periods(0, 60 * m))
    assert tpo.counts.tolist() == [2, 2, 2]
    assert tpo.value_area(0.1).poc_ticks == 11
    rules = ValueAreaRules.make(0.1, tpo_poc_tiebreak_volume=True)
    assert tpo.value_area(rules=rules).poc_ticks == 12


def test_from_bar_array_when_minute_bars_then_period_ranges_from_highs_and_lows():
    m = NS_PER_MINUTE
    bars = np.zeros(3, dtype=BAR_DTYPE)
    bars[0] = (0, 10, 12, 9, 11, 10)
    bars[1] = (29 * m, 11, 13, 11, 13, 5)
    bars[2] = (30 * m, 13, 13, 12, 12, 4)
    tpo = tpo_profile_from_bar_array(bars, make_periods(0, 60 * m))
    assert tpo.period_low_ticks.tolist() == [9, 12]
    assert tpo.period_high_ticks.tolist() == [13, 13]
    assert (tpo.open_tick, tpo.close_tick) == (10, 12)


def test_make_periods_when_window_not_a_multiple_then_last_period_partial():
    m = NS_PER_MINUTE
    periods = make_periods(0, 405 * m)
    assert len(periods) == 14
    assert periods[-1] == Period("N", 390 * m, 405 * m)


def test_make_periods_when_more_than_52_periods_then_value_error():
    with pytest.raises(ValueError, match="letters"):
        make_periods(0, 53 * 30 * NS_PER_MINUTE)


def test_periods_when_overlapping_then_validation_error_names_period():
    with pytest.raises(ValidationError, match="period B"):
        TpoProfile.from_ticks([1], [1], [1], [("A", 0, 10), ("B", 5, 20)])


def test_tpo_profile_when_period_low_above_high_then_validation_error():
    with pytest.raises(ValidationError, match="period A"):
        TpoProfile(["A"], [5], [4])
