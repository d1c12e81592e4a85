"""Where research replays get market data, one trade date at a time: the synthetic market or
files (a Lean minute folder, Databento DBN files). Sources are small frozen dataclasses, so a day
can be shipped to a pool or Dask worker that loads its own data.

`trades(day)` gives that trade date's Globex trades (order-flow replay); `market_data(day)` gives
the plan library's MarketData up to the end of that trade date (history for the pre-market plan
and the day itself for its review and the strategies).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.market.synthetic import SyntheticSession, generate_session, generate_sessions
from orderflow_lib.plan import MarketData, load_market_data
from orderflow_lib.research.daily import calendar_for
from orderflow_lib.research.paths import resolve_path


class DaySource(Protocol):
    """One trade date's market data for a replay worker."""

    def trades(self, trade_date: date, settings: Settings) -> np.ndarray:
        """TRADE_DTYPE trades of the trade date's Globex session, in time order."""
        ...

    def market_data(self, trade_date: date, settings: Settings) -> MarketData:
        """The lead contract's data up to the end of the trade date (with its history)."""
        ...


@dataclass(frozen=True, slots=True)
class SyntheticDays:
    """The synthetic market. With `first_date`, trade dates chain from it as in `generate_sessions`
    (each opens at the previous one's last bid: the same days `import_synthetic` stores, so stored
    composites apply); without it, each date is generated on its own from (seed, date)."""

    seed: int = 7
    scale: float = 0.05
    first_date: date | None = None

    def sessions(self, trade_date: date, settings: Settings) -> list[SyntheticSession]:
        """The generated sessions up to and including `trade_date` (one without `first_date`)."""
        calendar = calendar_for(settings)
        if self.first_date is None:
            return [generate_session(trade_date, self.seed, calendar=calendar, scale=self.scale)]
        if trade_date < self.first_date:
            raise DataError(f"trade date {trade_date} is before first_date {self.first_date}")
        chain = generate_sessions(
            self.first_date, trade_date, self.seed, calendar=calendar, scale=self.scale
        )
        if not chain or chain[-1].trade_date != trade_date:
            raise DataError(f"{trade_date} is not a CME trade date")
        return chain

    def trades(self, trade_date: date, settings: Settings) -> np.ndarray:
        """The generated session's trades."""
        return self.sessions(trade_date, settings)[-1].trades

    def market_data(self, trade_date: date, settings: Settings) -> MarketData:
        """Every generated session up to `trade_date` as trades of the date's lead contract."""
        chain = self.sessions(trade_date, settings)
        trades = np.concatenate([s.trades for s in chain]) if chain else np.empty(0, TRADE_DTYPE)
        contract = calendar_for(settings).lead_contract(trade_date)
        return MarketData(
            contract,
            f"synthetic seed {self.seed} scale {self.scale}",
            trades=trades[np.argsort(trades["ts_ns"], kind="stable")],
            tick_size=settings.instrument.tick_size,
        )


@dataclass(frozen=True, slots=True)
class MarketFiles:
    """A Lean minute folder (1-minute bars) or Databento DBN files (trades), relative paths read
    against the project root; each trade date uses its lead contract (spec §1.2)."""

    path: str

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> MarketFiles:
        """The source at `path` (resolved now, so workers elsewhere find the same files)."""
        return cls(str(resolve_path(path)))

    def market_data(self, trade_date: date, settings: Settings) -> MarketData:
        """The lead contract's bars or trades, cut at the end of the trade date."""
        calendar = calendar_for(settings)
        data = load_market_data(
            resolve_path(self.path),
            trade_date,
            calendar=calendar,
            tick_size=settings.instrument.tick_size,
        )
        return data.window(None, calendar.globex_window(trade_date).close_ns)

    def trades(self, trade_date: date, settings: Settings) -> np.ndarray:
        """The trade date's Globex trades; DataError for bar data (Lean has no trades)."""
        data = self.market_data(trade_date, settings)
        if data.trades is None:
            raise DataError(
                f"{self.path} holds 1-minute bars, not trades: order-flow signals need trades "
                "(Databento DBN files or the synthetic market)"
            )
        window = calendar_for(settings).globex_window(trade_date)
        part = data.window(window.open_ns, window.close_ns)
        assert part.trades is not None
        return part.trades
