"""Nanosecond <-> datetime conversion happens in one module and refuses naive datetimes."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow_lib.core.timeconv import (
    NY,
    datetime_to_ns,
    ns_to_datetime,
    ns_to_ny,
    ns_to_timestamp,
    ny_to_ns,
    parse_hhmm,
    timestamp_to_ns,
)


def test_datetime_to_ns_when_naive_then_refused():
    with pytest.raises(ValueError, match="naive"):
        datetime_to_ns(datetime(2024, 1, 2, 9, 30))  # noqa: DTZ001


def test_ny_to_ns_follows_dst():
    winter = ny_to_ns(date(2024, 1, 2), time(9, 30))
    summer = ny_to_ns(date(2024, 7, 2), time(9, 30))
    assert ns_to_datetime(winter).hour == 14
    assert ns_to_datetime(summer).hour == 13


def test_ns_to_ny_gives_new_york_wall_time():
    ts = datetime_to_ns(datetime(2024, 3, 11, 13, 30, tzinfo=UTC))
    assert ns_to_ny(ts).time() == time(9, 30)
    assert ns_to_ny(ts).tzinfo == NY


@given(st.integers(min_value=0, max_value=4_000_000_000 * 10**9))
def test_round_trip_through_datetime_keeps_microseconds(ts_ns):
    back = datetime_to_ns(ns_to_datetime(ts_ns))
    assert back == ts_ns - ts_ns % 1_000


@given(st.integers(min_value=0, max_value=4_000_000_000 * 10**9))
def test_round_trip_through_pandas_is_exact(ts_ns):
    assert timestamp_to_ns(ns_to_timestamp(ts_ns)) == ts_ns


def test_timestamp_to_ns_when_other_zone_then_converted_to_utc():
    ts = pd.Timestamp("2024-01-02 09:30", tz="America/New_York")
    assert timestamp_to_ns(ts) == datetime_to_ns(datetime(2024, 1, 2, 14, 30, tzinfo=UTC))


def test_datetime_to_ns_with_fixed_offset():
    dt = datetime(2024, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert ns_to_datetime(datetime_to_ns(dt)) == dt


def test_parse_hhmm_when_malformed_then_names_value():
    assert parse_hhmm("16:15") == time(16, 15)
    with pytest.raises(ValueError, match="'4pm'"):
        parse_hhmm("4pm")
