"""The node: the composition root of the background trading process.

feed -> engine.TradingLoop (pipeline, context and plan, strategies, safety gate, broker; the same
loop every backtest runs) -> the store through a sink, snapshots and events to the state hub. The
node owns the feed, the source handoff, the recording, the control API and the housekeeping. One
code path for live, replay and the demo: only the feed and the broker differ.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI

from orderflow_lib.core.clock import DrivenClock, LiveClock, ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.loop import HistorySource, LoopSource, TradingLoop
from orderflow_lib.engine.pipeline import Pipeline
from orderflow_lib.engine.strategy import PlanTracker, Strategy
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.view import NodeSignal
from orderflow_lib.engine.warmup import freeze_start_up_objects, warm_up
from orderflow_lib.feeds.base import Feed
from orderflow_lib.feeds.events import FeedInfo, SourceChange
from orderflow_lib.feeds.recording import Recorder
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.node.fill_journal import FillJournal, fill_journal_path
from orderflow_lib.node.housekeeping import housekeeping
from orderflow_lib.node.persist import Persister, StoreSink
from orderflow_lib.node.routing import SessionRouter
from orderflow_lib.node.snapshot import loop_snapshot, signal_dict
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import BrokerFactory, NodeSummary, fill_summary
from orderflow_lib.store import Store

log = logging.getLogger(__name__)


class Node:
    """The trading node. `await node.run()` consumes the feed until it ends or `request_stop()`."""

    def __init__(
        self,
        settings: Settings,
        feed: Feed,
        *,
        auth_key: str,
        broker_factory: BrokerFactory,
        store: Store | None = None,
        strategies: Sequence[Strategy] = (),
        plan: PlanTracker | None = None,
        clock: DrivenClock | None = None,
        hub: StateHub | None = None,
        history: HistorySource | None = None,
        record_to: str | Path | None = None,
        record_sources: Collection[str] = ("live",),
        dom_metrics: bool = True,
        calendar: SessionCalendar | None = None,
        in_trading_window: Callable[[int], bool] | None = None,
    ) -> None:
        self.settings = settings
        self.feed = feed
        self.store = store
        self.plan = plan
        self.clock: DrivenClock = clock or (
            LiveClock() if feed.info.source == "live" else ReplayClock()
        )
        self._hub = hub or StateHub(max_hz=settings.node.snapshot_hz)
        self.calendar = calendar or default_calendar()
        self.persister = (
            None
            if store is None
            else Persister(store, FillJournal(fill_journal_path(settings.data_dir)))
        )
        self.router = SessionRouter(
            settings,
            auth_key=auth_key,
            broker_factory=broker_factory,
            store=store,
            publish=self._publish_event,
            in_trading_window=in_trading_window,
        )
        self._record_to = Path(record_to) if record_to is not None else None
        self._record_sources = frozenset(record_sources)
        self._closed = False
        self._dom_metrics = dom_metrics
        self.info: FeedInfo = feed.info
        self.recorder: Recorder | None = None
        self.loop = TradingLoop(
            settings,
            self.calendar,
            self.clock,
            _loop_source(feed.info),
            strategies=strategies,
            history=history,
            publish=self._publish_event,
            sink=self._sink(feed.info),
            dom_metrics=dom_metrics,
            on_session=self._session_opened,
            on_signal=self._signal_out,
            on_batch=self._record,
        )
        self._config_hash = settings.config_hash()
        self.summary = NodeSummary(config_hash=self._config_hash)
        self._stop = asyncio.Event()
        self._closing_feed: asyncio.Task[None] | None = None
        self._started = time.perf_counter()

    def _publish_event(self, event: dict[str, Any]) -> None:
        self._hub.publish_event(event)

    def _sink(self, info: FeedInfo) -> StoreSink | None:
        return None if self.persister is None else StoreSink(self.persister, info.source)

    # ---- the loop's state, as the node's ------------------------------------------------------

    @property
    def pipeline(self) -> Pipeline | None:
        """The open session's engines."""
        return self.loop.pipeline

    @property
    def strategies(self) -> list[Strategy]:
        """The strategies the loop asks."""
        return self.loop.strategies

    @property
    def signals(self) -> deque[NodeSignal]:
        """The latest signals."""
        return self.loop.signals

    @property
    def decisions(self) -> int:
        """Decision points so far."""
        return self.loop.decisions

    # ---- faces for the app -------------------------------------------------------------------

    @property
    def hub(self) -> StateHub:
        """The state stream hub."""
        return self._hub

    @property
    def trading(self) -> TradingSession | None:
        """The trading session of the current source."""
        return self.router.trading

    @property
    def control_app(self) -> FastAPI | None:
        """The control API of the current source's safety manager."""
        return self.router.control_app

    def health(self) -> dict[str, Any]:
        """Status, source and connection states (GET /api/health)."""
        connections = self.connections()
        degraded = connections["store"] == "degraded" or connections["broker"] != "connected"
        return {
            "status": "degraded" if degraded else "ok",
            "source": self.info.source,
            "contract": self.info.contract,
            "config_hash": self._config_hash,
            "events": self.loop.events_seen(),
            "seq": self._hub.seq,
            "viewers": self._hub.viewers,
            **connections,
        }

    def connections(self) -> dict[str, str]:
        """Broker, feed and store states in one word each."""
        trading = self.trading
        broker = (
            "none"
            if trading is None
            else ("connected" if trading.broker.is_connected() else "disconnected")
        )
        if self.store is None:
            store = "memory"
        elif (self.persister is not None and not self.persister.healthy) or (
            trading is not None and trading.manager.store_degraded
        ):
            store = "degraded"
        else:
            store = "ok"
        return {"broker": broker, "feed": self.feed.state, "store": store}

    # ---- lifecycle ---------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask the run loop to stop after the current batch (SIGTERM, Ctrl-C); a feed waiting
        for data is closed so the loop wakes up."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._closing_feed = asyncio.get_running_loop().create_task(self.feed.close())

    @property
    def stopping(self) -> bool:
        """True once a stop was requested."""
        return self._stop.is_set()

    async def start(self) -> None:
        """Warm the engines, then open the trading session of the feed's source (safety
        manager, broker)."""
        if self.trading is None:
            await asyncio.to_thread(
                warm_up,
                self.settings,
                self.calendar,
                dom_metrics=self._dom_metrics,
                exchange_side=self.info.exchange_side,
            )
            freeze_start_up_objects()
            await self._open_trading(self.feed.info)
            self.publish_snapshot()

    async def run(self) -> NodeSummary:
        """Consume the feed until it ends or a stop is requested; then close everything."""
        await self.start()
        self._started = time.perf_counter()
        housekeeping_task = asyncio.create_task(housekeeping(self))
        try:
            ended = True
            async for item in self.feed.items():
                if self._stop.is_set():
                    ended = False
                    break
                if isinstance(item, SourceChange):
                    await self._switch(item)
                else:
                    await self.process(item)
                await asyncio.sleep(0)
            if ended and not self._stop.is_set():
                await self._end_session(complete=True)
        finally:
            housekeeping_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping_task
            await self.close()
        return self.summary

    @property
    def closed(self) -> bool:
        """True once `close` ran."""
        return self._closed

    async def close(self) -> None:
        """Graceful stop: close the recording, write what is queued, stop the gate, disconnect."""
        if self._closed:
            return
        self._closed = True
        await self.feed.close()
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        self.loop.stop()
        self._fill_summary()
        await self.router.close()
        self.publish_snapshot()
        if self.persister is not None:
            await self.persister.flush_async()
        self.router.stopped_cleanly()
        self.summary.seconds = time.perf_counter() - self._started

    # ---- events ------------------------------------------------------------------------------

    async def process(self, events: np.ndarray) -> None:
        """Route one batch through the trading loop."""
        await self.loop.process(events)

    async def _end_session(self, *, complete: bool) -> None:
        """Close the current session (its last bar and profile when complete) and recording."""
        await self.loop.end_session(complete=complete)
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None

    def _record(self, events: np.ndarray) -> None:
        if self.recorder is not None:
            self.recorder.write(events)

    def _signal_out(self, signal: NodeSignal) -> None:
        tick = self.settings.instrument.tick_size
        self._hub.publish_event({"kind": "signal", **signal_dict(signal, tick), "event": "signal"})

    def _session_opened(self, pipeline: Pipeline) -> None:
        if self._record_to is not None and self.info.source in self._record_sources:
            if self.recorder is not None:
                self.recorder.close()
            self.recorder = Recorder(
                self._record_to, self.info, pipeline.spec.trade_date, time.time_ns()
            )

    async def _open_trading(self, info: FeedInfo) -> None:
        self.loop.trading = await self.router.open(info, self.clock, self._sink(info))

    async def _switch(self, change: SourceChange) -> None:
        """The atomic handoff: drop the old source's engines and gate, start the new source's."""
        self.loop.switch(_loop_source(change.info), self._sink(change.info))
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        self._fill_summary()
        await self.router.hand_off()
        self.loop.trading = None
        self.info = change.info
        if change.info.source == "live" and self.clock.follows_events:
            self.clock = self.loop.clock = LiveClock()
        await self._open_trading(change.info)
        self._hub.publish_event(
            {"kind": "source", "source": change.info.source, "reason": change.reason}
        )
        log.warning("source switched to %s: %s", change.info.source, change.reason)

    # ---- snapshots and summary ---------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The current snapshot (SNAPSHOT.md); after a session ends it shows that session."""
        return loop_snapshot(
            self.loop,
            self.trading,
            self.settings,
            plan=self.plan.snapshot() if self.plan is not None else None,
            source=self.info.source,
            contract=self.info.contract,
            connections=self.connections(),
            config_hash=self._config_hash,
        )

    def publish_snapshot(self) -> None:
        """Send the current snapshot to the state stream."""
        self._hub.publish_snapshot(self.snapshot())

    def _fill_summary(self) -> None:
        """Fold the loop's counts and the trading sessions' orders, fills and P&L into the summary."""
        fill_summary(self.summary, self.loop.counts, self.router.traded, self.trading)


def _loop_source(info: FeedInfo) -> LoopSource:
    return LoopSource(info.source, info.contract, info.exchange_side)
