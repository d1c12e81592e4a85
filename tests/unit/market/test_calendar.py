"""SessionCalendar: trade dates, Globex/ETH/RTH windows, holidays, TPO periods (spec §0.2, §1.3-§1.6)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pytest

from orderflow_lib.core.config import CalendarSettings
from orderflow_lib.core.errors import CalendarError, ConfigError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, datetime_to_ns, ny_to_ns
from orderflow_lib.market.calendar import (
    FIRST_TRADE_DATE,
    GlobexWindow,
    Session,
    SessionCalendar,
    TpoPeriod,
    default_calendar,
)
from orderflow_lib.market.calendar_overrides import CalendarOverrides

D = dt.date


def _ny(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return ny_to_ns(D(year, month, day), dt.time(hour, minute))


@pytest.fixture(scope="module")
def cal() -> SessionCalendar:
    return default_calendar()


@pytest.fixture(scope="module")
def cal_1615() -> SessionCalendar:
    return SessionCalendar(rth_end="16:15")


# Spec §11 "trade dates / Globex windows".


def test_monday_trade_date_when_globex_window_read_then_opens_sunday_18_et(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2024, 12, 2))
    assert window == GlobexWindow(D(2024, 12, 2), _ny(2024, 12, 1, 18), _ny(2024, 12, 2, 17), ())


def test_day_after_christmas_when_globex_window_read_then_opens_christmas_18_et(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2024, 12, 26))
    assert (window.open_ns, window.close_ns, window.halts) == (
        _ny(2024, 12, 25, 18),
        _ny(2024, 12, 26, 17),
        (),
    )


def test_mlk_2025_when_tuesday_window_read_then_opens_sunday_with_monday_halt(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2025, 1, 21))
    assert window.open_ns == _ny(2025, 1, 19, 18)
    assert window.close_ns == _ny(2025, 1, 21, 17)
    assert window.halts == ((_ny(2025, 1, 20, 13), _ny(2025, 1, 20, 18)),)
    assert cal.prior_rth_date(D(2025, 1, 21)) == D(2025, 1, 17)
    assert cal.eth_window(D(2025, 1, 21)) == (_ny(2025, 1, 19, 18), _ny(2025, 1, 21, 9, 30))
    assert not cal.is_trade_date(D(2025, 1, 20))
    assert cal.is_holiday(D(2025, 1, 20))


def test_mlk_2025_when_monday_times_mapped_then_belong_to_tuesday(cal: SessionCalendar) -> None:
    assert cal.trade_date(_ny(2025, 1, 20, 10)) == D(2025, 1, 21)
    assert cal.trade_date(_ny(2025, 1, 20, 15)) == D(2025, 1, 21)
    assert not cal.globex_window(D(2025, 1, 21)).is_trading(_ny(2025, 1, 20, 15))
    assert cal.globex_window(D(2025, 1, 21)).is_trading(_ny(2025, 1, 20, 12, 59))


def test_thanksgiving_2024_when_friday_window_read_then_opens_wednesday_closes_13_15(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2024, 11, 29))
    assert window.open_ns == _ny(2024, 11, 27, 18)
    assert window.close_ns == _ny(2024, 11, 29, 13, 15)
    assert window.halts == ((_ny(2024, 11, 28, 13), _ny(2024, 11, 28, 18)),)
    assert cal.prior_rth_date(D(2024, 11, 29)) == D(2024, 11, 27)


def test_thanksgiving_2024_when_rth_read_then_holiday_then_early_close_a_to_g(
    cal: SessionCalendar,
) -> None:
    assert cal.is_holiday(D(2024, 11, 28))
    assert cal.rth_session(D(2024, 11, 28)) is None
    assert cal.trade_date(_ny(2024, 11, 28, 10)) == D(2024, 11, 29)
    assert cal.is_early_close(D(2024, 11, 29))
    assert cal.rth_session(D(2024, 11, 29)) == Session(
        D(2024, 11, 29), _ny(2024, 11, 29, 9, 30), _ny(2024, 11, 29, 13), True, 210
    )
    periods = cal.tpo_periods(D(2024, 11, 29))
    assert [p.letter for p in periods] == list("ABCDEFG")
    assert periods[-1] == TpoPeriod("G", _ny(2024, 11, 29, 12, 30), _ny(2024, 11, 29, 13))


def test_july_4_2025_friday_when_monday_window_read_then_holds_thursday_night_segment(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2025, 7, 7))
    assert window.open_ns == _ny(2025, 7, 3, 18)
    assert window.halts == ((_ny(2025, 7, 4, 13), _ny(2025, 7, 6, 18)),)
    assert cal.trade_date(_ny(2025, 7, 4, 10)) == D(2025, 7, 7)
    assert cal.prior_rth_date(D(2025, 7, 7)) == D(2025, 7, 3)
    assert cal.is_early_close(D(2025, 7, 3))
    assert cal.globex_window(D(2025, 7, 3)).close_ns == _ny(2025, 7, 3, 13, 15)


# trade_date mapping at the edges.


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        (_ny(2024, 12, 1, 18), D(2024, 12, 2)),
        (_ny(2024, 12, 2, 16, 59), D(2024, 12, 2)),
        (_ny(2024, 12, 2, 17) - 1, D(2024, 12, 2)),
        (_ny(2024, 12, 2, 17), D(2024, 12, 3)),
        (_ny(2024, 12, 2, 17, 30), D(2024, 12, 3)),
        (_ny(2024, 12, 6, 17), D(2024, 12, 9)),
        (_ny(2024, 12, 7, 12), D(2024, 12, 9)),
        (_ny(2024, 12, 8, 17, 59), D(2024, 12, 9)),
        (_ny(2024, 12, 25, 12), D(2024, 12, 26)),
    ],
)
def test_trade_date_when_timestamp_at_edge_then_window_or_next_trade_date(
    cal: SessionCalendar, ts: int, expected: dt.date
) -> None:
    assert cal.trade_date(ts) == expected


def test_trade_dates_of_when_array_given_then_matches_scalar_trade_date(
    cal: SessionCalendar,
) -> None:
    start, end = _ny(2024, 11, 20, 0), _ny(2025, 7, 10, 0)
    ts = np.concatenate(
        [
            np.arange(start, end, 17 * NS_PER_MINUTE, dtype=np.int64),
            np.array([_ny(2025, 1, 20, 13), _ny(2025, 1, 21, 17) - 1], dtype=np.int64),
        ]
    )
    result = cal.trade_dates_of(ts)
    assert result.dtype == np.dtype("datetime64[D]")
    expected = np.array([cal.trade_date(int(t)) for t in ts], dtype="datetime64[D]")
    np.testing.assert_array_equal(result, expected)


def test_trade_dates_of_when_empty_then_empty_dates(cal: SessionCalendar) -> None:
    result = cal.trade_dates_of(np.empty(0, dtype=np.int64))
    assert result.shape == (0,)
    assert result.dtype == np.dtype("datetime64[D]")


def test_trade_dates_of_when_not_int64_then_value_error(cal: SessionCalendar) -> None:
    with pytest.raises(ValueError, match="int64 array"):
        cal.trade_dates_of(np.array([1.5e18]))


@pytest.mark.parametrize("ts", [_ny(2012, 11, 18, 17), _ny(2028, 1, 1, 12)])
def test_trade_date_when_outside_range_then_calendar_error(cal: SessionCalendar, ts: int) -> None:
    with pytest.raises(CalendarError, match="outside the calendar's Globex range"):
        cal.trade_date(ts)
    with pytest.raises(CalendarError, match="outside the calendar's Globex range"):
        cal.trade_dates_of(np.array([_ny(2024, 1, 2, 12), ts], dtype=np.int64))


def test_trade_date_when_first_supported_open_then_first_trade_date(cal: SessionCalendar) -> None:
    assert cal.trade_date(_ny(2012, 11, 18, 18)) == FIRST_TRADE_DATE


def test_trade_dates_when_thanksgiving_week_then_thursday_missing(cal: SessionCalendar) -> None:
    assert cal.trade_dates(D(2024, 11, 25), D(2024, 12, 2)) == [
        D(2024, 11, 25),
        D(2024, 11, 26),
        D(2024, 11, 27),
        D(2024, 11, 29),
        D(2024, 12, 2),
    ]


@pytest.mark.parametrize("day", [D(2024, 11, 28), D(2024, 12, 25), D(2024, 12, 7)])
def test_globex_window_when_not_a_trade_date_then_calendar_error(
    cal: SessionCalendar, day: dt.date
) -> None:
    with pytest.raises(CalendarError, match=f"{day} is not a CME trade date"):
        cal.globex_window(day)


# Composite window (spec §1.4).


def test_last_rth_sessions_when_composite_for_2024_12_02_then_skips_thanksgiving(
    cal: SessionCalendar,
) -> None:
    sessions = cal.last_rth_sessions(D(2024, 12, 2), 5)
    assert [s.date for s in sessions] == [
        D(2024, 11, 22),
        D(2024, 11, 25),
        D(2024, 11, 26),
        D(2024, 11, 27),
        D(2024, 11, 29),
    ]
    assert [s.short for s in sessions] == [False, False, False, False, True]


def test_last_rth_sessions_when_min_rth_minutes_300_then_short_day_dropped(
    cal: SessionCalendar,
) -> None:
    sessions = cal.last_rth_sessions(D(2024, 12, 2), 5, min_rth_minutes=300)
    assert [s.date for s in sessions] == [
        D(2024, 11, 21),
        D(2024, 11, 22),
        D(2024, 11, 25),
        D(2024, 11, 26),
        D(2024, 11, 27),
    ]


def test_last_rth_sessions_when_include_trade_date_then_ends_with_it(cal: SessionCalendar) -> None:
    sessions = cal.last_rth_sessions(D(2024, 12, 2), 2, include_trade_date=True)
    assert [s.date for s in sessions] == [D(2024, 11, 29), D(2024, 12, 2)]


def test_last_rth_sessions_when_calendar_starts_then_returns_fewer(cal: SessionCalendar) -> None:
    assert [s.date for s in cal.last_rth_sessions(D(2000, 1, 5), 5)] == [
        D(2000, 1, 3),
        D(2000, 1, 4),
    ]
    assert cal.last_rth_sessions(D(2024, 12, 2), 0) == []


def test_last_rth_sessions_when_n_negative_then_value_error(cal: SessionCalendar) -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        cal.last_rth_sessions(D(2024, 12, 2), -1)


# Holidays and early closes.


@pytest.mark.parametrize(
    ("holiday", "next_day", "open_day"),
    [
        (D(2024, 6, 19), D(2024, 6, 20), D(2024, 6, 18)),
        (D(2025, 6, 19), D(2025, 6, 20), D(2025, 6, 18)),
    ],
)
def test_juneteenth_when_mapped_then_no_rth_and_segment_joins_next_trade_date(
    cal: SessionCalendar, holiday: dt.date, next_day: dt.date, open_day: dt.date
) -> None:
    assert cal.is_holiday(holiday)
    assert not cal.is_trade_date(holiday)
    window = cal.globex_window(next_day)
    assert window.open_ns == ny_to_ns(open_day, dt.time(18))
    assert window.halts == ((ny_to_ns(holiday, dt.time(13)), ny_to_ns(holiday, dt.time(18))),)
    assert cal.trade_date(ny_to_ns(holiday, dt.time(10))) == next_day
    assert cal.prior_rth_date(next_day) == open_day


def test_july_3_2024_when_read_then_early_close_and_july_4_joins_july_5(
    cal: SessionCalendar,
) -> None:
    assert cal.is_early_close(D(2024, 7, 3))
    assert cal.rth_session(D(2024, 7, 3)) is not None
    assert cal.globex_window(D(2024, 7, 3)).close_ns == _ny(2024, 7, 3, 13, 15)
    window = cal.globex_window(D(2024, 7, 5))
    assert window.open_ns == _ny(2024, 7, 3, 18)
    assert window.halts == ((_ny(2024, 7, 4, 13), _ny(2024, 7, 4, 18)),)


def test_july_3_2026_when_read_then_full_holiday_and_july_2_full_day(cal: SessionCalendar) -> None:
    assert cal.is_holiday(D(2026, 7, 3))
    assert not cal.is_early_close(D(2026, 7, 2))
    assert cal.rth_session(D(2026, 7, 2)) == Session(
        D(2026, 7, 2), _ny(2026, 7, 2, 9, 30), _ny(2026, 7, 2, 16), False, 390
    )
    assert cal.globex_window(D(2026, 7, 2)).close_ns == _ny(2026, 7, 2, 17)
    window = cal.globex_window(D(2026, 7, 6))
    assert window.open_ns == _ny(2026, 7, 2, 18)
    assert window.halts == ((_ny(2026, 7, 3, 13), _ny(2026, 7, 5, 18)),)


@pytest.mark.parametrize("day", [D(2024, 12, 24), D(2025, 7, 3), D(2025, 11, 28), D(2025, 12, 24)])
def test_is_early_close_when_xnys_closes_at_13_then_true(
    cal: SessionCalendar, day: dt.date
) -> None:
    assert cal.is_early_close(day)
    assert cal.globex_window(day).close_ns == ny_to_ns(day, dt.time(13, 15))


def test_christmas_eve_2021_when_observed_christmas_then_full_holiday(cal: SessionCalendar) -> None:
    assert cal.is_holiday(D(2021, 12, 24))
    assert not cal.is_early_close(D(2021, 12, 24))


def test_is_holiday_when_weekend_then_false(cal: SessionCalendar) -> None:
    assert not cal.is_holiday(D(2024, 12, 7))
    assert not cal.is_early_close(D(2024, 12, 7))


def test_special_closure_2025_01_09_when_read_then_own_trade_date_closing_08_30_ct(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2025, 1, 9))
    assert window == GlobexWindow(D(2025, 1, 9), _ny(2025, 1, 8, 18), _ny(2025, 1, 9, 9, 30), ())
    assert cal.rth_session(D(2025, 1, 9)) is None
    assert cal.is_holiday(D(2025, 1, 9))
    assert cal.eth_window(D(2025, 1, 9)) == (_ny(2025, 1, 8, 18), _ny(2025, 1, 9, 9, 30))
    assert cal.trade_date(_ny(2025, 1, 9, 9)) == D(2025, 1, 9)
    assert cal.trade_date(_ny(2025, 1, 9, 12)) == D(2025, 1, 10)
    assert cal.tpo_periods(D(2025, 1, 9)) == []


def test_special_closure_2025_01_09_when_next_day_read_then_opens_17_ct_with_prior_rth_01_08(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2025, 1, 10))
    assert (window.open_ns, window.halts) == (_ny(2025, 1, 9, 18), ())
    assert cal.prior_rth_date(D(2025, 1, 10)) == D(2025, 1, 8)
    sessions = cal.last_rth_sessions(D(2025, 1, 13), 3)
    assert [s.date for s in sessions] == [D(2025, 1, 7), D(2025, 1, 8), D(2025, 1, 10)]
    assert cal.trade_dates(D(2025, 1, 8), D(2025, 1, 10)) == [
        D(2025, 1, 8),
        D(2025, 1, 9),
        D(2025, 1, 10),
    ]


# Good Friday rows 2021-2027 (override file) and 2022 (library closed, no row needed).

# halts: the Good Friday segment's halt when CME traded that morning; 2021 also has the 16:15 ET
# halt of the pre-2021-06-28 session hours.
GOOD_FRIDAYS = [
    (
        D(2021, 4, 2),
        D(2021, 4, 5),
        D(2021, 4, 1),
        (
            (_ny(2021, 4, 2, 9, 15), _ny(2021, 4, 4, 18)),
            (_ny(2021, 4, 5, 16, 15), _ny(2021, 4, 5, 16, 30)),
        ),
    ),
    (D(2022, 4, 15), D(2022, 4, 18), D(2022, 4, 17), ()),
    (
        D(2023, 4, 7),
        D(2023, 4, 10),
        D(2023, 4, 6),
        ((_ny(2023, 4, 7, 9, 15), _ny(2023, 4, 9, 18)),),
    ),
    (D(2024, 3, 29), D(2024, 4, 1), D(2024, 3, 31), ()),
    (D(2025, 4, 18), D(2025, 4, 21), D(2025, 4, 20), ()),
    (D(2026, 4, 3), D(2026, 4, 6), D(2026, 4, 2), ((_ny(2026, 4, 3, 9, 15), _ny(2026, 4, 5, 18)),)),
    (D(2027, 3, 26), D(2027, 3, 29), D(2027, 3, 28), ()),
]


@pytest.mark.parametrize(("good_friday", "monday", "open_day", "halts"), GOOD_FRIDAYS)
def test_good_friday_when_mapped_then_no_trade_date_and_monday_window_per_override(
    cal: SessionCalendar,
    good_friday: dt.date,
    monday: dt.date,
    open_day: dt.date,
    halts: tuple[tuple[int, int], ...],
) -> None:
    assert cal.is_holiday(good_friday)
    assert not cal.is_trade_date(good_friday)
    window = cal.globex_window(monday)
    assert window.open_ns == ny_to_ns(open_day, dt.time(18))
    assert window.halts == halts
    assert cal.trade_date(ny_to_ns(good_friday, dt.time(8))) == monday
    assert cal.prior_rth_date(monday) == good_friday - dt.timedelta(days=1)


# DST: New York clock times fixed, UTC times move by an hour.


@pytest.mark.parametrize(
    ("day", "utc_open"),
    [
        (D(2024, 3, 8), dt.datetime(2024, 3, 8, 14, 30, tzinfo=dt.UTC)),
        (D(2024, 3, 11), dt.datetime(2024, 3, 11, 13, 30, tzinfo=dt.UTC)),
        (D(2024, 11, 1), dt.datetime(2024, 11, 1, 13, 30, tzinfo=dt.UTC)),
        (D(2024, 11, 4), dt.datetime(2024, 11, 4, 14, 30, tzinfo=dt.UTC)),
    ],
)
def test_dst_week_when_rth_open_read_then_09_30_et_moves_by_an_hour_in_utc(
    cal: SessionCalendar, day: dt.date, utc_open: dt.datetime
) -> None:
    session = cal.rth_session(day)
    assert session is not None
    assert session.rth_open_ns == datetime_to_ns(utc_open)
    assert session.rth_open_ny.time() == dt.time(9, 30)
    assert cal.globex_window(day).open_ny.time() == dt.time(18)


def test_dst_start_when_sunday_open_read_then_18_et_is_22_utc(cal: SessionCalendar) -> None:
    window = cal.globex_window(D(2024, 3, 11))
    assert window.open_ns == _ny(2024, 3, 10, 18)
    assert window.open_ny.utcoffset() == dt.timedelta(hours=-4)
    assert cal.globex_window(D(2024, 3, 8)).open_ny.utcoffset() == dt.timedelta(hours=-5)


# Lean data week and the 2012-11-19 .. 2021-06-25 session hours.


def test_lean_week_when_rth_sessions_read_then_six_sessions(
    cal: SessionCalendar, cal_1615: SessionCalendar
) -> None:
    sessions = cal.rth_sessions(D(2013, 10, 7), D(2013, 10, 14))
    assert [s.date for s in sessions] == [
        D(2013, 10, 7),
        D(2013, 10, 8),
        D(2013, 10, 9),
        D(2013, 10, 10),
        D(2013, 10, 11),
        D(2013, 10, 14),
    ]
    assert {s.minutes for s in sessions} == {390}
    assert {s.minutes for s in cal_1615.rth_sessions(D(2013, 10, 7), D(2013, 10, 14))} == {405}


def test_2013_when_globex_window_read_then_closes_16_15_ct_with_15_15_halt(
    cal: SessionCalendar,
) -> None:
    window = cal.globex_window(D(2013, 10, 7))
    assert window.open_ns == _ny(2013, 10, 6, 18)
    assert window.close_ns == _ny(2013, 10, 7, 17, 15)
    assert window.halts == ((_ny(2013, 10, 7, 16, 15), _ny(2013, 10, 7, 16, 30)),)
    assert cal.trade_date(_ny(2013, 10, 7, 17, 10)) == D(2013, 10, 7)


def test_june_2021_when_close_moved_then_halt_ends_after_2021_06_25(cal: SessionCalendar) -> None:
    last_old = cal.globex_window(D(2021, 6, 25))
    first_new = cal.globex_window(D(2021, 6, 28))
    assert (last_old.close_ns, len(last_old.halts)) == (_ny(2021, 6, 25, 17, 15), 1)
    assert (first_new.close_ns, first_new.halts) == (_ny(2021, 6, 28, 17), ())


def test_2019_early_close_when_read_then_13_15_without_afternoon_halt(cal: SessionCalendar) -> None:
    window = cal.globex_window(D(2019, 11, 29))
    assert window.close_ns == _ny(2019, 11, 29, 13, 15)
    assert window.halts == ((_ny(2019, 11, 28, 13), _ny(2019, 11, 28, 18)),)


# TPO periods and initial balance.


def test_tpo_periods_when_full_day_then_a_to_m(cal: SessionCalendar) -> None:
    periods = cal.tpo_periods(D(2024, 12, 2))
    assert "".join(p.letter for p in periods) == "ABCDEFGHIJKLM"
    assert periods[0] == TpoPeriod("A", _ny(2024, 12, 2, 9, 30), _ny(2024, 12, 2, 10))
    assert periods[-1] == TpoPeriod("M", _ny(2024, 12, 2, 15, 30), _ny(2024, 12, 2, 16))


def test_tpo_periods_when_rth_end_16_15_then_partial_n(cal_1615: SessionCalendar) -> None:
    periods = cal_1615.tpo_periods(D(2024, 12, 2))
    assert "".join(p.letter for p in periods) == "ABCDEFGHIJKLMN"
    assert periods[-1] == TpoPeriod("N", _ny(2024, 12, 2, 16), _ny(2024, 12, 2, 16, 15))


def test_tpo_periods_when_rth_end_16_15_and_early_close_then_partial_h(
    cal_1615: SessionCalendar,
) -> None:
    periods = cal_1615.tpo_periods(D(2024, 11, 29))
    assert "".join(p.letter for p in periods) == "ABCDEFGH"
    assert periods[-1] == TpoPeriod("H", _ny(2024, 11, 29, 13), _ny(2024, 11, 29, 13, 15))
    assert cal_1615.rth_session(D(2024, 11, 29)) == Session(
        D(2024, 11, 29), _ny(2024, 11, 29, 9, 30), _ny(2024, 11, 29, 13, 15), True, 225
    )


def test_tpo_periods_when_60_minutes_then_seven_with_partial_last(cal: SessionCalendar) -> None:
    periods = cal.tpo_periods(D(2024, 12, 2), minutes=60)
    assert len(periods) == 7
    assert periods[-1] == TpoPeriod("G", _ny(2024, 12, 2, 15, 30), _ny(2024, 12, 2, 16))


@pytest.mark.parametrize(("minutes", "message"), [(0, "minutes must be >= 1"), (5, "78 periods")])
def test_tpo_periods_when_minutes_invalid_then_value_error(
    cal: SessionCalendar, minutes: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cal.tpo_periods(D(2024, 12, 2), minutes=minutes)


def test_tpo_periods_when_holiday_then_empty(cal: SessionCalendar) -> None:
    assert cal.tpo_periods(D(2024, 11, 28)) == []


def test_initial_balance_when_full_or_early_close_then_09_30_to_10_30(cal: SessionCalendar) -> None:
    assert cal.initial_balance_window(D(2024, 12, 2)) == (
        _ny(2024, 12, 2, 9, 30),
        _ny(2024, 12, 2, 10, 30),
    )
    assert cal.initial_balance_window(D(2024, 11, 29)) == (
        _ny(2024, 11, 29, 9, 30),
        _ny(2024, 11, 29, 10, 30),
    )


def test_initial_balance_when_no_rth_then_calendar_error(cal: SessionCalendar) -> None:
    with pytest.raises(CalendarError, match="2025-01-09 has no RTH session"):
        cal.initial_balance_window(D(2025, 1, 9))


def test_eth_window_when_normal_day_then_globex_open_to_rth_open(cal: SessionCalendar) -> None:
    assert cal.eth_window(D(2024, 12, 3)) == (_ny(2024, 12, 2, 18), _ny(2024, 12, 3, 9, 30))


# Contracts (spec §1.2 table with the real XNYS calendar and the override rows).

CONTRACTS = [
    ("ESH08", D(2008, 3, 20), D(2008, 3, 13)),
    ("ESM12", D(2012, 6, 15), D(2012, 6, 7)),
    ("ESU23", D(2023, 9, 15), D(2023, 9, 7)),
    ("ESH24", D(2024, 3, 15), D(2024, 3, 7)),
    ("ESM25", D(2025, 6, 20), D(2025, 6, 12)),
    ("ESZ25", D(2025, 12, 19), D(2025, 12, 11)),
    ("ESM26", D(2026, 6, 18), D(2026, 6, 11)),
    ("ESM27", D(2027, 6, 17), D(2027, 6, 10)),
    ("MESM26", D(2026, 6, 18), D(2026, 6, 11)),
    ("MESM27", D(2027, 6, 17), D(2027, 6, 10)),
]


@pytest.mark.parametrize(("contract", "ltd", "roll"), CONTRACTS)
def test_contract_table_when_read_from_calendar_then_matches_spec(
    cal: SessionCalendar, contract: str, ltd: dt.date, roll: dt.date
) -> None:
    assert cal.last_trading_day(contract) == ltd
    assert cal.roll_date(contract) == roll


@pytest.mark.parametrize("contract", ["ESM26", "ESM27", "MESM26", "MESM27"])
def test_pinned_contracts_when_derived_without_rows_then_agree_with_the_override_file(
    cal: SessionCalendar, contract: str
) -> None:
    no_contract_rows = CalendarOverrides(source="no contract rows", globex=cal.overrides.globex)
    plain = SessionCalendar(overrides_file=no_contract_rows)
    assert plain.last_trading_day(contract) == cal.last_trading_day(contract)
    assert plain.roll_date(contract) == cal.roll_date(contract)


def test_front_contract_when_evening_before_roll_date_then_next_contract(
    cal: SessionCalendar,
) -> None:
    assert cal.front_contract(_ny(2024, 3, 6, 20)) == "ESM24"
    assert cal.front_contract(_ny(2024, 3, 6, 15)) == "ESH24"
    assert cal.front_contract(_ny(2024, 3, 6, 20), root="MES") == "MESM24"


@pytest.mark.parametrize(
    ("trade_date", "expected"),
    [
        (D(2024, 1, 15), "ESH24"),
        (D(2024, 3, 20), "ESM24"),
        (D(2025, 12, 10), "ESZ25"),
        (D(2025, 12, 11), "ESH26"),
        (D(2025, 12, 31), "ESH26"),
        (D(2026, 6, 10), "ESM26"),
        (D(2026, 6, 11), "ESU26"),
    ],
)
def test_lead_contract_when_trade_date_given_then_rolls_on_roll_date(
    cal: SessionCalendar, trade_date: dt.date, expected: str
) -> None:
    assert cal.lead_contract(trade_date) == expected


def test_roll_date_when_days_before_third_friday_configured_then_used() -> None:
    assert SessionCalendar(roll_days_before_third_friday=5).roll_date("ESH24") == D(2024, 3, 10)


# Range, construction and settings.


@pytest.mark.parametrize("day", [D(1999, 12, 31), D(2028, 1, 3)])
def test_rth_session_when_outside_range_then_calendar_error(
    cal: SessionCalendar, day: dt.date
) -> None:
    with pytest.raises(CalendarError, match="outside the calendar's RTH range"):
        cal.rth_session(day)


def test_trade_dates_when_before_first_trade_date_then_calendar_error(cal: SessionCalendar) -> None:
    with pytest.raises(CalendarError, match="outside the calendar's Globex range"):
        cal.trade_dates(D(2012, 11, 1), D(2012, 12, 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rth_end": "16:30"}, "calendar.rth_end must be one of"),
        ({"roll_days_before_third_friday": 21}, "must be 0..20, was 21"),
        ({"last_year": 2011}, "last_year must be"),
    ],
)
def test_calendar_when_setting_invalid_then_config_error(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        SessionCalendar(**kwargs)  # type: ignore[arg-type]


def test_from_settings_when_defaults_then_packaged_overrides_and_16_00() -> None:
    calendar = SessionCalendar.from_settings(CalendarSettings())
    assert calendar.rth_end == "16:00"
    assert calendar.overrides.source == "calendar_overrides.yaml"
    assert calendar.rth_session(D(2025, 1, 9)) is None


def test_from_settings_when_rth_end_16_15_then_sessions_end_16_15() -> None:
    calendar = SessionCalendar.from_settings(CalendarSettings(rth_end="16:15"))
    session = calendar.rth_session(D(2024, 12, 2))
    assert session is not None and session.rth_close_ns == _ny(2024, 12, 2, 16, 15)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rth_start", "10:00", "rth_start must be '09:30'"),
        ("rth_calendar", "XLON", "rth_calendar must be 'XNYS'"),
        ("globex_calendar", "CMES", "globex_calendar must be 'CME Globex Equity'"),
    ],
)
def test_from_settings_when_unsupported_value_then_config_error(
    field: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        SessionCalendar.from_settings(CalendarSettings(**{field: value}))


def test_default_calendar_when_called_twice_then_same_instance() -> None:
    assert default_calendar() is default_calendar()


# Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0, ../shared/data/lean-es-2013.
LEAN_MINUTE = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "lean-es-2013" / "minute"
)


@pytest.mark.realdata
def test_lean_2013_minute_bars_when_mapped_then_every_bar_is_inside_its_trading_window(
    cal: SessionCalendar,
) -> None:
    if not LEAN_MINUTE.is_dir():
        pytest.skip(f"real data missing: {LEAN_MINUTE}")
    starts: list[int] = []
    for file in sorted(LEAN_MINUTE.glob("*_trade.zip")):
        day = dt.datetime.strptime(file.name[:8], "%Y%m%d").replace(tzinfo=dt.UTC)
        with zipfile.ZipFile(file) as archive:
            text = archive.read(f"{file.name[:8]}_es_minute_trade_201312.csv").decode()
        midnight_ns = datetime_to_ns(day)
        starts += [midnight_ns + int(line.split(",")[0]) * 1_000_000 for line in text.splitlines()]
    ts = np.array(starts, dtype=np.int64)
    trade_dates = cal.trade_dates_of(ts)
    assert all(
        cal.globex_window(day.item()).is_trading(int(t))
        for t, day in zip(ts, trade_dates, strict=True)
    )
    after_17 = ts[(ts >= _ny(2013, 10, 7, 17)) & (ts < _ny(2013, 10, 7, 17, 15))]
    assert len(after_17) > 0
    assert set(cal.trade_dates_of(after_17).tolist()) == {D(2013, 10, 7)}
