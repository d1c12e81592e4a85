"""Market events (trades, quotes, depth updates, bars) as records and as numpy structured dtypes.

The dtypes are the only contract between objects and kernels: prices are integer ticks, times are
int64 UTC nanoseconds, and a trade's `side` is the aggressor (+1 buyer lifted the offer, -1 seller
hit the bid, 0 unknown).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np

from orderflow_lib.core.errors import DataError

BUY: Final = 1
SELL: Final = -1
UNKNOWN: Final = 0

SIDE_FROM_LETTER: Final = {"B": BUY, "A": SELL, "N": UNKNOWN}

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


def price_to_ticks(price: float, tick_size: float) -> int:
    """Nearest whole tick of a decimal price."""
    return round(price / tick_size)


def ticks_to_price(ticks: int, tick_size: float) -> float:
    """Decimal price of a tick index, for display."""
    return round(ticks * tick_size, 10)


# ---- the event array every feed delivers ------------------------------------------------------

KIND_TRADE: Final = 1
KIND_QUOTE: Final = 2
KIND_DEPTH: Final = 3
KIND_NAMES: Final = {KIND_TRADE: "trade", KIND_QUOTE: "quote", KIND_DEPTH: "depth"}
SOURCES: Final = ("synthetic", "replay", "live")
"""Where a feed's events come from: the synthetic market, a replayed file or live IB data."""

DEPTH_RESET: Final = 3
"""Operation of a depth event that clears both sides of the book (a renewed IB subscription)."""

MARKET_EVENT_DTYPE = np.dtype(
    [
        ("ts_ns", "i8"),
        ("kind", "u1"),
        ("side", "i1"),
        ("price_ticks", "i8"),
        ("size", "i8"),
        ("bid_ticks", "i8"),
        ("bid_size", "i8"),
        ("ask_ticks", "i8"),
        ("ask_size", "i8"),
        ("position", "i2"),
        ("operation", "i1"),
    ]
)
"""One market event. TRADE: price_ticks, size, side (aggressor +1/-1/0). QUOTE: bid/ask ticks and
sizes. DEPTH: side (BOOK_BID 1 / BOOK_ASK -1), position, operation (insert/update/delete),
price_ticks, size. Fields a kind does not use are 0."""


def empty_events(n: int = 0) -> np.ndarray:
    """A zero-filled event array of length `n`."""
    return np.zeros(n, dtype=MARKET_EVENT_DTYPE)


def trade_events(trades: np.ndarray) -> np.ndarray:
    """Events of a TRADE_DTYPE array."""
    _check_dtype(trades, TRADE_DTYPE, "trades")
    out = empty_events(trades.shape[0])
    out["ts_ns"] = trades["ts_ns"]
    out["kind"] = KIND_TRADE
    out["side"] = trades["side"]
    out["price_ticks"] = trades["price_ticks"]
    out["size"] = trades["size"]
    return out


def quote_events(quotes: np.ndarray) -> np.ndarray:
    """Events of a QUOTE_DTYPE array."""
    _check_dtype(quotes, QUOTE_DTYPE, "quotes")
    out = empty_events(quotes.shape[0])
    out["ts_ns"] = quotes["ts_ns"]
    out["kind"] = KIND_QUOTE
    for name in ("bid_ticks", "bid_size", "ask_ticks", "ask_size"):
        out[name] = quotes[name]
    return out


def depth_events(depth: np.ndarray) -> np.ndarray:
    """Events of a DEPTH_DTYPE array."""
    _check_dtype(depth, DEPTH_DTYPE, "depth updates")
    out = empty_events(depth.shape[0])
    out["ts_ns"] = depth["ts_ns"]
    out["kind"] = KIND_DEPTH
    out["side"] = depth["book_side"]
    out["position"] = depth["position"]
    out["operation"] = depth["operation"]
    out["price_ticks"] = depth["price_ticks"]
    out["size"] = depth["size"]
    return out


def merge_events(trades: np.ndarray, quotes: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Trades, quotes and depth merged by time; at equal times trades, then depth, then quotes
    (the order of `market.synthetic.iter_events`), each stream keeping its own order."""
    parts = (trade_events(trades), depth_events(depth), quote_events(quotes))
    merged = np.concatenate(parts)
    rank = np.concatenate([np.full(p.shape[0], k, dtype=np.int8) for k, p in enumerate(parts)])
    order = np.lexsort((np.arange(merged.shape[0]), rank, merged["ts_ns"]))
    return merged[order]


def events_from_objects(events: Iterable[Trade | Quote | DepthUpdate]) -> np.ndarray:
    """An event array of Trade, Quote and DepthUpdate records, in the order given."""
    rows = []
    for e in events:
        if isinstance(e, Trade):
            rows.append((e.ts_ns, KIND_TRADE, e.side, e.price_ticks, e.size, 0, 0, 0, 0, 0, 0))
        elif isinstance(e, Quote):
            rows.append(
                (
                    e.ts_ns,
                    KIND_QUOTE,
                    0,
                    0,
                    0,
                    e.bid_ticks,
                    e.bid_size,
                    e.ask_ticks,
                    e.ask_size,
                    0,
                    0,
                )
            )
        elif isinstance(e, DepthUpdate):
            rows.append(
                (
                    e.ts_ns,
                    KIND_DEPTH,
                    e.book_side,
                    e.price_ticks,
                    e.size,
                    0,
                    0,
                    0,
                    0,
                    e.position,
                    e.operation,
                )
            )
        else:
            raise DataError(f"expected a Trade, Quote or DepthUpdate, was {type(e).__name__}")
    return np.array(rows, dtype=MARKET_EVENT_DTYPE) if rows else empty_events()


def event_objects(events: np.ndarray) -> list[Trade | Quote | DepthUpdate]:
    """The records of an event array (the inverse of `events_from_objects`)."""
    out: list[Trade | Quote | DepthUpdate] = []
    for ts, kind, side, price, size, bid, bid_size, ask, ask_size, pos, op in events.tolist():
        if kind == KIND_TRADE:
            out.append(Trade(ts, price, size, side))
        elif kind == KIND_QUOTE:
            out.append(Quote(ts, bid, bid_size, ask, ask_size))
        else:
            out.append(DepthUpdate(ts, side, pos, op, price, size))
    return out


def check_events(events: np.ndarray) -> np.ndarray:
    """`events` if it is a MARKET_EVENT_DTYPE array of known kinds; DataError naming the problem."""
    _check_dtype(events, MARKET_EVENT_DTYPE, "events")
    bad = np.flatnonzero(~np.isin(events["kind"], list(KIND_NAMES)))
    if bad.size:
        raise DataError(
            f"event row {int(bad[0])}: kind must be one of {sorted(KIND_NAMES)}, "
            f"was {int(events['kind'][bad[0]])}"
        )
    return events


def _check_dtype(array: np.ndarray, dtype: np.dtype, what: str) -> None:
    if not isinstance(array, np.ndarray) or array.dtype != dtype:
        got = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise DataError(f"{what} must be a {dtype} structured array, was {got}")
