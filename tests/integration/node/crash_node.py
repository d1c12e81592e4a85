"""A node process for the crash-safety test: replays a recording slowly with a strategy that
trades on every bar close (in and out), on a SQLite store; killed with SIGKILL by the test.

    python crash_node.py STORE_URL RECORDING SPEED|max [--fence-after-orders N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.context import SessionContext
from orderflow_lib.engine.view import Decision
from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.pacing import parse_speed
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.node.node import Node
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.store import open_store
from orderflow_lib.strategy.intents import TradeIntent

KEY = "crash-test-key-" + "y" * 30


class EveryBar:
    """Buy on a bar close when flat, sell on the next one: one idea per bar, id = the bar."""

    name = "every_bar"

    def start_session(self, context: SessionContext) -> None:
        return None

    def on_decision(self, decision: Decision) -> list[TradeIntent]:
        if decision.candle is None:
            return []
        action = OrderAction.BUY if decision.position <= 0 else OrderAction.SELL
        return [TradeIntent(f"bar-{decision.candle.start_ns}", action, 1, self.name, "every bar")]


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store_url")
    parser.add_argument("recording")
    parser.add_argument("speed", type=parse_speed, help="a multiple of real time, or max")
    parser.add_argument("--fence-after-orders", type=int, default=0)
    args = parser.parse_args()
    store = open_store(args.store_url)
    clock = ReplayClock()
    brokers: list[PaperBroker] = []

    async def factory(info: FeedInfo) -> Broker:
        broker = PaperBroker(clock)
        brokers.append(broker)
        return broker

    node = Node(
        Settings(),
        ReplayFeed(args.recording, speed=args.speed),
        auth_key=KEY,
        broker_factory=factory,
        store=store,
        strategies=[EveryBar()],
        clock=clock,
        dom_metrics=False,
        in_trading_window=lambda ts_ns: True,
    )
    await node.start()
    assert node.trading is not None
    manager = node.trading.manager
    start = {
        "positions": manager.positions,
        "orders": len(manager.orders()),
        "fence": manager.state.fence_active,
        "breaker": manager.state.breaker_tripped,
    }
    print("START " + json.dumps(start), flush=True)
    if args.fence_after_orders:

        async def fence_later() -> None:
            while len(manager.orders()) < args.fence_after_orders:
                await asyncio.sleep(0.01)
            brokers[0].simulate_disconnect("test pulled the cable")
            await brokers[0].connect()
            print("FENCED", flush=True)

        asyncio.get_running_loop().create_task(fence_later())
    summary = await node.run()
    sent = [o.signal_id for o, r in node.trading.sent if r.accepted]
    print("SENT " + json.dumps(sent), flush=True)
    print("SKIPPED " + json.dumps(node.trading.duplicates_skipped), flush=True)
    print("\n".join(summary.lines()), flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
