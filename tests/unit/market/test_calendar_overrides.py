"""The calendar override file (spec §1.6): default rows, validation, and rows to verify."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pandas_market_calendars as mcal
import pytest
import yaml

from orderflow_lib.core.errors import CalendarError, ConfigError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.market.calendar import LAST_YEAR, SessionCalendar
from orderflow_lib.market.calendar_overrides import (
    CONFIRMED,
    GOOD_FRIDAY_ROWS_FROM_YEAR,
    VERIFY,
    CalendarOverrides,
    good_friday,
    load_overrides,
    parse_overrides,
)


def _default_data() -> dict[str, Any]:
    data = yaml.safe_load(
        (
            Path(__file__).resolve().parents[3] / "orderflow_lib/market/calendar_overrides.yaml"
        ).read_text(encoding="utf-8")
    )
    assert isinstance(data, dict)
    return data


def _with_rows(globex: list[dict[str, Any]]) -> CalendarOverrides:
    data = _default_data()
    data["globex"] = data["globex"] + globex
    return parse_overrides(yaml.safe_dump(data), source="test.yaml")


def _ny(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return ny_to_ns(dt.date(year, month, day), dt.time(hour, minute))


def test_default_file_when_loaded_then_has_the_spec_rows() -> None:
    overrides = load_overrides()
    assert [row.date for row in overrides.globex] == [
        dt.date(2025, 1, 9),
        dt.date(2021, 4, 2),
        dt.date(2023, 4, 7),
        dt.date(2024, 3, 29),
        dt.date(2025, 4, 18),
        dt.date(2026, 4, 3),
        dt.date(2027, 3, 26),
    ]
    mourning = overrides.globex_row(dt.date(2025, 1, 9))
    assert mourning is not None
    assert (mourning.trade_date, mourning.close_ct, mourning.no_rth) == (
        "own",
        dt.time(8, 30),
        True,
    )
    assert mourning.status == CONFIRMED
    closed = overrides.globex_row(dt.date(2024, 3, 29))
    assert closed is not None and closed.closed
    esm26 = overrides.contract_row("ESM26")
    assert esm26 is not None
    assert (esm26.last_trading_day, esm26.roll_date) == (dt.date(2026, 6, 18), dt.date(2026, 6, 11))
    assert [row.contract for row in overrides.contracts] == ["ESM26", "ESM27", "MESM26", "MESM27"]


def test_default_file_when_checked_then_lists_the_rows_still_to_verify_against_cme() -> None:
    to_verify = load_overrides().rows_to_verify()
    assert to_verify == [
        "globex 2021-04-02",
        "globex 2023-04-07",
        "globex 2026-04-03",
        "globex 2027-03-26",
        "contract ESM26",
        "contract ESM27",
        "contract MESM26",
        "contract MESM27",
    ]
    assert all(
        row.status == VERIFY
        for row in load_overrides().globex
        if f"globex {row.date.isoformat()}" in to_verify
    )


def test_default_file_when_checked_then_every_good_friday_in_the_supported_range_has_a_row() -> (
    None
):
    overrides = load_overrides()
    assert overrides.good_fridays_without_row(GOOD_FRIDAY_ROWS_FROM_YEAR, LAST_YEAR) == []
    assert overrides.good_fridays_without_row(2021, LAST_YEAR) == [dt.date(2022, 4, 15)]


def test_good_friday_2022_when_no_row_then_library_has_no_session_and_cme_was_closed() -> None:
    calendar = SessionCalendar()
    assert not calendar.is_trade_date(dt.date(2022, 4, 15))
    assert calendar.is_holiday(dt.date(2022, 4, 15))
    window = calendar.globex_window(dt.date(2022, 4, 18))
    assert (window.open_ns, window.halts) == (_ny(2022, 4, 17, 18), ())


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2021, dt.date(2021, 4, 2)), (2024, dt.date(2024, 3, 29)), (2028, dt.date(2028, 4, 14))],
)
def test_good_friday_when_year_given_then_two_days_before_easter(
    year: int, expected: dt.date
) -> None:
    assert good_friday(year) == expected


def test_calendar_when_a_good_friday_row_is_missing_then_config_error_names_the_date() -> None:
    data = _default_data()
    data["globex"] = [row for row in data["globex"] if row["date"] != dt.date(2024, 3, 29)]
    overrides = parse_overrides(yaml.safe_dump(data), source="short.yaml")
    with pytest.raises(ConfigError, match=r"short\.yaml: Good Friday 2024-03-29 has no globex row"):
        SessionCalendar(overrides_file=overrides)


def test_calendar_when_range_extends_past_the_file_then_config_error_names_next_good_friday() -> (
    None
):
    with pytest.raises(ConfigError, match="Good Friday 2028-04-14 has no globex row"):
        SessionCalendar(last_year=2028)


def test_load_overrides_when_path_given_then_reads_that_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(_default_data()), encoding="utf-8")
    overrides = load_overrides(path)
    assert overrides.source == str(path)
    assert len(overrides.globex) == 7


def test_load_overrides_when_file_missing_then_config_error_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot be read: .*nope\.yaml"):
        load_overrides(tmp_path / "nope.yaml")


def test_parse_overrides_when_empty_then_no_rows() -> None:
    overrides = parse_overrides("")
    assert (overrides.globex, overrides.contracts) == ((), ())


BAD_FILES = [
    ("globex: [{date: 2025-01-09, closed: true}]", "globex row 1 \\(2025-01-09\\): 'status'"),
    ("globex: [{date: 2025-01-09, closed: true, status: ok}]", "'status' must be one of"),
    ("globex: [{date: 2025-13-09, closed: true, status: confirmed}]", "not valid YAML"),
    ("globex: [{date: '2025-01-09', closed: true, status: confirmed}]", "'date' must be a date"),
    ("globex: [{date: 2025-01-09, close: 8:30, status: confirmed}]", "quoted 'HH:MM'.*510"),
    ("globex: [{date: 2025-01-09, close: '8h30', status: confirmed}]", "'HH:MM', was '8h30'"),
    ("globex: [{date: 2025-01-09, closed: yes please, status: confirmed}]", "'closed' must be"),
    ("globex: [{date: 2025-01-09, trade_date: later, status: confirmed}]", "'own' or 'next'"),
    ("globex: [{date: 2025-01-09, rth: half, status: confirmed}]", "'rth' may only be 'none'"),
    ("globex: [{date: 2025-01-09, status: confirmed}]", "row changes nothing"),
    (
        "globex: [{date: 2025-01-09, opens: '17:00', status: confirmed}]",
        "unknown keys \\['opens'\\]",
    ),
    (
        "globex: [{date: 2025-01-09, closed: true, close: '08:30', status: confirmed}]",
        "cannot also set",
    ),
    (
        "globex: [{date: 2025-01-09, closed: true, status: confirmed},"
        " {date: 2025-01-09, closed: true, status: confirmed}]",
        "date 2025-01-09 appears in more than one row",
    ),
    ("globex: [42]", "globex row 1: must be a mapping"),
    ("globex: {date: 2025-01-09}", "'globex' must be a list"),
    (
        "contracts: [{contract: ESM6, last_trading_day: 2026-06-18, roll_date: 2026-06-11,"
        " status: confirmed}]",
        "contracts row 1: .*two-digit year",
    ),
    (
        "contracts: [{contract: 26, last_trading_day: 2026-06-18, roll_date: 2026-06-11,"
        " status: confirmed}]",
        "'contract' must be an id",
    ),
    (
        "contracts: [{contract: ESM26, last_trading_day: 2026-06-10, roll_date: 2026-06-11,"
        " status: confirmed}]",
        "\\(ESM26\\): roll_date 2026-06-11 must not be after",
    ),
    (
        "contracts: [{contract: ESM26, last_trading_day: 2026-07-17, roll_date: 2026-06-11,"
        " status: confirmed}]",
        "not in the contract month",
    ),
    (
        "contracts: [{contract: ESM26, last_trading_day: 2026-06-18, status: confirmed}]",
        "'roll_date' must be a date",
    ),
    ("holidays: []", "unknown sections \\['holidays'\\]"),
    ("- 1\n- 2", "top level must be a mapping"),
    ("globex: [", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_parse_overrides_when_row_is_bad_then_config_error_names_row_and_reason(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_overrides(text, source="bad.yaml")


def test_override_when_close_replaced_on_a_normal_day_then_window_closes_then() -> None:
    overrides = _with_rows([{"date": dt.date(2025, 3, 14), "close": "15:30", "status": CONFIRMED}])
    window = SessionCalendar(overrides_file=overrides).globex_window(dt.date(2025, 3, 14))
    assert window.close_ns == _ny(2025, 3, 14, 16, 30)


def test_override_when_rth_none_and_own_then_trade_date_without_rth_session() -> None:
    row = {"date": dt.date(2025, 3, 14), "trade_date": "own", "rth": "none", "status": CONFIRMED}
    calendar = SessionCalendar(overrides_file=_with_rows([row]))
    assert calendar.rth_session(dt.date(2025, 3, 14)) is None
    assert calendar.is_holiday(dt.date(2025, 3, 14))
    assert calendar.is_trade_date(dt.date(2025, 3, 14))
    assert calendar.prior_rth_date(dt.date(2025, 3, 17)) == dt.date(2025, 3, 13)


def test_override_when_library_has_no_session_then_row_with_close_adds_a_holiday_segment() -> None:
    row = {"date": dt.date(2025, 12, 25), "trade_date": "next", "close": "12:00", "status": VERIFY}
    calendar = SessionCalendar(overrides_file=_with_rows([row]))
    window = calendar.globex_window(dt.date(2025, 12, 26))
    assert window.open_ns == _ny(2025, 12, 24, 18)
    assert window.halts == ((_ny(2025, 12, 25, 13), _ny(2025, 12, 25, 18)),)
    assert calendar.trade_date(_ny(2025, 12, 25, 9)) == dt.date(2025, 12, 26)


def test_override_when_library_has_no_session_and_no_close_then_config_error() -> None:
    row = {"date": dt.date(2025, 12, 25), "trade_date": "next", "status": VERIFY}
    calendar = SessionCalendar(overrides_file=_with_rows([row]))
    with pytest.raises(ConfigError, match="2025-12-25: the library has no Globex session"):
        calendar.trade_date(_ny(2025, 12, 26, 9))


def test_override_when_it_closes_a_day_the_nyse_is_open_then_calendar_error() -> None:
    calendar = SessionCalendar(
        overrides_file=_with_rows(
            [{"date": dt.date(2025, 3, 14), "closed": True, "status": VERIFY}]
        )
    )
    for _ in range(2):
        with pytest.raises(CalendarError, match="NYSE session 2025-03-14 has no CME trade date"):
            calendar.trade_date(_ny(2025, 3, 12, 9))


def test_override_when_close_runs_into_the_next_session_then_config_error() -> None:
    calendar = SessionCalendar(
        overrides_file=_with_rows(
            [{"date": dt.date(2025, 3, 13), "close": "17:30", "status": VERIFY}]
        )
    )
    with pytest.raises(ConfigError, match="session 2025-03-14 opens before the previous session"):
        calendar.globex_window(dt.date(2025, 3, 13))


# pandas_market_calendars 5.5 behaves as spec §1.5 says: the reasons for the rows above.


@functools.cache
def _library(name: str) -> Any:
    return mcal.get_calendar(name)


def _ct(frame: Any, day: str, column: str) -> str:
    stamp = frame.loc[day, column].tz_convert("America/Chicago")
    return f"{stamp:%m-%d %H:%M}"


def test_library_when_cme_globex_equity_read_then_no_break_columns() -> None:
    frame = _library("CME Globex Equity").schedule("2024-12-02", "2024-12-03")
    assert list(frame.columns) == ["market_open", "market_close"]
    assert (_ct(frame, "2024-12-02", "market_open"), _ct(frame, "2024-12-02", "market_close")) == (
        "12-01 17:00",
        "12-02 16:00",
    )


def test_library_when_cme_equity_breaks_read_then_zero_length_from_2021_06_28() -> None:
    frame = _library("CME_Equity").schedule("2021-06-25", "2021-06-28")
    assert (_ct(frame, "2021-06-25", "break_start"), _ct(frame, "2021-06-25", "break_end")) == (
        "06-25 15:15",
        "06-25 15:30",
    )
    assert _ct(frame, "2021-06-28", "break_start") == _ct(frame, "2021-06-28", "break_end")


def test_library_when_holiday_read_then_listed_as_a_date_of_its_own_closing_12_ct() -> None:
    frame = _library("CME Globex Equity").schedule("2025-01-17", "2025-01-21")
    assert (_ct(frame, "2025-01-20", "market_open"), _ct(frame, "2025-01-20", "market_close")) == (
        "01-19 17:00",
        "01-20 12:00",
    )


@pytest.mark.parametrize("day", ["2024-11-29", "2024-12-24", "2025-07-03"])
def test_library_when_early_close_read_then_globex_equity_12_15_and_cme_equity_12_00(
    day: str,
) -> None:
    globex = _library("CME Globex Equity").schedule(day, day)
    equity = _library("CME_Equity").schedule(day, day)
    assert _ct(globex, day, "market_close")[-5:] == "12:15"
    assert _ct(equity, day, "market_close")[-5:] == "12:00"


@pytest.mark.parametrize(
    "day", ["2021-04-02", "2023-04-07", "2024-03-29", "2025-04-18", "2026-04-03", "2027-03-26"]
)
def test_library_when_good_friday_read_then_08_15_ct_session_even_when_cme_was_closed(
    day: str,
) -> None:
    for name in ("CME Globex Equity", "CME_Equity"):
        frame = _library(name).schedule(day, day)
        assert _ct(frame, day, "market_close")[-5:] == "08:15"


def test_library_when_2025_01_09_read_then_globex_full_day_and_cme_equity_absent() -> None:
    globex = _library("CME Globex Equity").schedule("2025-01-09", "2025-01-09")
    equity = _library("CME_Equity").schedule("2025-01-09", "2025-01-09")
    assert _ct(globex, "2025-01-09", "market_close") == "01-09 16:00"
    assert len(equity) == 0
    assert len(_library("XNYS").schedule("2025-01-09", "2025-01-09")) == 0


def test_library_when_xnys_read_then_early_closes_at_13_et() -> None:
    frame = _library("XNYS").schedule("2025-07-03", "2025-12-24")
    for day in ("2025-07-03", "2025-11-28", "2025-12-24"):
        close = frame.loc[day, "market_close"].tz_convert("America/New_York")
        assert f"{close:%H:%M}" == "13:00"


def test_library_when_2013_read_then_close_16_00_ct_although_es_traded_to_16_15_ct() -> None:
    frame = _library("CME Globex Equity").schedule("2013-10-07", "2013-10-07")
    assert _ct(frame, "2013-10-07", "market_close") == "10-07 16:00"
