"""Performance analysis: fills matched into round-trip trades (FIFO per instrument), then win rate,
expectancy, P&L in ticks, USD and GBP, profit factor, maximum drawdown, the daily P&L series and
its Sharpe ratio, overall and broken down by setup, regime and scenario (the intent's tags)."""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from orderflow_lib.execution.events import Fill
from orderflow_lib.execution.pnl import tick_value_usd, trade_pnl_usd, usd_to_gbp
from orderflow_lib.market.calendar import default_calendar

TRADING_DAYS_PER_YEAR = 252
UNTAGGED = "UNTAGGED"


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """One closed trade: `quantity` contracts opened by one order and closed by another (FIFO);
    side +1 long / -1 short; prices in ticks; `tags` are the opening order's labels."""

    instrument: str
    side: int
    quantity: int
    entry_ticks: int
    exit_ticks: int
    entry_ts_ns: int
    exit_ts_ns: int
    entry_order_id: str
    exit_order_id: str
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def pnl_ticks(self) -> int:
        """(exit - entry) x side x quantity, in ticks."""
        return (self.exit_ticks - self.entry_ticks) * self.side * self.quantity

    @property
    def pnl_usd(self) -> float:
        """P&L in USD at the instrument's tick value (spec §1.1)."""
        return trade_pnl_usd(
            self.entry_ticks,
            self.exit_ticks,
            self.side,
            self.quantity,
            tick_value_usd(self.instrument),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "instrument": self.instrument,
            "side": self.side,
            "quantity": self.quantity,
            "entry_ticks": self.entry_ticks,
            "exit_ticks": self.exit_ticks,
            "entry_ts_ns": self.entry_ts_ns,
            "exit_ts_ns": self.exit_ts_ns,
            "entry_order_id": self.entry_order_id,
            "exit_order_id": self.exit_order_id,
            "pnl_ticks": self.pnl_ticks,
            "pnl_usd": self.pnl_usd,
            **{f"tag_{k}": v for k, v in self.tags.items()},
        }


def round_trips(
    fills: Iterable[Fill], tags: Mapping[str, Mapping[str, str]] | None = None
) -> tuple[list[RoundTrip], dict[str, int]]:
    """Round trips of fills matched FIFO per instrument, and the open position left per instrument.

    A fill seen twice (same order and fill id) counts once. `tags` maps an order id to its labels
    (setup, regime, scenario, ...); a round trip carries its opening order's labels.
    """
    tags = tags or {}
    seen: set[tuple[str, str]] = set()
    lots: dict[str, deque[list[Any]]] = {}
    trips: list[RoundTrip] = []
    for fill in sorted(fills, key=lambda f: f.ts_ns):
        key = (fill.order_id, fill.fill_id)
        if key in seen:
            continue
        seen.add(key)
        if fill.quantity < 1:
            raise ValueError(f"fill {fill.fill_id}: quantity must be >= 1, was {fill.quantity}")
        side = fill.action.sign
        book = lots.setdefault(fill.instrument, deque())
        remaining = fill.quantity
        while remaining and book and book[0][0] != side:
            lot = book[0]
            matched = min(lot[1], remaining)
            trips.append(
                RoundTrip(
                    fill.instrument,
                    lot[0],
                    matched,
                    lot[2],
                    fill.price_ticks,
                    lot[3],
                    fill.ts_ns,
                    lot[4],
                    fill.order_id,
                    dict(tags.get(lot[4], {})),
                )
            )
            lot[1] -= matched
            remaining -= matched
            if lot[1] == 0:
                book.popleft()
        if remaining:
            book.append([side, remaining, fill.price_ticks, fill.ts_ns, fill.order_id])
    open_positions = {k: sum(lot[0] * lot[1] for lot in v) for k, v in lots.items()}
    return trips, {k: v for k, v in sorted(open_positions.items()) if v}


