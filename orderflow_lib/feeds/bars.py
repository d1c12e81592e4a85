"""1-minute bars as a market event stream, so days that only exist as bars (Lean) can be replayed
through the node and backtested.

Each trade bar becomes up to four trade prints in the order of `auction.tape` (open, nearer
extreme, farther extreme, close), the i-th at `i * 15 s` into the minute plus `TRADE_DELAY_NS`,
each one preceded by a quote at `i * 15 s`. The sizes sum to the bar's volume; a bar with volume
below 4 gets fewer prints (equal neighbours merge, then the open goes, then the close, so both
extremes stay while the volume allows). The aggressor side is the tick test over the whole stream
(up-tick buy, down-tick sell, same price keeps the previous side; the very first print takes its
bar's direction, close >= open a buy). Each quote sits at the touch of its print: a buy lifts the
ask at the print's price, a sell hits the bid there, the other side is the spread of that
minute's quote bar (its closing bid and ask, at least 1 tick) away, sizes from the quote bar; with
no quote bar, a 1-tick spread and sizes of 1. So a quote-rule classifier agrees with the tick
test, and the spread never widens because the minute's closing quote is far from an earlier print.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from orderflow_lib.auction.tape import prints_from_bars
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import DataError
from orderflow_lib.core.timeconv import NS_PER_DAY, NS_PER_MINUTE, NS_PER_SECOND
from orderflow_lib.market.calendar import GlobexWindow, SessionCalendar, default_calendar
from orderflow_lib.market.events import (
    BAR_DTYPE,
    BUY,
    KIND_QUOTE,
    KIND_TRADE,
    QUOTE_DTYPE,
    SELL,
    empty_events,
)
from orderflow_lib.market.readers import read_lean_minute
from orderflow_lib.profiles.inputs import bars_to_array
from orderflow_lib.profiles.ladder import prices_to_ticks

PRINTS_PER_BAR: Final = 4
PRINT_STEP_NS: Final = 15 * NS_PER_SECOND
TRADE_DELAY_NS: Final = 1_000
"""A print trades 1 microsecond after its quote, so event times strictly increase."""


def bar_events(bars: np.ndarray, quotes: np.ndarray | None = None) -> np.ndarray:
    """MARKET_EVENT_DTYPE events (quote, trade, quote, trade, ...) of BAR_DTYPE 1-minute bars.

    `quotes` is a QUOTE_DTYPE array of quote bars: `ts_ns` the bar's open time, bid/ask its closing
    bid and ask (see `quote_closes_to_array`); minutes without one get the 1-tick default quote.
    """
    _check_bars(bars)
    prices, sizes, times, owner = _prints(bars)
    sides = _tick_test(prices, _first_side(bars))
    spread, bid_size, ask_size = _bar_quotes(bars, quotes)
    spread, bid_size, ask_size = spread[owner], bid_size[owner], ask_size[owner]
    buy = sides == BUY
    out = empty_events(2 * prices.shape[0])
    quote_rows, trade_rows = out[0::2], out[1::2]
    quote_rows["ts_ns"] = times
    quote_rows["kind"] = KIND_QUOTE
    quote_rows["bid_ticks"] = np.where(buy, prices - spread, prices)
    quote_rows["ask_ticks"] = np.where(buy, prices, prices + spread)
    quote_rows["bid_size"] = bid_size
    quote_rows["ask_size"] = ask_size
    trade_rows["ts_ns"] = times + TRADE_DELAY_NS
    trade_rows["kind"] = KIND_TRADE
    trade_rows["side"] = sides
    trade_rows["price_ticks"] = prices
    trade_rows["size"] = sizes
    return out


def quote_closes_to_array(frame: pd.DataFrame, tick_size: float) -> np.ndarray:
    """QUOTE_DTYPE closing bid/ask of Lean quote bars (read_lean_minute columns), by bar open time.

    Minutes where either side had no quote are left out (they get the default quote).
    """
    quoted = frame.dropna(subset=["bid_close", "ask_close"])
    out = np.empty(len(quoted), dtype=QUOTE_DTYPE)
    out["ts_ns"] = quoted["ts"].to_numpy(dtype=np.int64)
    out["bid_ticks"] = prices_to_ticks(quoted["bid_close"].to_numpy(), tick_size, "bid_close")
    out["ask_ticks"] = prices_to_ticks(quoted["ask_close"].to_numpy(), tick_size, "ask_close")
    out["bid_size"] = quoted["bid_size"].to_numpy(dtype=np.int64)
    out["ask_size"] = quoted["ask_size"].to_numpy(dtype=np.int64)
    return out


def lean_session_events(
    folder: str | os.PathLike[str],
    trade_date: dt.date,
    *,
    calendar: SessionCalendar | None = None,
    root: str = "ES",
    tick_size: float = ES_TICK_SIZE,
) -> np.ndarray:
    """Events of one trade date's Globex session (open to close, halts left out) from a Lean
    minute folder, in the trade date's lead contract (spec §1.2, as `plan.data` reads Lean).

    The session spans two UTC-day files; a day file the folder lacks leaves that part out (the
    2013 sample has no 20131013 file, so 2013-10-14 starts at 00:00 UTC). DataError when the
    folder holds no trade bars of the contract in the session.
    """
    cal = calendar if calendar is not None else default_calendar()
    window = cal.globex_window(trade_date)
    contract = cal.lead_contract(trade_date, root)
    trades = _session_frame(Path(folder), window, contract, "trade")
    if trades.empty:
        raise DataError(
            f"{folder}: no Lean trade bars of {contract} in the Globex session of {trade_date}"
        )
    quotes = _session_frame(Path(folder), window, contract, "quote")
    return bar_events(
        bars_to_array(trades, tick_size),
        quote_closes_to_array(quotes, tick_size) if not quotes.empty else None,
    )


def _session_frame(folder: Path, window: GlobexWindow, contract: str, kind: str) -> pd.DataFrame:
    """One contract's `kind` bars of the UTC-day files the Globex window spans, inside the window."""
    first_day, last_day = window.open_ns // NS_PER_DAY, (window.close_ns - 1) // NS_PER_DAY
    parts = []
    for day in range(first_day, last_day + 1):
        name = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).strftime(f"%Y%m%d_{kind}.zip")
        if (folder / name).exists():
            frame = read_lean_minute(folder / name, front_only=False)
            parts.append(frame[frame["contract"] == contract])
    if not parts:
        return pd.DataFrame()
    frame = pd.concat(parts, ignore_index=True)
    return frame[_trading(frame["ts"].to_numpy(dtype=np.int64), window)].reset_index(drop=True)


