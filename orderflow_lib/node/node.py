"""The node: the composition root of the background trading process.

feed -> pipeline (aggressor, candles and footprint, developing value, VWAP, DOM, detectors) ->
context and plan -> strategies -> safety gate -> broker; fills come back into positions, P&L and
the gate; durable things go to the store; snapshots and events go to the state hub. One code path
for live, replay and the demo: only the feed and the broker differ.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
from fastapi import FastAPI

from orderflow_lib.core.clock import Clock, LiveClock, ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import StoreError
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.feeds.base import Feed
from orderflow_lib.feeds.events import FeedInfo, SourceChange
from orderflow_lib.feeds.recording import Recorder
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.node.context import PROFILE_KIND, PriorSession, build_context
from orderflow_lib.node.control_api import create_control_app
from orderflow_lib.node.persist import Persister
from orderflow_lib.node.pipeline import Pipeline, SessionSpec
from orderflow_lib.node.snapshot import SnapshotInput, build_snapshot, signal_dict
from orderflow_lib.node.strategy import PlanTracker, Strategy, TradeIdea
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import BrokerFactory, HistorySource, NodeSummary
from orderflow_lib.node.trading import TradingSession
from orderflow_lib.node.view import Decision, NodeSignal
from orderflow_lib.node.warmup import freeze_start_up_objects, warm_up
from orderflow_lib.profiles.migration import relationship
from orderflow_lib.store import MarketSnapshotRecord, ProfileRecord, Store, SystemStatusRecord

log = logging.getLogger(__name__)

KEEP_SIGNALS: Final = 50
HOUSEKEEPING_S: Final = 1.0


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
        clock: Clock | None = None,
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
        self.strategies = list(strategies)
        self.plan = plan
        self.clock: Clock = clock or (LiveClock() if feed.info.source == "live" else ReplayClock())
        self._hub = hub or StateHub(max_hz=settings.node.snapshot_hz)
        self.calendar = calendar or default_calendar()
        self.persister = Persister(store) if store is not None else None
        self._auth_key = auth_key
        self._broker_factory = broker_factory
        self._history = history
        self._record_to = Path(record_to) if record_to is not None else None
        self._record_sources = frozenset(record_sources)
        self._closed = False
        self._dom_metrics = dom_metrics
        self._in_trading_window = in_trading_window
        self.info: FeedInfo = feed.info
        self.trading: TradingSession | None = None
        self._control_app: FastAPI | None = None
        self.pipeline: Pipeline | None = None
        self._shown: Pipeline | None = None
        self.recorder: Recorder | None = None
        self.signals: deque[NodeSignal] = deque(maxlen=KEEP_SIGNALS)
        self.decisions = 0
        self._config_hash = settings.config_hash()
        self.summary = NodeSummary(config_hash=self._config_hash)
        self._stop = asyncio.Event()
        self._closing_feed: asyncio.Task[None] | None = None
        self._ts_max = np.iinfo(np.int64).min
        self._started = time.perf_counter()
        self._sessions_traded: list[TradingSession] = []
        self._completed: dict[date, PriorSession] = {}

    # ---- faces for the app -------------------------------------------------------------------

    @property
    def hub(self) -> StateHub:
        """The state stream hub."""
        return self._hub

    @property
    def control_app(self) -> FastAPI | None:
        """The control API of the current source's safety manager."""
        return self._control_app

    def health(self) -> dict[str, Any]:
        """Status, source and connection states (GET /api/health)."""
        connections = self.connections()
        degraded = connections["store"] == "degraded" or connections["broker"] != "connected"
        return {
            "status": "degraded" if degraded else "ok",
            "source": self.info.source,
            "contract": self.info.contract,
            "config_hash": self._config_hash,
            "events": self.summary.events + (0 if self.pipeline is None else self.pipeline.events),
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
            self._publish_snapshot()

    async def run(self) -> NodeSummary:
        """Consume the feed until it ends or a stop is requested; then close everything."""
        await self.start()
        self._started = time.perf_counter()
        housekeeping = asyncio.create_task(self._housekeeping())
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
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
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
        if self.pipeline is not None:
            self._count(self.pipeline)
            self._shown, self.pipeline = self.pipeline, None
        self._fill_summary()
        if self.trading is not None:
            await self.trading.close()
        self._publish_snapshot()
        if self.persister is not None:
            await self.persister.flush_async()
        self.summary.seconds = time.perf_counter() - self._started

    # ---- events ------------------------------------------------------------------------------

    async def process(self, events: np.ndarray) -> None:
        """Route one batch to the session(s) it belongs to and act on its decisions."""
        if events.shape[0] == 0:
            return
        pipeline = self.pipeline
        latest = max(self._ts_max, int(events["ts_ns"].max()))
        if pipeline is not None and latest < pipeline.spec.close_ns:
            self._ts_max = latest
            await self._run_batch(pipeline, events)
            return
        ts_run = np.maximum.accumulate(np.maximum(events["ts_ns"], self._ts_max))
        self._ts_max = int(ts_run[-1])
        start = 0
        n = events.shape[0]
        while start < n:
            if self.pipeline is None:
                await self._open_session(self.calendar.trade_date(int(ts_run[start])))
            pipeline = self.pipeline
            assert pipeline is not None
            stop = int(np.searchsorted(ts_run, pipeline.spec.close_ns, side="left"))
            stop = max(stop, start)
            if stop > start:
                await self._run_batch(pipeline, events[start:stop])
            start = stop
            if start < n:
                await self._end_session(complete=True)

    async def _run_batch(self, pipeline: Pipeline, events: np.ndarray) -> None:
        """Record a batch of one session, run it through the engines and act on its decisions."""
        if self.recorder is not None:
            self.recorder.write(events)
        for decision in pipeline.process(events):
            await self._decide(decision)
        self._after_batch(pipeline)

    def _after_batch(self, pipeline: Pipeline) -> None:
        ts_ns, last, quote = pipeline.touch()
        self._set_clock(ts_ns)
        if self.trading is not None:
            self.trading.on_touch(ts_ns, last, quote)

    def _set_clock(self, ts_ns: int) -> None:
        if isinstance(self.clock, ReplayClock) and ts_ns > self.clock.now_ns():
            self.clock.set_ns(ts_ns)

    async def _decide(self, decision: Decision) -> None:
        self.decisions += 1
        view = decision.view
        self._set_clock(view.ts_ns)
        trading = self.trading
        if trading is not None:
            trading.on_market(view)
        tick = self.settings.instrument.tick_size
        for s in decision.signals:
            self.signals.append(s)
            self._hub.publish_event({"kind": "signal", **signal_dict(s, tick), "event": "signal"})
        if decision.candle is not None:
            self._bar_closed(decision)
            if trading is not None:
                await trading.refresh_account()
        if trading is None:
            return
        decision = replace(decision, position=trading.manager.positions.get(trading.instrument, 0))
        ideas: list[TradeIdea] = []
        for strategy in self.strategies:
            ideas.extend(strategy.on_decision(decision))
        if ideas:
            await trading.act(decision, ideas)

    def _bar_closed(self, decision: Decision) -> None:
        if self.persister is None:
            return
        view = decision.view
        self.persister.snapshot(
            MarketSnapshotRecord(
                contract=view.contract,
                source=view.source,
                ts_ns=view.ts_ns,
                last_ticks=view.last_ticks,
                bid_ticks=view.bid_ticks,
                ask_ticks=view.ask_ticks,
                volume=view.volume,
            )
        )

    # ---- sessions and sources ----------------------------------------------------------------

    def _contract_for(self, trade_date: date) -> str:
        if self.info.source == "synthetic" or not self.info.contract:
            return self.calendar.lead_contract(trade_date, self.settings.instrument.display)
        return self.info.contract

    async def _open_session(self, trade_date: date) -> None:
        contract = self._contract_for(trade_date)
        by_date = {p.date: p for p in self._completed.values() if p.date < trade_date}
        if self._history is not None:
            for prior in await self._history(trade_date, contract, self.info.source):
                by_date.setdefault(prior.date, prior)
        priors = [by_date[d] for d in sorted(by_date)]
        context = build_context(trade_date, contract, priors, self.settings, self.calendar)
        spec = SessionSpec.for_date(
            trade_date, contract, self.info.source, self.calendar, self.settings.vwap.anchor
        )
        self.pipeline = Pipeline(
            spec,
            context,
            self.settings,
            exchange_side=self.info.exchange_side,
            dom_metrics=self._dom_metrics,
        )
        self.summary.sessions += 1
        for strategy in self.strategies:
            strategy.start_session(context)
        if self.trading is not None and isinstance(self.trading.broker, PaperBroker):
            self.trading.broker.start_new_day()
        if self._record_to is not None and self.info.source in self._record_sources:
            self._open_recorder()
        self._hub.publish_event(
            {
                "kind": "session",
                "trade_date": trade_date.isoformat(),
                "contract": contract,
                "source": self.info.source,
            }
        )

    def _open_recorder(self) -> None:
        assert self._record_to is not None and self.pipeline is not None
        if self.recorder is not None:
            self.recorder.close()
        self.recorder = Recorder(
            self._record_to, self.info, self.pipeline.spec.trade_date, time.time_ns()
        )

    async def _end_session(self, *, complete: bool) -> None:
        """Close the current session: last bar, stored profile, recording."""
        pipeline = self.pipeline
        if pipeline is None:
            return
        if complete:
            for decision in pipeline.flush():
                await self._decide(decision)
            self._store_profile(pipeline)
        self._count(pipeline)
        self.pipeline = None
        self._shown = pipeline
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None

    def _store_profile(self, pipeline: Pipeline) -> None:
        """Keep a completed RTH session for later composites (memory, and the store if any)."""
        spec = pipeline.spec
        if spec.rth_close_ns is None or self._ts_max < spec.rth_close_ns:
            return
        prior = pipeline.prior_session()
        if prior is None:
            return
        self._completed[prior.date] = prior
        if self.persister is None:
            return
        value = prior.profile.value_area()
        self.persister.profile(
            ProfileRecord(
                trade_date=spec.trade_date,
                kind=PROFILE_KIND,
                contract=spec.contract,
                source=spec.source,
                row_ticks=prior.profile.row_ticks,
                as_of_ns=self._ts_max,
                poc_tick=None if value is None else value.poc_ticks,
                val_tick=None if value is None else value.val_ticks,
                vah_tick=None if value is None else value.vah_ticks,
                payload=prior.to_payload(),
            )
        )

    def _count(self, pipeline: Pipeline) -> None:
        s = self.summary
        s.events += pipeline.events
        s.trades += pipeline.trades
        s.bad_events += pipeline.bad_events
        s.late_trades += pipeline.late_trades
        for kind, n in pipeline.signal_counts.items():
            s.signals_by_kind[kind] = s.signals_by_kind.get(kind, 0) + n

    async def _open_trading(self, info: FeedInfo) -> None:
        broker = await self._broker_factory(info)
        self.trading = await TradingSession.open(
            source=info.source,
            settings=self.settings,
            clock=self.clock,
            auth_key=self._auth_key,
            broker=broker,
            store=self.store,
            publish=self._hub.publish_event,
            persister=self.persister,
            connect=not broker.is_connected(),
            in_trading_window=self._in_trading_window,
        )
        self._sessions_traded.append(self.trading)
        self._control_app = create_control_app(self.trading.manager, clock=LiveClock())

    async def _switch(self, change: SourceChange) -> None:
        """The atomic handoff: drop the old source's engines and gate, start the new source's."""
        if self.pipeline is not None:
            self._count(self.pipeline)
            self.pipeline = None
        self._shown = None
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        old = self.trading
        self._fill_summary()
        if old is not None:
            await old.close()
        self.trading = None
        self._control_app = None
        self.info = change.info
        self.signals.clear()
        self._ts_max = np.iinfo(np.int64).min
        if change.info.source == "live" and isinstance(self.clock, ReplayClock):
            self.clock = LiveClock()
        await self._open_trading(change.info)
        self._hub.publish_event(
            {"kind": "source", "source": change.info.source, "reason": change.reason}
        )
        log.warning("source switched to %s: %s", change.info.source, change.reason)

    # ---- periodic work and snapshots ---------------------------------------------------------

    async def _housekeeping(self) -> None:
        period = 1.0 / self.settings.node.snapshot_hz
        last_slow = 0.0
        while True:
            await asyncio.sleep(period)
            self._publish_snapshot()
            now = time.monotonic()
            if now - last_slow < HOUSEKEEPING_S:
                continue
            last_slow = now
            trading = self.trading
            if trading is not None:
                trading.manager.check_health()
                trading.publish_gate_change()
            if self.recorder is not None:
                self.recorder.flush()
            if self.persister is not None:
                self._queue_status()
                try:
                    await self.persister.flush_async()
                except StoreError as exc:
                    log.error("store flush failed: %s", exc)

    def _queue_status(self) -> None:
        trading = self.trading
        assert self.persister is not None
        account = None if trading is None else trading.account
        self.persister.status(
            SystemStatusRecord(
                source=self.info.source,
                updated_ts_ns=time.time_ns(),
                balance_gbp=None if account is None else account.net_liquidation_gbp,
                balance_usd=None
                if account is None
                else account.net_liquidation_gbp / account.gbp_per_usd,
                usd_per_gbp=None if account is None else 1.0 / account.gbp_per_usd,
                broker_connected=trading is not None and trading.broker.is_connected(),
                feed_connected=self.feed.state not in ("closed", "disconnected", "ended"),
                connections=self.connections(),
            )
        )

    def snapshot(self) -> dict[str, Any]:
        """The current snapshot (SNAPSHOT.md); after a session ends it shows that session."""
        pipeline = self.pipeline or self._shown
        trading = self.trading
        view = pipeline.view() if pipeline is not None else None
        context = pipeline.context if pipeline is not None else None
        rel = None
        if (
            view is not None
            and view.dva is not None
            and context is not None
            and context.cva is not None
        ):
            rel = relationship(
                view.dva, context.cva, self.settings.migration.edge_tol_ticks
            ).relation
        candles = []
        if pipeline is not None:
            candles = list(pipeline.bars.candles)
            open_candle = pipeline.bars.open_candle()
            if open_candle is not None:
                candles.append(open_candle)
        inp = SnapshotInput(
            source=self.info.source,
            instrument=self.settings.instrument,
            contract=pipeline.spec.contract if pipeline is not None else self.info.contract,
            view=view,
            context=context,
            relationship=rel,
            overnight_poc_ticks=pipeline.overnight_poc() if pipeline is not None else None,
            profile=pipeline.profile_levels() if pipeline is not None else ((), ()),
            signals=list(self.signals),
            plan=self.plan.snapshot() if self.plan is not None else None,
            position=trading.position() if trading is not None else None,
            account=trading.account_gbp() if trading is not None else None,
            connections=self.connections(),
            gate=trading.gate() if trading is not None else None,
            tape=pipeline.recent_trades() if pipeline is not None else (),
            large_lot=self.settings.tape.large_lot,
            candles=candles,
            dom_bids=pipeline.dom.bids if pipeline is not None else (),
            dom_asks=pipeline.dom.asks if pipeline is not None else (),
            band_mults=self.settings.vwap.band_mults,
            config_hash=self._config_hash,
        )
        return build_snapshot(inp)

    def _publish_snapshot(self) -> None:
        self._hub.publish_snapshot(self.snapshot())

    def _fill_summary(self) -> None:
        """Fold the trading sessions' orders, fills and P&L into the summary."""
        s = self.summary
        s.orders_sent = s.orders_denied = s.fills = 0
        s.denials_by_reason = {}
        s.realized_usd = s.unrealized_usd = 0.0
        for trading in self._sessions_traded:
            for intent in trading.intents:
                if intent.accepted:
                    s.orders_sent += 1
                else:
                    s.orders_denied += 1
                    reason = intent.reason or "UNKNOWN"
                    s.denials_by_reason[reason] = s.denials_by_reason.get(reason, 0) + 1
            s.fills += trading.fills
            realized, unrealized = trading.pnl_usd()
            s.realized_usd += realized
            s.unrealized_usd += unrealized
        if self.trading is not None and self.trading.account is not None:
            s.daily_pnl_gbp = self.trading.account.daily_pnl_gbp
