"""The engines of one session of one source, fed event batches: aggressor, candles and footprint,
bar detectors, tape pressure, anchored VWAP, developing value (RTH) and overnight profile, initial
balance, the book and DOM metrics.

Each engine processes a whole batch with array code (the kernels underneath) and carries its state
to the next batch, and the decision points (a bar closed, a signal fired) come out with the market
view as it stood at that event. Any batching of the same events, from one event at a time (live)
to thousands (replay at max speed), gives the same signals, views and decisions.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.feeds.events import MARKET_EVENT_DTYPE
from orderflow_lib.flow.aggressor import AggressorClassifier
from orderflow_lib.flow.candles import VolCandle
from orderflow_lib.flow.dom import DomParams
from orderflow_lib.flow.signals import Signal
from orderflow_lib.kernels import session_trades as col
from orderflow_lib.kernels.event_scan import _scan_events
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.node.bars import BarBuilder
from orderflow_lib.node.context import PriorSession, SessionContext
from orderflow_lib.node.dom import DomTracker
from orderflow_lib.node.running import (
    RunningTrades,
    SessionWindows,
    TradeRun,
    optional,
    tape_params,
)
from orderflow_lib.node.view import Decision, MarketView, NodeSignal, signal_id
from orderflow_lib.profiles.developing import DevelopingRows, DevelopingValueArea
from orderflow_lib.profiles.value_area import ValueArea, ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile

TAPE_KEEP: Final = 50
_Pending = tuple[int, int, "VolCandle | None", tuple[Signal, ...]]
"""A decision point before its view: (event index, kind order, closed candle, signals)."""
BidAsk = tuple[int, int, int, int]
"""(bid ticks, bid size, ask ticks, ask size)."""
_IB_MINUTES: Final = 60


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """The windows of one trade date the engines need (UTC ns)."""

    trade_date: date
    contract: str
    source: str
    open_ns: int
    close_ns: int
    rth_open_ns: int | None
    rth_close_ns: int | None
    vwap_anchor_ns: int | None

    @property
    def ib_end_ns(self) -> int | None:
        """End of the initial balance (first RTH hour)."""
        return None if self.rth_open_ns is None else self.rth_open_ns + _IB_MINUTES * NS_PER_MINUTE

    @classmethod
    def for_date(
        cls,
        trade_date: date,
        contract: str,
        source: str,
        calendar: SessionCalendar,
        vwap_anchor: str = "rth_open",
    ) -> SessionSpec:
        """The spec of a CME trade date from the exchange calendar."""
        window = calendar.globex_window(trade_date)
        rth = calendar.rth_session(trade_date)
        rth_open = None if rth is None else int(rth.rth_open_ns)
        anchor = int(window.open_ns) if vwap_anchor == "globex_open" else rth_open
        return cls(
            trade_date,
            contract,
            source,
            int(window.open_ns),
            int(window.close_ns),
            rth_open,
            None if rth is None else int(rth.rth_close_ns),
            anchor,
        )


_NONE = np.empty(0, dtype=np.int64)
_NO_ROWS = DevelopingRows(np.empty((5, 0), dtype=np.int64), 0, 1)
DvaRow = tuple[int, int, int, int, int, int]
"""Developing value after a trade: (POC, VAL, VAH ticks, captured volume, total volume, ts_ns)."""
_NO_EVENTS = np.empty(0, dtype=MARKET_EVENT_DTYPE)


class _Batch:
    """Per-trade arrays of one batch, for views at any event of it (empty until filled)."""

    def __init__(
        self,
        events: np.ndarray,
        ts_run: np.ndarray,
        t_idx: np.ndarray,
        q_idx: np.ndarray,
    ) -> None:
        self.events = events
        self.ts_run = ts_run
        self.t_idx = t_idx
        self.q_idx = q_idx
        self.price = self.rth_pos = _NONE
        self.run: TradeRun | None = None
        self.rth_rows = _NO_ROWS
        self.rth_ts = _NONE

    def dva(self, r: int) -> DvaRow:
        """The developing value after the batch's r-th RTH trade."""
        poc, val, vah, volume, total = self.rth_rows.point(r)
        return poc, val, vah, volume, total, int(self.rth_ts[r])

    def quote(self, k: int) -> BidAsk:
        """(bid, bid size, ask, ask size) of the batch's k-th quote."""
        _, _, _, _, _, bid, bid_size, ask, ask_size, _, _ = self.events[int(self.q_idx[k])].item()
        return bid, bid_size, ask, ask_size


_EMPTY_BATCH = _Batch(_NO_EVENTS, _NONE, _NONE, _NONE)


