"""IbBroker.executions through the real ib_async client against the FakeGateway (reqExecutions,
execDetails, execDetailsEnd): today's fills of our orders by order reference, found again after a
restart with the same client id, and none of another client id's."""

from __future__ import annotations

import asyncio

from ibkr_support import STEP_S, TODAY, settings_for, until

from orderflow_lib.adapters.ibkr import IbBroker, IbConnection, resolve_front_month
from orderflow_lib.execution import Fill
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.risk.venue import OrderIntent
from orderflow_lib.testing import FakeGateway

REQ_EXECUTIONS = 7


class Fills:
    """A BrokerListener that keeps the live fills."""

    def __init__(self) -> None:
        self.fills: list[Fill] = []

    def on_order_status(self, update: object) -> None:
        """Statuses are not what these tests look at."""

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        """Connection changes are not what these tests look at."""


async def _broker(connection: IbConnection) -> tuple[IbBroker, Fills]:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    broker = IbBroker(connection, front.order_contract)
    fills = Fills()
    broker.add_listener(fills)
    return broker, fills


async def _bought(connection: IbConnection) -> list[Fill]:
    """Buy 2 MES at market (the fake fills at 6000.25); the live fills."""
    broker, fills = await _broker(connection)
    intent = OrderIntent("sig-1", "MES", OrderAction.BUY, 2, 24_001, 0, order_id="replay:b-1")
    await asyncio.wait_for(broker.place_order(intent), STEP_S)
    await until(lambda: sum(f.quantity for f in fills.fills) == 2)
    return fills.fills


async def _restarted(gateway: FakeGateway, client_id: int) -> IbConnection:
    connection = IbConnection(settings_for(gateway, client_id), backoff_s=(0.05,))
    await asyncio.wait_for(connection.connect(), STEP_S)
    return connection


async def test_executions_when_order_filled_then_reported_like_the_live_fill(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    live = await _bought(connection)
    broker, _ = await _broker(connection)

    executions = await asyncio.wait_for(broker.executions(), STEP_S)

    assert executions == live
    assert [(e.order_id, e.action, e.quantity, e.price_ticks) for e in executions] == [
        ("replay:b-1", OrderAction.BUY, 2, 24_001)
    ]
    assert REQ_EXECUTIONS in gateway.sessions[0].received


async def test_executions_when_restarted_with_same_client_id_then_found_by_order_ref(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    live = await _bought(connection)
    await asyncio.wait_for(connection.close(), STEP_S)
    await gateway.wait_for(lambda: gateway.sessions == [])

    restarted = await _restarted(gateway, 17)
    try:
        broker, _ = await _broker(restarted)
        executions = await asyncio.wait_for(broker.executions(), STEP_S)
    finally:
        await asyncio.wait_for(restarted.close(), STEP_S)

    assert [(e.order_id, e.fill_id, e.cumulative_quantity) for e in executions] == [
        (f.order_id, f.fill_id, f.cumulative_quantity) for f in live
    ]


async def test_executions_when_another_client_id_then_none_of_ours(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    await _bought(connection)

    other = await _restarted(gateway, 18)
    try:
        broker, _ = await _broker(other)
        executions = await asyncio.wait_for(broker.executions(), STEP_S)
    finally:
        await asyncio.wait_for(other.close(), STEP_S)

    assert executions == []
    assert len(gateway.state.executions) == 1
