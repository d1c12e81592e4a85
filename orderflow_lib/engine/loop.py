"""The trading loop the node and every backtest share: event batches -> the session's pipeline
(one per trade date) -> decisions -> strategies -> the trading session (gate, broker).

It routes batches to the trade date they belong to (opening and closing sessions), shows the
broker each batch's trades before the decision that follows them, keeps completed RTH sessions
for later composites, and counts what it did. Persistence goes through the `Sink` port and events
through `publish`; no I/O of its own, any clock.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

import numpy as np

from orderflow_lib.core.clock import DrivenClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.context import PriorSession, build_context
from orderflow_lib.engine.pipeline import Pipeline, SessionSpec
from orderflow_lib.engine.ports import Sink
from orderflow_lib.engine.strategy import DecisionJournal, PlanSource, Strategy
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.view import Decision, NodeSignal
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.strategy.intents import TradeIntent

log = logging.getLogger(__name__)

KEEP_SIGNALS: Final = 50
HistorySource = Callable[[date, str, str], Awaitable[Sequence[PriorSession]]]
"""(trade date, contract, source) -> the prior RTH sessions the context is built from."""
Publish = Callable[[dict[str, Any]], None]


@dataclass
class LoopCounts:
    """What the loop processed: events, trades, refused and late events, sessions, signals."""

    events: int = 0
    trades: int = 0
    bad_events: int = 0
    late_trades: int = 0
    sessions: int = 0
    signals_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoopSource:
    """The source the loop trades: its name, data contract ('' lets the calendar choose the lead
    contract) and whether trades carry the exchange's aggressor flag."""

    source: str
    contract: str = ""
    exchange_side: bool = True


