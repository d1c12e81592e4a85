"""Brackets in the trading session (spec §5.6): entries as stop + target held at the paper broker,
break-even after T1 with two brackets, race-free exits that pass the fence, a protective order
lost at the broker closes the position, and flatten."""

from __future__ import annotations

from typing import Any

import numpy as np
from node_support import KEY
from test_trading import NOON, _decision

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.risk.records import OrderAction, OrderStatus, OrderType
from orderflow_lib.strategy.intents import TradeIntent

SETTINGS = Settings()


async def _session(events: list[dict[str, Any]]) -> tuple[TradingSession, PaperBroker]:
    clock = ReplayClock(NOON)
    broker = PaperBroker(clock, slippage_ticks=1)
    session = await TradingSession.open(
        source="synthetic",
        settings=SETTINGS,
        clock=clock,
        auth_key=KEY,
        broker=broker,
        safety=None,
        publish=events.append,
        sink=None,
        in_trading_window=lambda ts_ns: True,
    )
    return session, broker


def _trade(session: TradingSession, *prices: int) -> None:
    ts = np.arange(NOON, NOON + len(prices), dtype=np.int64)
    session.on_trades(ts, np.array(prices, dtype=np.int64))


def _idea(quantity: int = 1, targets=((1, 20_020),)) -> TradeIntent:
    return TradeIntent(
        "synthetic:20261124:S1",
        OrderAction.BUY,
        quantity,
        "DIRECTIONAL_BULLISH",
        "test entry",
        price_ticks=20_000,
        stop_ticks=19_990,
        targets=targets,
        scenario_id="S1",
    )


def _orders(session: TradingSession, order_type: OrderType) -> list:
    return [o for o in session.manager.orders() if o.order_type is order_type]


async def test_two_brackets_when_t1_fills_then_the_second_stop_moves_to_the_entry_fill():
    events: list[dict[str, Any]] = []
    session, _ = await _session(events)
    decision = _decision()
    session.on_market(decision.view)
    _trade(session, 20_000)
    results = await session.act(decision, [_idea(2, ((1, 20_020), (1, 20_040)))])
    assert [r.accepted for r in results] == [True, True]
    _trade(session, 20_001)
    assert session.manager.positions["MES"] == 2
    _trade(session, 20_021)
    await session.settle()
    assert session.manager.positions["MES"] == 1
    working_stops = [o for o in session.working_orders() if o.order_type is OrderType.STOP]
    assert [(o.price_ticks, o.quantity) for o in working_stops] == [(20_002, 1)]
    assert [e["to"] for e in events if e["kind"] == "stop_moved"] == [20_002 * 0.25]
    _trade(session, 20_002)
    await session.settle()
    assert session.manager.positions.get("MES", 0) == 0
    assert session.working_orders() == []
    trip = session.round_trips.trips[0]
    assert (trip.entry_ticks, trip.exit_value, trip.exit_kinds) == (
        20_002,
        20_020 + 20_001,
        ["target", "stop"],
    )


async def test_exit_when_fenced_then_children_cancelled_first_and_the_position_closed():
    events: list[dict[str, Any]] = []
    session, broker = await _session(events)
    decision = _decision()
    session.on_market(decision.view)
    _trade(session, 20_000)
    await session.act(decision, [_idea()])
    _trade(session, 20_001)
    broker.simulate_disconnect("test pulled the cable")
    await broker.connect()
    assert session.manager.status().fence_active
    again = await session.act(
        decision, [_idea().__class__("synthetic:x", OrderAction.BUY, 1, "t", "w", 20_000)]
    )
    assert again[0].accepted is False and again[0].reason == "FENCE_ACTIVE"
    assert {o.status for o in _orders(session, OrderType.STOP)} == {OrderStatus.SUBMITTED}
    result = await session.exit_position("test exit")
    assert result["status"] == "closing" and result["cancelled"] == 2
    assert {o.status for o in _orders(session, OrderType.STOP)} == {OrderStatus.CANCELLED}
    _trade(session, 20_003)
    assert session.manager.positions.get("MES", 0) == 0
    exits = [o for o in _orders(session, OrderType.MARKET) if o.action is OrderAction.SELL]
    assert len(exits) == 1 and exits[0].status is OrderStatus.FILLED


async def test_protective_stop_cancelled_by_the_broker_while_in_a_position_then_exit():
    events: list[dict[str, Any]] = []
    session, broker = await _session(events)
    decision = _decision()
    session.on_market(decision.view)
    _trade(session, 20_000)
    result = (await session.act(decision, [_idea()]))[0]
    _trade(session, 20_001)
    stop_id = result.child_ids[0]
    await broker.cancel_order(stop_id)
    await session.settle()
    _trade(session, 20_004)
    assert session.manager.positions.get("MES", 0) == 0
    assert [e["reason"] for e in events if e["kind"] == "exit"] == [
        f"the broker dropped protective order {stop_id}"
    ]


async def test_flatten_when_flat_with_a_working_entry_then_everything_cancelled_and_nothing_sent():
    events: list[dict[str, Any]] = []
    session, _ = await _session(events)
    decision = _decision()
    session.on_market(decision.view)
    _trade(session, 20_000)
    await session.act(decision, [_idea()])
    answer = await session.flatten("operator")
    assert answer["status"] == "flat" and answer["cancelled"] >= 1
    assert session.working_orders() == []
    _trade(session, 20_001, 19_980, 20_030)
    assert session.manager.positions.get("MES", 0) == 0
