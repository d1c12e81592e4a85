"""SessionCalendar: CME trade dates, Globex/ETH/RTH windows, TPO periods and contract roll for ES/MES.

Spec §0.2, §1.2-§1.6, §12. Every boundary is int64 UTC ns computed from New York / Chicago clock
rules by pandas_market_calendars (`XNYS` for RTH, `CME Globex Equity` for Globex) plus the override
file; nothing here hard-codes a UTC offset. Tables are built once, lazily, on first use, and
then every lookup is a bisect or a dict hit; `trade_dates_of` maps millions of timestamps with one
`np.searchsorted`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from orderflow_lib.core.config import CalendarSettings
from orderflow_lib.core.errors import CalendarError, ConfigError
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ns_to_ny, ny_to_ns
from orderflow_lib.market import instruments
from orderflow_lib.market.calendar_overrides import (
    DEFAULT_OVERRIDES_NAME,
    GOOD_FRIDAY_ROWS_FROM_YEAR,
    CalendarOverrides,
    load_overrides,
)
from orderflow_lib.market.calendar_windows import (
    GLOBEX_CALENDAR,
    LEGACY_HOURS_FIRST,
    RTH_CALENDAR,
    GlobexTable,
    RthTable,
    build_globex,
    build_rth,
)
from orderflow_lib.market.instruments import ContractId

FIRST_RTH_DATE: Final = dt.date(2000, 1, 1)
"""First date of the RTH (XNYS) table; contract expiries from 2000 on can be computed."""
FIRST_TRADE_DATE: Final = LEGACY_HOURS_FIRST
"""First CME trade date with Globex windows (start of the 17:00-16:15 CT session era, 2012-11-19)."""
LAST_YEAR: Final = 2027
"""Last year the packaged override file covers (Good Friday and expiry rows); extend both together."""
RTH_ENDS: Final = ("16:00", "16:15")
TPO_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RTH_OPEN: Final = dt.time(9, 30)
_IB_MINUTES: Final = 60


@dataclass(frozen=True, slots=True)
class Session:
    """One NYSE RTH session: [rth_open_ns, rth_close_ns); `short` marks an early close."""

    date: dt.date
    rth_open_ns: int
    rth_close_ns: int
    short: bool
    minutes: int

    @property
    def rth_open_ny(self) -> dt.datetime:
        """RTH open as a New York datetime (for display)."""
        return ns_to_ny(self.rth_open_ns)

    @property
    def rth_close_ny(self) -> dt.datetime:
        """RTH close as a New York datetime (for display)."""
        return ns_to_ny(self.rth_close_ns)


@dataclass(frozen=True, slots=True)
class GlobexWindow:
    """A CME trade date's Globex session [open_ns, close_ns) with halts [start_ns, end_ns) inside."""

    trade_date: dt.date
    open_ns: int
    close_ns: int
    halts: tuple[tuple[int, int], ...]

    def is_trading(self, ts_ns: int) -> bool:
        """True when `ts_ns` is inside the window and not inside a halt."""
        if not self.open_ns <= ts_ns < self.close_ns:
            return False
        return not any(start <= ts_ns < end for start, end in self.halts)

    @property
    def open_ny(self) -> dt.datetime:
        """Globex open as a New York datetime (for display)."""
        return ns_to_ny(self.open_ns)

    @property
    def close_ny(self) -> dt.datetime:
        """Globex close as a New York datetime (for display)."""
        return ns_to_ny(self.close_ns)


@dataclass(frozen=True, slots=True)
class TpoPeriod:
    """A lettered RTH period [start_ns, end_ns); the last one may be partial."""

    letter: str
    start_ns: int
    end_ns: int


