"""Shared helpers of the node tests: small synthetic sessions, a list feed, a test strategy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date, time
from functools import cache
from pathlib import Path

import numpy as np

from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.engine.context import SessionContext
from orderflow_lib.engine.view import Decision
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.synthetic import SyntheticSession, generate_session
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.strategy.intents import TradeIntent

TRADE_DATE = date(2026, 11, 24)
ESH4_HOUR = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "data"
    / "databento-es-mbo"
    / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
)
"""Databento GLBX.MDP3 extract (ESH4 MBO), published as a test fixture by the NautilusTrader
project (LGPL-3.0 repository); see ../shared/data/README.md."""
KEY = "k" * 40


@cache
def small_session(seed: int = 3, scale: float = 0.02) -> SyntheticSession:
    """A small synthetic session of TRADE_DATE."""
    return generate_session(TRADE_DATE, seed, scale=scale)


@cache
def morning_events(seed: int = 3, scale: float = 0.02) -> np.ndarray:
    """Events of the small session from 08:30 to 11:00 ET (the RTH open inside)."""
    events = session_events(small_session(seed, scale))
    start = ny_to_ns(TRADE_DATE, time(8, 30))
    end = ny_to_ns(TRADE_DATE, time(11, 0))
    ts = events["ts_ns"]
    return events[np.searchsorted(ts, start) : np.searchsorted(ts, end)]


def batches(events: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """`events` cut into consecutive batches of the given sizes (cycled)."""
    out = []
    start = 0
    k = 0
    while start < events.shape[0]:
        size = sizes[k % len(sizes)]
        out.append(events[start : start + size])
        start += size
        k += 1
    return out


class ListFeed:
    """A feed of given items (batches and source changes); `hold` keeps it open until closed."""

    def __init__(self, info: FeedInfo, items: Sequence[FeedItem], *, hold: bool = False) -> None:
        self.info = info
        self._items = list(items)
        self._hold = hold
        self._closed = asyncio.Event()
        self.state = "idle"

    async def items(self) -> AsyncIterator[FeedItem]:
        self.state = "replaying"
        for item in self._items:
            if self._closed.is_set():
                return
            await asyncio.sleep(0)
            yield item
        self.state = "ended"
        if self._hold:
            await self._closed.wait()

    async def close(self) -> None:
        self._closed.set()
        self.state = "closed"


class FollowPressure:
    """Test strategy: on tape pressure when flat, trade with it; flat again after `hold_bars` bars."""

    def __init__(self, hold_bars: int = 3) -> None:
        self.hold_bars = hold_bars
        self.decisions = 0
        self._bars_in = 0
        self._entry: str | None = None

    @property
    def name(self) -> str:
        return "follow"

    def start_session(self, context: SessionContext) -> None:
        self._bars_in = 0
        self._entry = None

    def on_decision(self, decision: Decision) -> list[TradeIntent]:
        self.decisions += 1
        if decision.position != 0:
            if decision.candle is not None:
                self._bars_in += 1
            if self._bars_in >= self.hold_bars and self._entry is not None:
                action = OrderAction.SELL if decision.position > 0 else OrderAction.BUY
                return [
                    TradeIntent(
                        self._entry + ":exit", action, abs(decision.position), "follow", "time exit"
                    )
                ]
            return []
        for s in decision.signals:
            if str(s.signal.kind) in ("BUY_PRESSURE", "SELL_PRESSURE"):
                self._bars_in = 0
                self._entry = s.id
                action = OrderAction.BUY if s.signal.direction > 0 else OrderAction.SELL
                return [TradeIntent(s.id, action, 1, "follow", str(s.signal.kind))]
        return []
