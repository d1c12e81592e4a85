"""The engines of one session of one source, fed event batches: aggressor, one-minute decision
candles, the order-flow bars of `orderflow.bar` (volume bars by default) and their detectors, tape
pressure, anchored VWAP, developing value (RTH) and overnight profile, initial balance, the book and
DOM metrics.

Each engine processes a whole batch with array code (the kernels underneath) and carries its state
to the next batch, and the decision points (a bar closed, a signal fired) come out with the market
view as it stood at that event. Any batching of the same events, from one event at a time (live)
to thousands (replay at max speed), gives the same signals, views and decisions.
"""

from __future__ import annotations

from collections import deque
from typing import Final

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.engine.bars import BarBuilder
from orderflow_lib.engine.context import PriorSession, SessionContext
from orderflow_lib.engine.dom import DomTracker
from orderflow_lib.engine.market_views import (
    EMPTY_BATCH,
    NONE,
    Batch,
    BidAsk,
    MarketViews,
)
from orderflow_lib.engine.running import RunningTrades, SessionWindows, tape_params
from orderflow_lib.engine.session_spec import SessionSpec
from orderflow_lib.engine.view import Decision, MarketView, NodeSignal, signal_id
from orderflow_lib.flow.aggressor import AggressorClassifier
from orderflow_lib.flow.bars import BarSpec
from orderflow_lib.flow.candles import VolCandle
from orderflow_lib.flow.dom import DomParams
from orderflow_lib.flow.signals import Signal
from orderflow_lib.kernels.event_scan import _scan_events
from orderflow_lib.profiles.developing import DevelopingValueArea
from orderflow_lib.profiles.value_area import ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile

__all__ = ["Pipeline", "SessionSpec"]

TAPE_KEEP: Final = 50
DECISION_BAR: Final = BarSpec.parse("1min")
"""The bars whose close asks the strategies (and whose candles the charts show)."""
_Pending = tuple[int, int, "VolCandle | None", tuple[Signal, ...]]
"""A decision point before its view: (event index, kind order, closed candle, signals)."""


