"""MES brackets through the real ib_async client and IbBroker: the three orders as IB receives them,
children live once the parent fills, stop and target fills with the OCA cancel of the sibling, a
partial fill, a cancelled child, and the children found again by order ref after a reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ibkr_support import STEP_S, TODAY, settings_for, until

from orderflow_lib.adapters.ibkr import IbBroker, IbConnection, resolve_front_month
from orderflow_lib.execution import Fill, OpenOrder, OrderStatusUpdate
from orderflow_lib.risk.records import OrderAction, OrderStatus
from orderflow_lib.risk.venue import OrderIntent, OrderType
from orderflow_lib.testing import FakeGateway

ENTRY, STOP, TARGET = 24_001, 23_980, 24_040
PLACE_ORDER = 3


class Events:
    """A BrokerListener that keeps every status and fill, by our order id."""

    def __init__(self) -> None:
        self.statuses: list[OrderStatusUpdate] = []
        self.fills: list[Fill] = []

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        self.statuses.append(update)

    def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        """Connection changes are not what these tests look at."""

    def last(self, order_id: str) -> OrderStatus | None:
        found = [s.status for s in self.statuses if s.order_id == order_id]
        return found[-1] if found else None


def bracket(quantity: int = 2) -> tuple[OrderIntent, OrderIntent, OrderIntent]:
    """A long MES bracket: buy at market, stop 5995.00, target 6010.00."""
    parent = OrderIntent("sig-1", "MES", OrderAction.BUY, quantity, ENTRY, 0, order_id="p-1")
    child = {"parent_id": "p-1", "oca_group": "oca-p-1"}
    stop = OrderIntent(
        "sig-1", "MES", OrderAction.SELL, quantity, STOP, 0, "s-1", OrderType.STOP, **child
    )
    target = OrderIntent(
        "sig-1", "MES", OrderAction.SELL, quantity, TARGET, 0, "t-1", OrderType.LIMIT, **child
    )
    return parent, stop, target


def child(order_id: str, ib_id: int, order_type: OrderType, price_ticks: int) -> OpenOrder:
    """A working, unfilled SELL 2 child of bracket p-1 as open_orders reports it."""
    return OpenOrder(
        order_id=order_id,
        broker_order_id=str(ib_id),
        instrument="MES",
        action=OrderAction.SELL,
        order_type=order_type,
        quantity=2,
        filled=0,
        price_ticks=price_ticks,
        parent_id="p-1",
        oca_group="oca-p-1",
    )


async def new_broker(connection: IbConnection) -> tuple[IbBroker, Events]:
    front = await asyncio.wait_for(resolve_front_month(connection.ib, TODAY), STEP_S)
    broker = IbBroker(connection, front.order_contract)
    events = Events()
    broker.add_listener(events)
    return broker, events


@pytest.fixture
async def live(
    gateway: FakeGateway, connection: IbConnection
) -> AsyncIterator[tuple[IbBroker, Events, tuple[int, int, int]]]:
    """A broker whose bracket's parent has filled at 6000.25: both children working."""
    broker, events = await new_broker(connection)
    ids = await asyncio.wait_for(broker.place_bracket(*bracket()), STEP_S)
    await until(lambda: events.last("s-1") == events.last("t-1") == OrderStatus.SUBMITTED)
    await gateway.wait_for(lambda: gateway.order(int(ids[2])).status == "Submitted")
    yield broker, events, (int(ids[0]), int(ids[1]), int(ids[2]))


