"""The trading side: one order per signal id (also after a restart on the same store), gate events,
fills booked into the node's position and P&L."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

from node_support import KEY, TRADE_DATE

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.engine.context import build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.view import Decision
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import open_store
from orderflow_lib.strategy.intents import TradeIntent

SETTINGS = Settings()
NOON = ny_to_ns(TRADE_DATE, time(12, 0))


def _decision(last: int = 20_000) -> Decision:
    from dataclasses import replace

    calendar = default_calendar()
    spec = SessionSpec.for_date(TRADE_DATE, "ESZ26", "synthetic", calendar)
    context = build_context(TRADE_DATE, "ESZ26", [], SETTINGS, calendar)
    view = replace(
        Pipeline(spec, context, SETTINGS).view(),
        ts_ns=NOON,
        last_ticks=last,
        bid_ticks=last - 1,
        bid_size=10,
        ask_ticks=last,
        ask_size=10,
    )
    return Decision(view, context, (), None)


async def _session(store, events: list[dict[str, Any]], clock: ReplayClock) -> TradingSession:
    return await TradingSession.open(
        source="synthetic",
        settings=SETTINGS,
        clock=clock,
        auth_key=KEY,
        broker=PaperBroker(clock),
        safety=None if store is None else store.safety_store("synthetic", "node"),
        publish=events.append,
        sink=None,
    )


async def test_act_when_same_signal_twice_then_one_order(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'x.sqlite'}")
    clock = ReplayClock(NOON)
    events: list[dict[str, Any]] = []
    session = await _session(store, events, clock)
    decision = _decision()
    session.on_market(decision.view)
    idea = TradeIntent("synthetic:sig-1", OrderAction.BUY, 1, "test", "why")
    try:
        first = await session.act(decision, [idea])
        second = await session.act(decision, [idea])
        orders = store.safety_store("synthetic", "t").orders_for_signal("synthetic:sig-1")
    finally:
        await session.close()
        store.close()

    assert [r.accepted for r in first] == [True] and second == []
    assert session.duplicates_skipped == 1
    assert len(orders) == 1 and orders[0].filled_quantity == 1
    assert session.position()["qty"] == 1 and session.position()["avg_price"] == 5000.0
    statuses = [e["status"] for e in events if e["kind"] == "order"]
    assert statuses[:1] == ["SUBMITTED"] and "FILLED" in statuses and "SENT" in statuses
    assert [e["kind"] for e in events].count("fill") == 1


async def test_act_when_restarted_on_same_store_then_signal_with_order_is_not_sent_again(
    tmp_path: Path,
):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    idea = TradeIntent("synthetic:sig-2", OrderAction.SELL, 1, "test", "why")
    decision = _decision()
    store = open_store(url)
    clock = ReplayClock(NOON)
    session = await _session(store, [], clock)
    session.on_market(decision.view)
    await session.act(decision, [idea])
    await session.close()
    store.close()

    store = open_store(url)
    events: list[dict[str, Any]] = []
    again = await _session(store, events, ReplayClock(NOON))
    again.on_market(decision.view)
    try:
        results = await again.act(decision, [idea])
        orders = store.safety_store("synthetic", "t").orders_for_signal("synthetic:sig-2")
        position = again.manager.positions
    finally:
        await again.close()
        store.close()

    assert results == [] and again.duplicates_skipped == 1
    assert len(orders) == 1
    assert position == {"MES": -1}


async def test_gate_when_fence_raised_then_gate_event_and_orders_denied():
    clock = ReplayClock(NOON)
    events: list[dict[str, Any]] = []
    session = await _session(None, events, clock)
    decision = _decision()
    session.on_market(decision.view)
    session.publish_gate_change()
    assert isinstance(session.broker, PaperBroker)

    session.broker.simulate_disconnect("cable pulled")
    results = await session.act(
        decision, [TradeIntent("synthetic:sig-3", OrderAction.BUY, 1, "test", "why")]
    )

    gates = [e for e in events if e["kind"] == "gate"]
    assert gates[-2]["state"] == "ACTIVE"
    assert gates[-1]["state"] == "HALTED" and "cable pulled" in gates[-1]["reason"]
    assert [(r.accepted, r.reason) for r in results] == [(False, "BROKER_DISCONNECTED")]
    assert session.gate()["fence_active"] is True
    assert any(e["kind"] == "broker" and e["connected"] is False for e in events)
    await session.close()
