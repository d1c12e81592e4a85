"""ES market data from IB as our events: tick-by-tick AllLast trades (aggressor by the quote rule
from the BidAsk stream), BidAsk quotes, L1 top of book and L2 depth rows.

Times are converted once, here: tick-by-tick uses IB's exchange time (whole seconds), L1 and depth
(which carry no time on the wire) use the injected clock at arrival. Refused or delayed data shows
up as a FeedStatus (and EntitlementError from `wait_live`), never as substitute data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ib_async import Contract

from orderflow_lib.adapters.ibkr.connection import IbConnection
from orderflow_lib.adapters.ibkr.errors import EntitlementError, ErrorKind, IbkrErrorEvent
from orderflow_lib.adapters.ibkr.wire import WireTap, tap_for
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    BUY,
    SELL,
    UNKNOWN,
    DepthUpdate,
    Quote,
    Trade,
    price_to_ticks,
)

L1_BID, L1_ASK, L1_LAST = 1, 2, 4
L1_BID_SIZE, L1_ASK_SIZE, L1_LAST_SIZE, L1_VOLUME = 0, 3, 5, 8


class MarketDataFeed(StrEnum):
    """The four market-data requests of a stream."""

    L1 = "l1"
    TRADES = "trades"
    QUOTES = "quotes"
    DEPTH = "depth"


class FeedState(StrEnum):
    """What a feed is delivering."""

    PENDING = "pending"
    LIVE = "live"
    DELAYED = "delayed"
    NO_ENTITLEMENT = "no_entitlement"
    LIMIT_REACHED = "limit_reached"
    ERROR = "error"
    STOPPED = "stopped"


_STATE_OF_KIND = {
    ErrorKind.NO_ENTITLEMENT: FeedState.NO_ENTITLEMENT,
    ErrorKind.DELAYED_DATA: FeedState.DELAYED,
    ErrorKind.LIMIT_REACHED: FeedState.LIMIT_REACHED,
}


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed's state with the IB code and text that caused it (for the user)."""

    feed: MarketDataFeed
    state: FeedState
    ts_ns: int
    code: int | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class TopOfBook:
    """L1 snapshot (IB samples it about every 250 ms): best bid/ask, last trade, session volume."""

    ts_ns: int
    bid_ticks: int
    bid_size: int
    ask_ticks: int
    ask_size: int
    last_ticks: int
    last_size: int
    volume: int


def quote_rule_side(price_ticks: int, bid_ticks: int | None, ask_ticks: int | None) -> int:
    """Aggressor by the quote rule (domain.md §7.1): at/above ask BUY, at/below bid SELL.

    Inside the spread, without a quote, or with a locked/crossed quote the side stays UNKNOWN so
    the flow engine's midpoint and tick tests can decide.
    """
    if bid_ticks is None or ask_ticks is None or bid_ticks >= ask_ticks:
        return UNKNOWN
    if price_ticks >= ask_ticks:
        return BUY
    if price_ticks <= bid_ticks:
        return SELL
    return UNKNOWN


@dataclass(slots=True)
class MarketDataHandlers:
    """Callbacks a stream delivers to (each optional)."""

    on_trade: Callable[[Trade], None] | None = None
    on_quote: Callable[[Quote], None] | None = None
    on_depth: Callable[[DepthUpdate], None] | None = None
    on_top: Callable[[TopOfBook], None] | None = None
    on_status: Callable[[FeedStatus], None] | None = None