async def test_bracket_when_placed_then_gateway_holds_market_parent_and_two_oca_children(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    gateway.scenario.orders.mode = "hold"
    broker, events = await new_broker(connection)

    ids = await asyncio.wait_for(broker.place_bracket(*bracket()), STEP_S)
    await gateway.wait_for(lambda: len(gateway.state.orders) == 3)
    await gateway.wait_for(lambda: gateway.order(int(ids[2])).status == "PreSubmitted")

    parent, stop, target = (gateway.order(int(i)) for i in ids)
    assert (parent.order_type, parent.action, parent.quantity) == ("MKT", "BUY", 2)
    assert (parent.order_ref, parent.transmit, parent.parent_id) == ("p-1", False, 0)
    assert (stop.order_type, stop.action, float(stop.aux_price)) == ("STP", "SELL", 5995.00)
    assert (target.order_type, target.action, float(target.lmt_price)) == ("LMT", "SELL", 6010.00)
    for child, ref, transmit in ((stop, "s-1", False), (target, "t-1", True)):
        assert (child.order_ref, child.transmit, child.parent_id) == (
            ref,
            transmit,
            parent.order_id,
        )
        assert (child.oca_group, child.oca_type, child.tif, child.outside_rth) == (
            "oca-p-1",
            1,
            "GTC",
            True,
        )
    assert (parent.status, stop.status, target.status) == (
        "Submitted",
        "PreSubmitted",
        "PreSubmitted",
    )
    await until(lambda: events.last("p-1") == OrderStatus.SUBMITTED)
    assert gateway.state.executions == []


async def test_bracket_when_parent_fills_then_children_work_and_position_is_long(
    gateway: FakeGateway, live: tuple[IbBroker, Events, tuple[int, int, int]]
) -> None:
    broker, events, (_, stop_id, target_id) = live

    assert events.last("p-1") == OrderStatus.FILLED
    assert [(f.order_id, f.action, f.quantity, f.price_ticks) for f in events.fills] == [
        ("p-1", OrderAction.BUY, 2, ENTRY)
    ]
    assert gateway.order(stop_id).status == gateway.order(target_id).status == "Submitted"
    await until(lambda: broker.account_reader.positions() != [])
    assert await broker.positions() == {"MES": 2}


async def test_bracket_when_price_trades_through_stop_then_stop_fills_target_cancelled_flat(
    gateway: FakeGateway, live: tuple[IbBroker, Events, tuple[int, int, int]]
) -> None:
    broker, events, (_, stop_id, target_id) = live

    gateway.trade("MESZ6", 5995.25, 1)
    gateway.trade("MESZ6", 5994.75, 1)
    await until(lambda: events.last("t-1") == OrderStatus.CANCELLED)

    assert events.last("s-1") == OrderStatus.FILLED
    stop_fills = [f for f in events.fills if f.order_id == "s-1"]
    assert [(f.action, f.quantity, f.price_ticks) for f in stop_fills] == [
        (OrderAction.SELL, 2, 23_979)
    ]
    assert (gateway.order(stop_id).status, gateway.order(target_id).status) == (
        "Filled",
        "Cancelled",
    )
    await until(lambda: broker.account_reader.positions() == [])
    assert gateway.state.positions[gateway.front("MES").con_id].quantity == 0


async def test_bracket_when_target_trades_through_then_target_fills_stop_cancelled(
    gateway: FakeGateway, live: tuple[IbBroker, Events, tuple[int, int, int]]
) -> None:
    broker, events, (_, stop_id, _) = live

    gateway.trade("MESZ6", 6010.00, 5)
    await asyncio.sleep(0.05)
    assert events.last("t-1") == OrderStatus.SUBMITTED
    gateway.trade("MESZ6", 6010.25, 5)
    await until(lambda: events.last("s-1") == OrderStatus.CANCELLED)

    assert events.last("t-1") == OrderStatus.FILLED
    target_fills = [f for f in events.fills if f.order_id == "t-1"]
    assert [(f.quantity, f.price_ticks) for f in target_fills] == [(2, TARGET)]
    assert gateway.order(stop_id).status == "Cancelled"
    await until(lambda: broker.account_reader.positions() == [])


async def test_bracket_when_target_partially_fills_then_stop_shrinks_and_both_still_work(
    gateway: FakeGateway, live: tuple[IbBroker, Events, tuple[int, int, int]]
) -> None:
    broker, events, (_, stop_id, target_id) = live

    gateway.trade("MESZ6", 6010.25, 1)
    await until(lambda: any(f.order_id == "t-1" for f in events.fills))
    await gateway.wait_for(lambda: gateway.order(stop_id).quantity == 1)

    fill = next(f for f in events.fills if f.order_id == "t-1")
    assert (fill.quantity, fill.cumulative_quantity, fill.price_ticks) == (1, 1, TARGET)
    working = {o.order_id: o for o in await asyncio.wait_for(broker.open_orders(), STEP_S)}
    assert (working["t-1"].quantity, working["t-1"].filled, working["t-1"].remaining) == (2, 1, 1)
    assert (working["s-1"].quantity, working["s-1"].filled) == (1, 0)
    assert events.last("t-1") == events.last("s-1") == OrderStatus.SUBMITTED

    gateway.trade("MESZ6", 6010.50, 1)
    await until(lambda: events.last("s-1") == OrderStatus.CANCELLED)
    assert events.last("t-1") == OrderStatus.FILLED
    assert gateway.order(target_id).filled == 2


async def test_bracket_when_child_cancelled_then_cancelled_and_sibling_keeps_working(
    gateway: FakeGateway, live: tuple[IbBroker, Events, tuple[int, int, int]]
) -> None:
    broker, events, (_, stop_id, target_id) = live

    await broker.cancel_order("t-1")
    await until(lambda: events.last("t-1") == OrderStatus.CANCELLED)
    await gateway.wait_for(lambda: gateway.order(target_id).status == "Cancelled")

    cancelled = [s for s in events.statuses if s.order_id == "t-1"][-1]
    assert "202" in cancelled.reason
    assert gateway.order(stop_id).status == "Submitted"
    assert [o.order_id for o in await asyncio.wait_for(broker.open_orders(), STEP_S)] == ["s-1"]
    gateway.trade("MESZ6", 6011.00, 5)
    await asyncio.sleep(0.05)
    assert gateway.order(target_id).filled == 0


async def test_open_orders_when_restarted_with_same_client_id_then_children_found_by_ref(
    gateway: FakeGateway,
    connection: IbConnection,
    live: tuple[IbBroker, Events, tuple[int, int, int]],
) -> None:
    _, _, (parent_id, stop_id, target_id) = live
    await asyncio.wait_for(connection.close(), STEP_S)
    await gateway.wait_for(lambda: gateway.sessions == [])
    orders_before = dict(gateway.state.orders)

    restarted = IbConnection(settings_for(gateway), backoff_s=(0.05,))
    await asyncio.wait_for(restarted.connect(), STEP_S)
    try:
        broker, events = await new_broker(restarted)
        found = await asyncio.wait_for(broker.open_orders(), STEP_S)

        assert sorted(found, key=lambda o: o.order_id) == [
            child("s-1", stop_id, OrderType.STOP, STOP),
            child("t-1", target_id, OrderType.LIMIT, TARGET),
        ]
        assert gateway.state.orders == orders_before
        assert PLACE_ORDER not in gateway.sessions[0].received

        gateway.trade("MESZ6", 5995.00, 1)
        await until(lambda: events.last("t-1") == OrderStatus.CANCELLED)
        assert events.last("s-1") == OrderStatus.FILLED
        assert [f.order_id for f in events.fills] == ["s-1"]
        assert parent_id not in {int(o.broker_order_id) for o in found}
    finally:
        await asyncio.wait_for(restarted.close(), STEP_S)


async def test_open_orders_when_gateway_drops_and_client_reconnects_then_same_children(
    gateway: FakeGateway,
    connection: IbConnection,
    live: tuple[IbBroker, Events, tuple[int, int, int]],
) -> None:
    broker, _, (_, stop_id, target_id) = live
    before = await asyncio.wait_for(broker.open_orders(), STEP_S)

    gateway.drop()
    await until(lambda: not connection.is_connected())
    await connection.wait_connected(STEP_S)
    after = await asyncio.wait_for(broker.open_orders(), STEP_S)

    assert sorted(after, key=lambda o: o.order_id) == sorted(before, key=lambda o: o.order_id)
    assert {o.broker_order_id for o in after} == {str(stop_id), str(target_id)}
    assert all(PLACE_ORDER not in s.received for s in gateway.sessions)
    assert len(gateway.state.orders) == 3


async def test_place_order_when_single_stop_then_gtc_stop_outside_rth_with_ref(
    gateway: FakeGateway, connection: IbConnection
) -> None:
    broker, events = await new_broker(connection)
    intent = OrderIntent("sig-2", "MES", OrderAction.SELL, 1, STOP, 0, "x-1", OrderType.STOP)

    ib_id = await asyncio.wait_for(broker.place_order(intent), STEP_S)
    await until(lambda: events.last("x-1") == OrderStatus.SUBMITTED)

    order = gateway.order(int(ib_id))
    assert (order.order_type, float(order.aux_price), order.tif, order.outside_rth) == (
        "STP",
        5995.00,
        "GTC",
        True,
    )
    assert (order.order_ref, order.parent_id, order.oca_group) == ("x-1", 0, "")
    assert gateway.state.executions == []
