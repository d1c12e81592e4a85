"""Composite value area: EX7, the calendar-aware last-5 window (spec §1.4), roll handling
(spec §1.2 fixture for 2024-03-08) and the balance-merge mode (spec §3.1)."""

import datetime as dt

import numpy as np
import pytest

from orderflow_lib.core.config import CompositeSettings
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.profiles import SessionProfile, VolumeProfile, composite, cva_for_date
from orderflow_lib.profiles.composite import balance_merge, is_thin_session, merge_profiles
from orderflow_lib.profiles.dva import daily_value_for

D = dt.date


def levels(mapping, **kwargs):
    return VolumeProfile.from_levels(list(mapping), list(mapping.values()), **kwargs)


def session(day, mapping=None, **kwargs):
    return SessionProfile(day, levels(mapping or {5000.0: 10, 5000.25: 30, 5000.5: 10}), **kwargs)


def test_ex7_composite_when_two_days_merged_then_poc_5000_50_va_5000_00_to_5000_50():
    day1 = session(D(2024, 1, 2), {5000.00: 50, 5000.25: 100, 5000.50: 50})
    day2 = session(D(2024, 1, 3), {5000.25: 30, 5000.50: 120, 5000.75: 60})
    cva = composite([day2, day1])
    assert cva.profile.volumes.tolist() == [50, 130, 170, 60]
    assert (cva.poc, cva.vah, cva.val) == (5000.50, 5000.50, 5000.00)
    assert (cva.value_area.volume, cva.value_area.total) == (350, 410)
    assert (cva.first_date, cva.last_date, cva.days_included) == (D(2024, 1, 2), D(2024, 1, 3), 2)
    assert (cva.high_tick, cva.low_tick) == (20003, 20000)


def test_merge_profiles_when_row_sizes_differ_then_rebucketed_to_coarsest():
    fine = VolumeProfile.from_ticks([10, 11, 12], [1, 2, 3])
    coarse = VolumeProfile.from_ticks([10, 12], [4, 5], row_ticks=2)
    merged = merge_profiles([fine, coarse])
    assert merged.row_ticks == 2
    assert merged.row_low_ticks.tolist() == [10, 12]
    assert merged.volumes.tolist() == [7, 8]


def test_merge_profiles_when_tick_sizes_differ_then_value_error():
    with pytest.raises(ValueError, match="tick size"):
        merge_profiles([levels({1.0: 1}), levels({1.0: 1}, tick_size=0.5)])


def test_composite_when_no_volume_then_none():
    assert composite([SessionProfile(D(2024, 1, 2), VolumeProfile.empty())]) is None
    assert composite([]) is None


def daily_profiles(start, end):
    out = {}
    day = start
    while day <= end:
        out[day] = session(day)
        day += dt.timedelta(days=1)
    return out


def test_cva_for_date_when_thanksgiving_week_then_skips_holiday_and_flags_short_session():
    profiles = daily_profiles(D(2024, 11, 15), D(2024, 12, 1))
    cva = cva_for_date(profiles, D(2024, 12, 2))
    assert cva.dates == (
        D(2024, 11, 22),
        D(2024, 11, 25),
        D(2024, 11, 26),
        D(2024, 11, 27),
        D(2024, 11, 29),
    )
    assert cva.contains_short_session
    assert (cva.days_included, cva.requested_days, cva.low_confidence) == (5, 5, False)


def test_cva_for_date_when_min_rth_minutes_300_then_early_close_excluded():
    profiles = daily_profiles(D(2024, 11, 15), D(2024, 12, 1))
    cva = cva_for_date(profiles, D(2024, 12, 2), settings=CompositeSettings(min_rth_minutes=300))
    assert cva.dates == (
        D(2024, 11, 21),
        D(2024, 11, 22),
        D(2024, 11, 25),
        D(2024, 11, 26),
        D(2024, 11, 27),
    )
    assert not cva.contains_short_session


def test_cva_for_date_when_sessions_missing_then_days_included_below_n_and_low_confidence():
    profiles = {
        D(2024, 11, 27): session(D(2024, 11, 27)),
        D(2024, 11, 29): session(D(2024, 11, 29)),
    }
    cva = cva_for_date(profiles, D(2024, 12, 2), calendar=default_calendar())
    assert (cva.days_included, cva.requested_days, cva.low_confidence) == (2, 5, True)


ROLL_DATES = [D(2024, 3, 1), D(2024, 3, 4), D(2024, 3, 5), D(2024, 3, 6), D(2024, 3, 7)]


