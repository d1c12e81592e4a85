"""Faults through the real ib_async client: a dropped socket, error 1100, a hung gateway (each
raising the fence within 1 s), reconnect with resubscription, and 1101/1102 handling."""

from __future__ import annotations

import asyncio
import time

from ibkr_support import STEP_S, TODAY, settings_for, until

from orderflow_lib.adapters.ibkr import (
    ConnectionState,
    IbConnection,
    MarketDataHandlers,
    MarketDataStream,
    resolve_front_month,
)
from orderflow_lib.market.events import Trade
from orderflow_lib.testing import FakeGateway

FENCE_LIMIT_S = 1.0


class FenceProbe:
    """Records when the fence callback fired."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.at: list[float] = []

    def __call__(self, reason: str) -> None:
        self.reasons.append(reason)
        self.at.append(time.monotonic())


async def test_drop_when_gateway_closes_socket_then_fence_within_1s_and_reconnect_resubscribes(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    trades: list[Trade] = []
    stream = MarketDataStream(
        connection, front.data_contract, MarketDataHandlers(on_trade=trades.append)
    )
    stream.start()
    await gateway.wait_for(lambda: gateway.subscriptions("depth") == 1)
    fence = FenceProbe()
    connection.add_fence_listener(fence)

    dropped_at = time.monotonic()
    gateway.drop()
    await until(lambda: bool(fence.reasons), FENCE_LIMIT_S)
    assert fence.at[0] - dropped_at < FENCE_LIMIT_S
    assert "dropped" in fence.reasons[0]

    await connection.wait_connected(STEP_S)
    await gateway.wait_for(
        lambda: (
            gateway.subscriptions("tick_by_tick") == 2
            and gateway.subscriptions("mkt_data") == 1
            and gateway.subscriptions("depth") == 1
        )
    )
    gateway.trade("ESZ6", 6000.25, 1)
    await until(lambda: len(trades) == 1)
    assert len(fence.reasons) == 1
    stream.stop()


async def test_error_1100_when_socket_stays_up_then_fence_within_1s_and_1102_restores(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    fence = FenceProbe()
    connection.add_fence_listener(fence)

    sent_at = time.monotonic()
    gateway.inject_error(1100)
    await until(lambda: bool(fence.reasons), FENCE_LIMIT_S)
    assert fence.at[0] - sent_at < FENCE_LIMIT_S
    assert "1100" in fence.reasons[0]
    assert connection.state == ConnectionState.CONNECTIVITY_LOST
    assert connection.is_connected()

    gateway.inject_error(1102)
    await until(lambda: connection.state == ConnectionState.CONNECTED)
    assert len(fence.reasons) == 1


async def test_error_1101_when_data_lost_then_market_data_requested_again(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    trades: list[Trade] = []
    stream = MarketDataStream(
        connection, front.data_contract, MarketDataHandlers(on_trade=trades.append)
    )
    stream.start()
    await gateway.wait_for(lambda: gateway.subscriptions("tick_by_tick") == 2)
    session = gateway.sessions[0]
    requests_before = session.received.count(97)

    gateway.inject_error(1100)
    gateway.inject_error(1101)
    await gateway.wait_for(lambda: session.received.count(97) == requests_before + 2)
    await gateway.wait_for(lambda: gateway.subscriptions("tick_by_tick") == 2)
    gateway.trade("ESZ6", 6000.50, 2)
    await until(lambda: len(trades) == 1)

    assert connection.state == ConnectionState.CONNECTED
    assert session.received.count(98) == 2
    stream.stop()


async def test_heartbeat_when_gateway_hangs_then_fence_within_1s() -> None:
    async with FakeGateway(port=0, today=TODAY) as gw:
        conn = IbConnection(settings_for(gw), heartbeat_s=0.3, backoff_s=(5.0,))
        await asyncio.wait_for(conn.connect(), STEP_S)
        fence = FenceProbe()
        conn.add_fence_listener(fence)
        try:
            hung_at = time.monotonic()
            gw.set_silent(True)
            await until(lambda: bool(fence.reasons), FENCE_LIMIT_S + 0.5)
            assert fence.at[0] - hung_at < FENCE_LIMIT_S
            assert "heartbeat" in fence.reasons[0]
        finally:
            await asyncio.wait_for(conn.close(), STEP_S)


async def test_close_when_user_disconnects_then_no_fence_and_no_reconnect(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    fence = FenceProbe()
    connection.add_fence_listener(fence)

    await asyncio.wait_for(connection.close(), STEP_S)
    await asyncio.sleep(0.2)

    assert fence.reasons == []
    assert connection.state == ConnectionState.CLOSED
    assert gateway.sessions == []
