"""The node end to end in process: signals, orders through the gate, snapshots and events; the
same results when a recording is replayed; the atomic synthetic-to-real handoff; sessions that
feed the next day's composite."""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from node_support import KEY, TRADE_DATE, FollowPressure, ListFeed, batches, morning_events

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.engine.context import PROFILE_KIND, PriorSession, priors_from_synthetic
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.events import FeedInfo, SourceChange
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.feeds.synthetic import SyntheticFeed
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.synthetic import generate_session
from orderflow_lib.node.node import Node
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import paper_broker_factory
from orderflow_lib.store import Store, open_store

SETTINGS = Settings()
RNG_SIZES = [1, 3, 64, 7, 500, 2, 41]


@pytest.fixture(scope="module")
def priors() -> list[PriorSession]:
    calendar = default_calendar()
    days = [
        d for d in calendar.trade_dates(TRADE_DATE.replace(day=10), TRADE_DATE) if d < TRADE_DATE
    ][-6:]
    sessions, price = [], None
    for day in days:
        session = generate_session(day, 3, scale=0.01, start_price_ticks=price)
        sessions.append(session)
        price = session.last_bid_ticks
    return priors_from_synthetic(sessions, calendar)


def _history(priors: list[PriorSession]):
    async def history(trade_date, contract, source):
        return [p for p in priors if p.date < trade_date]

    return history


class Recorded:
    """Collects a node's published events."""

    def __init__(self, hub: StateHub) -> None:
        self.events: list[dict[str, Any]] = []
        original = hub.publish_event

        def publish(event: dict[str, Any]) -> None:
            self.events.append(event)
            original(event)

        hub.publish_event = publish  # type: ignore[method-assign]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("event", e["kind"]) == kind]


def _node(
    feed,
    *,
    priors=None,
    store: Store | None = None,
    record_to: Path | None = None,
    strategies=None,
    dom=True,
    plan=None,
    any_time: bool = False,
):
    clock = ReplayClock()
    hub = StateHub()
    node = Node(
        SETTINGS,
        feed,
        auth_key=KEY,
        broker_factory=paper_broker_factory(clock),
        store=store,
        strategies=strategies if strategies is not None else [FollowPressure()],
        plan=plan,
        clock=clock,
        hub=hub,
        history=None if priors is None else _history(priors),
        record_to=record_to,
        record_sources=("synthetic",),
        dom_metrics=dom,
        in_trading_window=(lambda ts_ns: True) if any_time else None,
    )
    return node, Recorded(hub)


async def test_node_when_morning_replayed_then_signals_orders_fills_and_snapshot(priors):
    feed = ListFeed(FeedInfo("synthetic", ""), batches(morning_events(), [4_096]))
    plan = PlanStrategy(SETTINGS)
    node, seen = _node(feed, priors=priors, strategies=[FollowPressure(), plan], plan=plan)

    summary = await asyncio.wait_for(node.run(), 60)

    assert summary.events == morning_events().shape[0]
    assert sum(summary.signals_by_kind.values()) == len(seen.of("signal")) > 50
    assert summary.orders_sent >= 2 and summary.fills == summary.orders_sent
    session = default_calendar().rth_session(TRADE_DATE)
    assert node.trading is not None and session is not None
    assert all(o.ts_ns >= session.rth_open_ns for o, r in node.trading.sent if r.accepted)
    assert {e["status"] for e in seen.of("order")} >= {"SENT", "SUBMITTED", "FILLED"}
    assert len(seen.of("fill")) == summary.fills
    snap = node.hub.latest()["snapshot"]
    assert snap["source"] == "synthetic" and snap["trade_date"] == "2026-11-24"
    assert snap["config_hash"] == SETTINGS.config_hash() == summary.config_hash
    assert node.health()["config_hash"] == SETTINGS.config_hash()
    assert snap["value"]["cva"]["days_included"] == 5 and snap["regime"]["regime"] is not None
    assert snap["plan"] is not None and snap["plan"]["trade_date"] == "2026-11-24"
    assert snap["gate"]["ready"] is False and snap["connections"]["store"] == "memory"
    assert len(snap["candles"]) > 100 and snap["dom"]["bids"]


async def test_replay_when_recording_replayed_then_same_signals_plan_statuses_and_intents(
    priors, tmp_path: Path
):
    plan_live = PlanStrategy(SETTINGS)
    live_feed = ListFeed(FeedInfo("synthetic", ""), batches(morning_events(), RNG_SIZES))
    live, live_seen = _node(
        live_feed,
        priors=priors,
        record_to=tmp_path,
        strategies=[FollowPressure(), plan_live],
        plan=plan_live,
    )
    await asyncio.wait_for(live.run(), 120)
    recordings = sorted(tmp_path.glob("*.parquet"))

    plan_replay = PlanStrategy(SETTINGS)
    replay, replay_seen = _node(
        ReplayFeed(recordings[0], speed=None),
        priors=priors,
        strategies=[FollowPressure(), plan_replay],
        plan=plan_replay,
    )
    await asyncio.wait_for(replay.run(), 120)

    def signals(seen: Recorded) -> list[tuple]:
        return [
            (e["ts_ns"], e["kind"], e["direction"], e["price"], e["strength"], e["where"])
            for e in seen.of("signal")
        ]

    def intents(node: Node) -> list[tuple]:
        assert node.trading is not None
        return [
            (o.ts_ns, o.action, o.quantity, o.price_ticks, r.accepted, r.reason)
            for o, r in node.trading.sent
        ]

    assert len(recordings) == 1
    assert signals(replay_seen) == signals(live_seen) and len(signals(live_seen)) > 50
    assert intents(replay) == intents(live) and any(i[4] for i in intents(live))
    assert plan_replay.statuses() == plan_live.statuses()
    assert plan_replay.snapshot() == plan_live.snapshot()


