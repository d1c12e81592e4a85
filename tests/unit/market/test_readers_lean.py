"""Lean futures bar reader: the 2013 ES week (RTH sessions, UTC-day files, front contract) and bad files.

Data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.core.errors import DataError
from orderflow_lib.market.readers import read_lean_bars, read_lean_minute
from orderflow_lib.market.readers.lean import QUOTE_COLUMNS, lean_contract_id

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
LEAN = DATA / "lean-es-2013"
MINUTE = LEAN / "minute"
NY = ZoneInfo("America/New_York")
RTH_DAYS = [date(2013, 10, day) for day in (7, 8, 9, 10, 11, 14)]
NS = 1_000_000_000


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


def _ny_ns(day: date, clock: time) -> int:
    return int(datetime.combine(day, clock, tzinfo=NY).timestamp()) * NS


def _utc_midnight_ns(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64)) * 86_400 * NS


def _write_zip(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize("day", RTH_DAYS, ids=str)
def test_read_lean_minute_when_week_folder_then_each_rth_session_has_390_bars(day: date) -> None:
    bars = read_lean_minute(_need(MINUTE))
    ts = bars["ts"].to_numpy()

    rth = (ts >= _ny_ns(day, time(9, 30))) & (ts < _ny_ns(day, time(16, 0)))
    legacy = (ts >= _ny_ns(day, time(9, 30))) & (ts < _ny_ns(day, time(16, 15)))

    assert int(rth.sum()) == 390
    assert int(legacy.sum()) == 405
    assert set(bars.loc[rth, "contract"]) == {"ESZ13"}


def test_read_lean_minute_when_week_then_prices_are_index_points_not_scaled() -> None:
    bars = read_lean_minute(_need(MINUTE))

    prices = bars[["open", "high", "low", "close"]].to_numpy()

    assert prices.min() >= 1600 and prices.max() <= 1750
    assert bars["ts"].dtype == np.int64 and bars["volume"].dtype == np.int64
    assert list(bars.columns) == ["ts", "open", "high", "low", "close", "volume", "contract"]


def test_read_lean_minute_when_one_file_then_ts_is_bar_open_ms_after_utc_midnight() -> None:
    bars = read_lean_minute(_need(MINUTE / "20131007_trade.zip"), contract="ESZ13")

    first, last = bars.iloc[0], bars.iloc[-1]

    assert first["ts"] == _utc_midnight_ns(date(2013, 10, 7))
    assert (first["open"], first["high"], first["low"], first["close"], first["volume"]) == (
        1676.5,
        1676.5,
        1676.5,
        1676.5,
        9,
    )
    assert last["ts"] == _utc_midnight_ns(date(2013, 10, 7)) + 86_340 * NS
    assert (last["close"], last["volume"]) == (1667.75, 7)


def test_read_lean_minute_when_globex_session_then_it_spans_two_utc_day_files() -> None:
    globex_open = _ny_ns(date(2013, 10, 7), time(18, 0))
    globex_close = _ny_ns(date(2013, 10, 8), time(17, 0))
    first_file = read_lean_minute(_need(MINUTE / "20131007_trade.zip"))
    second_file = read_lean_minute(_need(MINUTE / "20131008_trade.zip"))
    week = read_lean_minute(MINUTE)

    def in_session(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["ts"] >= globex_open) & (frame["ts"] < globex_close)]

    midnight = _utc_midnight_ns(date(2013, 10, 8))
    assert first_file["ts"].max() < midnight <= second_file["ts"].min()
    assert len(in_session(first_file)) > 0 and len(in_session(second_file)) > 0
    assert len(in_session(week)) == len(in_session(first_file)) + len(in_session(second_file))
    assert {midnight - 60 * NS, midnight} <= set(in_session(week)["ts"])


def test_read_lean_minute_when_front_only_false_then_every_contract_month() -> None:
    bars = read_lean_minute(_need(MINUTE / "20131007_trade.zip"), front_only=False)

    assert bars["contract"].value_counts().to_dict() == {"ESZ13": 1344, "ESH14": 325, "ESM14": 2}
    assert bars["ts"].is_monotonic_increasing


def test_read_lean_minute_when_front_only_then_most_traded_contract_each_day() -> None:
    bars = read_lean_minute(_need(MINUTE))

    assert set(bars["contract"]) == {"ESZ13"}
    assert bars["ts"].is_monotonic_increasing


def test_read_lean_minute_when_contract_given_then_only_that_contract() -> None:
    bars = read_lean_minute(_need(MINUTE), contract="ESH14")

    assert set(bars["contract"]) == {"ESH14"}
    assert len(bars) > 0


def test_read_lean_minute_when_contract_absent_then_error_lists_found_contracts() -> None:
    with pytest.raises(DataError, match=r"contract ESU15 not found; files hold \['ESH14'"):
        read_lean_minute(_need(MINUTE / "20131007_trade.zip"), contract="ESU15")


def test_read_lean_minute_when_contract_not_canonical_then_value_error() -> None:
    with pytest.raises(ValueError, match="canonical id like 'ESZ13'"):
        read_lean_minute(_need(MINUTE), contract="ESZ3")


def test_read_lean_minute_when_quotes_then_bid_ask_columns_and_nan_for_missing_side() -> None:
    quotes = read_lean_minute(_need(MINUTE / "20131007_quote.zip"))

    assert list(quotes.columns) == ["ts", *QUOTE_COLUMNS, "contract"]
    assert set(quotes["contract"]) == {"ESZ13"}
    assert quotes["bid_open"].isna().sum() > 0
    assert (quotes.loc[quotes["bid_open"].isna(), "bid_size"] == 0).all()
    assert quotes["ask_size"].dtype == np.int64


def test_read_lean_minute_when_quote_day_has_no_trade_file_then_front_is_most_quoted(
    tmp_path: Path,
) -> None:
    shutil.copy(_need(MINUTE / "20131007_quote.zip"), tmp_path / "20131007_quote.zip")

    quotes = read_lean_minute(tmp_path, kind="quote")

    assert set(quotes["contract"]) == {"ESZ13"}
    assert len(quotes) == 1410


def test_read_lean_minute_when_kind_differs_from_file_name_then_error() -> None:
    with pytest.raises(DataError, match="holds trade bars, not quote"):
        read_lean_minute(_need(MINUTE / "20131007_trade.zip"), kind="quote")


def test_read_lean_bars_when_hour_file_then_equals_resampled_minute_bars() -> None:
    hours = read_lean_bars(_need(LEAN / "hour" / "es_trade.zip"), contract="ESZ13")
    minutes = read_lean_minute(_need(MINUTE), contract="ESZ13")
    hour_ns = 3_600 * NS

    resampled = (
        minutes.assign(ts=minutes["ts"] // hour_ns * hour_ns)
        .groupby("ts")
        .agg(
            open=("open", "first"),
            high=("high", "max"),
            low=("low", "min"),
            close=("close", "last"),
            volume=("volume", "sum"),
        )
    )
    both = hours.set_index("ts").join(resampled, how="inner", suffixes=("", "_minutes"))

    assert len(both) >= 100
    for column in ("open", "high", "low", "close", "volume"):
        assert (both[column] == both[f"{column}_minutes"]).all(), column


def test_read_lean_bars_when_daily_file_then_bars_stamped_at_utc_midnight() -> None:
    days = read_lean_bars(_need(LEAN / "daily" / "es_trade.zip"), contract="ESZ13")

    first = days.iloc[0]

    assert first["ts"] == _utc_midnight_ns(date(2013, 10, 6))
    assert (first["open"], first["close"], first["volume"]) == (1676.75, 1676.5, 21573)
    assert (days["ts"] % (86_400 * NS) == 0).all()


def test_read_lean_bars_when_quote_file_then_front_follows_trade_volume() -> None:
    quotes = read_lean_bars(_need(LEAN / "hour" / "es_quote.zip"))

    october = quotes[quotes["ts"] < _utc_midnight_ns(date(2013, 11, 1))]

    assert set(october["contract"]) == {"ESZ13"}
    assert list(quotes.columns) == ["ts", *QUOTE_COLUMNS, "contract"]


def test_lean_contract_id_when_lean_suffix_then_canonical_two_digit_year() -> None:
    assert lean_contract_id("es", "201312") == "ESZ13"
    assert lean_contract_id("mes", "202503") == "MESH25"


def test_lean_contract_id_when_month_invalid_then_error() -> None:
    with pytest.raises(DataError, match="must be YYYYMM"):
        lean_contract_id("es", "201313")


def test_read_lean_minute_when_time_past_midnight_then_error_names_line(tmp_path: Path) -> None:
    path = _write_zip(
        tmp_path / "20131007_trade.zip",
        {"20131007_es_minute_trade_201312.csv": "0,1,1,1,1,5\n86400000,1,1,1,1,5\n"},
    )

    with pytest.raises(DataError, match="line 2: time 86400000 ms is outside the day"):
        read_lean_minute(path)


def test_read_lean_minute_when_csv_malformed_then_error_names_entry(tmp_path: Path) -> None:
    path = _write_zip(
        tmp_path / "20131007_trade.zip",
        {"20131007_es_minute_trade_201312.csv": "0,1,1,1,1,five\n"},
    )

    with pytest.raises(
        DataError, match=r"20131007_es_minute_trade_201312\.csv: not a Lean trade CSV"
    ):
        read_lean_minute(path)


def test_read_lean_minute_when_entry_is_for_another_day_then_error(tmp_path: Path) -> None:
    path = _write_zip(
        tmp_path / "20131007_trade.zip",
        {"20131008_es_minute_trade_201312.csv": "0,1,1,1,1,5\n"},
    )

    with pytest.raises(DataError, match="is for another day"):
        read_lean_minute(path)


def test_read_lean_minute_when_folder_has_no_files_then_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no Lean minute files"):
        read_lean_minute(tmp_path)
