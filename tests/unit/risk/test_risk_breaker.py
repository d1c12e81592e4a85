"""Drawdown breaker rules: trips at or below the GBP limit, resets only on a later trade date."""

import math
from datetime import date

from orderflow_lib.risk import AccountSnapshot, breaker_should_reset, breaker_should_trip

D1, D2 = date(2025, 6, 2), date(2025, 6, 3)


def test_trip_when_pnl_exactly_at_limit_then_trips():
    assert breaker_should_trip(-500.0, -500.0)


def test_trip_when_pnl_one_penny_above_limit_then_not():
    assert not breaker_should_trip(-499.99, -500.0)


def test_trip_when_pnl_unknown_then_not_tripped_by_nan():
    assert not breaker_should_trip(math.nan, -500.0)


def test_daily_pnl_gbp_when_usd_loss_then_converted_at_broker_rate():
    snapshot = AccountSnapshot(0, 10_000.0, 10_000.0, gbp_per_usd=0.8, daily_pnl_usd=-625.0)
    assert snapshot.daily_pnl_gbp == -500.0
    assert breaker_should_trip(snapshot.daily_pnl_gbp, -500.0)


def test_reset_when_same_trade_date_even_if_pnl_recovers_then_stays_tripped():
    assert not breaker_should_reset(D1, D1, 100.0, -500.0)


def test_reset_when_later_trade_date_and_pnl_above_limit_then_resets():
    assert breaker_should_reset(D1, D2, 0.0, -500.0)


def test_reset_when_later_trade_date_but_stale_pnl_at_limit_then_stays_tripped():
    assert not breaker_should_reset(D1, D2, -500.0, -500.0)
    assert not breaker_should_reset(D1, D2, math.nan, -500.0)


def test_reset_when_trip_date_unknown_then_never_resets_by_itself():
    assert not breaker_should_reset(None, D2, 0.0, -500.0)