class TradingLoop:
    """Sessions, pipelines and decisions of one source; the node or a backtest feeds it batches."""

    def __init__(
        self,
        settings: Settings,
        calendar: SessionCalendar,
        clock: DrivenClock,
        source: LoopSource,
        *,
        strategies: Sequence[Strategy] = (),
        history: HistorySource | None = None,
        publish: Publish | None = None,
        sink: Sink | None = None,
        dom_metrics: bool = True,
        on_session: Callable[[Pipeline], None] | None = None,
        on_signal: Callable[[NodeSignal], None] | None = None,
        on_batch: Callable[[np.ndarray], None] | None = None,
    ) -> None:
        self.settings = settings
        self.calendar = calendar
        self.clock = clock
        self.source = source
        self.strategies = list(strategies)
        self.history = history
        self.publish: Publish = publish or (lambda event: None)
        self.sink = sink
        self.dom_metrics = dom_metrics
        self.on_session = on_session
        self.on_signal = on_signal
        self.on_batch = on_batch
        self.trading: TradingSession | None = None
        self.pipeline: Pipeline | None = None
        self.shown: Pipeline | None = None
        self.signals: deque[NodeSignal] = deque(maxlen=KEEP_SIGNALS)
        self.decisions = 0
        self.counts = LoopCounts()
        self.completed: dict[date, PriorSession] = {}
        self._ts_max = np.iinfo(np.int64).min

    # ---- batches -----------------------------------------------------------------------------

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
                await self.open_session(self.calendar.trade_date(int(ts_run[start])))
            pipeline = self.pipeline
            assert pipeline is not None
            stop = int(np.searchsorted(ts_run, pipeline.spec.close_ns, side="left"))
            stop = max(stop, start)
            if stop > start:
                await self._run_batch(pipeline, events[start:stop])
            start = stop
            if start < n:
                await self.end_session(complete=True)

    async def _run_batch(self, pipeline: Pipeline, events: np.ndarray) -> None:
        """Run a batch through the engines and act on its decisions; the broker sees the batch's
        trades up to each decision before it is acted on."""
        if self.on_batch is not None:
            self.on_batch(events)
        decisions = pipeline.process(events)
        index, ts, price = pipeline.batch_trades
        done = 0
        for decision in decisions:
            upto = (
                int(np.searchsorted(index, decision.event_index, side="right"))
                if decision.event_index >= 0
                else len(index)
            )
            self._trades_to_broker(ts[done:upto], price[done:upto])
            done = max(done, upto)
            await self._decide(decision)
        self._trades_to_broker(ts[done:], price[done:])
        ts_ns, last, quote = pipeline.touch()
        self.set_clock(ts_ns)
        if self.trading is not None:
            self.trading.on_touch(ts_ns, last, quote)

    def _trades_to_broker(self, ts: np.ndarray, price: np.ndarray) -> None:
        if self.trading is not None and len(price):
            self.set_clock(int(ts[-1]))
            self.trading.on_trades(ts, price)

    def set_clock(self, ts_ns: int) -> None:
        """Show the clock event time (a replay clock moves there, a live clock keeps its own)."""
        self.clock.follow(ts_ns)

    # ---- decisions ---------------------------------------------------------------------------

    async def _decide(self, decision: Decision) -> None:
        self.decisions += 1
        view = decision.view
        self.set_clock(view.ts_ns)
        trading = self.trading
        if trading is not None:
            trading.on_market(view)
        for s in decision.signals:
            self.signals.append(s)
            if self.on_signal is not None:
                self.on_signal(s)
        if decision.candle is not None:
            if self.sink is not None:
                self.sink.bar(view)
            if trading is not None:
                await trading.refresh_account()
        if trading is None:
            return
        await trading.settle()
        account = trading.account
        decision = replace(
            decision,
            position=trading.manager.positions.get(trading.instrument, 0),
            working=len(trading.working_orders()),
            usd_gbp=None if account is None else account.gbp_per_usd,
        )
        intents: list[TradeIntent] = []
        for strategy in self.strategies:
            intents.extend(strategy.on_decision(decision))
            if isinstance(strategy, DecisionJournal):
                trading.journal(strategy.take_journal())
            if isinstance(strategy, PlanSource):
                for plan in strategy.take_plans():
                    if self.sink is not None:
                        self.sink.plan(plan)
        if intents:
            await trading.act(decision, intents)
        await trading.settle()

    # ---- sessions ----------------------------------------------------------------------------

    def contract_for(self, trade_date: date) -> str:
        """The data contract of a trade date: the source's own, or the calendar's lead contract."""
        if self.source.source == "synthetic" or not self.source.contract:
            return self.calendar.lead_contract(trade_date, self.settings.instrument.display)
        return self.source.contract

    async def open_session(self, trade_date: date) -> None:
        """Start a trade date: context from the completed and historical sessions before it."""
        contract = self.contract_for(trade_date)
        by_date = {p.date: p for p in self.completed.values() if p.date < trade_date}
        if self.history is not None:
            for prior in await self.history(trade_date, contract, self.source.source):
                by_date.setdefault(prior.date, prior)
        priors = [by_date[d] for d in sorted(by_date)]
        context = build_context(trade_date, contract, priors, self.settings, self.calendar)
        spec = SessionSpec.for_date(
            trade_date, contract, self.source.source, self.calendar, self.settings.vwap.anchor
        )
        self.pipeline = Pipeline(
            spec,
            context,
            self.settings,
            exchange_side=self.source.exchange_side,
            dom_metrics=self.dom_metrics,
        )
        self.counts.sessions += 1
        for strategy in self.strategies:
            strategy.start_session(context)
        if self.trading is not None:
            self.trading.start_day()
        if self.on_session is not None:
            self.on_session(self.pipeline)
        self.publish(
            {
                "kind": "session",
                "trade_date": trade_date.isoformat(),
                "contract": contract,
                "source": self.source.source,
            }
        )

    async def end_session(self, *, complete: bool) -> None:
        """Close the current session: the last bar (when complete) and the stored profile."""
        pipeline = self.pipeline
        if pipeline is None:
            return
        if complete:
            for decision in pipeline.flush():
                await self._decide(decision)
            self._keep_profile(pipeline)
        self._count(pipeline)
        self.pipeline = None
        self.shown = pipeline

    def _keep_profile(self, pipeline: Pipeline) -> None:
        """Keep a completed RTH session for later composites (memory, and the sink if any)."""
        spec = pipeline.spec
        if spec.rth_close_ns is None or self._ts_max < spec.rth_close_ns:
            return
        prior = pipeline.prior_session()
        if prior is None:
            return
        self.completed[prior.date] = prior
        if self.sink is not None:
            self.sink.profile(prior, spec.contract, self._ts_max)

    def _count(self, pipeline: Pipeline) -> None:
        c = self.counts
        c.events += pipeline.events
        c.trades += pipeline.trades
        c.bad_events += pipeline.bad_events
        c.late_trades += pipeline.late_trades
        for kind, n in pipeline.signal_counts.items():
            c.signals_by_kind[kind] = c.signals_by_kind.get(kind, 0) + n

    def events_seen(self) -> int:
        """Events counted so far, the open session's included."""
        return self.counts.events + (0 if self.pipeline is None else self.pipeline.events)

    def stop(self) -> None:
        """Close the open session without its last bar (a stop)."""
        if self.pipeline is not None:
            self._count(self.pipeline)
            self.shown, self.pipeline = self.pipeline, None

    def switch(self, source: LoopSource, sink: Sink | None) -> None:
        """The atomic handoff to another source: its engines start from nothing."""
        if self.pipeline is not None:
            self._count(self.pipeline)
        self.pipeline = self.shown = None
        self.source, self.sink = source, sink
        self.signals.clear()
        self._ts_max = np.iinfo(np.int64).min
