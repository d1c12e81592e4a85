"""One decision path (issue #16): the same days through the node (a recording replayed at full
speed, as `orderflow run --replay ... --speed max` runs it) and through the backtest give
identical signals, plan statuses, orders, fills and P&L; and a backtest fanned out over a
2-worker Dask cluster gives what a serial one gives."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.recording import Recorder
from orderflow_lib.feeds.replay import ReplayFeed
from orderflow_lib.node.node import Node
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import paper_broker_factory
from orderflow_lib.research.backtest import DayResult, run_backtest, run_day
from orderflow_lib.research.backtest_sources import SyntheticChain
from orderflow_lib.research.parallel import local_cluster

LEAN = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "lean-es-2013" / "minute"
"""QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0."""
SETTINGS = Settings.model_validate({"weights": {"entry_threshold": 0.7}})
"""A lower entry threshold than the default, so that the short synthetic run trades."""
KEY = "k" * 40


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticChain, list[date]]:
    data = tmp_path_factory.mktemp("data")
    return SyntheticChain.covering(
        date(2026, 11, 16), date(2026, 11, 20), seed=11, scale=0.05, data_dir=data
    )


def _recording(events, info: FeedInfo, day: date, root: Path) -> Path:
    recorder = Recorder(root, info, day, 1)
    recorder.write(events)
    return recorder.close()


def _node_day(recording: Path, priors, source: str, day: date | None = None) -> dict[str, Any]:
    """The day through a Node replaying the recording (or a Lean folder's day) at full speed."""
    clock = ReplayClock()
    hub = StateHub()
    seen: list[dict[str, Any]] = []
    publish = hub.publish_event

    def record(event: dict[str, Any]) -> None:
        seen.append(event)
        publish(event)

    hub.publish_event = record  # type: ignore[method-assign]

    async def history(trade_date, contract, src):  # type: ignore[no-untyped-def]
        return [p for p in priors if p.date < trade_date]

    plan = PlanStrategy(SETTINGS)
    node = Node(
        SETTINGS,
        ReplayFeed(recording, speed=None, day=day),
        auth_key=KEY,
        broker_factory=paper_broker_factory(
            clock, slippage_ticks=SETTINGS.paper.slippage_ticks, gbp_per_usd=SETTINGS.paper.usd_gbp
        ),
        strategies=[plan],
        plan=plan,
        clock=clock,
        hub=hub,
        history=history,
        record_sources=(),
        dom_metrics=True,
    )
    asyncio.run(asyncio.wait_for(node.run(), 300))
    trading = node.trading
    assert trading is not None
    rate = None if trading.account is None else trading.account.gbp_per_usd
    return {
        "signals": [
            (e["ts_ns"], e["kind"], e["direction"], round(e["price"] / 0.25))
            for e in seen
            if e.get("event") == "signal"
        ],
        "statuses": plan.statuses(),
        "orders": [
            (o.order_type.value, o.action.value, o.quantity, o.price_ticks, o.status.value)
            for o in trading.manager.orders()
        ],
        "trips": [
            t.to_dict(trading.tick_value_usd, rate) for t in trading.round_trips.trips if t.closed
        ],
    }


def _backtest_view(result: DayResult) -> dict[str, Any]:
    return {
        "signals": [(ts, kind, d, px) for ts, kind, d, px in result.signals],
        "statuses": result.statuses,
        "orders": result.orders,
        "trips": result.trips,
    }


def test_parity_when_three_synthetic_days_then_node_and_backtest_agree(synthetic, tmp_path: Path):
    source, days = synthetic
    traded = 0
    for day in [d for d in days if d.day in (17, 19, 20)]:
        events = source.events(day)
        priors = source.priors(day)
        recording = _recording(events, FeedInfo("replay", "ESZ26"), day, tmp_path)
        node = _node_day(recording, priors, "replay")
        backtest = _backtest_view(run_day(events, priors, SETTINGS, source="replay"))
        assert node == backtest, day
        assert node["signals"] and node["statuses"]
        traded += len(node["orders"])
    assert traded > 0


def test_parity_when_the_esh4_hour_then_node_and_backtest_agree(esh4_hour: Path):
    from orderflow_lib.feeds.dbn import dbn_events

    events, _ = dbn_events(esh4_hour)
    node = _node_day(esh4_hour, [], "replay")
    backtest = _backtest_view(run_day(events, [], SETTINGS, source="replay"))
    assert node == backtest
    assert len(node["signals"]) > 40


def test_parity_when_two_lean_days_then_node_and_backtest_agree():
    from orderflow_lib.research.backtest_sources import LeanDays

    if not LEAN.exists():
        pytest.skip(f"real data missing: {LEAN}")
    source, days = LeanDays.covering(LEAN, date(2013, 10, 11), date(2013, 10, 14))
    assert days == [date(2013, 10, 11), date(2013, 10, 14)]
    orders = 0
    for day in days:
        priors = source.priors(day)
        node = _node_day(LEAN, priors, "replay", day)
        backtest = _backtest_view(run_day(source.events(day), priors, SETTINGS, source="replay"))
        assert node == backtest, day
        assert node["statuses"]
        orders += len(node["orders"])
    assert orders > 0


def test_backtest_when_fanned_out_on_two_dask_workers_then_same_as_serial(synthetic):
    source, days = synthetic
    serial = run_backtest(source, days, SETTINGS, workers=1, progress=False)
    with local_cluster(2) as client:
        fanned = run_backtest(source, days, SETTINGS, client=client, progress=False)
    assert [_backtest_view(r) for r in fanned] == [_backtest_view(r) for r in serial]
    assert [r.grades for r in fanned] == [r.grades for r in serial]
