"""The trading windows of one synthetic trade date: Globex open/close, RTH and halts, as UTC ns.

The generator's core takes these explicit windows; `windows_from_calendar` asks the exchange
calendar for them, and `standard_windows` builds the usual 18:00 → 17:00 ET day for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from orderflow_lib.core.errors import OrderFlowError
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.market.calendar import SessionCalendar, default_calendar


class SyntheticMarketError(OrderFlowError, ValueError):
    """A synthetic-market argument is invalid (the message names the value and what was expected)."""


@dataclass(frozen=True, slots=True)
class SessionLayout:
    """One trade date's Globex session `[open_ns, close_ns)`, its RTH part (None without RTH) and halts."""

    trade_date: date
    open_ns: int
    close_ns: int
    rth_open_ns: int | None
    rth_close_ns: int | None
    halts: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.open_ns >= self.close_ns:
            raise SyntheticMarketError(
                f"open_ns must be < close_ns, was {self.open_ns} >= {self.close_ns}"
            )
        if (self.rth_open_ns is None) != (self.rth_close_ns is None):
            raise SyntheticMarketError(
                "rth_open_ns and rth_close_ns must both be set or both be None, "
                f"were {self.rth_open_ns} and {self.rth_close_ns}"
            )
        if (
            self.rth_open_ns is not None
            and self.rth_close_ns is not None
            and not self.open_ns <= self.rth_open_ns < self.rth_close_ns <= self.close_ns
        ):
            raise SyntheticMarketError(
                "RTH must lie inside the Globex window with rth_open_ns < rth_close_ns, was "
                f"[{self.rth_open_ns}, {self.rth_close_ns}) in [{self.open_ns}, {self.close_ns})"
            )
        previous_end = self.open_ns
        for start_ns, end_ns in self.halts:
            if not previous_end <= start_ns < end_ns <= self.close_ns:
                raise SyntheticMarketError(
                    "halts must be sorted, non-overlapping, non-empty and inside the Globex window, "
                    f"was {(start_ns, end_ns)} after {previous_end} with close {self.close_ns}"
                )
            previous_end = end_ns

    @property
    def has_rth(self) -> bool:
        """True when the trade date has a regular trading session."""
        return self.rth_open_ns is not None

    def trading_segments(self) -> list[tuple[int, int]]:
        """The `[start_ns, end_ns)` stretches of the Globex window outside every halt."""
        segments = []
        start_ns = self.open_ns
        for halt_start, halt_end in self.halts:
            if halt_start > start_ns:
                segments.append((start_ns, halt_start))
            start_ns = halt_end
        if start_ns < self.close_ns:
            segments.append((start_ns, self.close_ns))
        return segments


def standard_windows(
    trade_date: date,
    *,
    rth: bool = True,
    globex_close: time = time(17, 0),
    rth_close: time = time(16, 0),
    halts: tuple[tuple[int, int], ...] = (),
) -> SessionLayout:
    """Globex from 18:00 ET the previous calendar day to `globex_close` ET, RTH 09:30-`rth_close` ET.

    For tests and tools that do not want the exchange calendar; real dates take their windows from
    `windows_from_calendar` (weekends and holidays move the open).
    """
    open_ns = ny_to_ns(trade_date - timedelta(days=1), time(18, 0))
    close_ns = ny_to_ns(trade_date, globex_close)
    rth_open_ns = ny_to_ns(trade_date, time(9, 30)) if rth else None
    rth_close_ns = ny_to_ns(trade_date, rth_close) if rth else None
    return SessionLayout(trade_date, open_ns, close_ns, rth_open_ns, rth_close_ns, halts)


def windows_from_calendar(
    trade_date: date, calendar: SessionCalendar | None = None
) -> SessionLayout:
    """The windows of `trade_date` from a `SessionCalendar` (the default calendar when None).

    Raises CalendarError when `trade_date` is not a CME trade date.
    """
    if calendar is None:
        calendar = default_calendar()
    globex = calendar.globex_window(trade_date)
    rth = calendar.rth_session(trade_date)
    return SessionLayout(
        trade_date=trade_date,
        open_ns=int(globex.open_ns),
        close_ns=int(globex.close_ns),
        rth_open_ns=None if rth is None else int(rth.rth_open_ns),
        rth_close_ns=None if rth is None else int(rth.rth_close_ns),
        halts=tuple((int(start), int(end)) for start, end in globex.halts),
    )
