"""IB live market data as a feed: tick-by-tick trades (aggressor by the quote rule, refined by the
node), BidAsk quotes and L2 depth from `adapters.ibkr.MarketDataStream`, in arrival order.

Whatever arrived since the last batch is delivered as one batch. When the depth subscription is
renewed (reconnect, 1101) a DEPTH_RESET event tells the node to clear its book before IB re-sends
it; the reset is recorded like any other event, so a replay sees it at the same place.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from orderflow_lib.adapters.ibkr import (
    FeedState,
    FeedStatus,
    IbConnection,
    MarketDataHandlers,
    MarketDataStream,
)
from orderflow_lib.adapters.ibkr.market_data import MarketDataFeed
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.events import DEPTH_RESET, FeedInfo, events_from_objects
from orderflow_lib.market.events import DepthUpdate, Quote, Trade


class IbFeed:
    """One contract's IB market data as event batches (source "live")."""

    def __init__(
        self,
        connection: IbConnection,
        contract: Any,
        contract_code: str,
        *,
        tick_size: float = ES_TICK_SIZE,
        depth_rows: int = 10,
    ) -> None:
        self.connection = connection
        self.info = FeedInfo(
            source="live",
            contract=contract_code,
            tick_size=tick_size,
            exchange_side=False,
            description=f"IB {contract_code} via {connection.settings.host}:{connection.settings.port}",
        )
        self._pending: list[Trade | Quote | DepthUpdate] = []
        self._wake = asyncio.Event()
        self._closed = False
        self._depth_seen = False
        self.statuses: dict[str, FeedStatus] = {}
        self.stream = MarketDataStream(
            connection,
            contract,
            MarketDataHandlers(
                on_trade=self._add,
                on_quote=self._add,
                on_depth=self._on_depth,
                on_status=self._on_status,
            ),
            tick_size=tick_size,
            depth_rows=depth_rows,
            feeds=(MarketDataFeed.TRADES, MarketDataFeed.QUOTES, MarketDataFeed.DEPTH),
        )

    @property
    def state(self) -> str:
        """live when every stream delivers; else the worst stream state (pending, delayed, ...)."""
        if self._closed:
            return "closed"
        if not self.connection.is_connected():
            return "disconnected"
        states = {s.state for s in self.statuses.values()}
        if states and states <= {FeedState.LIVE}:
            return "live"
        for bad in (
            FeedState.NO_ENTITLEMENT,
            FeedState.DELAYED,
            FeedState.LIMIT_REACHED,
            FeedState.ERROR,
        ):
            if bad in states:
                return str(bad)
        return "connecting"

    def start(self) -> None:
        """Subscribe to trades, quotes and depth."""
        self.stream.start()

    def _add(self, event: Trade | Quote | DepthUpdate) -> None:
        self._pending.append(event)
        self._wake.set()

    def _on_depth(self, update: DepthUpdate) -> None:
        self._depth_seen = True
        self._add(update)

    def _on_status(self, status: FeedStatus) -> None:
        self.statuses[str(status.feed)] = status
        if (
            status.feed == MarketDataFeed.DEPTH
            and status.state == FeedState.PENDING
            and self._depth_seen
        ):
            self._depth_seen = False
            self._add(DepthUpdate(self.connection.clock.now_ns(), 0, 0, DEPTH_RESET, 0, 0))

    async def items(self) -> AsyncIterator[FeedItem]:
        """Everything received since the previous batch, as one batch, until `close`."""
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            if self._pending:
                pending, self._pending = self._pending, []
                yield events_from_objects(pending)

    async def close(self) -> None:
        """Cancel the subscriptions and end `items`."""
        if self._closed:
            return
        self._closed = True
        self.stream.stop()
        self._wake.set()
