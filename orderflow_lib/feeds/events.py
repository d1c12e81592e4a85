"""Where a feed's events come from (`FeedInfo`) and the atomic switch from one source to another
(`SourceChange`, synthetic -> live). The event array itself (MARKET_EVENT_DTYPE, the kind codes
and its builders) lives in `market.events`, below every engine, and is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import DataError
from orderflow_lib.market.events import (
    DEPTH_RESET,
    KIND_DEPTH,
    KIND_NAMES,
    KIND_QUOTE,
    KIND_TRADE,
    MARKET_EVENT_DTYPE,
    SOURCES,
    check_events,
    depth_events,
    empty_events,
    event_objects,
    events_from_objects,
    merge_events,
    quote_events,
    trade_events,
)

__all__ = [
    "DEPTH_RESET",
    "KIND_DEPTH",
    "KIND_NAMES",
    "KIND_QUOTE",
    "KIND_TRADE",
    "MARKET_EVENT_DTYPE",
    "SOURCES",
    "FeedInfo",
    "SourceChange",
    "check_events",
    "depth_events",
    "empty_events",
    "event_objects",
    "events_from_objects",
    "merge_events",
    "quote_events",
    "trade_events",
]


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """Where a feed's events come from.

    `source` is synthetic, replay or live (stored rows carry it); `contract` the data contract
    ("ESZ6"); `exchange_side` is True when trades carry the exchange's aggressor flag (Databento,
    the synthetic market), False when the node must classify them from quotes (IB).
    """

    source: str
    contract: str
    tick_size: float = ES_TICK_SIZE
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