class MarketDataStream:
    """Subscribes one contract's feeds and keeps them subscribed across reconnects and 1101."""

    def __init__(
        self,
        connection: IbConnection,
        contract: Contract,
        handlers: MarketDataHandlers,
        *,
        tick_size: float = ES_TICK_SIZE,
        depth_rows: int = 10,
        feeds: Iterable[MarketDataFeed] = tuple(MarketDataFeed),
    ) -> None:
        if tick_size <= 0:
            raise ValueError(f"tick_size must be > 0, was {tick_size}")
        if depth_rows < 1:
            raise ValueError(f"depth_rows must be >= 1, was {depth_rows}")
        self.connection = connection
        self.contract = contract
        self.handlers = handlers
        self.tick_size = tick_size
        self.depth_rows = depth_rows
        self.feeds = tuple(feeds)
        self.status: dict[MarketDataFeed, FeedStatus] = {}
        self._req_ids: dict[int, MarketDataFeed] = {}
        self._tap: WireTap = tap_for(connection.ib)
        self._bid_ticks: int | None = None
        self._ask_ticks: int | None = None
        self._l1 = [0, 0, 0, 0, 0, 0, 0]
        self._active = False
        connection.add_error_listener(self._on_error)
        connection.add_resubscriber(self._resubscribe)

    # --- subscription ------------------------------------------------------------------------

    def start(self) -> None:
        """Request every feed (live data only: market data type 1)."""
        self._active = True
        self.connection.ib.reqMarketDataType(1)
        for feed in self.feeds:
            self._request(feed)

    def stop(self) -> None:
        """Cancel every feed."""
        self._active = False
        ib = self.connection.ib
        if self.connection.is_connected():
            for feed in self.feeds:
                if feed == MarketDataFeed.L1:
                    ib.cancelMktData(self.contract)
                elif feed == MarketDataFeed.TRADES:
                    ib.cancelTickByTickData(self.contract, "AllLast")
                elif feed == MarketDataFeed.QUOTES:
                    ib.cancelTickByTickData(self.contract, "BidAsk")
                else:
                    ib.cancelMktDepth(self.contract, isSmartDepth=False)
        for req_id, feed in list(self._req_ids.items()):
            self._tap.forget(req_id)
            self._set_status(feed, FeedState.STOPPED)
        self._req_ids.clear()

    def _request(self, feed: MarketDataFeed) -> None:
        ib = self.connection.ib
        key: str
        if feed == MarketDataFeed.L1:
            ticker = ib.reqMktData(self.contract)
            key = "mktData"
        elif feed == MarketDataFeed.TRADES:
            ticker = ib.reqTickByTickData(self.contract, "AllLast")
            key = "AllLast"
        elif feed == MarketDataFeed.QUOTES:
            ticker = ib.reqTickByTickData(self.contract, "BidAsk")
            key = "BidAsk"
        else:
            ticker = ib.reqMktDepth(self.contract, self.depth_rows, isSmartDepth=False)
            key = "mktDepth"
        req_id = ib.wrapper.ticker2ReqId[key][ticker]
        self._req_ids[req_id] = feed
        self._route(req_id, feed)
        self._set_status(feed, FeedState.PENDING)

    def _route(self, req_id: int, feed: MarketDataFeed) -> None:
        if feed == MarketDataFeed.L1:
            self._tap.price[req_id] = self._on_l1_price
            self._tap.size[req_id] = self._on_l1_size
        elif feed == MarketDataFeed.TRADES:
            self._tap.all_last[req_id] = self._on_trade
        elif feed == MarketDataFeed.QUOTES:
            self._tap.bid_ask[req_id] = self._on_quote
        else:
            self._tap.depth[req_id] = self._on_depth

    def _resubscribe(self, socket_reset: bool) -> None:
        if not self._active:
            return
        if not socket_reset:
            self.stop()
            self._active = True
        for req_id in list(self._req_ids):
            self._tap.forget(req_id)
        self._req_ids.clear()
        self._bid_ticks = self._ask_ticks = None
        self.start()

    async def wait_live(self, feed: MarketDataFeed, timeout: float) -> FeedStatus:
        """Wait for a feed's first data; EntitlementError if IB refused it, TimeoutError if silent."""

        async def poll() -> FeedStatus:
            while True:
                status = self.status.get(feed)
                if status is not None and status.state == FeedState.LIVE:
                    return status
                if status is not None and status.state in (
                    FeedState.NO_ENTITLEMENT,
                    FeedState.DELAYED,
                    FeedState.LIMIT_REACHED,
                    FeedState.ERROR,
                ):
                    raise EntitlementError(feed.value, status.code or 0, status.message)
                await asyncio.sleep(0.005)

        return await asyncio.wait_for(poll(), timeout)

    # --- status ------------------------------------------------------------------------------

    def _set_status(
        self, feed: MarketDataFeed, state: FeedState, code: int | None = None, message: str = ""
    ) -> None:
        current = self.status.get(feed)
        if current is not None and current.state == state and current.code == code:
            return
        status = FeedStatus(feed, state, self.connection.clock.now_ns(), code, message)
        self.status[feed] = status
        if self.handlers.on_status is not None:
            self.handlers.on_status(status)

    def _mark_live(self, feed: MarketDataFeed) -> None:
        current = self.status.get(feed)
        if current is None or current.state == FeedState.PENDING:
            self._set_status(feed, FeedState.LIVE)

    def _on_error(self, event: IbkrErrorEvent) -> None:
        feed = self._req_ids.get(event.req_id)
        if feed is None:
            return
        state = _STATE_OF_KIND.get(event.kind, FeedState.ERROR)
        self._set_status(feed, state, event.code, event.message)

    # --- conversions -------------------------------------------------------------------------

    def _ticks(self, price: float) -> int:
        return price_to_ticks(price, self.tick_size)

    def _on_trade(self, epoch_s: float, price: float, size: float) -> None:
        self._mark_live(MarketDataFeed.TRADES)
        price_ticks = self._ticks(price)
        trade = Trade(
            ts_ns=int(epoch_s) * NS_PER_SECOND,
            price_ticks=price_ticks,
            size=int(size),
            side=quote_rule_side(price_ticks, self._bid_ticks, self._ask_ticks),
        )
        if self.handlers.on_trade is not None:
            self.handlers.on_trade(trade)

    def _on_quote(
        self, epoch_s: float, bid: float, ask: float, bid_size: float, ask_size: float
    ) -> None:
        self._mark_live(MarketDataFeed.QUOTES)
        self._bid_ticks, self._ask_ticks = self._ticks(bid), self._ticks(ask)
        quote = Quote(
            int(epoch_s) * NS_PER_SECOND,
            self._bid_ticks,
            int(bid_size),
            self._ask_ticks,
            int(ask_size),
        )
        if self.handlers.on_quote is not None:
            self.handlers.on_quote(quote)

    def _on_depth(
        self, position: int, operation: int, ib_side: int, price: float, size: float
    ) -> None:
        self._mark_live(MarketDataFeed.DEPTH)
        update = DepthUpdate(
            ts_ns=self.connection.clock.now_ns(),
            book_side=BOOK_BID if ib_side == 1 else BOOK_ASK,
            position=position,
            operation=operation,
            price_ticks=self._ticks(price),
            size=int(size),
        )
        if self.handlers.on_depth is not None:
            self.handlers.on_depth(update)

    def _on_l1_price(self, tick_type: int, price: float, size: float) -> None:
        slots = {L1_BID: (0, 1), L1_ASK: (2, 3), L1_LAST: (4, 5)}
        if tick_type not in slots:
            return
        price_slot, size_slot = slots[tick_type]
        self._l1[price_slot], self._l1[size_slot] = self._ticks(price), int(size)
        self._emit_top()

    def _on_l1_size(self, tick_type: int, size: float) -> None:
        slot = {L1_BID_SIZE: 1, L1_ASK_SIZE: 3, L1_LAST_SIZE: 5, L1_VOLUME: 6}.get(tick_type)
        if slot is None:
            return
        self._l1[slot] = int(size)
        self._emit_top()

    def _emit_top(self) -> None:
        self._mark_live(MarketDataFeed.L1)
        top = TopOfBook(self.connection.clock.now_ns(), *self._l1)
        if self.handlers.on_top is not None:
            self.handlers.on_top(top)
