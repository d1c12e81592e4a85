"""Where a backtest reads its days. Synthetic days are generated once per seed, scale and chain
start, cached as Parquet under the data folder and read back; Lean minute bars become trades and
quotes; a worker reads only its own day and the days before it (walk-forward)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from orderflow_lib.core.errors import DataError
from orderflow_lib.engine.context import PriorSession, prior_from_trades
from orderflow_lib.feeds.bars import lean_session_events
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import MARKET_EVENT_DTYPE
from orderflow_lib.market.synthetic import generate_sessions
from orderflow_lib.research.backtest import trades_of

LOOKBACK_DAYS = 10
"""Trade dates of history before a day: enough for the 5-day composite before the prior day."""
FILL_ROWS = 16_384
"""Events per block when a cached day is copied into the event array."""


@dataclass(frozen=True)
class SyntheticChain:
    """A chain of synthetic sessions from `first` (the warm-up included), seeded and scaled."""

    cache_dir: Path
    seed: int
    first: date
    scale: float = 1.0
    tick_size: float = 0.25
    name: str = "synthetic"
    feed_source: str = "synthetic"

    @classmethod
    def covering(
        cls, start: date, end: date, *, seed: int, scale: float, data_dir: Path
    ) -> tuple[SyntheticChain, list[date]]:
        """The source for the trade dates in [start, end] with LOOKBACK_DAYS of history before
        them, generated and cached now if missing; and the dates to test."""
        calendar = default_calendar()
        days = calendar.trade_dates(start, end)
        if not days:
            raise DataError(f"no trade dates between {start} and {end}")
        earlier = calendar.trade_dates(date(start.year - 1, 1, 1), start)
        history = [d for d in earlier if d < start][-LOOKBACK_DAYS:]
        first = history[0] if history else start
        key = f"seed{seed}-scale{scale:g}-from{first.isoformat()}"
        source = cls(data_dir / "cache" / "synthetic" / key, seed, first, scale)
        source.prepare(end)
        return source, days

    def path(self, day: date) -> Path:
        """The cached events of one day."""
        return self.cache_dir / f"{day.isoformat()}.parquet"

    def prior_path(self, day: date) -> Path:
        """The cached RTH session (profile, open, high, low, close) of one day."""
        return self.cache_dir / f"{day.isoformat()}.prior.json"

    def prepare(self, last: date) -> None:
        """Generate the chain up to `last` once; later runs read the cache."""
        calendar = default_calendar()
        wanted = calendar.trade_dates(self.first, last)
        if all(self.path(d).exists() and self.prior_path(d).exists() for d in wanted):
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        for session in generate_sessions(self.first, last, self.seed, scale=self.scale):
            day = session.trade_date
            if self.path(day).exists() and self.prior_path(day).exists():
                continue
            partial = self.path(day).with_name(self.path(day).name + ".partial")
            pd.DataFrame(session_events(session)).to_parquet(partial, index=False)
            partial.replace(self.path(day))
            contract = calendar.lead_contract(day, "ES")
            prior = prior_from_trades(session.trades, day, contract, calendar, self.tick_size)
            payload = {"contract": contract, "prior": None if prior is None else prior.to_payload()}
            partial = self.prior_path(day).with_name(self.prior_path(day).name + ".partial")
            partial.write_text(json.dumps(payload))
            partial.replace(self.prior_path(day))

    def day_size(self, day: date) -> int:
        """Bytes of the day's cached events (0 before they are cached)."""
        path = self.path(day)
        return path.stat().st_size if path.exists() else 0

    def events(self, day: date) -> np.ndarray:
        """The cached events of a trade date, read a row group at a time straight into the event
        array (no DataFrame in between: a full day is millions of events), filled in blocks that
        stay in the CPU cache while every column is written (about twice as fast)."""
        path = self.path(day)
        if not path.exists():
            raise DataError(f"no cached synthetic day {day} in {self.cache_dir}: run prepare first")
        names = list(MARKET_EVENT_DTYPE.names or ())
        parquet = pq.ParquetFile(path)
        out = np.empty(parquet.metadata.num_rows, dtype=MARKET_EVENT_DTYPE)
        start = 0
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=names)
            columns = [table.column(name).to_numpy() for name in names]
            for k in range(0, table.num_rows, FILL_ROWS):
                stop = min(k + FILL_ROWS, table.num_rows)
                part = out[start + k : start + stop]
                for name, column in zip(names, columns, strict=True):
                    part[name] = column[k:stop]
            start += table.num_rows
        return out

    def priors(self, day: date) -> list[PriorSession]:
        """RTH sessions of the cached days before `day` (at most LOOKBACK_DAYS)."""
        calendar = default_calendar()
        before = [d for d in calendar.trade_dates(self.first, day) if d < day][-LOOKBACK_DAYS:]
        out = []
        for d in before:
            cached = json.loads(self.prior_path(d).read_text())
            if cached["prior"] is not None:
                out.append(PriorSession.from_payload(d, cached["contract"], cached["prior"]))
        return out


@dataclass(frozen=True)
class LeanDays:
    """Days of a Lean ES minute folder: each day's 1-minute bars become trades and quotes
    (`feeds.bars`), and the days before it in the folder give its history."""

    folder: Path
    held: tuple[date, ...]
    tick_size: float = 0.25
    name: str = "lean"
    feed_source: str = "replay"

    @classmethod
    def covering(cls, folder: Path, start: date, end: date) -> tuple[LeanDays, list[date]]:
        """The source and the trade dates in [start, end] the folder holds trade bars for."""
        if not folder.is_dir():
            raise DataError(f"{folder} is not a folder: give a Lean ES minute folder")
        files = {
            date.fromisoformat(f"{p.name[:4]}-{p.name[4:6]}-{p.name[6:8]}")
            for p in folder.glob("*_trade.zip")
        }
        if not files:
            raise DataError(f"no Lean trade bars in {folder}: give a Lean ES minute folder")
        calendar = default_calendar()
        held = tuple(
            d
            for d in calendar.trade_dates(min(files), max(files))
            if d in files and calendar.rth_session(d) is not None
        )
        days = [d for d in held if start <= d <= end]
        if not days:
            raise DataError(f"no Lean trade bars in {folder} between {start} and {end}")
        return cls(folder, held), days

    def day_size(self, day: date) -> int:
        """Bytes of the day's trade bars file (0 when the folder has none)."""
        path = self.folder / f"{day:%Y%m%d}_trade.zip"
        return path.stat().st_size if path.exists() else 0

    def events(self, day: date) -> np.ndarray:
        """The day's Globex session as events."""
        return lean_session_events(self.folder, day, tick_size=self.tick_size)

    def priors(self, day: date) -> list[PriorSession]:
        """RTH sessions of the folder's days before `day` (at most LOOKBACK_DAYS)."""
        calendar = default_calendar()
        out = []
        for d in [x for x in self.held if x < day][-LOOKBACK_DAYS:]:
            try:
                events = self.events(d)
            except DataError:
                continue
            contract = calendar.lead_contract(d, "ES")
            prior = prior_from_trades(trades_of(events), d, contract, calendar, self.tick_size)
            if prior is not None:
                out.append(prior)
        return out