def roll_window(built_from):
    cal = default_calendar()
    return [
        session(d, contract=built_from(d), lead_contract=cal.lead_contract(d)) for d in ROLL_DATES
    ]


def test_roll_when_rebuilt_in_lead_contract_then_five_days_and_contains_roll():
    cva = composite(roll_window(lambda d: "ESM24"), contract="ESM24")
    assert (cva.days_included, cva.contains_roll, cva.back_adjusted) == (5, True, False)


def test_roll_when_same_contract_only_then_one_day_and_low_confidence():
    cva = composite(
        roll_window(lambda d: "ESM24"), contract="ESM24", across_roll="same_contract_only"
    )
    assert cva.dates == (D(2024, 3, 7),)
    assert (cva.days_included, cva.low_confidence, cva.contains_roll) == (1, True, True)


def test_roll_when_back_adjusted_then_esh24_vah_5010_enters_at_5071_25():
    day = SessionProfile(
        D(2024, 3, 5),
        levels({5009.0: 10, 5009.5: 40, 5010.0: 20, 5011.0: 5}),
        contract="ESH24",
        lead_contract="ESH24",
    )
    assert day.profile.value_area().vah == 5010.00
    cva = composite([day], contract="ESM24", across_roll="back_adjust", spread_ticks={"ESH24": 245})
    assert cva.vah == 5071.25
    assert cva.back_adjusted and cva.contains_roll


def test_roll_when_back_adjust_without_spread_then_value_error_names_contract():
    with pytest.raises(ValueError, match="ESH24"):
        composite(roll_window(lambda d: "ESH24"), contract="ESM24", across_roll="back_adjust")


def test_roll_when_session_built_from_old_contract_then_refused_by_default():
    with pytest.raises(ValueError, match="ESH24"):
        composite(roll_window(lambda d: "ESH24"), contract="ESM24")


def bell(day, centre_tick, scale=1):
    shape = [1, 2, 4, 8, 12, 16, 20, 16, 12, 8, 4, 2, 1]
    ticks = np.arange(len(shape)) + centre_tick - len(shape) // 2
    return SessionProfile(day, VolumeProfile.from_level_ticks(ticks, np.array(shape) * scale))


def test_balance_merge_when_overlapping_bells_then_merged_until_value_moves_away():
    far = bell(D(2024, 1, 2), 20200)
    older = bell(D(2024, 1, 3), 20001)
    newest = bell(D(2024, 1, 4), 20000)
    cva = balance_merge([far, older, newest])
    assert cva.dates == (D(2024, 1, 3), D(2024, 1, 4))
    assert (cva.mode, cva.shape) == ("balance_merge", "D")


def test_balance_merge_when_merged_shape_would_be_thin_then_stops():
    flat = SessionProfile(
        D(2024, 1, 3), VolumeProfile.from_level_ticks(np.arange(19980, 20021), [50] * 41)
    )
    cva = balance_merge([flat, bell(D(2024, 1, 4), 20000)])
    assert cva.dates == (D(2024, 1, 4),)


def test_balance_merge_when_max_merge_days_reached_then_stops():
    days = [bell(D(2024, 1, d), 20000) for d in (2, 3, 4)]
    cva = balance_merge(days, settings=CompositeSettings(max_merge_days=2))
    assert cva.dates == (D(2024, 1, 3), D(2024, 1, 4))


def test_cva_for_date_when_balance_merge_mode_then_uses_merge_rule():
    profiles = {d: bell(d, 20000) for d in (D(2024, 1, 3), D(2024, 1, 4))}
    profiles[D(2024, 1, 2)] = bell(D(2024, 1, 2), 20300)
    settings = CompositeSettings(cva_mode="balance_merge")
    cva = cva_for_date(profiles, D(2024, 1, 5), settings=settings)
    assert cva.dates == (D(2024, 1, 3), D(2024, 1, 4))


def test_is_thin_session_when_below_quarter_of_combined_volume_then_thin():
    assert is_thin_session(24, 76)
    assert not is_thin_session(25, 75)


def test_daily_value_for_when_compared_day_excluded_then_composite_ends_day_before():
    profiles = daily_profiles(D(2024, 11, 15), D(2024, 12, 2))
    value = daily_value_for(profiles, D(2024, 11, 29))
    assert value.cva.last_date == D(2024, 11, 27)
    included = daily_value_for(
        profiles, D(2024, 11, 29), settings=CompositeSettings(cva_exclude_compared_day=False)
    )
    assert included.cva.last_date == D(2024, 11, 29)
    assert included.relationship.relation == "UNCHANGED"
    assert daily_value_for(profiles, D(2024, 12, 3)) is None