@dataclass(frozen=True, slots=True)
class PerformanceSummary:
    """Statistics of a set of round trips (USD figures at the tick value; GBP at the given rate).

    `max_drawdown_*` is the worst fall of cumulative P&L from its running peak (<= 0, starting from
    0); `profit_factor` is gross profit / gross loss (inf without losses, None without trades);
    `sharpe` is the annualised Sharpe ratio of the daily USD P&L (None with < 2 days or no spread).
    """

    trades: int
    wins: int
    losses: int
    win_rate: Fraction | None
    pnl_ticks: int
    pnl_usd: float
    pnl_gbp: float
    expectancy_ticks: Fraction | None
    expectancy_usd: float | None
    expectancy_gbp: float | None
    gross_profit_usd: float
    gross_loss_usd: float
    profit_factor: float | None
    max_drawdown_usd: float
    max_drawdown_gbp: float
    sharpe: float | None
    days: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (fractions as floats)."""
        return {
            "trades": self.trades,
            "wins": self.wins,
            "losses": self.losses,
            "win_rate": None if self.win_rate is None else float(self.win_rate),
            "pnl_ticks": self.pnl_ticks,
            "pnl_usd": self.pnl_usd,
            "pnl_gbp": self.pnl_gbp,
            "expectancy_ticks": None
            if self.expectancy_ticks is None
            else float(self.expectancy_ticks),
            "expectancy_usd": self.expectancy_usd,
            "expectancy_gbp": self.expectancy_gbp,
            "gross_profit_usd": self.gross_profit_usd,
            "gross_loss_usd": self.gross_loss_usd,
            "profit_factor": self.profit_factor,
            "max_drawdown_usd": self.max_drawdown_usd,
            "max_drawdown_gbp": self.max_drawdown_gbp,
            "sharpe": self.sharpe,
            "days": self.days,
        }


def max_drawdown(pnls: Iterable[float]) -> float:
    """Worst fall of the cumulative sum from its running peak (the peak starts at 0); <= 0."""
    cum = peak = worst = 0.0
    for x in pnls:
        cum += x
        peak = max(peak, cum)
        worst = min(worst, cum - peak)
    return worst


def sharpe_ratio(
    daily: Iterable[float], periods_per_year: int = TRADING_DAYS_PER_YEAR
) -> float | None:
    """mean / sample standard deviation x sqrt(periods_per_year); None with < 2 values or no spread."""
    values = list(daily)
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    if var <= 0:
        return None
    return mean / math.sqrt(var) * math.sqrt(periods_per_year)


class PerformanceAnalyzer:
    """Statistics over round trips. `gbp_per_usd` is one rate or a rate per trade date (GBP for one
    USD); `trade_date_of` maps a time to its CME trade date (the session calendar by default)."""

    def __init__(
        self,
        trips: Iterable[RoundTrip],
        *,
        gbp_per_usd: float | Mapping[dt.date, float],
        trade_date_of: Callable[[int], dt.date] | None = None,
        trading_dates: Callable[[dt.date, dt.date], list[dt.date]] | None = None,
        periods_per_year: int = TRADING_DAYS_PER_YEAR,
    ) -> None:
        self.trips = sorted(trips, key=lambda t: (t.exit_ts_ns, t.entry_ts_ns))
        self._rate = gbp_per_usd
        if not isinstance(gbp_per_usd, Mapping) and not gbp_per_usd > 0:
            raise ValueError(f"gbp_per_usd must be > 0, was {gbp_per_usd}")
        if trade_date_of is None or trading_dates is None:
            cal = default_calendar()
            trade_date_of = trade_date_of or cal.trade_date
            trading_dates = trading_dates or cal.trade_dates
        self._date_of = trade_date_of
        self._dates = trading_dates
        self.periods_per_year = periods_per_year

    @classmethod
    def from_fills(
        cls,
        fills: Iterable[Fill],
        tags: Mapping[str, Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> PerformanceAnalyzer:
        """An analyzer of the round trips of `fills` (open positions are left out)."""
        trips, _ = round_trips(fills, tags)
        return cls(trips, **kwargs)

    def _gbp(self, trip: RoundTrip) -> float:
        if isinstance(self._rate, Mapping):
            day = self._date_of(trip.exit_ts_ns)
            if day not in self._rate:
                raise ValueError(f"no GBP rate for trade date {day}")
            return usd_to_gbp(trip.pnl_usd, self._rate[day])
        return usd_to_gbp(trip.pnl_usd, self._rate)

    def trades_frame(self) -> pd.DataFrame:
        """One row per round trip with its trade date, P&L (ticks, USD, GBP) and tags."""
        rows = [
            {**t.to_dict(), "trade_date": self._date_of(t.exit_ts_ns), "pnl_gbp": self._gbp(t)}
            for t in self.trips
        ]
        return pd.DataFrame(rows)

    def daily_pnl(self) -> pd.DataFrame:
        """P&L per trade date (USD, GBP, trades), every trade date from the first to the last
        trade included (days without trades are 0)."""
        if not self.trips:
            return pd.DataFrame({"pnl_usd": [], "pnl_gbp": [], "trades": []})
        days: dict[dt.date, list[float]] = {}
        for t in self.trips:
            row = days.setdefault(self._date_of(t.exit_ts_ns), [0.0, 0.0, 0])
            row[0] += t.pnl_usd
            row[1] += self._gbp(t)
            row[2] += 1
        span = self._dates(min(days), max(days))
        index = pd.Index(span, name="trade_date")
        return pd.DataFrame(
            {
                "pnl_usd": [days.get(d, [0.0, 0.0, 0])[0] for d in span],
                "pnl_gbp": [days.get(d, [0.0, 0.0, 0])[1] for d in span],
                "trades": [int(days.get(d, [0.0, 0.0, 0])[2]) for d in span],
            },
            index=index,
        )

    def summary(self) -> PerformanceSummary:
        """The statistics of every round trip."""
        trips = self.trips
        n = len(trips)
        usd = [t.pnl_usd for t in trips]
        gbp = [self._gbp(t) for t in trips]
        ticks = [t.pnl_ticks for t in trips]
        wins = sum(x > 0 for x in ticks)
        losses = sum(x < 0 for x in ticks)
        profit = sum(x for x in usd if x > 0)
        loss = -sum(x for x in usd if x < 0)
        factor = None if n == 0 else (profit / loss if loss > 0 else math.inf)
        daily = self.daily_pnl()
        return PerformanceSummary(
            trades=n,
            wins=wins,
            losses=losses,
            win_rate=None if n == 0 else Fraction(wins, n),
            pnl_ticks=sum(ticks),
            pnl_usd=sum(usd),
            pnl_gbp=sum(gbp),
            expectancy_ticks=None if n == 0 else Fraction(sum(ticks), n),
            expectancy_usd=None if n == 0 else sum(usd) / n,
            expectancy_gbp=None if n == 0 else sum(gbp) / n,
            gross_profit_usd=profit,
            gross_loss_usd=loss,
            profit_factor=factor,
            max_drawdown_usd=max_drawdown(usd),
            max_drawdown_gbp=max_drawdown(gbp),
            sharpe=sharpe_ratio(daily["pnl_usd"].tolist(), self.periods_per_year),
            days=len(daily),
        )

    def by(self, tag: str) -> dict[str, PerformanceSummary]:
        """The statistics per value of a tag (setup, regime, scenario, ...); UNTAGGED when absent."""
        groups: dict[str, list[RoundTrip]] = {}
        for t in self.trips:
            groups.setdefault(t.tags.get(tag, UNTAGGED), []).append(t)
        return {
            key: PerformanceAnalyzer(
                group,
                gbp_per_usd=self._rate,
                trade_date_of=self._date_of,
                trading_dates=self._dates,
                periods_per_year=self.periods_per_year,
            ).summary()
            for key, group in sorted(groups.items())
        }

    def breakdown(self) -> dict[str, dict[str, PerformanceSummary]]:
        """`by` for setup, regime and scenario."""
        return {tag: self.by(tag) for tag in ("setup", "regime", "scenario")}
