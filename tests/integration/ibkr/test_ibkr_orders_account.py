"""MES market orders (fill, partial fill, 201 reject), GBP account values, P&L and positions, and
IbBroker conforming to execution.Broker, through the real ib_async client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ibkr_support import STEP_S, TODAY, until

from orderflow_lib.adapters.ibkr import (
    CommissionUpdate,
    FillReport,
    IbAccount,
    IbBroker,
    IbConnection,
    IbOrderRouter,
    OrderHandlers,
    OrderState,
    OrderUpdate,
    PnlUpdate,
    resolve_front_month,
)
from orderflow_lib.execution import Broker, BrokerListener, Fill, OrderStatusUpdate
from orderflow_lib.market.events import BUY, SELL
from orderflow_lib.risk.records import OrderAction, OrderStatus
from orderflow_lib.risk.venue import OrderIntent
from orderflow_lib.testing import FakeGateway


class OrderLog:
    """Collects router events."""

    def __init__(self) -> None:
        self.updates: list[OrderUpdate] = []
        self.fills: list[FillReport] = []
        self.commissions: list[CommissionUpdate] = []

    def handlers(self) -> OrderHandlers:
        return OrderHandlers(self.updates.append, self.fills.append, self.commissions.append)


@pytest.fixture
async def router(
    gateway: FakeGateway, connection: IbConnection
) -> AsyncIterator[tuple[IbOrderRouter, OrderLog]]:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    log = OrderLog()
    yield IbOrderRouter(connection, front.order_contract, log.handlers()), log


async def test_market_order_when_gateway_fills_then_filled_with_fill_and_commission(
    gateway: FakeGateway, router: tuple[IbOrderRouter, OrderLog]
) -> None:
    orders, log = router
    gateway.state.last_price[gateway.front("MES").con_id] = 6000.25

    order_id = orders.place_market_order(BUY, 1)
    await until(lambda: bool(log.commissions) and log.updates[-1].state == OrderState.FILLED)

    assert [u.state for u in log.updates] == [
        OrderState.PENDING,
        OrderState.SUBMITTED,
        OrderState.FILLED,
    ]
    assert gateway.order(order_id).contract.local_symbol == "MESZ6"
    fill = log.fills[0]
    assert (fill.order_id, fill.side, fill.quantity, fill.price_ticks) == (order_id, BUY, 1, 24_001)
    assert fill.local_symbol == "MESZ6"
    assert (log.commissions[0].exec_id, log.commissions[0].commission) == (fill.exec_id, 0.62)
    assert log.updates[-1].avg_fill_price == 6000.25


async def test_market_order_when_partially_filled_then_partial_state_then_filled(
    gateway: FakeGateway, router: tuple[IbOrderRouter, OrderLog]
) -> None:
    orders, log = router
    gateway.scenario.orders.mode = "partial"
    gateway.scenario.orders.partial_qty = 1

    order_id = orders.place_market_order(SELL, 2)
    await until(lambda: bool(log.updates) and log.updates[-1].state == OrderState.PARTIALLY_FILLED)
    assert (log.updates[-1].filled, log.updates[-1].remaining) == (1, 1)
    gateway.fill_order(order_id, 1, 6001.00)
    await until(lambda: log.updates[-1].state == OrderState.FILLED)

    assert [(f.quantity, f.cumulative_quantity, f.side) for f in log.fills] == [
        (1, 1, SELL),
        (1, 2, SELL),
    ]
    assert log.fills[1].price_ticks == 24_004


async def test_market_order_when_rejected_201_then_one_terminal_rejected_update(
    gateway: FakeGateway, router: tuple[IbOrderRouter, OrderLog]
) -> None:
    orders, log = router
    gateway.scenario.orders.reject_next = True

    order_id = orders.place_market_order(BUY, 1)
    await until(
        lambda: order_id in gateway.state.orders and gateway.order(order_id).status == "Inactive"
    )
    await until(lambda: bool(log.updates) and log.updates[-1].state.terminal)
    await asyncio.sleep(0.05)

    terminal = [u for u in log.updates if u.state.terminal]
    assert len(terminal) == 1
    assert terminal[0].state == OrderState.REJECTED
    assert terminal[0].error_code == 201
    assert "margin" in terminal[0].reason
    assert log.fills == []


async def test_account_when_gbp_base_then_values_rate_pnl_and_positions(
    gateway: FakeGateway, connection: IbConnection, router: tuple[IbOrderRouter, OrderLog]
) -> None:
    orders, log = router
    pnl: list[PnlUpdate] = []
    account = IbAccount(connection, on_pnl=pnl.append)
    account.start_pnl()
    orders.place_market_order(BUY, 1)
    await until(lambda: bool(log.fills))
    gateway.set_pnl(daily=2.5, unrealized=2.5)
    await until(lambda: bool(pnl) and pnl[-1].daily_pnl == 2.5)

    values = await asyncio.wait_for(account.values(), STEP_S)
    assert (values.base_currency, values.net_liquidation, values.total_cash) == (
        "GBP",
        100_000.0,
        100_000.0,
    )
    assert values.usd_rate == 0.787402
    assert values.usd_to_base(100.0) == pytest.approx(78.7402)
    await until(lambda: bool(account.positions()))
    position = account.positions()[0]
    assert (position.local_symbol, position.quantity, position.avg_cost, position.avg_price) == (
        "MESZ6",
        1,
        30_001.25,
        6000.25,
    )


class BrokerEvents:
    """A BrokerListener that records what it hears."""

    def __init__(self) -> None:
        self.statuses: list[OrderStatusUpdate] = []
        self.fills: list[Fill] = []
        self.connection: list[tuple[bool, str]] = []

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        self.statuses.append(update)

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        self.connection.append((connected, reason))


async def test_ib_broker_when_used_as_broker_then_orders_fills_account_and_reject_reason(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    broker: Broker = IbBroker(connection, front.order_contract)
    events = BrokerEvents()
    listener: BrokerListener = events
    broker.add_listener(listener)
    intent = OrderIntent("sig-1", "MES", OrderAction.BUY, 1, 24_001, 0, order_id="c-1")

    broker_id = await asyncio.wait_for(broker.place_order(intent), STEP_S)
    await until(lambda: bool(events.statuses) and events.statuses[-1].status == OrderStatus.FILLED)
    gateway.scenario.orders.reject_next = True
    await broker.place_order(
        OrderIntent("sig-2", "MES", OrderAction.SELL, 1, 24_001, 0, order_id="c-2")
    )
    await until(lambda: events.statuses[-1].status == OrderStatus.REJECTED)

    assert [s.status for s in events.statuses if s.order_id == "c-1"] == [
        OrderStatus.PENDING,
        OrderStatus.SUBMITTED,
        OrderStatus.FILLED,
    ]
    assert events.fills[0].order_id == "c-1"
    assert events.fills[0].broker_order_id == broker_id
    assert (events.fills[0].action, events.fills[0].price_ticks) == (OrderAction.BUY, 24_001)
    assert "IB error 201" in events.statuses[-1].reason
    assert await broker.positions() == {"MES": 1}
    snapshot = await asyncio.wait_for(broker.account(), STEP_S)
    assert (snapshot.net_liquidation_gbp, snapshot.gbp_per_usd) == (100_000.0, 0.787402)
