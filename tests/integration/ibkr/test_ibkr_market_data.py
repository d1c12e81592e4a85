"""Streaming ES trades, quotes, L1 and depth through the real ib_async client into our events, and
entitlement errors surfaced as feed states, never replaced by other data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ibkr_support import STEP_S, TODAY, until

from orderflow_lib.adapters.ibkr import (
    EntitlementError,
    FeedState,
    FeedStatus,
    IbConnection,
    MarketDataFeed,
    MarketDataHandlers,
    MarketDataStream,
    TopOfBook,
    resolve_front_month,
)
from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    BUY,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    SELL,
    DepthUpdate,
    Quote,
    Trade,
)
from orderflow_lib.testing import FakeGateway

T0 = 1_795_000_000


class Recorder:
    """Collects every event a stream delivers."""

    def __init__(self) -> None:
        self.trades: list[Trade] = []
        self.quotes: list[Quote] = []
        self.depth: list[DepthUpdate] = []
        self.tops: list[TopOfBook] = []
        self.statuses: list[FeedStatus] = []

    def handlers(self) -> MarketDataHandlers:
        return MarketDataHandlers(
            on_trade=self.trades.append,
            on_quote=self.quotes.append,
            on_depth=self.depth.append,
            on_top=self.tops.append,
            on_status=self.statuses.append,
        )


@pytest.fixture
async def es_stream(
    gateway: FakeGateway, connection: IbConnection
) -> AsyncIterator[tuple[MarketDataStream, Recorder]]:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    recorder = Recorder()
    stream = MarketDataStream(connection, front.data_contract, recorder.handlers())
    yield stream, recorder
    stream.stop()


async def test_stream_when_quotes_and_trades_then_events_with_exchange_time_and_aggressor(
    gateway: FakeGateway, es_stream: tuple[MarketDataStream, Recorder]
) -> None:
    stream, rec = es_stream
    stream.start()
    await gateway.wait_for(lambda: gateway.subscriptions("tick_by_tick") == 2)

    gateway.quote("ESZ6", 5000.00, 5000.25, 12, 7, ts_s=T0)
    gateway.trade("ESZ6", 5000.25, 3, ts_s=T0 + 1)
    gateway.trade("ESZ6", 5000.00, 5, ts_s=T0 + 1)
    gateway.quote("ESZ6", 5000.25, 5000.50, 4, 9, ts_s=T0 + 2)
    gateway.trade("ESZ6", 5000.25, 2, ts_s=T0 + 2)
    await until(lambda: len(rec.trades) == 3)

    assert rec.quotes[0] == Quote(T0 * 10**9, 20_000, 12, 20_001, 7)
    assert [(t.ts_ns, t.price_ticks, t.size, t.side) for t in rec.trades] == [
        ((T0 + 1) * 10**9, 20_001, 3, BUY),
        ((T0 + 1) * 10**9, 20_000, 5, SELL),
        ((T0 + 2) * 10**9, 20_001, 2, SELL),
    ]
    assert stream.status[MarketDataFeed.TRADES].state == FeedState.LIVE
    assert stream.status[MarketDataFeed.QUOTES].state == FeedState.LIVE


async def test_stream_when_l1_ticks_then_top_of_book_in_ticks(
    gateway: FakeGateway, es_stream: tuple[MarketDataStream, Recorder]
) -> None:
    stream, rec = es_stream
    stream.start()
    await gateway.wait_for(lambda: gateway.subscriptions("mkt_data") == 1)

    gateway.quote("ESZ6", 5999.75, 6000.00, 11, 8)
    gateway.trade("ESZ6", 6000.00, 4)
    await until(lambda: bool(rec.tops) and rec.tops[-1].volume == 4)

    top = rec.tops[-1]
    assert (top.bid_ticks, top.bid_size, top.ask_ticks, top.ask_size) == (23_999, 11, 24_000, 8)
    assert (top.last_ticks, top.last_size, top.volume) == (24_000, 4, 4)
    await asyncio.wait_for(stream.wait_live(MarketDataFeed.L1, 1.0), STEP_S)


async def test_stream_when_depth_rows_change_then_depth_updates_by_position(
    gateway: FakeGateway, es_stream: tuple[MarketDataStream, Recorder]
) -> None:
    stream, rec = es_stream
    gateway.book("ESZ6", bids=[(5999.75, 10), (5999.50, 20)], asks=[(6000.00, 5)])
    stream.start()
    await until(lambda: len(rec.depth) == 3)
    gateway.depth("ESZ6", "ask", 0, DEPTH_UPDATE, 6000.00, 9)
    await until(lambda: len(rec.depth) == 4)

    first, last = rec.depth[0], rec.depth[-1]
    assert (first.book_side, first.position, first.operation, first.price_ticks, first.size) == (
        BOOK_BID,
        0,
        DEPTH_INSERT,
        23_999,
        10,
    )
    assert (last.book_side, last.position, last.operation, last.price_ticks, last.size) == (
        BOOK_ASK,
        0,
        DEPTH_UPDATE,
        24_000,
        9,
    )


async def test_stream_when_l1_not_entitled_then_354_status_and_no_data(
    gateway: FakeGateway, es_stream: tuple[MarketDataStream, Recorder]
) -> None:
    stream, rec = es_stream
    gateway.scenario.entitlements.l1 = False
    gateway.quote("ESZ6", 5999.75, 6000.00)
    stream.start()

    with pytest.raises(EntitlementError, match="354"):
        await asyncio.wait_for(stream.wait_live(MarketDataFeed.L1, 2.0), STEP_S)
    status = stream.status[MarketDataFeed.L1]
    assert (status.state, status.code) == (FeedState.NO_ENTITLEMENT, 354)
    assert "not subscribed" in status.message
    assert rec.tops == []


async def test_stream_when_only_delayed_l1_then_10167_status_and_delayed_ticks_dropped(
    gateway: FakeGateway, es_stream: tuple[MarketDataStream, Recorder]
) -> None:
    stream, rec = es_stream
    gateway.scenario.entitlements.l1 = False
    gateway.scenario.entitlements.l1_delayed = True
    gateway.quote("ESZ6", 5999.75, 6000.00)
    stream.start()
    await until(
        lambda: (
            MarketDataFeed.L1 in stream.status and stream.status[MarketDataFeed.L1].code == 10167
        )
    )
    gateway.quote("ESZ6", 5999.50, 5999.75)
    await asyncio.sleep(0.05)

    assert stream.status[MarketDataFeed.L1].state == FeedState.DELAYED
    assert rec.tops == []


async def test_stream_when_depth_and_tick_by_tick_not_entitled_then_each_feed_says_so(
    gateway: FakeGateway, es_stream: tuple[MarketDataStream, Recorder]
) -> None:
    stream, _rec = es_stream
    gateway.scenario.entitlements.depth = False
    gateway.scenario.entitlements.tick_by_tick = False
    stream.start()
    await until(
        lambda: (
            stream.status.get(MarketDataFeed.DEPTH) is not None
            and stream.status[MarketDataFeed.DEPTH].state == FeedState.NO_ENTITLEMENT
        )
    )
    await until(lambda: stream.status[MarketDataFeed.TRADES].state == FeedState.NO_ENTITLEMENT)

    assert stream.status[MarketDataFeed.DEPTH].code == 354
    assert stream.status[MarketDataFeed.TRADES].code == 10189
    assert stream.status[MarketDataFeed.QUOTES].code == 10189