async def test_handoff_when_source_changes_then_engines_restart_and_rows_carry_source(
    priors, tmp_path: Path
):
    events = morning_events()
    half = int(np.searchsorted(events["ts_ns"], ny_to_ns(TRADE_DATE, time(10, 15))))
    live_info = FeedInfo("live", "ESZ26", exchange_side=False, description="test live")
    items = [
        *batches(events[:half], [3_000]),
        SourceChange(live_info, "IB ready"),
        *batches(events[half:], [3_000]),
    ]
    store = open_store(f"sqlite:///{tmp_path / 'node.sqlite'}")
    node, seen = _node(
        ListFeed(FeedInfo("synthetic", ""), items), priors=priors, store=store, any_time=True
    )
    clock_before = node.clock
    try:
        await asyncio.wait_for(node.run(), 120)
        synthetic_orders = store.safety_store("synthetic", "test").orders()
        live_orders = store.safety_store("live", "test").orders()
        signals = store.signals.between("live", 0, 2**62) + store.signals.between(
            "synthetic", 0, 2**62
        )
    finally:
        store.close()

    assert node.info.source == "live" and node.trading is not None and node.trading.source == "live"
    assert node.clock is not clock_before
    switch = [e for e in seen.events if e["kind"] == "source"]
    assert [e["source"] for e in switch] == ["live"]
    first_live_ts = int(events["ts_ns"][half])
    snap = node.snapshot()
    assert snap["source"] == "live"
    assert all(c["ts_ns"] + 60_000_000_000 > first_live_ts for c in snap["candles"])
    assert all(t["ts_ns"] >= first_live_ts for t in snap["tape"])
    assert synthetic_orders and all(o.created_ts_ns < first_live_ts for o in synthetic_orders)
    assert {o.order_id for o in synthetic_orders}.isdisjoint({o.order_id for o in live_orders})
    assert all(s.source in ("synthetic", "live") for s in signals)
    assert {s.signal_id for s in signals if s.source == "live"}.isdisjoint(
        {o.signal_id for o in synthetic_orders}
    )


async def test_sessions_when_day_completes_then_profile_stored_and_next_day_compares_with_it(
    tmp_path: Path,
):
    store = open_store(f"sqlite:///{tmp_path / 'node.sqlite'}")
    feed = SyntheticFeed(TRADE_DATE, 9, speed=None, scale=0.01, history_days=0, days=2)
    node, seen = _node(feed, store=store, strategies=[], dom=False)
    try:
        summary = await asyncio.wait_for(node.run(), 120)
        stored = store.profiles.daily_range(
            PROFILE_KIND, "ESZ26", "synthetic", TRADE_DATE, TRADE_DATE.replace(day=30)
        )
    finally:
        store.close()

    assert summary.sessions == 2
    assert [r.trade_date for r in stored][:1] == [TRADE_DATE]
    assert [e["trade_date"] for e in seen.of("session")] == ["2026-11-24", "2026-11-25"]
    snap = node.snapshot()
    assert snap["value"]["prior"]["vah"] is not None and snap["value"]["cva"]["days_included"] == 1


async def test_stop_when_requested_then_node_closes_gracefully():
    feed = ListFeed(FeedInfo("synthetic", ""), batches(morning_events(), [512]), hold=True)
    node, _ = _node(feed, dom=False)

    task = asyncio.create_task(node.run())
    await asyncio.sleep(0.2)
    node.request_stop()
    summary = await asyncio.wait_for(task, 10)

    assert node.closed and feed.state == "closed"
    assert 0 < summary.events <= morning_events().shape[0]
    assert node.trading is not None and not node.trading.manager.ready


def test_summary_lines_when_printed_then_name_every_figure():
    from orderflow_lib.node.summary import NodeSummary

    summary = NodeSummary(
        events=1_000,
        trades=10,
        seconds=0.5,
        sessions=1,
        signals_by_kind={"BUY_PRESSURE": 2},
        orders_sent=1,
        orders_denied=2,
        denials_by_reason={"FENCE_ACTIVE": 2},
        fills=1,
        realized_usd=12.5,
        daily_pnl_gbp=9.0,
        config_hash="abc123",
        bad_events=3,
        late_trades=2,
    )

    text = "\n".join(summary.lines())

    assert "events processed: 1,000" in text and "2,000 events/s" in text
    assert "3 refused, 2 trades out of time order kept at the latest time" in text
    assert "signals: 2 (BUY_PRESSURE 2)" in text
    assert "orders: 1 sent, 2 denied (FENCE_ACTIVE 2), 1 fills" in text
    assert "realized 12.50 USD" in text and "daily 9.00 GBP" in text
    assert "config hash abc123" in text
    assert np.isfinite(summary.events_per_s)
