"""Build the calendar's tables: NYSE RTH sessions and CME trade-date Globex windows (spec §1.3, §1.5).

pandas_market_calendars gives `XNYS` (RTH) and `CME Globex Equity` (Globex) schedules; this module
applies the override file, merges holiday Globex segments into the next trade date (with the gap
as a halt), restores the 16:15 CT close and the 15:15-15:30 CT halt of 2012-11-19 .. 2021-06-25
that the library omits, and returns plain arrays so lookups are a bisect. Library schedules are
cached per date range, because they are slow to compute.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pandas_market_calendars as mcal

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, datetime_to_ns
from orderflow_lib.market.calendar_overrides import CalendarOverrides, GlobexOverride

CT: Final = ZoneInfo("America/Chicago")
RTH_CALENDAR: Final = "XNYS"
GLOBEX_CALENDAR: Final = "CME Globex Equity"
LEGACY_HOURS_FIRST: Final = dt.date(2012, 11, 19)
"""First trade date of the 17:00-16:15 CT equity session with a 15:15-15:30 CT halt."""
LEGACY_HOURS_LAST: Final = dt.date(2021, 6, 25)
"""Last trade date of those hours; from 2021-06-28 the close is 16:00 CT with no halt."""
_PAD: Final = dt.timedelta(days=14)
_LIBRARY_FULL_CLOSE_CT: Final = dt.time(16, 0)
_LEGACY_CLOSE_SHIFT_NS: Final = 15 * NS_PER_MINUTE
_LEGACY_HALT_NS: Final = (-45 * NS_PER_MINUTE, -30 * NS_PER_MINUTE)
_NYSE_FULL_CLOSE_MINUTE: Final = 16 * 60

Halt = tuple[int, int]


@dataclass(frozen=True, slots=True)
class RthTable:
    """NYSE sessions in date order: open/close as UTC ns and whether the close was early."""

    dates: tuple[dt.date, ...]
    opens: np.ndarray
    closes: np.ndarray
    short: np.ndarray


@dataclass(frozen=True, slots=True)
class GlobexTable:
    """CME trade dates in order: Globex open/close as UTC ns and the halts inside each window."""

    dates: tuple[dt.date, ...]
    opens: np.ndarray
    closes: np.ndarray
    halts: tuple[tuple[Halt, ...], ...]


@dataclass(frozen=True, slots=True)
class _Segment:
    day: dt.date
    open_ns: int
    close_ns: int
    halts: tuple[Halt, ...]


@functools.cache
def _calendar(name: str) -> mcal.MarketCalendar:
    return mcal.get_calendar(name)


@functools.cache
def library_schedule(
    name: str, start: dt.date, end: dt.date
) -> tuple[tuple[dt.date, ...], np.ndarray, np.ndarray, pd.DataFrame]:
    """A library schedule over [start, end]: dates, open and close UTC ns, and the raw frame."""
    frame = _calendar(name).schedule(start.isoformat(), end.isoformat())
    dates = tuple(frame.index.date)
    opens = frame["market_open"].dt.as_unit("ns").array.asi8.copy()
    closes = frame["market_close"].dt.as_unit("ns").array.asi8.copy()
    return dates, opens, closes, frame


def _ct_ns(day: dt.date, clock: dt.time) -> int:
    return datetime_to_ns(dt.datetime.combine(day, clock, tzinfo=CT))


def build_rth(
    first: dt.date, last: dt.date, overrides: CalendarOverrides, close_extra_ns: int
) -> RthTable:
    """XNYS sessions in [first, last] minus `rth: none` rows; closes moved by `close_extra_ns`."""
    dates, opens, closes, frame = library_schedule(RTH_CALENDAR, first, last)
    close_ny = frame["market_close"].dt.tz_convert("America/New_York")
    short = ((close_ny.dt.hour * 60 + close_ny.dt.minute) < _NYSE_FULL_CLOSE_MINUTE).to_numpy()
    removed = {row.date for row in overrides.globex if row.no_rth}
    keep = np.array([d not in removed for d in dates], dtype=bool)
    return RthTable(
        dates=tuple(d for d, k in zip(dates, keep, strict=True) if k),
        opens=opens[keep],
        closes=closes[keep] + close_extra_ns,
        short=short[keep].astype(bool),
    )


def build_globex(
    first: dt.date, last: dt.date, overrides: CalendarOverrides, rth_dates: frozenset[dt.date]
) -> GlobexTable:
    """Trade-date windows for trade dates in [first, last] (spec §0.2, §1.3, §1.6)."""
    segments = _segments(first - _PAD, last + _PAD, overrides, rth_dates)
    out_dates: list[dt.date] = []
    opens: list[int] = []
    closes: list[int] = []
    halts: list[tuple[Halt, ...]] = []
    pending: list[_Segment] = []
    for segment, mode in segments:
        pending.append(segment)
        if mode == "next":
            continue
        if first <= segment.day <= last:
            out_dates.append(segment.day)
            opens.append(pending[0].open_ns)
            closes.append(segment.close_ns)
            halts.append(_halts_of(pending))
        pending = []
    return GlobexTable(
        dates=tuple(out_dates),
        opens=np.asarray(opens, dtype=np.int64),
        closes=np.asarray(closes, dtype=np.int64),
        halts=tuple(halts),
    )


def _halts_of(segments: list[_Segment]) -> tuple[Halt, ...]:
    out: list[Halt] = []
    for i, segment in enumerate(segments):
        if i > 0:
            out.append((segments[i - 1].close_ns, segment.open_ns))
        out.extend(segment.halts)
    return tuple(out)


def _segments(
    start: dt.date, end: dt.date, overrides: CalendarOverrides, rth_dates: frozenset[dt.date]
) -> list[tuple[_Segment, str]]:
    """Library Globex sessions with overrides applied, each tagged 'own' or 'next'."""
    dates, opens, closes, frame = library_schedule(GLOBEX_CALENDAR, start, end)
    close_ct = frame["market_close"].dt.tz_convert(CT)
    full_close = (
        (close_ct.dt.hour == _LIBRARY_FULL_CLOSE_CT.hour)
        & (close_ct.dt.minute == _LIBRARY_FULL_CLOSE_CT.minute)
    ).to_numpy()
    library = {
        day: (int(opens[i]), int(closes[i]), bool(full_close[i])) for i, day in enumerate(dates)
    }
    rows = {row.date: row for row in overrides.globex if start <= row.date <= end}
    out: list[tuple[_Segment, str]] = []
    previous_close = None
    for day in sorted(set(library) | set(rows)):
        row = rows.get(day)
        if row is not None and row.closed:
            continue
        segment = _segment(day, library.get(day), row)
        if previous_close is not None and segment.open_ns < previous_close:
            raise ConfigError(
                f"{overrides.source}: Globex session {day} opens before the previous session "
                "closes; check the override close times"
            )
        previous_close = segment.close_ns
        if row is not None and row.trade_date is not None:
            mode = row.trade_date
        else:
            mode = "own" if day in rth_dates else "next"
        out.append((segment, mode))
    return out


def _segment(
    day: dt.date, library: tuple[int, int, bool] | None, row: GlobexOverride | None
) -> _Segment:
    if library is None:
        if row is None or row.close_ct is None:
            raise ConfigError(
                f"override row {day}: the library has no Globex session that day, so the row "
                "must give its 'close' (the session then opens at 17:00 CT the evening before)"
            )
        open_ns = _ct_ns(day - dt.timedelta(days=1), dt.time(17, 0))
        return _Segment(day, open_ns, _ct_ns(day, row.close_ct), ())
    open_ns, close_ns, full_close = library
    if row is not None and row.close_ct is not None:
        return _Segment(day, open_ns, _ct_ns(day, row.close_ct), ())
    if full_close and LEGACY_HOURS_FIRST <= day <= LEGACY_HOURS_LAST:
        halt = (close_ns + _LEGACY_HALT_NS[0], close_ns + _LEGACY_HALT_NS[1])
        return _Segment(day, open_ns, close_ns + _LEGACY_CLOSE_SHIFT_NS, (halt,))
    return _Segment(day, open_ns, close_ns, ())
