"""Market data for the plan and the review: 1-minute bars (Lean) or trades (Databento DBN) of one
contract, in ticks, with the windowed views the context needs (prints, profiles, ranges).

Reading files is left to `market.readers`; this module only chooses the reader and the contract.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orderflow_lib.auction.tape import prints_from_bars, prints_from_trades
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import DataError
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.market.events import TRADE_DTYPE
from orderflow_lib.market.instruments import parse_contract
from orderflow_lib.market.readers import Source, dbn_trades_array, read_lean_minute
from orderflow_lib.profiles.bars import tpo_profile_from_bar_array, volume_profile_from_bar_array
from orderflow_lib.profiles.inputs import bars_to_array
from orderflow_lib.profiles.tpo import TpoProfile
from orderflow_lib.profiles.volume import VolumeProfile


@dataclass(frozen=True)
class MarketData:
    """One contract's 1-minute bars (BAR_DTYPE) or trades (TRADE_DTYPE), sorted by time."""

    contract: str
    source: str
    bars: np.ndarray | None = None
    trades: np.ndarray | None = None
    tick_size: float = ES_TICK_SIZE

    def __post_init__(self) -> None:
        if (self.bars is None) == (self.trades is None):
            raise ValueError("MarketData needs exactly one of bars or trades")

    @property
    def kind(self) -> str:
        """'bars' or 'trades'."""
        return "bars" if self.bars is not None else "trades"

    @property
    def _records(self) -> np.ndarray:
        records = self.bars if self.bars is not None else self.trades
        assert records is not None
        return records

    def _mask(self, start_ns: int | None, end_ns: int | None) -> np.ndarray:
        ts = self._records["ts_ns"]
        keep = np.ones(len(ts), dtype=bool)
        if start_ns is not None:
            keep &= ts >= start_ns
        if end_ns is not None:
            keep &= ts < end_ns
        return keep

    def window(self, start_ns: int | None, end_ns: int | None) -> MarketData:
        """The records with start_ns <= ts < end_ns (bars by their open time)."""
        keep = self._mask(start_ns, end_ns)
        if self.bars is not None:
            return MarketData(
                self.contract, self.source, bars=self.bars[keep], tick_size=self.tick_size
            )
        assert self.trades is not None
        return MarketData(
            self.contract, self.source, trades=self.trades[keep], tick_size=self.tick_size
        )

    def __len__(self) -> int:
        return len(self._records)

    def span(self) -> tuple[int, int] | None:
        """(first ts, last ts) or None when empty."""
        ts = self._records["ts_ns"]
        return None if len(ts) == 0 else (int(ts[0]), int(ts[-1]))

    def prints(self, start_ns: int | None = None, end_ns: int | None = None) -> np.ndarray:
        """PRINT_DTYPE prints in the window (four per bar)."""
        part = self.window(start_ns, end_ns)
        if part.bars is not None:
            return prints_from_bars(part.bars)
        assert part.trades is not None
        return prints_from_trades(part.trades)

    def ranges(
        self, start_ns: int | None = None, end_ns: int | None = None
    ) -> tuple[np.ndarray, ...]:
        """(ts_ns, low_ticks, high_ticks) in the window: bar ranges, or trade prices."""
        part = self.window(start_ns, end_ns)
        if part.bars is not None:
            return part.bars["ts_ns"], part.bars["low_ticks"], part.bars["high_ticks"]
        assert part.trades is not None
        return part.trades["ts_ns"], part.trades["price_ticks"], part.trades["price_ticks"]

    def volume_profile(self, start_ns: int, end_ns: int) -> VolumeProfile:
        """Volume profile of the window (approximate from bars, exact from trades)."""
        if self.bars is not None:
            return volume_profile_from_bar_array(
                self.bars, start_ns=start_ns, end_ns=end_ns, tick_size=self.tick_size
            )
        assert self.trades is not None
        return VolumeProfile.from_trade_array(
            self.trades, start_ns=start_ns, end_ns=end_ns, tick_size=self.tick_size
        )

    def tpo_profile(self, periods: Sequence[Any]) -> TpoProfile:
        """TPO profile over the given periods."""
        if self.bars is not None:
            return tpo_profile_from_bar_array(self.bars, periods, tick_size=self.tick_size)
        assert self.trades is not None
        return TpoProfile.from_trade_array(self.trades, periods, tick_size=self.tick_size)


def _sorted(records: np.ndarray) -> np.ndarray:
    return records[np.argsort(records["ts_ns"], kind="stable")]


def load_lean(
    folder: str | os.PathLike[str], contract: str, tick_size: float = ES_TICK_SIZE
) -> MarketData:
    """A Lean minute folder's trade bars of `contract` (e.g. 'ESZ13')."""
    frame = read_lean_minute(folder, kind="trade", contract=contract)
    if frame.empty:
        raise DataError(f"{folder}: no Lean trade bars of {contract}")
    bars = bars_to_array(frame, tick_size)
    return MarketData(contract, f"lean:{folder}", bars=_sorted(bars), tick_size=tick_size)


def load_dbn(
    path: str | os.PathLike[str], contract: str, tick_size: float = ES_TICK_SIZE
) -> MarketData:
    """Trades of `contract` from a DBN file or a folder of them (files without trades are skipped).

    Databento names ES contracts with a one-digit year ('ESH4'); both spellings are matched.
    """
    cid = parse_contract(contract)
    wanted = {cid.code, f"{cid.root}{cid.code[len(cid.root)]}{cid.year % 10}"}
    parts = []
    for file in Source("dbn", Path(path)).files:
        try:
            parts.append(dbn_trades_array(file, tick_size, symbol=sorted(wanted)))
        except DataError as exc:
            if "has no trades" not in str(exc):
                raise
    trades = np.concatenate(parts) if parts else np.empty(0, dtype=TRADE_DTYPE)
    if len(trades) == 0:
        raise DataError(f"{path}: no DBN trades of {contract} ({' or '.join(sorted(wanted))})")
    return MarketData(contract, f"dbn:{path}", trades=_sorted(trades), tick_size=tick_size)


def load_market_data(
    source: str | os.PathLike[str],
    trade_date: dt.date,
    *,
    calendar: SessionCalendar | None = None,
    root: str = "ES",
    tick_size: float = ES_TICK_SIZE,
) -> MarketData:
    """The lead contract of `trade_date` (spec §1.2) from a Lean minute folder or DBN files."""
    found = Source.at(source)
    cal = calendar if calendar is not None else default_calendar()
    contract = cal.lead_contract(trade_date, root)
    if found.kind == "lean":
        return load_lean(found.path, contract, tick_size)
    return load_dbn(found.path, contract, tick_size)
