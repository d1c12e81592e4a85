"""Trading window and trade dates from the exchange calendar (fail closed outside its range)."""

from datetime import date, time

import pytest

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.risk.window import (
    default_trade_date_of,
    default_trading_window,
    in_globex,
    in_rth,
)

MONDAY = date(2025, 6, 2)


def test_in_rth_when_monday_10am_then_true_and_before_open_false():
    assert in_rth(ny_to_ns(MONDAY, time(10, 0)))
    assert in_rth(ny_to_ns(MONDAY, time(9, 30)))
    assert not in_rth(ny_to_ns(MONDAY, time(9, 29)))
    assert not in_rth(ny_to_ns(MONDAY, time(16, 0)))


def test_in_rth_when_saturday_then_false():
    assert not in_rth(ny_to_ns(date(2025, 6, 7), time(10, 0)))


def test_in_rth_when_early_close_day_then_ends_at_13():
    day_after_thanksgiving = date(2024, 11, 29)
    assert in_rth(ny_to_ns(day_after_thanksgiving, time(12, 59)))
    assert not in_rth(ny_to_ns(day_after_thanksgiving, time(13, 0)))


def test_in_globex_when_overnight_then_true_and_maintenance_break_false():
    assert in_globex(ny_to_ns(MONDAY, time(3, 0)))
    assert not in_globex(ny_to_ns(MONDAY, time(17, 30)))


def test_default_trading_window_when_unknown_name_then_config_error():
    with pytest.raises(ConfigError, match="trading_window"):
        default_trading_window("ASIA")


def test_default_trading_window_when_rth_then_uses_rth():
    window = default_trading_window("RTH")
    assert window(ny_to_ns(MONDAY, time(10, 0)))
    assert not window(ny_to_ns(MONDAY, time(3, 0)))


def test_trade_date_of_when_evening_then_next_trade_date():
    trade_date_of = default_trade_date_of()
    assert trade_date_of(ny_to_ns(MONDAY, time(18, 30))) == date(2025, 6, 3)
    assert trade_date_of(ny_to_ns(MONDAY, time(16, 30))) == MONDAY
