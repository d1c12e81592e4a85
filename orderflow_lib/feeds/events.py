"""The one event array every feed delivers: trades, quotes and depth updates in arrival order.

A batch is a MARKET_EVENT_DTYPE array (prices in ticks, times int64 UTC ns). Live, replay and the
synthetic market all produce it, recordings store it, and the node consumes nothing else, so one
code path serves every source. `FeedInfo` says where a feed's events come from; `SourceChange`
marks the atomic switch from one source to another (synthetic -> live).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from orderflow_lib.core.errors import DataError
from orderflow_lib.market.events import (
    DEPTH_DTYPE,
    QUOTE_DTYPE,
    TRADE_DTYPE,
    DepthUpdate,
    Quote,
    Trade,
)

KIND_TRADE: Final = 1
KIND_QUOTE: Final = 2
KIND_DEPTH: Final = 3
KIND_NAMES: Final = {KIND_TRADE: "trade", KIND_QUOTE: "quote", KIND_DEPTH: "depth"}
SOURCES: Final = ("synthetic", "replay", "live")
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


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """Where a feed's events come from.

    `source` is synthetic, replay or live (stored rows carry it); `contract` the data contract
    ("ESZ6"); `exchange_side` is True when trades carry the exchange's aggressor flag (Databento,
    the synthetic market), False when the node must classify them from quotes (IB).
    """

    source: str
    contract: str
    tick_size: float = 0.25
    exchange_side: bool = True
    description: str = ""
    trade_date: date | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise DataError(f"feed source must be one of {', '.join(SOURCES)}, was {self.source!r}")
        if not self.tick_size > 0:
            raise DataError(f"tick_size must be > 0, was {self.tick_size!r}")


@dataclass(frozen=True, slots=True)
class SourceChange:
    """The feed switched source: every event after this marker comes from `info`'s source."""

    info: FeedInfo
    reason: str


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
