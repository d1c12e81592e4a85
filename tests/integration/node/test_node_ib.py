"""The live path against the FakeGateway with the real ib_async client: the node starts on the
synthetic market while IB is down, switches atomically when the gateway comes up, takes IB market
data, sends an order through the safety gate to the gateway and books the fill, and raises the
fence within 1 s when the gateway drops."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from conftest import KEY

from orderflow_lib.core.clock import LiveClock
from orderflow_lib.core.config import IbSettings, Settings
from orderflow_lib.engine.view import Decision
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.handoff import HandoffFeed
from orderflow_lib.feeds.synthetic import SyntheticFeed
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import price_to_ticks
from orderflow_lib.node.ib_link import IbLink
from orderflow_lib.node.node import Node
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import open_store
from orderflow_lib.strategy.intents import TradeIntent
from orderflow_lib.testing import FakeGateway

STEP_S = 10.0
FENCE_LIMIT_S = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until(condition, timeout_s: float = STEP_S) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout_s)


async def test_node_when_ib_comes_up_then_handoff_data_order_fill_and_fence_on_drop(tmp_path: Path):
    port = _free_port()
    settings = Settings(
        ib=IbSettings(host="127.0.0.1", port=port, client_id=23, connect_timeout_s=2.0)
    )
    clock = LiveClock()
    calendar = default_calendar()
    link = IbLink(settings, clock, retry_s=0.1, backoff_s=(0.05, 0.1), heartbeat_s=None)
    synthetic = SyntheticFeed(
        calendar.trade_date(clock.now_ns()),
        5,
        speed=1.0,
        scale=0.01,
        history_days=0,
        fast_forward_to_ns=clock.now_ns(),
        max_wait_s=0.2,
    )

    async def brokers(info: FeedInfo) -> Broker:
        return await link.broker_for(info) if info.source == "live" else PaperBroker(clock)

    store = open_store(f"sqlite:///{tmp_path / 'live.sqlite'}")
    node = Node(
        settings,
        HandoffFeed(synthetic, link.ready),
        auth_key=KEY,
        broker_factory=brokers,
        store=store,
        clock=clock,
        dom_metrics=False,
        in_trading_window=lambda ts_ns: True,
    )
    link.start()
    run = asyncio.create_task(node.run())
    try:
        await _until(lambda: node.trading is not None)
        assert node.info.source == "synthetic"
        async with FakeGateway(port=port) as gw:
            await _until(lambda: node.trading is not None and node.trading.source == "live")
            assert node.trading is not None and node.info.source == "live"
            es, mes = gw.front("ES"), gw.front("MES")
            await gw.wait_for(
                lambda: gw.subscriptions("tick_by_tick") == 2 and gw.subscriptions("depth") == 1,
                STEP_S,
            )

            gw.quote(es.local_symbol, 6000.00, 6000.25, 11, 7)
            gw.depth(es.local_symbol, "bid", 0, 0, 6000.00, 11)
            gw.depth(es.local_symbol, "ask", 0, 0, 6000.25, 7)
            gw.trade(es.local_symbol, 6000.25, 3)
            await _until(
                lambda: (
                    node.pipeline is not None
                    and node.pipeline.view().last_ticks == price_to_ticks(6000.25, 0.25)
                )
            )
            view = node.pipeline.view()  # type: ignore[union-attr]
            assert (view.bid_ticks, view.ask_ticks, view.volume) == (24_000, 24_001, 3)
            await _until(
                lambda: node.pipeline is not None and node.pipeline.dom.asks == ((24_001, 7),)
            )

            gw.state.last_price[mes.con_id] = 6000.25
            node.trading.on_market(view)
            decision = Decision(view, node.pipeline.context, (), None)  # type: ignore[union-attr]
            results = await node.trading.act(
                decision, [TradeIntent("live:ib-test-1", OrderAction.BUY, 1, "test", "IB path")]
            )
            assert [(r.accepted, r.reason) for r in results] == [(True, None)], results
            await _until(
                lambda: node.trading is not None and node.trading.manager.positions == {"MES": 1}
            )
            assert node.trading.fills == 1
            assert node.snapshot()["position"]["qty"] == 1
            assert node.snapshot()["connections"]["broker"] == "connected"

            dropped = time.monotonic()
            gw.drop()
            await _until(
                lambda: node.trading is not None and node.trading.manager.state.fence_active,
                FENCE_LIMIT_S,
            )
            assert time.monotonic() - dropped < FENCE_LIMIT_S
            assert node.snapshot()["gate"]["fence_active"] is True
            node.request_stop()
            await asyncio.wait_for(run, STEP_S)
        live_orders = store.safety_store("live", "test").orders()
        synthetic_orders = store.safety_store("synthetic", "test").orders()
    finally:
        if not run.done():
            node.request_stop()
            await asyncio.wait_for(run, STEP_S)
        await link.close()
        store.close()

    assert [o.signal_id for o in live_orders] == ["live:ib-test-1"]
    assert synthetic_orders == []
    assert synthetic.state == "closed"
