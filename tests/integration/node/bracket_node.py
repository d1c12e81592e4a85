"""A node process for the bracket restart test: trades the scripted BVP day of trade_days.py on a
SQLite store with a journalled paper broker. The first run stops feeding and waits (to be killed
with SIGKILL) once its entry has filled; a run with --resume-after-ns replays the rest of the day.

    python bracket_node.py STORE_URL JOURNAL_DIR [--resume-after-ns NS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from trade_days import DAY, KEY, SCALE, SETTINGS, trend_chain

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.synthetic import acceptance_pullback_day, generate_session
from orderflow_lib.node.node import Node
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import paper_broker_factory
from orderflow_lib.store import open_store


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store_url")
    parser.add_argument("journal_dir", type=Path)
    parser.add_argument("--resume-after-ns", type=int, default=None)
    args = parser.parse_args()
    chain = trend_chain()
    script, _ = acceptance_pullback_day(chain.prior)
    today = generate_session(
        DAY, 99, scale=SCALE, start_price_ticks=chain.last_ticks, script=script
    )
    events = session_events(today)
    if args.resume_after_ns is not None:
        events = events[events["ts_ns"] > args.resume_after_ns]
    hub = StateHub()
    seen: list[dict[str, Any]] = []
    publish = hub.publish_event

    def record(event: dict[str, Any]) -> None:
        seen.append(event)
        publish(event)

    hub.publish_event = record  # type: ignore[method-assign]
    filled = asyncio.Event()

    class Feed:
        info = FeedInfo("synthetic", "")
        state = "idle"

        async def items(self):  # type: ignore[no-untyped-def]
            for k in range(0, len(events), 512):
                yield events[k : k + 512]
                if args.resume_after_ns is None and any(e["kind"] == "fill" for e in seen):
                    last = int(events["ts_ns"][min(k + 511, len(events) - 1)])
                    print(f"FILLED {last}", flush=True)
                    await filled.wait()

        async def close(self) -> None:
            return None

    async def history(trade_date, contract, source):  # type: ignore[no-untyped-def]
        return [p for p in chain.priors if p.date < trade_date]

    clock = ReplayClock()
    store = open_store(args.store_url)
    plan = PlanStrategy(SETTINGS)
    node = Node(
        SETTINGS,
        Feed(),
        auth_key=KEY,
        broker_factory=paper_broker_factory(
            clock, slippage_ticks=1, gbp_per_usd=0.79, journal_dir=args.journal_dir
        ),
        store=store,
        strategies=[plan],
        plan=plan,
        clock=clock,
        hub=hub,
        history=history,
        record_sources=(),
        dom_metrics=False,
    )
    await node.run()
    trades = [e for e in seen if e["kind"] == "trade"]
    print("TRADES " + json.dumps(trades), flush=True)
    adopted = [e for e in seen if e["kind"] == "adopt"]
    print("ADOPT " + json.dumps(adopted), flush=True)
    position = node.trading.manager.positions.get("MES", 0) if node.trading else None
    print(f"POSITION {position}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