class Pipeline:
    """Every engine of one session; `process(events)` returns the batch's decision points."""

    def __init__(
        self,
        spec: SessionSpec,
        context: SessionContext,
        settings: Settings,
        *,
        exchange_side: bool = True,
        dom_metrics: bool = True,
    ) -> None:
        self.spec = spec
        self.context = context
        self.settings = settings
        self.tick_size = settings.instrument.tick_size
        self._rules = ValueAreaRules.from_settings(settings.profile)
        of = settings.orderflow
        self._classifier = (
            None
            if exchange_side
            else AggressorClassifier(
                has_exchange_flag=False,
                methods=[m for m in of.aggressor if m != "EXCHANGE"],
                quote_lag_ms=of.quote_lag_ms,
            )
        )
        flow_bar = BarSpec.from_settings(of.bar)
        self.bars = BarBuilder(of, bar=DECISION_BAR, detect=flow_bar == DECISION_BAR)
        """The decision bars: their closes ask the strategies."""
        self.flow_bars = (
            self.bars if flow_bar == DECISION_BAR else BarBuilder(of, bar=flow_bar, keep=1)
        )
        """The order-flow bars of `orderflow.bar` that the bar detectors read."""
        self.tape = tape_params(settings.tape)
        self.running = RunningTrades(
            self.tape, SessionWindows(spec.vwap_anchor_ns, spec.rth_open_ns, spec.ib_end_ns)
        )
        self._rth = DevelopingValueArea(
            rules=self._rules, row_ticks=settings.profile.row_ticks, tick_size=self.tick_size
        )
        self._eth = DevelopingValueArea(
            rules=self._rules, row_ticks=settings.profile.row_ticks, tick_size=self.tick_size
        )
        params = (
            DomParams.from_settings(settings.dom, of.abs_window_s, of.abs_min_vol)
            if dom_metrics
            else None
        )
        self.dom = DomTracker(settings.dom.levels, params)
        self._rth_bounds = (
            None
            if spec.rth_open_ns is None or spec.rth_close_ns is None
            else np.array((spec.rth_open_ns, spec.rth_close_ns), dtype=np.int64)
        )
        self._views = MarketViews(spec, self.tick_size, self._rules, self.tape.window_s)
        self._last_trade_ts = np.iinfo(np.int64).min
        self._ladder: dict[int, int] = {}
        self._tape_keep: deque[tuple[np.ndarray, ...]] = deque(maxlen=TAPE_KEEP)
        self.events = 0
        self.trades = 0
        self.bad_events = 0
        self.late_trades = 0
        self.batch_trades: tuple[np.ndarray, np.ndarray, np.ndarray] = (NONE, NONE, NONE)
        """(event index, time, price ticks) of the last batch's usable trades, for the broker."""
        self.signal_counts: dict[str, int] = {}
        self._rth_close: int | None = None
        self._rth_open_price: int | None = None
        self._overnight_given = False
        self._view: MarketView | None = None

    # ---- processing --------------------------------------------------------------------------

    def process(self, events: np.ndarray) -> list[Decision]:
        """Run a batch (events of this session, in arrival order); its decisions in event order."""
        n = events.shape[0]
        if n == 0:
            return []
        ts_run, t_idx, q_idx, bad, ts, price, size, side, late = _scan_events(
            events, self._views.ts, self._last_trade_ts
        )
        self.bad_events += bad
        b = Batch(events, ts_run, t_idx, q_idx)
        self.batch_trades = (t_idx, ts, price)
        pending: list[_Pending] = []
        if t_idx.shape[0]:
            self.late_trades += late
            self._last_trade_ts = int(ts[-1])
            pending += self._trades(events, b, ts, price, size, side)
        for at, signal in self.dom.add(events):
            pending.append((at, 2, None, (signal,)))
        decisions = self._decisions(pending, b) if pending else []
        self._views.finish(b)
        self._view = None
        self.events += n
        return decisions

    def flush(self) -> list[Decision]:
        """End of session (or of data): close the open bars; their decision point."""
        pending: list[_Pending] = [(-1, 0, bar.candle, bar.signals) for bar in self.bars.flush()]
        if self.flow_bars is not self.bars:
            pending += [(-1, 0, None, bar.signals) for bar in self.flow_bars.flush() if bar.signals]
        return self._decisions(pending, EMPTY_BATCH)

    def _trades(
        self,
        events: np.ndarray,
        b: Batch,
        ts: np.ndarray,
        price: np.ndarray,
        size: np.ndarray,
        side: np.ndarray,
    ) -> list[_Pending]:
        """Every trade engine on the batch's usable trades (times held forward, in order)."""
        t_idx = b.t_idx
        if self._classifier is not None:
            side = self._classify(events, b, ts, price)
        self.trades += t_idx.shape[0]
        b.price = price
        pending: list[_Pending] = []
        for bar in self.bars.add(ts, price, size, side, t_idx):
            pending.append((bar.at, 0, bar.candle, bar.signals))
        if self.flow_bars is not self.bars:
            for bar in self.flow_bars.add(ts, price, size, side, t_idx):
                if bar.signals:
                    pending.append((bar.at, 0, None, bar.signals))
        run = self.running.add(ts, price, size, side)
        b.run = run
        for k, signal in zip(run.signal_trades, run.signals, strict=True):
            pending.append((int(t_idx[k]), 1, None, (signal,)))
        self._profiles(b, ts, price, size)
        self._ladder_add(price, size)
        self._tape_keep.append(
            (ts[-TAPE_KEEP:], price[-TAPE_KEEP:], size[-TAPE_KEEP:], side[-TAPE_KEEP:])
        )
        return pending

    def _classify(
        self, events: np.ndarray, b: Batch, ts: np.ndarray, price: np.ndarray
    ) -> np.ndarray:
        """Aggressor of trades without an exchange flag, from the quotes in feed order (spec §7.1)."""
        classifier = self._classifier
        assert classifier is not None
        side = np.zeros(b.t_idx.shape[0], dtype=np.int8)
        order = np.concatenate((b.q_idx, b.t_idx))
        is_trade = np.concatenate(
            (np.zeros(b.q_idx.shape[0], dtype=bool), np.ones(b.t_idx.shape[0], dtype=bool))
        )
        rank = np.argsort(order, kind="stable")
        q_ts = events["ts_ns"][b.q_idx].tolist()
        k_quote = k_trade = 0
        for trade in is_trade[rank].tolist():
            if trade:
                side[k_trade] = classifier.on_trade(int(ts[k_trade]), int(price[k_trade]))[0]
                k_trade += 1
            else:
                bid, ask = b.quote(k_quote)[::2]
                classifier.on_quote(q_ts[k_quote], bid, ask)
                k_quote += 1
        return side

    def _profiles(self, b: Batch, ts: np.ndarray, price: np.ndarray, size: np.ndarray) -> None:
        """Developing value of the RTH trades; the overnight profile of the trades before RTH."""
        if self._rth_bounds is None:
            self._eth.extend(price, size, int(ts[-1]))
            return
        first, stop = np.searchsorted(ts, self._rth_bounds).tolist()
        if first:
            self._eth.extend(price[:first], size[:first], int(ts[first - 1]))
        if stop > first:
            b.rth_pos = np.arange(first, stop)
            b.rth_ts = ts[first:stop]
            b.rth_rows = self._rth.extend(price[first:stop], size[first:stop], int(ts[stop - 1]))
            self._rth_close = int(price[stop - 1])
            if self._rth_open_price is None:
                self._rth_open_price = int(price[first])

    def _ladder_add(self, price: np.ndarray, size: np.ndarray) -> None:
        ladder = self._ladder
        for p, v in zip(price.tolist(), size.tolist(), strict=True):
            ladder[p] = ladder.get(p, 0) + v

    # ---- decisions and views -----------------------------------------------------------------

    def _decisions(self, pending: list[_Pending], b: Batch) -> list[Decision]:
        if not pending:
            return []
        pending.sort(key=lambda p: (p[0], p[1]))
        out: list[Decision] = []
        k = 0
        while k < len(pending):
            at = pending[k][0]
            candle: VolCandle | None = None
            signals: list[Signal] = []
            while k < len(pending) and pending[k][0] == at:
                if pending[k][2] is not None:
                    candle = pending[k][2]
                signals.extend(pending[k][3])
                k += 1
            view = self.view_at(b, at)
            tagged = tuple(self._tag(s, view) for s in signals)
            for s in signals:
                self.signal_counts[str(s.kind)] = self.signal_counts.get(str(s.kind), 0) + 1
            out.append(
                Decision(
                    view,
                    self.context,
                    tagged,
                    candle,
                    overnight=self._overnight(candle),
                    event_index=at,
                )
            )
        return out

    def _overnight(self, candle: VolCandle | None) -> VolumeProfile | None:
        """The overnight profile, once, with the first bar ending at or after the RTH open."""
        rth_open = self.spec.rth_open_ns
        if candle is None or self._overnight_given or rth_open is None or candle.end_ns < rth_open:
            return None
        self._overnight_given = True
        return self._eth.profile()

    def _tag(self, signal: Signal, view: MarketView) -> NodeSignal:
        return NodeSignal(
            signal_id(self.spec.source, self.spec.contract, signal),
            signal,
            self.where(signal.price_ticks, view),
        )

    def key_levels(self, view: MarketView) -> dict[str, int]:
        """Key levels in ticks by name (value edges, POCs, VWAP, IB, overnight, prior day)."""
        levels: dict[str, int] = {}
        ctx = self.context
        if ctx.cva is not None:
            levels.update(
                CVA_VAL=ctx.cva.val_ticks, CVA_POC=ctx.cva.poc_ticks, CVA_VAH=ctx.cva.vah_ticks
            )
        if ctx.prior_value is not None:
            v = ctx.prior_value
            levels.update(PRIOR_VAL=v.val_ticks, PRIOR_POC=v.poc_ticks, PRIOR_VAH=v.vah_ticks)
        if ctx.prior is not None:
            levels.update(PRIOR_HIGH=ctx.prior.high_ticks, PRIOR_LOW=ctx.prior.low_ticks)
        if view.dva is not None:
            levels.update(VAL=view.dva.val_ticks, POC=view.dva.poc_ticks, VAH=view.dva.vah_ticks)
        if view.has_vwap:
            levels["VWAP"] = round(view.vwap_ticks)
        for name, value in (
            ("IB_HIGH", view.ib_high_ticks),
            ("IB_LOW", view.ib_low_ticks),
            ("ON_HIGH", view.on_high_ticks),
            ("ON_LOW", view.on_low_ticks),
        ):
            if value is not None:
                levels[name] = value
        return levels

    def where(self, price_ticks: int, view: MarketView) -> str | None:
        """ "AT_<level>" for the nearest key level within open.ref_tol_ticks of the price."""
        tol = self.settings.open.ref_tol_ticks
        best: tuple[int, str] | None = None
        for name, tick in self.key_levels(view).items():
            distance = abs(price_ticks - tick)
            if distance <= tol and (best is None or distance < best[0]):
                best = (distance, name)
        return None if best is None else f"AT_{best[1]}"

    def view_at(self, b: Batch, at: int) -> MarketView:
        """The market after event `at` of the batch (-1: before the batch)."""
        return self._views.at(b, at, self.running.last)

    def touch(self) -> tuple[int, int | None, BidAsk | None]:
        """(time, last trade, (bid, bid size, ask, ask size)) after the last event: what the
        broker simulation and the gate follow, without building a whole view."""
        views = self._views
        return views.ts, views.last, views.quote

    # ---- state for snapshots and the end of the session --------------------------------------

    def view(self) -> MarketView:
        """The market after the last event processed."""
        if self._view is None:
            self._view = self.view_at(EMPTY_BATCH, -1)
        return self._view

    def profile_levels(self) -> tuple[list[int], list[int]]:
        """The session volume profile: prices (ticks, ascending) and volumes."""
        prices = sorted(self._ladder)
        return prices, [self._ladder[p] for p in prices]

    def overnight_poc(self) -> int | None:
        """POC of the overnight (pre-RTH) trades."""
        value = self._eth.value_area()
        return None if value is None else value.poc_ticks

    def recent_trades(self) -> list[tuple[int, int, int, int]]:
        """The last trades (ts_ns, price_ticks, size, side), newest last (the batches' tails are
        kept as arrays and turned into rows only here, for snapshots)."""
        rows = [
            row
            for ts, price, size, side in self._tape_keep
            for row in zip(ts.tolist(), price.tolist(), size.tolist(), side.tolist(), strict=True)
        ]
        return rows[-TAPE_KEEP:]

    def rth_profile(self) -> VolumeProfile:
        """The RTH volume profile so far (today's DVA profile)."""
        return self._rth.profile()

    def prior_session(self) -> PriorSession | None:
        """This session as a PriorSession for later composites (None without RTH trades)."""
        profile = self._rth.profile()
        if (
            profile.high_tick is None
            or profile.low_tick is None
            or self._rth_close is None
            or self._rth_open_price is None
        ):
            return None
        return PriorSession(
            self.spec.trade_date,
            self.spec.contract,
            profile,
            self._rth_open_price,
            profile.high_tick,
            profile.low_tick,
            self._rth_close,
        )
