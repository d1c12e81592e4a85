"""Historical 5-minute bars from IB over the full Globex session, one request per trade date,
paced by an injectable rate limiter and shown with a tqdm progress bar.

A trade date D runs from 18:00 ET on the evening before to 17:00 ET on D (weekends skipped; a
holiday simply returns no bars). Storing bars and rebuilding profiles is the caller's job.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

import numpy as np
import pandas as pd
from ib_async import IB, BarData, Contract, RequestError
from tqdm import tqdm

from orderflow_lib.adapters.ibkr.errors import IbkrError
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import OffGridPriceError
from orderflow_lib.core.timeconv import NS_PER_HOUR, NY, datetime_to_ns, ny_to_ns
from orderflow_lib.market.events import BAR_DTYPE

GLOBEX_CLOSE_ET = datetime.min.time().replace(hour=17)
_TRADE_DATE_SHIFT_NS = 6 * NS_PER_HOUR


class RateLimiter(Protocol):
    """Anything that can hold a request back until IB's pacing allows it."""

    async def acquire(self) -> None: ...


class PacingLimiter:
    """At most `max_requests` per `window_s` seconds and at least `min_gap_s` between requests.

    IB's limit for historical data is 60 requests per 10 minutes (spec/ibkr.md §2.9); the defaults
    stay below it. `monotonic` and `sleep` are injectable so tests run without waiting.
    """

    def __init__(
        self,
        max_requests: int = 50,
        window_s: float = 600.0,
        min_gap_s: float = 2.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_requests < 1:
            raise ValueError(f"max_requests must be >= 1, was {max_requests}")
        if window_s <= 0 or min_gap_s < 0:
            raise ValueError(
                f"window_s must be > 0 and min_gap_s >= 0, were {window_s}, {min_gap_s}"
            )
        self.max_requests = max_requests
        self.window_s = window_s
        self.min_gap_s = min_gap_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: deque[float] = deque()

    async def acquire(self) -> None:
        """Wait until one more request is allowed, then count it."""
        now = self._monotonic()
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()
        wait = 0.0
        if self._sent:
            wait = max(wait, self._sent[-1] + self.min_gap_s - now)
        if len(self._sent) >= self.max_requests:
            wait = max(wait, self._sent[0] + self.window_s - now)
        if wait > 0:
            await self._sleep(wait)
            now = self._monotonic()
            while self._sent and now - self._sent[0] >= self.window_s:
                self._sent.popleft()
        self._sent.append(now)


def trade_date_of(ts_ns: int) -> date:
    """The CME trade date of a Globex timestamp: 18:00 ET starts the next day's session."""
    return datetime.fromtimestamp((ts_ns + _TRADE_DATE_SHIFT_NS) / 1e9, NY).date()


def recent_trade_dates(last: date, days: int) -> list[date]:
    """The `days` weekdays ending at `last` (inclusive), oldest first."""
    if days < 1:
        raise ValueError(f"days must be >= 1, was {days}")
    out: list[date] = []
    day = last
    while len(out) < days:
        if day.weekday() < 5:
            out.append(day)
        day -= timedelta(days=1)
    return out[::-1]


def last_complete_trade_date(now_ns: int) -> date:
    """The latest trade date whose Globex session (ending 17:00 ET) is over at `now_ns`."""
    day = datetime.fromtimestamp(now_ns / 1e9, NY).date()
    while day.weekday() >= 5 or ny_to_ns(day, GLOBEX_CLOSE_ET) > now_ns:
        day -= timedelta(days=1)
    return day


def bars_to_array(bars: Iterable[BarData], tick_size: float) -> np.ndarray:
    """BAR_DTYPE rows of IB bars (formatDate=2, UTC); off-grid prices raise OffGridPriceError."""
    rows = list(bars)
    out = np.empty(len(rows), dtype=BAR_DTYPE)
    for i, bar in enumerate(rows):
        if not isinstance(bar.date, datetime):
            raise IbkrError(f"bar date must be an aware datetime (formatDate=2), was {bar.date!r}")
        ticks = []
        for name in ("open", "high", "low", "close"):
            price = float(getattr(bar, name))
            exact = price / tick_size
            if abs(exact - round(exact)) > 1e-6:
                raise OffGridPriceError(
                    f"bar {bar.date.isoformat()} {name} {price} is not a multiple of tick {tick_size}"
                )
            ticks.append(round(exact))
        out[i] = (datetime_to_ns(bar.date), *ticks, int(bar.volume))
    return out


def bars_to_frame(bars: np.ndarray) -> pd.DataFrame:
    """A DataFrame of BAR_DTYPE rows (column per field)."""
    return pd.DataFrame({name: bars[name] for name in BAR_DTYPE.names or ()})


@dataclass(slots=True)
class BackfillResult:
    """Bars per trade date (BAR_DTYPE, time-ordered); dates IB had no bars for are listed."""

    contract: str
    bars: dict[date, np.ndarray] = field(default_factory=dict)
    empty_dates: list[date] = field(default_factory=list)

    def frames(self) -> dict[date, pd.DataFrame]:
        """The bars of each trade date as a DataFrame."""
        return {d: bars_to_frame(b) for d, b in self.bars.items()}


async def backfill_bars(
    ib: IB,
    contract: Contract,
    *,
    days: int = 7,
    last_trade_date: date | None = None,
    now_ns: int | None = None,
    bar_size: str = "5 mins",
    tick_size: float = ES_TICK_SIZE,
    limiter: RateLimiter | None = None,
    progress: bool = True,
    request_timeout_s: float = 60.0,
) -> BackfillResult:
    """Fetch `days` trade dates of Globex bars ending at `last_trade_date` (default: the last
    complete one at `now_ns`), one IB request per date; IbkrError names a refused request."""
    if last_trade_date is None:
        last_trade_date = last_complete_trade_date(time.time_ns() if now_ns is None else now_ns)
    dates = recent_trade_dates(last_trade_date, days)
    limiter = limiter or PacingLimiter()
    result = BackfillResult(contract=str(contract.localSymbol or contract.symbol))
    with tqdm(
        total=len(dates), desc=f"backfill {result.contract}", unit="day", disable=not progress
    ) as bar_progress:
        for day in dates:
            await limiter.acquire()
            end = datetime.fromtimestamp(ny_to_ns(day, GLOBEX_CLOSE_ET) / 1e9, NY)
            try:
                bars = await ib.reqHistoricalDataAsync(
                    contract,
                    end,
                    "1 D",
                    bar_size,
                    "TRADES",
                    useRTH=False,
                    formatDate=2,
                    timeout=request_timeout_s,
                )
            except RequestError as exc:
                raise IbkrError(
                    f"historical bars for {result.contract} on {day}: IB error {exc.code}: {exc.message}"
                ) from exc
            array = bars_to_array(bars, tick_size)
            in_day = np.fromiter(
                (trade_date_of(int(t)) == day for t in array["ts_ns"]), dtype=bool, count=len(array)
            )
            array = array[in_day]
            if len(array):
                result.bars[day] = array
            else:
                result.empty_dates.append(day)
            bar_progress.update(1)
    return result
