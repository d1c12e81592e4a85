"""Market views of one session at any event of a batch: the batch's per-trade arrays, and the last
time, trade, quote and developing value before it, turned into a `MarketView` only when asked."""

from __future__ import annotations

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.engine.running import TradeRun, optional
from orderflow_lib.engine.session_spec import SessionSpec
from orderflow_lib.engine.view import MarketView
from orderflow_lib.kernels import session_trades as col
from orderflow_lib.market.events import MARKET_EVENT_DTYPE
from orderflow_lib.profiles.developing import DevelopingRows
from orderflow_lib.profiles.value_area import ValueArea, ValueAreaRules

BidAsk = tuple[int, int, int, int]
"""(bid ticks, bid size, ask ticks, ask size)."""
DvaRow = tuple[int, int, int, int, int, int]
"""Developing value after a trade: (POC, VAL, VAH ticks, captured volume, total volume, ts_ns)."""
Running = tuple[np.ndarray, np.ndarray]
"""A row of running values (ints, floats; columns as `kernels.session_trades`)."""
NONE = np.empty(0, dtype=np.int64)
_NO_ROWS = DevelopingRows(np.empty((5, 0), dtype=np.int64), 0, 1)
_NO_EVENTS = np.empty(0, dtype=MARKET_EVENT_DTYPE)


class Batch:
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
        self.price = self.rth_pos = NONE
        self.run: TradeRun | None = None
        self.rth_rows = _NO_ROWS
        self.rth_ts = NONE

    def dva(self, r: int) -> DvaRow:
        """The developing value after the batch's r-th RTH trade."""
        poc, val, vah, volume, total = self.rth_rows.point(r)
        return poc, val, vah, volume, total, int(self.rth_ts[r])

    def quote(self, k: int) -> BidAsk:
        """(bid, bid size, ask, ask size) of the batch's k-th quote."""
        _, _, _, _, _, bid, bid_size, ask, ask_size, _, _ = self.events[int(self.q_idx[k])].item()
        return bid, bid_size, ask, ask_size


EMPTY_BATCH = Batch(_NO_EVENTS, NONE, NONE, NONE)


def _before(positions: np.ndarray, index: int) -> int:
    """Position of the last entry of sorted `positions` that is <= index (-1 if none)."""
    return int(np.searchsorted(positions, index, side="right")) - 1


class MarketViews:
    """The views of one session; `finish` keeps a batch's last values for the next batch."""

    def __init__(
        self, spec: SessionSpec, tick_size: float, rules: ValueAreaRules, window_s: float
    ) -> None:
        self.spec = spec
        self.tick_size = tick_size
        self._rules = rules
        self._window_s = window_s
        self.ts = spec.open_ns
        self.last: int | None = None
        self.quote: BidAsk | None = None
        self._dva_row: DvaRow | None = None

    def at(self, b: Batch, at: int, running: Running) -> MarketView:
        """The market after event `at` of the batch (-1: before the batch); `running` is the row
        of running values before the batch."""
        j = _before(b.t_idx, at) if at >= 0 else -1
        qj = _before(b.q_idx, at) if at >= 0 else -1
        run = b.run
        if j >= 0 and run is not None:
            r = _before(b.rth_pos, j)
            dva_row = b.dva(r) if r >= 0 else self._dva_row
            return self._view(
                int(b.ts_run[at]),
                int(b.price[j]),
                b.quote(qj) if qj >= 0 else self.quote,
                (run.ints[j], run.floats[j]),
                dva_row,
            )
        return self._view(
            int(b.ts_run[at]) if at >= 0 else self.ts,
            self.last,
            b.quote(qj) if qj >= 0 else self.quote,
            run.before if run is not None else running,
            self._dva_row,
        )

    def finish(self, b: Batch) -> None:
        """Keep the batch's last time, trade, quote and developing value for the next batch."""
        self.ts = int(b.ts_run[-1])
        if b.price.shape[0]:
            self.last = int(b.price[-1])
        if b.q_idx.shape[0]:
            self.quote = b.quote(b.q_idx.shape[0] - 1)
        if b.rth_pos.shape[0]:
            self._dva_row = b.dva(b.rth_pos.shape[0] - 1)

    def _view(
        self,
        ts_ns: int,
        last: int | None,
        quote: BidAsk | None,
        values: Running,
        dva_row: DvaRow | None,
    ) -> MarketView:
        """A MarketView of the running values `values`."""
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
            intensity=in_window / self._window_s,
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
