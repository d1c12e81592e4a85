"""Node replay speed: events/s and per-event latency of the whole pipeline (feed -> aggressor ->
candles/footprint -> developing value -> VWAP -> DOM -> detectors -> plan and strategy -> safety
gate -> paper broker) on the ESH4 MBO hour and on a synthetic full ES day, at max speed.

Per-event latency is the processing time of the batch an event arrived in (what an event that
arrived at the start of the batch waits). Batch size trades latency for throughput: replay at max
speed takes batches of 4096 (the throughput target), a live feed hands over what arrived since the
last batch, one event at a time when the market is calm (the latency target); the sweep shows the
sizes between. The baseline, measured in the same run, is the per-event path: every trade and depth
update through the plain-Python engines (tests/reference: CandleBuilder, TapePressure, VwapEngine,
DomEngine, OrderBook; and DevelopingValueArea) one by one.

Run: .venv/bin/python benchmarks/replay.py [--scale 1.0] [--skip-day] [--repeat 3]

Data for the ESH4 part: Databento GLBX.MDP3 extract (ESH4 MBO), published as a test fixture by the
NautilusTrader project (LGPL-3.0 repository); see ../shared/data/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock_time
from pathlib import Path

import numpy as np

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.engine.loop import HistorySource
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.dbn import dbn_events
from orderflow_lib.feeds.events import KIND_DEPTH, KIND_TRADE, FeedInfo
from orderflow_lib.feeds.synthetic import SyntheticFeed, session_events
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import DepthUpdate
from orderflow_lib.market.synthetic import generate_session
from orderflow_lib.node.history import synthetic_history
from orderflow_lib.node.node import Node
from orderflow_lib.node.summary import NodeSummary, paper_broker_factory
from orderflow_lib.profiles.developing import DevelopingValueArea

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.book import OrderBook
from tests.reference.candles import CandleBuilder
from tests.reference.dom import DomEngine
from tests.reference.tape import TapePressure
from tests.reference.vwap import VwapEngine

ESH4 = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "databento-es-mbo"
    / "esh4-glbx-mdp3-20231225.mbo.dbn.zst"
)
DAY = date(2026, 11, 24)
KEY = "benchmark-key-" + "b" * 30
TARGET_EPS = 1_000_000
TARGET_P99_US = 100.0


@dataclass
class Timing:
    """Batch sizes and their processing times."""

    sizes: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def latency_us(self) -> tuple[float, float, float]:
        """p50, p99, max of per-event latency (the processing time of the event's batch), µs."""
        if not self.sizes:
            return 0.0, 0.0, 0.0
        weights = np.repeat(np.array(self.seconds) * 1e6, self.sizes)
        return (
            float(np.percentile(weights, 50)),
            float(np.percentile(weights, 99)),
            float(weights.max()),
        )

    def cost_us(self) -> float:
        """Mean processing time per event, µs."""
        return sum(self.seconds) * 1e6 / max(1, sum(self.sizes))


class TimedFeed:
    """Yields fixed-size batches of an event array and times how long the node spends on each."""

    def __init__(self, info: FeedInfo, events: np.ndarray, batch: int) -> None:
        self.info = info
        self.state = "replaying"
        self._events = events
        self._batch = batch
        self.timing = Timing()

    async def items(self) -> AsyncIterator[FeedItem]:
        for start in range(0, self._events.shape[0], self._batch):
            chunk = self._events[start : start + self._batch]
            began = time.perf_counter()
            yield chunk
            self.timing.seconds.append(time.perf_counter() - began)
            self.timing.sizes.append(chunk.shape[0])
        self.state = "ended"

    async def close(self) -> None:
        self.state = "closed"


async def run_node(
    events: np.ndarray,
    info: FeedInfo,
    *,
    batch: int,
    dom_metrics: bool,
    history: HistorySource | None = None,
) -> tuple[NodeSummary, Timing, float]:
    """The whole node on `events` (paper broker, plan strategy, in-memory store); the wall time is
    the node's own run time, from the first event to the end (start-up warm-up excluded)."""
    settings = Settings()
    clock = ReplayClock()
    feed = TimedFeed(info, events, batch)
    strategy = PlanStrategy(settings)
    node = Node(
        settings,
        feed,
        auth_key=KEY,
        broker_factory=paper_broker_factory(clock),
        strategies=[strategy],
        plan=strategy,
        clock=clock,
        history=history,
        dom_metrics=dom_metrics,
    )
    summary = await node.run()
    return summary, feed.timing, summary.seconds


def baseline_eps(events: np.ndarray, *, dom: bool) -> float:
    """Events/s of the per-event path: trades and depth through the incremental engines."""
    candles, tape, vwap = (
        CandleBuilder("1min"),
        TapePressure(),
        VwapEngine([int(events["ts_ns"][0])]),
    )
    dva = DevelopingValueArea()
    book, engine = OrderBook(10), DomEngine()
    rows = events.tolist()
    began = time.perf_counter()
    for ts, kind, side, price, size, _b, _bs, _a, _as, pos, op in rows:
        if kind == KIND_TRADE:
            candles.on_trade(ts, price, size, side)
            tape.on_trade(ts, price, size, side)
            vwap.on_trade(ts, price, size)
            dva.update(price, size)
            if dom:
                engine.on_trade(ts, price, size, side)
        elif kind == KIND_DEPTH:
            frame = book.apply(DepthUpdate(ts, side, pos, op, price, size))
            if dom:
                engine.on_frame(frame)
    return len(rows) / (time.perf_counter() - began)


def report(
    title: str, summary: NodeSummary, timing: Timing, wall_s: float, baseline: float
) -> None:
    """Print one run."""
    eps = summary.events / wall_s if wall_s else 0.0
    p50, p99, worst = timing.latency_us()
    print(f"\n{title}")
    print(
        f"  {summary.events:,} events ({summary.trades:,} trades) in {wall_s:.2f} s = {eps:,.0f} events/s, "
        f"{eps / baseline:.1f}x the per-event baseline ({baseline:,.0f} events/s)"
    )
    print(
        f"  mean cost {timing.cost_us():.2f} us/event; per-event latency p50 {p50:.0f} us, p99 {p99:.0f} us, max {worst:.0f} us"
    )
    print(
        f"  signals {sum(summary.signals_by_kind.values())}, orders {summary.orders_sent} sent / {summary.orders_denied} denied, fills {summary.fills}"
    )


def sweep(
    events: np.ndarray,
    info: FeedInfo,
    sizes: Sequence[int],
    history: HistorySource | None = None,
) -> None:
    """Events/s and latency for each batch size: the trade-off between throughput and latency."""
    print("  batch   events/s     p50 us   p99 us   max us   signals")
    for size in sizes:
        summary, timing, wall_s = asyncio.run(
            run_node(events, info, batch=size, dom_metrics=True, history=history)
        )
        p50, p99, worst = timing.latency_us()
        print(
            f"  {size:>5}  {summary.events / wall_s:>10,.0f}  {p50:>8.0f} {p99:>8.0f} {worst:>8.0f}   "
            f"{sum(summary.signals_by_kind.values())}"
        )


def verdicts(
    events: np.ndarray, info: FeedInfo, history: HistorySource | None, repeat: int
) -> None:
    """The two targets, each the median of `repeat` runs (this machine's timing noise is large):
    replay throughput (batches of 4096) and live latency (one event at a time)."""
    eps, p99 = [], []
    for _ in range(repeat):
        summary, _, wall_s = asyncio.run(
            run_node(events, info, batch=4096, dom_metrics=True, history=history)
        )
        eps.append(summary.events / wall_s)
        _, live, _ = asyncio.run(run_node(events, info, batch=1, dom_metrics=True, history=history))
        p99.append(live.latency_us()[1])
    e, p = float(np.median(eps)), float(np.median(p99))
    print(
        f"  median of {repeat} runs: {e:,.0f} events/s in replay (target >= {TARGET_EPS:,}: "
        f"{'meets' if e >= TARGET_EPS else 'misses'}); live, one event at a time, p99 {p:.0f} us "
        f"(target <= {TARGET_P99_US:.0f} us: {'meets' if p <= TARGET_P99_US else 'misses'}); "
        f"runs {', '.join(f'{x:,.0f}' for x in eps)} events/s, {', '.join(f'{x:.0f}' for x in p99)} us"
    )


def bench_esh4(repeat: int) -> None:
    if not ESH4.exists():
        print(f"ESH4 hour: skipped, data missing: {ESH4}")
        return
    events, contract = dbn_events(ESH4)
    info = FeedInfo("replay", contract, description="ESH4 MBO hour")
    asyncio.run(run_node(events[:20_000], info, batch=64, dom_metrics=True))
    baseline = baseline_eps(events, dom=True)
    summary, timing, wall_s = asyncio.run(run_node(events, info, batch=4096, dom_metrics=True))
    report("ESH4 MBO hour, batches of 4096, DOM metrics on", summary, timing, wall_s, baseline)
    print("  by batch size (1 = live, an event at a time):")
    sweep(events, info, (1, 4, 16, 64, 256, 1024, 4096))
    verdicts(events, info, None, repeat)


def bench_day(scale: float, repeat: int) -> None:
    calendar = default_calendar()
    began = time.perf_counter()
    history_feed = SyntheticFeed(DAY, 7, scale=scale)
    prior = asyncio.run(history_feed.history())
    session = generate_session(DAY, 7, scale=scale, start_price_ticks=prior[-1].last_bid_ticks)
    events = session_events(session)
    history = synthetic_history(history_feed, calendar)
    print(
        f"\nsynthetic ES day {DAY} (scale {scale}): {session.trades.shape[0]:,} trades, {session.quotes.shape[0]:,} quotes, "
        f"{session.depth.shape[0]:,} depth updates, generated in {time.perf_counter() - began:.1f} s"
    )
    info = FeedInfo("synthetic", calendar.lead_contract(DAY), description="synthetic day")
    hour = events[
        np.searchsorted(events["ts_ns"], ny_to_ns(DAY, clock_time(9, 30))) : np.searchsorted(
            events["ts_ns"], ny_to_ns(DAY, clock_time(10, 30))
        )
    ][:400_000]
    baseline = baseline_eps(hour, dom=True)
    summary, timing, wall_s = asyncio.run(
        run_node(events, info, batch=4096, dom_metrics=True, history=history)
    )
    report("synthetic full day, batches of 4096, DOM metrics on", summary, timing, wall_s, baseline)
    print("  from 09:30 ET (400,000 events) by batch size:")
    sweep(hour, info, (1, 16, 64, 256, 4096), history)
    print("  from 09:30 ET (400,000 events):", end="")
    verdicts(hour, info, history, repeat)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="synthetic day size (1.0 = a full ES day)"
    )
    parser.add_argument("--skip-day", action="store_true", help="only the ESH4 hour")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs behind each target verdict (the median counts)"
    )
    args = parser.parse_args(argv)
    bench_esh4(args.repeat)
    if not args.skip_day:
        bench_day(args.scale, args.repeat)


if __name__ == "__main__":
    main()