class SessionCalendar:
    """The exchange calendar for ES/MES: trade dates, sessions, periods and contract roll."""

    def __init__(
        self,
        rth_end: str = "16:00",
        overrides_file: str | Path | CalendarOverrides | None = None,
        roll_days_before_third_friday: int = instruments.DEFAULT_ROLL_DAYS_BEFORE_THIRD_FRIDAY,
        last_year: int = LAST_YEAR,
    ) -> None:
        """`rth_end` "16:00" (cash close) or "16:15" (legacy ES day session, early closes 13:15);
        `overrides_file` None uses the packaged file; `last_year` bounds the supported range."""
        if rth_end not in RTH_ENDS:
            raise ConfigError(f"calendar.rth_end must be one of {RTH_ENDS}, was {rth_end!r}")
        if not 0 <= roll_days_before_third_friday <= 20:
            raise ConfigError(
                "calendar.roll_days_before_third_friday must be 0..20, "
                f"was {roll_days_before_third_friday}"
            )
        if not FIRST_TRADE_DATE.year <= last_year <= 2099:
            raise ConfigError(f"last_year must be {FIRST_TRADE_DATE.year}..2099, was {last_year}")
        if isinstance(overrides_file, CalendarOverrides):
            overrides = overrides_file
        else:
            overrides = load_overrides(overrides_file)
        missing = overrides.good_fridays_without_row(GOOD_FRIDAY_ROWS_FROM_YEAR, last_year)
        if missing:
            raise ConfigError(
                f"{overrides.source}: Good Friday {missing[0]} has no globex row; every Good Friday "
                f"from {GOOD_FRIDAY_ROWS_FROM_YEAR} through {last_year} needs one (spec §1.6)"
            )
        self._rth_end = rth_end
        self._overrides = overrides
        self._roll_days = roll_days_before_third_friday
        self._last_date = dt.date(last_year, 12, 31)
        self._rth: RthTable | None = None
        self._rth_index: dict[dt.date, int] = {}
        self._globex: GlobexTable | None = None
        self._globex_index: dict[dt.date, int] = {}
        self._globex_closes: list[int] = []
        self._globex_dates64 = np.empty(0, dtype="datetime64[D]")

    @classmethod
    def from_settings(cls, settings: CalendarSettings) -> SessionCalendar:
        """A calendar from the `calendar` settings section (spec §10)."""
        if settings.rth_calendar not in (RTH_CALENDAR, "NYSE"):
            raise ConfigError(
                f"calendar.rth_calendar must be 'XNYS', was {settings.rth_calendar!r}"
            )
        if settings.globex_calendar != GLOBEX_CALENDAR:
            raise ConfigError(
                f"calendar.globex_calendar must be {GLOBEX_CALENDAR!r}, was {settings.globex_calendar!r}"
            )
        if settings.rth_start != "09:30":
            raise ConfigError(
                f"calendar.rth_start must be '09:30' (NYSE open from XNYS), was {settings.rth_start!r}"
            )
        path = Path(settings.overrides_file)
        packaged = settings.overrides_file == DEFAULT_OVERRIDES_NAME and not path.exists()
        return cls(
            rth_end=settings.rth_end,
            overrides_file=None if packaged else path,
            roll_days_before_third_friday=settings.roll_days_before_third_friday,
        )

    @property
    def overrides(self) -> CalendarOverrides:
        """The override rows in force."""
        return self._overrides

    @property
    def rth_end(self) -> str:
        """Either "16:00" or "16:15"."""
        return self._rth_end

    @property
    def last_date(self) -> dt.date:
        """Last date the calendar answers for (31 December of `last_year`)."""
        return self._last_date

    def _rth_table(self) -> RthTable:
        if self._rth is None:
            extra = 15 * NS_PER_MINUTE if self._rth_end == "16:15" else 0
            table = build_rth(FIRST_RTH_DATE, self._last_date, self._overrides, extra)
            self._rth_index = {d: i for i, d in enumerate(table.dates)}
            self._rth = table
        return self._rth

    def _globex_table(self) -> GlobexTable:
        if self._globex is None:
            rth = self._rth_table()
            table = build_globex(
                FIRST_TRADE_DATE, self._last_date, self._overrides, frozenset(rth.dates)
            )
            index = {d: i for i, d in enumerate(table.dates)}
            for day in rth.dates:
                if day >= FIRST_TRADE_DATE and day not in index:
                    raise CalendarError(
                        f"NYSE session {day} has no CME trade date; check the override rows"
                    )
            self._globex_index = index
            self._globex_closes = table.closes.tolist()
            self._globex_dates64 = np.array(table.dates, dtype="datetime64[D]")
            self._globex = table
        return self._globex

    def _check_rth_date(self, day: dt.date) -> None:
        if not FIRST_RTH_DATE <= day <= self._last_date:
            raise CalendarError(
                f"date {day} is outside the calendar's RTH range {FIRST_RTH_DATE}..{self._last_date}"
            )

    def _check_trade_date_range(self, day: dt.date) -> None:
        if not FIRST_TRADE_DATE <= day <= self._last_date:
            raise CalendarError(
                f"date {day} is outside the calendar's Globex range "
                f"{FIRST_TRADE_DATE}..{self._last_date}"
            )

    def _session(self, i: int) -> Session:
        table = self._rth_table()
        open_ns = int(table.opens[i])
        close_ns = int(table.closes[i])
        return Session(
            date=table.dates[i],
            rth_open_ns=open_ns,
            rth_close_ns=close_ns,
            short=bool(table.short[i]),
            minutes=(close_ns - open_ns) // NS_PER_MINUTE,
        )

    def trade_date(self, ts_ns: int) -> dt.date:
        """CME trade date of a timestamp: the window that contains it (halts included); a time in
        the maintenance gap, a weekend or a closed holiday belongs to the next trade date."""
        table = self._globex_table()
        ts = operator.index(ts_ns)
        i = bisect.bisect_right(self._globex_closes, ts)
        if i == len(self._globex_closes) or ts < int(table.opens[0]):
            raise CalendarError(self._range_message(ts))
        return table.dates[i]

    def trade_dates_of(self, ts_ns: np.ndarray) -> np.ndarray:
        """Vectorised `trade_date`: datetime64[D] trade dates of an int64 UTC ns array."""
        table = self._globex_table()
        ts = np.asarray(ts_ns)
        if ts.dtype != np.int64:
            raise ValueError(f"ts_ns must be an int64 array of UTC nanoseconds, was {ts.dtype}")
        if ts.size == 0:
            return np.empty(ts.shape, dtype="datetime64[D]")
        idx = np.searchsorted(table.closes, ts, side="right")
        low, high = int(ts.min()), int(ts.max())
        if low < int(table.opens[0]):
            raise CalendarError(self._range_message(low))
        if int(idx.max()) == len(table.dates):
            raise CalendarError(self._range_message(high))
        return self._globex_dates64[idx]

    def _range_message(self, ts: int) -> str:
        table = self._globex_table()
        return (
            f"ts_ns {ts} ({ns_to_ny(ts).isoformat()}) is outside the calendar's Globex range "
            f"{ns_to_ny(int(table.opens[0])).isoformat()} .. "
            f"{ns_to_ny(int(table.closes[-1])).isoformat()}"
        )

    def trade_dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """CME trade dates in [start, end]."""
        self._check_trade_date_range(start)
        self._check_trade_date_range(end)
        dates = self._globex_table().dates
        return list(dates[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)])

    def is_trade_date(self, day: dt.date) -> bool:
        """True when CME has a trade date `day` (holidays whose trading joins the next day do not)."""
        self._check_trade_date_range(day)
        self._globex_table()
        return day in self._globex_index

    def globex_window(self, trade_date: dt.date) -> GlobexWindow:
        """The Globex session of a trade date, with holiday halts (spec §0.2, §1.3)."""
        self._check_trade_date_range(trade_date)
        table = self._globex_table()
        i = self._globex_index.get(trade_date)
        if i is None:
            raise CalendarError(f"{trade_date} is not a CME trade date (weekend or holiday)")
        return GlobexWindow(
            trade_date=trade_date,
            open_ns=int(table.opens[i]),
            close_ns=int(table.closes[i]),
            halts=table.halts[i],
        )

    def eth_window(self, trade_date: dt.date) -> tuple[int, int]:
        """ETH/overnight [Globex open, RTH open) of a trade date; without RTH it ends at 09:30 ET
        or the Globex close, whichever is first. Halts are those of `globex_window`."""
        window = self.globex_window(trade_date)
        session = self.rth_session(trade_date)
        if session is not None:
            return window.open_ns, session.rth_open_ns
        return window.open_ns, min(ny_to_ns(trade_date, _RTH_OPEN), window.close_ns)

    def rth_session(self, day: dt.date) -> Session | None:
        """The NYSE session of a date, or None when the NYSE is closed."""
        self._check_rth_date(day)
        self._rth_table()
        i = self._rth_index.get(day)
        return None if i is None else self._session(i)

    def rth_sessions(self, start: dt.date, end: dt.date) -> list[Session]:
        """NYSE sessions with dates in [start, end]."""
        self._check_rth_date(start)
        self._check_rth_date(end)
        dates = self._rth_table().dates
        lo, hi = bisect.bisect_left(dates, start), bisect.bisect_right(dates, end)
        return [self._session(i) for i in range(lo, hi)]

    def last_rth_sessions(
        self,
        trade_date: dt.date,
        n: int,
        min_rth_minutes: int = 0,
        include_trade_date: bool = False,
    ) -> list[Session]:
        """The last `n` NYSE sessions before `trade_date` (or up to it), oldest first, skipping
        sessions shorter than `min_rth_minutes`; fewer when the calendar starts (spec §1.4)."""
        if n < 0:
            raise ValueError(f"n must be >= 0 sessions, was {n}")
        if min_rth_minutes < 0:
            raise ValueError(f"min_rth_minutes must be >= 0, was {min_rth_minutes}")
        self._check_rth_date(trade_date)
        dates = self._rth_table().dates
        search = bisect.bisect_right if include_trade_date else bisect.bisect_left
        out: list[Session] = []
        i = search(dates, trade_date) - 1
        while i >= 0 and len(out) < n:
            session = self._session(i)
            if session.minutes >= min_rth_minutes:
                out.append(session)
            i -= 1
        return out[::-1]

    def prior_rth_date(self, trade_date: dt.date) -> dt.date:
        """The last date before `trade_date` with an RTH session (prior VA, settlement, ...)."""
        self._check_rth_date(trade_date)
        dates = self._rth_table().dates
        i = bisect.bisect_left(dates, trade_date) - 1
        if i < 0:
            raise CalendarError(f"no RTH session before {trade_date} in the calendar")
        return dates[i]

    def is_holiday(self, day: dt.date) -> bool:
        """True on a weekday when the NYSE is closed (full holiday or special closure)."""
        return day.weekday() < 5 and self.rth_session(day) is None

    def is_early_close(self, day: dt.date) -> bool:
        """True when the NYSE closes early (13:00 ET) that day."""
        session = self.rth_session(day)
        return session is not None and session.short

    def tpo_periods(self, trade_date: dt.date, minutes: int = 30) -> list[TpoPeriod]:
        """Lettered RTH periods from the open (A = 09:30-10:00 ET for 30 minutes); the last is cut
        at the RTH close, so an early close stops at G (H partial with rth_end 16:15)."""
        if minutes < 1:
            raise ValueError(f"minutes must be >= 1, was {minutes}")
        session = self.rth_session(trade_date)
        if session is None:
            return []
        step = minutes * NS_PER_MINUTE
        starts = range(session.rth_open_ns, session.rth_close_ns, step)
        if len(starts) > len(TPO_LETTERS):
            raise ValueError(
                f"minutes={minutes} gives {len(starts)} periods, more than the "
                f"{len(TPO_LETTERS)} letters A-Z, a-z"
            )
        return [
            TpoPeriod(TPO_LETTERS[k], start, min(start + step, session.rth_close_ns))
            for k, start in enumerate(starts)
        ]

    def initial_balance_window(self, trade_date: dt.date) -> tuple[int, int]:
        """Initial balance [09:30, 10:30 ET) = TPO periods A and B; unaffected by early closes."""
        session = self.rth_session(trade_date)
        if session is None:
            raise CalendarError(f"{trade_date} has no RTH session, so no initial balance")
        return session.rth_open_ns, session.rth_open_ns + _IB_MINUTES * NS_PER_MINUTE

    def _is_nyse_business_day(self, day: dt.date) -> bool:
        return self.rth_session(day) is not None

    def last_trading_day(self, contract: str | ContractId) -> dt.date:
        """Last trading day: override row, else third Friday or the NYSE business day before it."""
        code = instruments.parse_contract(contract).code
        row = self._overrides.contract_row(code)
        if row is not None:
            return row.last_trading_day
        return instruments.last_trading_day(code, self._is_nyse_business_day)

    def roll_date(self, contract: str | ContractId) -> dt.date:
        """First trade date led by the next contract: override row, else third Friday - N days."""
        code = instruments.parse_contract(contract).code
        row = self._overrides.contract_row(code)
        if row is not None:
            return row.roll_date
        return instruments.roll_date(code, self._roll_days)

    def lead_contract(self, trade_date: dt.date, root: str = "ES") -> str:
        """Canonical id of the contract that leads a trade date under the calendar roll rule
        (spec §1.2); the volume rule needs volumes, so it lives with the data, not here."""
        instruments.get_instrument(root)
        month = next(m for m in instruments.QUARTERLY_MONTHS if m >= trade_date.month)
        current = ContractId(root, trade_date.year, month)
        if trade_date >= self.roll_date(current):
            return current.next().code
        return current.code

    def front_contract(self, ts_ns: int, root: str = "ES") -> str:
        """Lead contract of the trade date a timestamp belongs to ('ESM24')."""
        return self.lead_contract(self.trade_date(ts_ns), root)


@functools.cache
def default_calendar() -> SessionCalendar:
    """The shared calendar with default settings and the packaged override file."""
    return SessionCalendar()
