"""Session anchors from the exchange calendar: where cumulative delta and VWAP restart (spec §7.3,
§7.9). `globex_session` anchors at each trade date's Globex open (the CD default), `rth_open` at
each 09:30 ET RTH open (the VWAP default); a custom anchor is just an int64 time."""

from __future__ import annotations

from typing import Literal

import numpy as np

from orderflow_lib.market.calendar import SessionCalendar, default_calendar

Anchor = Literal["globex_session", "rth_open"]


def session_anchors(
    start_ns: int,
    end_ns: int,
    anchor: Anchor = "globex_session",
    calendar: SessionCalendar | None = None,
) -> np.ndarray:
    """Sorted anchor times (int64 UTC ns) for data in [start_ns, end_ns]: the latest anchor at or
    before start_ns of the same trade date, then every later one up to end_ns. With `rth_open`,
    overnight data before that day's RTH open has no anchor (its VWAP is undefined)."""
    if end_ns < start_ns:
        raise ValueError(f"end_ns must be >= start_ns, were {end_ns} and {start_ns}")
    if anchor not in ("globex_session", "rth_open"):
        raise ValueError(f"anchor must be 'globex_session' or 'rth_open', was {anchor!r}")
    cal = calendar or default_calendar()
    first, last = cal.trade_date(start_ns), cal.trade_date(end_ns)
    if anchor == "globex_session":
        times = [cal.globex_window(day).open_ns for day in cal.trade_dates(first, last)]
    else:
        times = [s.rth_open_ns for s in cal.rth_sessions(first, last)]
    started = [t for t in times if t <= start_ns]
    floor = started[-1] if started else start_ns
    return np.array([t for t in times if floor <= t <= end_ns], dtype=np.int64)
