"""Market events (trades, quotes, depth updates, bars) as records and as numpy structured dtypes.

The dtypes are the only contract between objects and kernels: prices are integer ticks, times are
int64 UTC nanoseconds, and a trade's `side` is the aggressor (+1 buyer lifted the offer, -1 seller
hit the bid, 0 unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

BUY: Final = 1
SELL: Final = -1
UNKNOWN: Final = 0

SIDE_FROM_LETTER: Final = {"B": BUY, "A": SELL, "N": UNKNOWN}
LETTER_FROM_SIDE: Final = {BUY: "B", SELL: "A", UNKNOWN: "N"}

DEPTH_INSERT: Final = 0
DEPTH_UPDATE: Final = 1
DEPTH_DELETE: Final = 2
BOOK_BID: Final = 1
BOOK_ASK: Final = -1

TRADE_DTYPE = np.dtype(
    [("ts_ns", "i8"), ("price_ticks", "i8"), ("size", "i8"), ("side", "i1")], align=False
)
QUOTE_DTYPE = np.dtype(
    [
        ("ts_ns", "i8"),
        ("bid_ticks", "i8"),
        ("bid_size", "i8"),
        ("ask_ticks", "i8"),
        ("ask_size", "i8"),
    ]
)
DEPTH_DTYPE = np.dtype(
    [
        ("ts_ns", "i8"),
        ("book_side", "i1"),
        ("position", "i2"),
        ("operation", "i1"),
        ("price_ticks", "i8"),
        ("size", "i8"),
    ]
)
BAR_DTYPE = np.dtype(
    [
        ("ts_ns", "i8"),
        ("open_ticks", "i8"),
        ("high_ticks", "i8"),
        ("low_ticks", "i8"),
        ("close_ticks", "i8"),
        ("volume", "i8"),
    ]
)


@dataclass(frozen=True, slots=True)
class Trade:
    """One print: `side` is the aggressor (+1 buy, -1 sell, 0 unknown)."""

    ts_ns: int
    price_ticks: int
    size: int
    side: int = UNKNOWN


@dataclass(frozen=True, slots=True)
class Quote:
    """Best bid and offer at a moment."""

    ts_ns: int
    bid_ticks: int
    bid_size: int
    ask_ticks: int
    ask_size: int


@dataclass(frozen=True, slots=True)
class DepthUpdate:
    """One L2 change by book position (IB style): insert, update or delete on the bid or ask side."""

    ts_ns: int
    book_side: int
    position: int
    operation: int
    price_ticks: int
    size: int


@dataclass(frozen=True, slots=True)
class Bar:
    """An OHLCV bar; `ts_ns` is the bar's open time."""

    ts_ns: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume: int


def trades_to_array(trades: list[Trade]) -> np.ndarray:
    """Structured TRADE_DTYPE array of Trade records."""
    out = np.empty(len(trades), dtype=TRADE_DTYPE)
    for i, t in enumerate(trades):
        out[i] = (t.ts_ns, t.price_ticks, t.size, t.side)
    return out


def price_to_ticks(price: float, tick_size: float) -> int:
    """Nearest whole tick of a decimal price."""
    return round(price / tick_size)


def ticks_to_price(ticks: int, tick_size: float) -> float:
    """Decimal price of a tick index, for display."""
    return round(ticks * tick_size, 10)
