"""Trading-window and trade-date functions from the exchange calendar, injected into the manager.

Both fail closed: a time the calendar cannot place is outside every trading window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from orderflow_lib.core.errors import CalendarError, ConfigError
from orderflow_lib.core.timeconv import ns_to_ny
from orderflow_lib.market.calendar import SessionCalendar, default_calendar


def in_rth(ts_ns: int, calendar: SessionCalendar | None = None) -> bool:
    """True inside the NYSE regular session of the day (09:30-16:00 ET, early closes honoured)."""
    cal = calendar or default_calendar()
    try:
        session = cal.rth_session(ns_to_ny(ts_ns).date())
    except CalendarError:
        return False
    return session is not None and session.rth_open_ns <= ts_ns < session.rth_close_ns


def in_globex(ts_ns: int, calendar: SessionCalendar | None = None) -> bool:
    """True while CME Globex trades the instrument (outside maintenance breaks and halts)."""
    cal = calendar or default_calendar()
    try:
        return cal.globex_window(cal.trade_date(ts_ns)).is_trading(ts_ns)
    except CalendarError:
        return False


def default_trading_window(
    window: str, calendar: SessionCalendar | None = None
) -> Callable[[int], bool]:
    """`in_trading_window(ts_ns)` for a settings value: "RTH" or "GLOBEX"."""
    if window == "RTH":
        return lambda ts_ns: in_rth(ts_ns, calendar)
    if window == "GLOBEX":
        return lambda ts_ns: in_globex(ts_ns, calendar)
    raise ConfigError(f"risk.trading_window must be 'RTH' or 'GLOBEX', was {window!r}")


def default_trade_date_of(calendar: SessionCalendar | None = None) -> Callable[[int], date]:
    """`trade_date_of(ts_ns)`: the CME trade date from the calendar; when the calendar cannot place
    the time (outside its range) the New York calendar date stands in."""

    def trade_date_of(ts_ns: int) -> date:
        cal = calendar or default_calendar()
        try:
            return cal.trade_date(ts_ns)
        except CalendarError:
            return ns_to_ny(ts_ns).date()

    return trade_date_of