def _trading(ts_ns: np.ndarray, window: GlobexWindow) -> np.ndarray:
    """True where a bar opens inside the Globex window and outside its halts."""
    keep = (ts_ns >= window.open_ns) & (ts_ns < window.close_ns)
    for start_ns, end_ns in window.halts:
        keep &= (ts_ns < start_ns) | (ts_ns >= end_ns)
    return keep


def _check_bars(bars: np.ndarray) -> None:
    """DataError unless `bars` are BAR_DTYPE bars one minute or more apart with volume >= 0."""
    if not isinstance(bars, np.ndarray) or bars.dtype != BAR_DTYPE:
        got = bars.dtype if isinstance(bars, np.ndarray) else type(bars).__name__
        raise DataError(f"bars must be a {BAR_DTYPE} structured array, was {got}")
    close = np.flatnonzero(np.diff(bars["ts_ns"]) < NS_PER_MINUTE)
    if close.size:
        k = int(close[0]) + 1
        raise DataError(
            f"bar {k} opens at ts_ns {bars['ts_ns'][k]}, less than a minute after bar {k - 1} "
            f"({bars['ts_ns'][k - 1]}): 1-minute bars must be in time order, one per minute"
        )
    negative = np.flatnonzero(bars["volume"] < 0)
    if negative.size:
        k = int(negative[0])
        raise DataError(f"bar {k} (ts_ns {bars['ts_ns'][k]}) has volume {bars['volume'][k]}")


