"""Session state of a moment: which trade date, which phase (overnight, initial balance, RTH, after
the RTH close, halted, closed) and which TPO period, from the session calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.calendar import GlobexWindow, Session, TpoPeriod, default_calendar


class SessionPhase(StrEnum):
    """Phase of the trade date at a moment."""

    CLOSED = "CLOSED"
    OVERNIGHT = "OVERNIGHT"
    INITIAL_BALANCE = "INITIAL_BALANCE"
    RTH = "RTH"
    POST_RTH = "POST_RTH"
    HALTED = "HALTED"


class CalendarLike(Protocol):
    """What the session state needs from `SessionCalendar`."""

    def trade_date(self, ts_ns: int) -> dt.date: ...

    def globex_window(self, trade_date: dt.date) -> GlobexWindow: ...

    def rth_session(self, day: dt.date) -> Session | None: ...

    def tpo_periods(self, trade_date: dt.date, minutes: int = 30) -> list[TpoPeriod]: ...


@dataclass(frozen=True, slots=True)
class SessionState:
    """Where a timestamp falls: trade date, phase, TPO period letter and minutes since the RTH open."""

    ts_ns: int
    trade_date: dt.date
    phase: SessionPhase
    period: str | None
    minutes_into_rth: int | None


def session_state(
    ts_ns: int, calendar: CalendarLike | None = None, ib_minutes: int = 60
) -> SessionState:
    """The session state of `ts_ns` (int64 UTC ns); the initial balance is the first `ib_minutes`."""
    cal = calendar if calendar is not None else default_calendar()
    day = cal.trade_date(ts_ns)
    window = cal.globex_window(day)
    if ts_ns < window.open_ns:
        return SessionState(ts_ns, day, SessionPhase.CLOSED, None, None)
    if any(start <= ts_ns < end for start, end in window.halts):
        return SessionState(ts_ns, day, SessionPhase.HALTED, None, None)
    rth = cal.rth_session(day)
    if rth is None or ts_ns < rth.rth_open_ns:
        return SessionState(ts_ns, day, SessionPhase.OVERNIGHT, None, None)
    minutes = (ts_ns - rth.rth_open_ns) // NS_PER_MINUTE
    if ts_ns >= rth.rth_close_ns:
        return SessionState(ts_ns, day, SessionPhase.POST_RTH, None, int(minutes))
    letter = next((p.letter for p in cal.tpo_periods(day) if p.start_ns <= ts_ns < p.end_ns), None)
    phase = SessionPhase.INITIAL_BALANCE if minutes < ib_minutes else SessionPhase.RTH
    return SessionState(ts_ns, day, phase, letter, int(minutes))