def _before(positions: np.ndarray, index: int) -> int:
    """Position of the last entry of sorted `positions` that is <= index (-1 if none)."""
    return int(np.searchsorted(positions, index, side="right")) - 1


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
        self.bars = BarBuilder(of)
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
        self._ts = spec.open_ns
        self._rth_bounds = (
            None
            if spec.rth_open_ns is None or spec.rth_close_ns is None
            else np.array((spec.rth_open_ns, spec.rth_close_ns), dtype=np.int64)
        )
        self._last: int | None = None
        self._quote: BidAsk | None = None
        self._dva_row: DvaRow | None = None
        self._last_trade_ts = np.iinfo(np.int64).min
        self._ladder: dict[int, int] = {}
        self._tape_keep: deque[tuple[np.ndarray, ...]] = deque(maxlen=TAPE_KEEP)
        self.events = 0
        self.trades = 0
        self.bad_events = 0
        self.late_trades = 0
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
            events, self._ts, self._last_trade_ts
        )
        self.bad_events += bad
        b = _Batch(events, ts_run, t_idx, q_idx)
        pending: list[_Pending] = []
        if t_idx.shape[0]:
            self.late_trades += late
            self._last_trade_ts = int(ts[-1])
            pending += self._trades(events, b, ts, price, size, side)
        for at, signal in self.dom.add(events):
            pending.append((at, 2, None, (signal,)))
        decisions = self._decisions(pending, b) if pending else []
        self._finish(b)
        self.events += n
        return decisions

    def flush(self) -> list[Decision]:
        """End of session (or of data): close the open bar; its decision point."""
        closed = self.bars.flush()
        if not closed:
            return []
        pending: list[_Pending] = [(-1, 0, bar.candle, bar.signals) for bar in closed]
        return self._decisions(pending, _EMPTY_BATCH)

    def _trades(
        self,
        events: np.ndarray,
        b: _Batch,
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
            pending.append((bar.closing_index - 1, 0, bar.candle, bar.signals))
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
        self, events: np.ndarray, b: _Batch, ts: np.ndarray, price: np.ndarray
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

    def _profiles(self, b: _Batch, ts: np.ndarray, price: np.ndarray, size: np.ndarray) -> None:
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

    def _decisions(self, pending: list[_Pending], b: _Batch) -> list[Decision]:
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
                Decision(view, self.context, tagged, candle, overnight=self._overnight(candle))
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

    def view_at(self, b: _Batch, at: int) -> MarketView:
        """The market after event `at` of the batch (-1: before the batch)."""
        j = _before(b.t_idx, at) if at >= 0 else -1
        qj = _before(b.q_idx, at) if at >= 0 else -1
        run = b.run
        if j >= 0 and run is not None:
            r = _before(b.rth_pos, j)
            dva_row = b.dva(r) if r >= 0 else self._dva_row
            return self._market_view(
                int(b.ts_run[at]),
                int(b.price[j]),
                b.quote(qj) if qj >= 0 else self._quote,
                (run.ints[j], run.floats[j]),
                dva_row,
            )
        return self._market_view(
            int(b.ts_run[at]) if at >= 0 else self._ts,
            self._last,
            b.quote(qj) if qj >= 0 else self._quote,
            run.before if run is not None else self.running.last,
            self._dva_row,
        )

    def _market_view(
        self,
        ts_ns: int,
        last: int | None,
        quote: BidAsk | None,
        values: tuple[np.ndarray, np.ndarray],
        dva_row: DvaRow | None,
    ) -> MarketView:
        """A MarketView of the running values `values` (a row of `node.running`)."""
        spec = self.spec
        ints, floats = values
        (
            volume,
            high,
            low,
            cd,
            large_lot_delta,
            in_window,
            on_high,
            on_low,
            ib_high,
            ib_low,
        ) = ints[: col.O_IB_LOW + 1].tolist()
        vwap, sigma, pressure = floats.tolist()
        in_rth = (
            spec.rth_open_ns is not None
            and spec.rth_close_ns is not None
            and spec.rth_open_ns <= ts_ns < spec.rth_close_ns
        )
        return MarketView(
            ts_ns=ts_ns,
            trade_date=spec.trade_date,
            contract=spec.contract,
            source=spec.source,
            last_ticks=last,
            volume=volume,
            high_ticks=optional(high),
            low_ticks=optional(low),
            bid_ticks=None if quote is None else quote[0],
            bid_size=None if quote is None else quote[1],
            ask_ticks=None if quote is None else quote[2],
            ask_size=None if quote is None else quote[3],
            vwap_ticks=vwap,
            sigma_ticks=sigma,
            dva=None if dva_row is None else self._value(dva_row),
            on_high_ticks=optional(on_high),
            on_low_ticks=optional(on_low),
            ib_high_ticks=optional(ib_high),
            ib_low_ticks=optional(ib_low),
            in_rth=in_rth,
            cumulative_delta=cd,
            pressure=pressure,
            large_lot_delta=large_lot_delta,
            intensity=in_window / self.tape.window_s,
        )

    def _value(self, row: DvaRow) -> ValueArea:
        poc, val, vah, volume, total, ts_ns = row
        return ValueArea.from_ticks(
            poc_ticks=poc,
            val_ticks=val,
            vah_ticks=vah,
            volume=volume,
            total=total,
            tick_size=self.tick_size,
            pct=exact(self._rules.pct),
            method=self._rules.method,
            as_of_ns=ts_ns,
        )

    def _finish(self, b: _Batch) -> None:
        """Keep the batch's last time, trade, quote and developing value for the next batch."""
        self._ts = int(b.ts_run[-1])
        if b.price.shape[0]:
            self._last = int(b.price[-1])
        if b.q_idx.shape[0]:
            self._quote = b.quote(b.q_idx.shape[0] - 1)
        if b.rth_pos.shape[0]:
            self._dva_row = b.dva(b.rth_pos.shape[0] - 1)
        self._view = None

    def touch(self) -> tuple[int, int | None, BidAsk | None]:
        """(time, last trade, (bid, bid size, ask, ask size)) after the last event: what the
        broker simulation and the gate follow, without building a whole view."""
        return self._ts, self._last, self._quote

    # ---- state for snapshots and the end of the session --------------------------------------

    def view(self) -> MarketView:
        """The market after the last event processed."""
        if self._view is None:
            self._view = self.view_at(_EMPTY_BATCH, -1)
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