def _prints(bars: np.ndarray) -> tuple[np.ndarray, ...]:
    """(price_ticks, size, quote ts_ns, bar index) of every print, in time order."""
    paths = prints_from_bars(bars)["price_ticks"].reshape(-1, PRINTS_PER_BAR).tolist()
    prices: list[int] = []
    sizes: list[int] = []
    times: list[int] = []
    owner: list[int] = []
    for k, (path, volume, open_ns) in enumerate(
        zip(paths, bars["volume"].tolist(), bars["ts_ns"].tolist(), strict=True)
    ):
        kept = path if volume >= PRINTS_PER_BAR else _thin(path, volume)
        prices += kept
        sizes += _split(volume, len(kept))
        times += [open_ns + i * PRINT_STEP_NS for i in range(len(kept))]
        owner += [k] * len(kept)
    return (
        np.array(prices, dtype=np.int64),
        np.array(sizes, dtype=np.int64),
        np.array(times, dtype=np.int64),
        np.array(owner, dtype=np.int64),
    )


def _thin(path: list[int], volume: int) -> list[int]:
    """At most `volume` prints of a bar path: equal neighbours merge, then the open goes, then the
    close (each only while the bar's extremes stay), then the first print left."""
    extremes = {min(path), max(path)}
    prices = _merge_runs(path)
    while len(prices) > volume:
        if prices[0] not in extremes or prices.count(prices[0]) > 1:
            del prices[0]
        elif prices[-1] not in extremes or prices.count(prices[-1]) > 1:
            del prices[-1]
        else:
            del prices[0]
        prices = _merge_runs(prices)
    return prices


def _merge_runs(prices: list[int]) -> list[int]:
    """The prices with runs of equal neighbours kept once."""
    return [p for i, p in enumerate(prices) if i == 0 or p != prices[i - 1]]


def _split(volume: int, parts: int) -> list[int]:
    """`volume` in `parts` sizes as equal as possible, the earlier prints taking the remainder."""
    base, extra = divmod(volume, parts) if parts else (0, 0)
    return [base + (i < extra) for i in range(parts)]


def _first_side(bars: np.ndarray) -> int:
    """Side of the stream's first print, which has no earlier price: its bar's direction."""
    if bars.shape[0] == 0 or bars["close_ticks"][0] >= bars["open_ticks"][0]:
        return BUY
    return SELL


def _tick_test(prices: np.ndarray, first_side: int) -> np.ndarray:
    """Aggressor sides by the tick test: up-tick buy, down-tick sell, same price the side before."""
    ticks = np.sign(np.diff(prices, prepend=prices[:1])).astype(np.int8)
    if ticks.shape[0]:
        ticks[0] = first_side
    last_move = np.maximum.accumulate(np.where(ticks != 0, np.arange(ticks.shape[0]), 0))
    return ticks[last_move]


def _bar_quotes(bars: np.ndarray, quotes: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """(spread ticks, bid size, ask size) per bar from its minute's quote bar, else (1, 1, 1)."""
    n = bars.shape[0]
    spread = np.ones(n, dtype=np.int64)
    bid_size = np.ones(n, dtype=np.int64)
    ask_size = np.ones(n, dtype=np.int64)
    if quotes is None:
        return spread, bid_size, ask_size
    if not isinstance(quotes, np.ndarray) or quotes.dtype != QUOTE_DTYPE:
        got = quotes.dtype if isinstance(quotes, np.ndarray) else type(quotes).__name__
        raise DataError(f"quote bars must be a {QUOTE_DTYPE} structured array, was {got}")
    if quotes.shape[0] == 0:
        return spread, bid_size, ask_size
    quotes = quotes[np.argsort(quotes["ts_ns"], kind="stable")]
    at = np.minimum(np.searchsorted(quotes["ts_ns"], bars["ts_ns"]), quotes.shape[0] - 1)
    found = quotes["ts_ns"][at] == bars["ts_ns"]
    match = quotes[at[found]]
    spread[found] = np.maximum(match["ask_ticks"] - match["bid_ticks"], 1)
    bid_size[found] = np.maximum(match["bid_size"], 1)
    ask_size[found] = np.maximum(match["ask_size"], 1)
    return spread, bid_size, ask_size
