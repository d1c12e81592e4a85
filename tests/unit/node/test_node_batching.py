"""The whole node on the real ESH4 MBO hour gives the same signals, decisions, order intents and
final market view whether the events come one at a time (live), in uneven small batches or in
batches of 4096 (replay at max speed).

Data: Databento GLBX.MDP3 extract (ESH4 MBO), published as a test fixture by the NautilusTrader
project (LGPL-3.0 repository); see ../shared/data/README.md.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pytest
from node_support import ESH4_HOUR, KEY, FollowPressure, ListFeed, batches

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.node.node import Node
from orderflow_lib.node.summary import paper_broker_factory

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def esh4() -> tuple[np.ndarray, FeedInfo]:
    if not ESH4_HOUR.exists():
        pytest.skip(f"real data missing: {ESH4_HOUR}")
    events, contract = dbn_events(ESH4_HOUR)
    return events, FeedInfo("replay", contract)


def _nan_free(value: Any) -> Any:
    """NaN as a marker that compares equal to itself."""
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


async def _run(events: np.ndarray, info: FeedInfo, sizes: list[int]) -> dict[str, Any]:
    clock = ReplayClock()
    strategy = FollowPressure()
    node = Node(
        Settings(),
        ListFeed(info, batches(events, sizes)),
        auth_key=KEY,
        broker_factory=paper_broker_factory(clock),
        strategies=[strategy],
        clock=clock,
        in_trading_window=lambda ts_ns: True,
    )
    published: list[dict[str, Any]] = []
    original = node.hub.publish_event

    def publish(event: dict[str, Any]) -> None:
        published.append(event)
        original(event)

    node.hub.publish_event = publish  # type: ignore[method-assign]
    summary = await asyncio.wait_for(node.run(), 300)
    assert node.trading is not None and node.loop.shown is not None
    return {
        "signals": [e for e in published if e.get("event") == "signal"],
        "decisions": strategy.decisions,
        "intents": [
            (o.ts_ns, o.action, o.quantity, o.price_ticks, r.accepted, r.reason)
            for o, r in node.trading.sent
        ],
        "view": {k: _nan_free(v) for k, v in asdict(node.loop.shown.view()).items()},
        "book": (node.loop.shown.dom.bids, node.loop.shown.dom.asks),
        "summary": (summary.events, summary.trades, summary.signals_by_kind),
    }


@pytest.mark.slow
async def test_node_when_esh4_batched_any_way_then_same_signals_decisions_intents_and_view(esh4):
    events, info = esh4

    one = await _run(events, info, [1])
    uneven = await _run(events, info, [1, 3, 64, 7, 500, 2, 41])
    replay = await _run(events, info, [4096])

    assert len(one["signals"]) > 40 and one["decisions"] > 90 and one["intents"]
    for other in (uneven, replay):
        for key in one:
            assert other[key] == one[key], key
