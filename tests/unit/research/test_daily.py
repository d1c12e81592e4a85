"""A trade date's profiles cut by the calendar: RTH volume and TPO, overnight volume, the store
records they become, and splitting records by trade date."""

from __future__ import annotations

from datetime import date, time

import numpy as np
import pytest

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE
from orderflow_lib.research.daily import (
    canonical_contract,
    day_profiles_from_bars,
    day_profiles_from_trades,
    split_by_trade_date,
    value_rules,
)

DAY = date(2024, 5, 21)


def trades(rows: list[tuple[date, time, int, int]]) -> np.ndarray:
    out = np.empty(len(rows), dtype=TRADE_DTYPE)
    for i, (day, clock, price, size) in enumerate(rows):
        out[i] = (ny_to_ns(day, clock), price, size, 1)
    return out


def test_day_profiles_when_trades_in_eth_and_rth_then_split_by_the_calendar() -> None:
    tape = trades(
        [
            (date(2024, 5, 20), time(18, 5), 20000, 3),
            (DAY, time(9, 0), 20004, 2),
            (DAY, time(9, 30), 20010, 5),
            (DAY, time(11, 0), 20012, 1),
            (DAY, time(15, 59), 20010, 4),
        ]
    )

    day = day_profiles_from_trades(tape, DAY, "ESM4", settings=Settings())

    assert day.contract == "ESM24"
    assert (day.eth.total, day.rth.total) == (5, 10)
    assert day.tpo is not None and day.tpo.total_tpos == 3
    assert day.rth.value_area().poc_ticks == 20010
    assert (day.records, day.approximate) == (5, False)
    assert day.as_of_ns == int(tape["ts_ns"].max())


def test_to_records_when_day_profiles_then_one_record_per_kind_with_levels() -> None:
    tape = trades([(DAY, time(10, 0), 20010, 5), (DAY, time(10, 1), 20011, 1)])
    day = day_profiles_from_trades(tape, DAY, "ESM24", settings=Settings())

    records = day.to_records("replay", value_rules(Settings()))

    assert [r.kind for r in records] == ["volume", "tpo", "eth"]
    volume = records[0]
    assert (volume.poc_tick, volume.val_tick, volume.vah_tick) == (20010, 20010, 20010)
    assert volume.payload["kind"] == "volume_profile"
    assert (records[2].poc_tick, records[2].payload["volumes"]) == (None, [])


def test_day_profiles_when_bars_then_approximate_volume() -> None:
    bars = np.zeros(2, dtype=BAR_DTYPE)
    bars[0] = (ny_to_ns(DAY, time(9, 30)), 20000, 20002, 20000, 20001, 30)
    bars[1] = (ny_to_ns(DAY, time(9, 31)), 20001, 20001, 19999, 20000, 9)

    day = day_profiles_from_bars(bars, DAY, "ESM24", settings=Settings())

    assert day.approximate and day.rth.approximate
    assert day.rth.total == 39 and day.eth.total == 0
    assert day.tpo is not None and (day.tpo.low_tick, day.tpo.high_tick) == (19999, 20002)


def test_day_profiles_when_wrong_dtype_then_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="trades must be a"):
        day_profiles_from_trades(np.zeros(2, dtype=BAR_DTYPE), DAY, "ESM24", settings=Settings())


def test_split_by_trade_date_when_evening_trade_then_belongs_to_next_date() -> None:
    tape = trades(
        [
            (date(2024, 5, 21), time(16, 30), 1, 1),
            (date(2024, 5, 21), time(19, 0), 2, 1),
            (date(2024, 5, 21), time(10, 0), 3, 1),
        ]
    )

    parts = list(split_by_trade_date(tape, default_calendar()))

    assert [d for d, _ in parts] == [date(2024, 5, 21), date(2024, 5, 22)]
    assert parts[0][1]["price_ticks"].tolist() == [3, 1]
    assert parts[1][1]["price_ticks"].tolist() == [2]


def test_canonical_contract_when_alias_then_two_digit_year() -> None:
    assert canonical_contract("ESH4", date(2023, 12, 26)) == "ESH24"
    assert canonical_contract("ESZ13", date(2013, 10, 7)) == "ESZ13"
