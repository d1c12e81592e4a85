"""1-minute bars as an event stream: exact prints and quotes of hand-made bars, low-volume bars,
refusals, and a real Lean day rebuilt bar for bar and run through the session pipeline.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (`lean-es-2013/`); see
../shared/data/README.md.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, NS_PER_SECOND, ny_to_ns
from orderflow_lib.engine.context import build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.feeds.bars import bar_events, lean_session_events
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import (
    BAR_DTYPE,
    BUY,
    KIND_QUOTE,
    KIND_TRADE,
    MARKET_EVENT_DTYPE,
    QUOTE_DTYPE,
    SELL,
    Quote,
    Trade,
    check_events,
    event_objects,
)
from orderflow_lib.market.readers import read_lean_minute
from orderflow_lib.profiles.inputs import bars_to_array

LEAN_MINUTE = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "lean-es-2013" / "minute"
)
T0 = 1_381_757_400_000_000_000  # 2013-10-14 09:30 ET
S = NS_PER_SECOND
US = 1_000


def _bars(*rows: tuple[int, int, int, int, int, int]) -> np.ndarray:
    return np.array(list(rows), dtype=BAR_DTYPE)


def _trades(events: np.ndarray) -> np.ndarray:
    return events[events["kind"] == KIND_TRADE]


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data missing: {path}")
    return path


@cache
def _lean_day(trade_date: dt.date) -> np.ndarray:
    return lean_session_events(_need(LEAN_MINUTE), trade_date)


def _minute_bars(events: np.ndarray) -> pd.DataFrame:
    """Plain pandas 1-minute OHLCV of the trade events (the reference aggregation)."""
    trades = _trades(events)
    frame = pd.DataFrame(
        {
            "ts": trades["ts_ns"] // NS_PER_MINUTE * NS_PER_MINUTE,
            "price": trades["price_ticks"],
            "size": trades["size"],
        }
    )
    return frame.groupby("ts").agg(
        open=("price", "first"),
        high=("price", "max"),
        low=("price", "min"),
        close=("price", "last"),
        volume=("size", "sum"),
    )


def test_bar_events_when_two_bars_without_quotes_then_exact_prints_and_touch_quotes():
    bars = _bars((T0, 100, 103, 99, 102, 10), (T0 + NS_PER_MINUTE, 102, 102, 102, 102, 3))

    events = bar_events(bars)

    m1 = T0 + NS_PER_MINUTE
    assert event_objects(events) == [
        Quote(T0, 99, 1, 100, 1),
        Trade(T0 + US, 100, 3, BUY),
        Quote(T0 + 15 * S, 99, 1, 100, 1),
        Trade(T0 + 15 * S + US, 99, 3, SELL),
        Quote(T0 + 30 * S, 102, 1, 103, 1),
        Trade(T0 + 30 * S + US, 103, 2, BUY),
        Quote(T0 + 45 * S, 102, 1, 103, 1),
        Trade(T0 + 45 * S + US, 102, 2, SELL),
        Quote(m1, 102, 1, 103, 1),
        Trade(m1 + US, 102, 3, SELL),
    ]
    assert events.dtype == MARKET_EVENT_DTYPE


def test_bar_events_when_down_bar_then_high_first_and_first_print_sells():
    bars = _bars((T0, 100, 101, 96, 97, 8))

    trades = _trades(bar_events(bars))

    assert trades["price_ticks"].tolist() == [100, 101, 96, 97]
    assert trades["side"].tolist() == [SELL, BUY, SELL, BUY]
    assert trades["size"].tolist() == [2, 2, 2, 2]


def test_bar_events_when_quote_bar_present_then_its_spread_and_sizes_at_the_print_touch():
    bars = _bars((T0, 100, 103, 99, 102, 4), (T0 + NS_PER_MINUTE, 102, 102, 102, 102, 4))
    quotes = np.array([(T0, 110, 7, 112, 9)], dtype=QUOTE_DTYPE)

    events = bar_events(bars, quotes)

    quoted = events[events["kind"] == KIND_QUOTE]
    assert quoted[["bid_ticks", "ask_ticks", "bid_size", "ask_size"]].tolist() == [
        (98, 100, 7, 9),
        (99, 101, 7, 9),
        (101, 103, 7, 9),
        (102, 104, 7, 9),
        (102, 103, 1, 1),
        (102, 103, 1, 1),
        (102, 103, 1, 1),
        (102, 103, 1, 1),
    ]


def test_bar_events_when_quote_bar_is_crossed_or_sizes_zero_then_one_tick_and_size_one():
    bars = _bars((T0, 100, 100, 100, 100, 4))
    quotes = np.array([(T0, 100, 0, 100, 0)], dtype=QUOTE_DTYPE)

    quoted = bar_events(bars, quotes)[0]

    assert (quoted["bid_ticks"], quoted["ask_ticks"]) == (99, 100)
    assert (quoted["bid_size"], quoted["ask_size"]) == (1, 1)


@pytest.mark.parametrize(
    ("ohlc", "volume", "prices", "sizes"),
    [
        ((100, 103, 99, 102), 3, [99, 103, 102], [1, 1, 1]),
        ((100, 103, 99, 102), 2, [99, 103], [1, 1]),
        ((100, 103, 99, 102), 1, [103], [1]),
        ((99, 101, 99, 101), 2, [99, 101], [1, 1]),
        ((100, 102, 99, 99), 3, [99, 102, 99], [1, 1, 1]),
        ((100, 100, 100, 100), 3, [100], [3]),
        ((100, 101, 100, 100), 3, [100, 101, 100], [1, 1, 1]),
        ((100, 103, 99, 102), 0, [], []),
        ((100, 103, 99, 102), 7, [100, 99, 103, 102], [2, 2, 2, 1]),
    ],
)
def test_bar_events_when_volume_is_small_then_fewer_prints_keeping_extremes(
    ohlc, volume, prices, sizes
):
    bars = _bars((T0, *ohlc, volume))

    trades = _trades(bar_events(bars))

    assert trades["price_ticks"].tolist() == prices
    assert trades["size"].tolist() == sizes
    assert (trades["ts_ns"] - T0).tolist() == [i * 15 * S + US for i in range(len(prices))]


def test_bar_events_when_many_random_bars_then_volume_and_ohlc_round_trip():
    rng = np.random.default_rng(11)
    n = 300
    opens = 4_000 + np.cumsum(rng.integers(-3, 4, n))
    highs = opens + rng.integers(0, 5, n)
    lows = opens - rng.integers(0, 5, n)
    closes = lows + (rng.random(n) * (highs - lows + 1)).astype(np.int64)
    volumes = rng.integers(4, 500, n)
    minutes = T0 + np.cumsum(rng.integers(1, 4, n)) * NS_PER_MINUTE
    bars = np.array(
        list(zip(minutes, opens, highs, lows, closes, volumes, strict=True)), dtype=BAR_DTYPE
    )

    events = bar_events(bars)

    got = _minute_bars(events)
    assert got.index.tolist() == bars["ts_ns"].tolist()
    for name in ("open", "high", "low", "close", "volume"):
        expected = bars["volume" if name == "volume" else f"{name}_ticks"]
        assert got[name].tolist() == expected.tolist()
    assert bool(np.all(np.diff(events["ts_ns"]) > 0))


def test_bar_events_when_run_twice_then_identical():
    bars = _bars((T0, 100, 103, 99, 102, 10), (T0 + NS_PER_MINUTE, 102, 104, 101, 101, 9))
    quotes = np.array([(T0 + NS_PER_MINUTE, 100, 5, 101, 6)], dtype=QUOTE_DTYPE)

    assert bar_events(bars, quotes).tobytes() == bar_events(bars, quotes).tobytes()


def test_bar_events_when_no_bars_then_no_events():
    events = bar_events(_bars())

    assert events.shape == (0,) and events.dtype == MARKET_EVENT_DTYPE


@pytest.mark.parametrize(
    ("bars", "message"),
    [
        (_bars((T0, 100, 100, 100, 100, 1), (T0 + 30 * S, 100, 100, 100, 100, 1)), "bar 1 opens"),
        (_bars((T0 + NS_PER_MINUTE, 100, 100, 100, 100, 1), (T0, 100, 100, 100, 100, 1)), "bar 1"),
        (_bars((T0, 100, 100, 100, 100, -2)), "volume -2"),
        (_bars((T0, 100, 99, 101, 100, 4)), "not a valid OHLC bar"),
        (np.zeros(2, dtype=QUOTE_DTYPE), "bars must be a"),
    ],
)
def test_bar_events_when_bars_are_bad_then_data_error_names_the_problem(bars, message):
    with pytest.raises(DataError, match=message):
        bar_events(bars)


def test_bar_events_when_quotes_have_wrong_dtype_then_data_error():
    with pytest.raises(DataError, match="quote bars must be a"):
        bar_events(_bars((T0, 100, 100, 100, 100, 4)), _bars())


def _write_lean_day(folder: Path, day: str, csv_by_month: dict[str, str]) -> None:
    with zipfile.ZipFile(folder / f"{day}_trade.zip", "w") as archive:
        for month, text in csv_by_month.items():
            archive.writestr(f"{day}_es_minute_trade_{month}.csv", text)


def test_lean_session_when_bars_in_halt_after_close_or_back_month_then_left_out(tmp_path):
    ms = {"09:00 ET": 46_800_000, "16:20 ET halt": 73_200_000, "17:20 ET next date": 76_800_000}
    front = "".join(f"{t},1690.0,1690.5,1689.75,1690.25,40\n" for t in ms.values())
    _write_lean_day(
        tmp_path, "20131014", {"201312": front, "201403": "46860000,1680,1680,1680,1680,900\n"}
    )

    events = lean_session_events(tmp_path, dt.date(2013, 10, 14))

    trades = _trades(events)
    assert set(trades["ts_ns"] // NS_PER_MINUTE * NS_PER_MINUTE) == {T0 - 30 * NS_PER_MINUTE}
    assert trades["price_ticks"].tolist() == [6760, 6759, 6762, 6761]
    assert events[events["kind"] == KIND_QUOTE]["bid_size"].tolist() == [1, 1, 1, 1]


def test_lean_session_when_folder_has_no_bars_of_the_date_then_data_error(tmp_path):
    _write_lean_day(tmp_path, "20131010", {"201312": "46800000,1690,1690,1690,1690,4\n"})

    with pytest.raises(DataError, match=r"no Lean trade bars of ESZ13 .* 2013-10-14"):
        lean_session_events(tmp_path, dt.date(2013, 10, 14))


def test_lean_session_when_2013_10_14_then_every_rth_bar_rebuilt_exactly():
    events = _lean_day(dt.date(2013, 10, 14))
    frame = read_lean_minute(LEAN_MINUTE / "20131014_trade.zip", contract="ESZ13")
    session = default_calendar().rth_session(dt.date(2013, 10, 14))
    assert session is not None
    rth = frame[(frame["ts"] >= session.rth_open_ns) & (frame["ts"] < session.rth_close_ns)]
    expected = bars_to_array(rth, 0.25)

    got = _minute_bars(events).loc[expected["ts_ns"]]

    assert len(expected) == 390
    assert got["open"].tolist() == expected["open_ticks"].tolist()
    assert got["high"].tolist() == expected["high_ticks"].tolist()
    assert got["low"].tolist() == expected["low_ticks"].tolist()
    assert got["close"].tolist() == expected["close_ticks"].tolist()
    assert got["volume"].tolist() == expected["volume"].tolist()


def test_lean_session_when_2013_10_14_then_sorted_accepted_and_inside_the_session():
    events = _lean_day(dt.date(2013, 10, 14))
    window = default_calendar().globex_window(dt.date(2013, 10, 14))
    halt_start, halt_end = window.halts[0]
    ts = events["ts_ns"]

    assert check_events(events) is events
    assert bool(np.all(np.diff(ts) > 0))
    assert ts[0] == ny_to_ns(dt.date(2013, 10, 13), dt.time(20, 0))  # no 20131013 file
    assert ts[-1] < window.close_ns
    assert not np.any((ts >= halt_start) & (ts < halt_end))


def test_lean_session_when_2013_10_14_then_each_quote_is_at_its_trades_touch():
    events = _lean_day(dt.date(2013, 10, 14))
    quotes, trades = events[0::2], events[1::2]
    price = trades["price_ticks"]
    buy = trades["side"] == BUY

    assert bool(np.all(quotes["kind"] == KIND_QUOTE) and np.all(trades["kind"] == KIND_TRADE))
    assert bool(np.all(np.where(buy, quotes["ask_ticks"], quotes["bid_ticks"]) == price))
    assert bool(np.all(quotes["bid_ticks"] < quotes["ask_ticks"]))
    assert set(np.unique(trades["side"]).tolist()) == {BUY, SELL}


def test_lean_session_when_night_file_present_then_starts_at_the_globex_open():
    events = _lean_day(dt.date(2013, 10, 7))

    window = default_calendar().globex_window(dt.date(2013, 10, 7))
    assert events["ts_ns"][0] == window.open_ns


def test_lean_session_when_run_through_the_pipeline_then_a_bar_a_minute_and_overnight_once():
    trade_date = dt.date(2013, 10, 14)
    events = _lean_day(trade_date)
    settings = Settings()
    calendar = default_calendar()
    spec = SessionSpec.for_date(trade_date, "ESZ13", "lean", calendar)
    pipeline = Pipeline(spec, build_context(trade_date, "ESZ13", [], settings, calendar), settings)

    decisions = []
    for start in range(0, events.shape[0], 4_096):
        decisions += pipeline.process(events[start : start + 4_096])
    decisions += pipeline.flush()

    overnight = [d for d in decisions if d.overnight is not None]
    trades = _trades(events)
    assert pipeline.events == events.shape[0]
    assert pipeline.bars.bars_closed == len(_minute_bars(events))
    assert len(overnight) == 1
    assert overnight[0].view.ts_ns == spec.rth_open_ns  # the 09:30 quote closes the 09:29 bar
    assert overnight[0].overnight.total == int(  # type: ignore[union-attr]
        trades["size"][trades["ts_ns"] < spec.rth_open_ns].sum()
    )
