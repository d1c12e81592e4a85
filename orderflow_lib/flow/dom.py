"""DOM metrics over book frames and trades (spec §7.10): imbalance I = (B - A) / (B + A) over the
top dom.imbalance_levels and its 1/i weighted form; DOM_IMBALANCE when |I| >= dom.sustain_abs holds
for dom.sustain_s; PULLING / STACKING when resting size near the touch falls / grows by at least
max(dom.pull_min, dom.pull_frac x size at the window start) within dom.window_s, traded volume
excluded (net_add = size_t1 - size_t0 + traded); ICEBERG when a level executes more than it ever
displayed within orderflow.abs_window_s (the DOM-confirmed absorption of §7.5).

Batch form `dom_metrics` (numba) and incremental `DomEngine` give the same numbers and signals. A
gap frame (crossed, locked, reset, bad input, unsorted book) clears every tracked level."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from orderflow_lib.core.config import DomSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.book import GAP_STATUS, BookFrame, BookFrames
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.kernels.dom_state import (
    KIND_DOM_IMBALANCE,
    KIND_ICEBERG,
    KIND_PULLING,
    KIND_STACKING,
    M_ICE_MIN_VOL,
    M_ICE_WINDOW_NS,
    M_IMB_LEVELS,
    M_NEAR_TICKS,
    M_ON,
    M_PULL_DEN,
    M_PULL_MIN,
    M_PULL_NUM,
    M_SUSTAIN_DEN,
    M_SUSTAIN_NS,
    M_SUSTAIN_NUM,
    M_WINDOW_NS,
    PARAMS_SIZE,
    RING,
    new_dom_state,
)
from orderflow_lib.kernels.flow_dom import _dom_metrics

_KINDS = {
    KIND_DOM_IMBALANCE: SignalKind.DOM_IMBALANCE,
    KIND_PULLING: SignalKind.PULLING,
    KIND_STACKING: SignalKind.STACKING,
    KIND_ICEBERG: SignalKind.ICEBERG,
}
_SIDE_NAMES = {0: "bid", 1: "ask", -1: "book"}


@dataclass(frozen=True, slots=True)
class DomParams:
    """dom.* settings (plus the iceberg window and minimum from orderflow.abs_*)."""

    imbalance_levels: int = 5
    sustain_s: int = 10
    sustain_abs: Fraction = Fraction(3, 10)
    window_s: int = 5
    pull_min: int = 100
    pull_frac: Fraction = Fraction(2, 5)
    near_ticks: int = 4
    iceberg_window_s: int = 60
    iceberg_min_vol: int = 300

    def __post_init__(self) -> None:
        object.__setattr__(self, "sustain_abs", exact(self.sustain_abs))
        object.__setattr__(self, "pull_frac", exact(self.pull_frac))
        if self.imbalance_levels < 1 or self.window_s < 1:
            raise ValueError(
                f"imbalance_levels and window_s must be >= 1, were {self.imbalance_levels} "
                f"and {self.window_s}"
            )

    @classmethod
    def from_settings(
        cls, dom: DomSettings, iceberg_window_s: int = 60, iceberg_min_vol: int = 300
    ) -> DomParams:
        """Parameters from the `dom` settings section."""
        return cls(
            dom.imbalance_levels,
            dom.sustain_s,
            exact(dom.sustain_abs),
            dom.window_s,
            dom.pull_min,
            exact(dom.pull_frac),
            dom.near_ticks,
            iceberg_window_s,
            iceberg_min_vol,
        )


def param_array(params: DomParams | None) -> np.ndarray:
    """The DOM kernels' int64 parameter array of `params` (None: book only, no metrics)."""
    out = np.zeros(PARAMS_SIZE, dtype=np.int64)
    if params is None:
        return out
    out[M_ON] = 1
    out[M_IMB_LEVELS] = params.imbalance_levels
    out[M_SUSTAIN_NS] = params.sustain_s * NS_PER_SECOND
    out[M_SUSTAIN_NUM] = params.sustain_abs.numerator
    out[M_SUSTAIN_DEN] = params.sustain_abs.denominator
    out[M_WINDOW_NS] = params.window_s * NS_PER_SECOND
    out[M_PULL_MIN] = params.pull_min
    out[M_PULL_NUM] = params.pull_frac.numerator
    out[M_PULL_DEN] = params.pull_frac.denominator
    out[M_NEAR_TICKS] = params.near_ticks
    out[M_ICE_WINDOW_NS] = params.iceberg_window_s * NS_PER_SECOND
    out[M_ICE_MIN_VOL] = params.iceberg_min_vol
    return out


def to_signal(row: Sequence[int]) -> Signal:
    """The Signal of a kernel row (ts, kind, direction, price, amount, base size, book side)."""
    ts, kind, direction, price, amount, base, level = (int(v) for v in row)
    if kind == KIND_DOM_IMBALANCE:
        return Signal(
            ts,
            SignalKind.DOM_IMBALANCE,
            direction,
            price,
            abs(amount) / base,
            {"bid_volume": (base + amount) // 2, "ask_volume": (base - amount) // 2},
        )
    return Signal(
        ts,
        _KINDS[kind],
        direction,
        price,
        amount / max(base, 1),
        {"amount": amount, "size_before": base, "book_side": _SIDE_NAMES[level]},
    )


@dataclass(frozen=True)
class DomMetrics:
    """Imbalance per frame (NaN on gap or empty frames) and the signals in time order."""

    imbalance: np.ndarray
    weighted_imbalance: np.ndarray
    signals: list[Signal]


def dom_metrics(
    frames: BookFrames,
    trade_ts_ns: np.ndarray,
    trade_price_ticks: np.ndarray,
    trade_size: np.ndarray,
    trade_side: np.ndarray,
    *,
    trade_seq: np.ndarray | None = None,
    params: DomParams = DomParams(),
) -> DomMetrics:
    """DOM metrics of frames and trades merged by feed sequence (batch form).

    Without `trade_seq` the streams merge by time, a trade before a frame of the same time.
    """
    t_ts = np.ascontiguousarray(trade_ts_ns, dtype=np.int64)
    t_px = np.ascontiguousarray(trade_price_ticks, dtype=np.int64)
    f_seq, t_seq = _merge_keys(frames, t_ts, trade_seq)
    imbalance, weighted, rows = _dom_metrics(
        frames.ts_ns,
        f_seq,
        frames.bid_ticks,
        frames.bid_size,
        frames.ask_ticks,
        frames.ask_size,
        frames.status,
        t_ts,
        t_seq,
        t_px,
        np.ascontiguousarray(trade_size, dtype=np.int64),
        np.ascontiguousarray(trade_side, dtype=np.int8),
        param_array(params),
        *new_dom_state(frames.bid_ticks.shape[1]),
    )
    return DomMetrics(imbalance, weighted, [to_signal(tuple(r)) for r in rows])


def _merge_keys(
    frames: BookFrames, t_ts: np.ndarray, trade_seq: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    if trade_seq is not None:
        return frames.seq, np.ascontiguousarray(trade_seq, dtype=np.int64)
    n_t = t_ts.shape[0]
    ts = np.concatenate((t_ts, frames.ts_ns))
    is_frame = np.concatenate((np.zeros(n_t, dtype=np.int8), np.ones(len(frames), dtype=np.int8)))
    order = np.lexsort((is_frame, ts))
    rank = np.empty(order.shape[0], dtype=np.int64)
    rank[order] = np.arange(order.shape[0])
    return rank[n_t:], rank[:n_t]


@dataclass
class _Level:
    traded: int = 0
    displayed: int = 0
    ring: deque[tuple[int, int, int]] = field(default_factory=lambda: deque(maxlen=RING))
    ice_start: int = 0
    ice_max: int = 0
    ice_exec: int = 0
    ice_fired: bool = False


class DomEngine:
    """Incremental DOM metrics: feed frames and trades in feed order (same rules as the batch).

    `book_levels` is the depth the frames carry per side (a side with fewer levels is fully visible).
    """

    def __init__(self, params: DomParams = DomParams(), book_levels: int = 10) -> None:
        if book_levels < 1:
            raise ValueError(f"book_levels must be >= 1, was {book_levels}")
        self.params = params
        self.book_levels = book_levels
        self._levels: dict[tuple[int, int], _Level] = {}
        self._prev: list[list[int]] = [[], []]
        self._last_trade = NO_PRICE
        self._run_sign = 0
        self._run_start = 0
        self._run_emitted = False

    def on_trade(self, ts_ns: int, price_ticks: int, size: int, side: int) -> list[Signal]:
        """A trade: it explains size leaving the level it hit; may reveal a refill (ICEBERG)."""
        self._last_trade = price_ticks
        if side == 0:
            return []
        s = 1 if side > 0 else 0
        level = self._levels.get((s, price_ticks))
        if level is None:
            return []
        level.traded += size
        if ts_ns - level.ice_start > self.params.iceberg_window_s * NS_PER_SECOND:
            level.ice_start, level.ice_max = ts_ns, level.displayed
            level.ice_exec, level.ice_fired = 0, False
        level.ice_exec += size
        if (
            not level.ice_fired
            and level.ice_exec > level.ice_max
            and level.ice_exec >= self.params.iceberg_min_vol
        ):
            level.ice_fired = True
            return [
                to_signal(
                    (
                        ts_ns,
                        KIND_ICEBERG,
                        1 if s == 0 else -1,
                        price_ticks,
                        level.ice_exec,
                        level.ice_max,
                        s,
                    )
                )
            ]
        return []

    def on_frame(self, frame: BookFrame) -> tuple[float, float, list[Signal]]:
        """A book frame: (imbalance, weighted imbalance, signals); NaN imbalance on a gap."""
        t = frame.ts_ns
        if frame.status & GAP_STATUS:
            self._levels.clear()
            self._prev = [[], []]
            self._last_trade = NO_PRICE
            self._run_sign, self._run_emitted = 0, False
            return float("nan"), float("nan"), []
        out: list[Signal] = []
        imbalance, weighted = self._imbalance(frame, out)
        for s, side in ((0, frame.bids), (1, frame.asks)):
            self._side(s, side, t, out)
        return imbalance, weighted, out

    def _imbalance(self, frame: BookFrame, out: list[Signal]) -> tuple[float, float]:
        p = self.params
        b_sum = a_sum = 0
        wb = wa = 0.0
        for k in range(p.imbalance_levels):
            if k < len(frame.bids):
                b_sum += frame.bids[k][1]
                wb += frame.bids[k][1] / (k + 1)
            if k < len(frame.asks):
                a_sum += frame.asks[k][1]
                wa += frame.asks[k][1] / (k + 1)
        imbalance = weighted = float("nan")
        sign = 0
        total = b_sum + a_sum
        if total > 0:
            imbalance = (b_sum - a_sum) / total
            weighted = (wb - wa) / (wb + wa)
            if abs(b_sum - a_sum) * p.sustain_abs.denominator >= p.sustain_abs.numerator * total:
                sign = 1 if b_sum > a_sum else -1
        if sign != self._run_sign:
            self._run_sign, self._run_start, self._run_emitted = sign, frame.ts_ns, False
        if (
            sign
            and not self._run_emitted
            and frame.ts_ns - self._run_start >= p.sustain_s * NS_PER_SECOND
        ):
            price = frame.best_bid if sign > 0 else frame.best_ask
            out.append(
                to_signal((frame.ts_ns, KIND_DOM_IMBALANCE, sign, price, b_sum - a_sum, total, -1))
            )
            self._run_emitted = True
        return imbalance, weighted

    def _side(self, s: int, side: tuple[tuple[int, int], ...], t: int, out: list[Signal]) -> None:
        prices = [lv[0] for lv in side]
        full = len(side) == self.book_levels
        nth = prices[-1] if prices else NO_PRICE
        ref = (
            self._last_trade
            if self._last_trade != NO_PRICE
            else (prices[0] if prices else NO_PRICE)
        )
        current = set(prices)
        for p in self._prev[s]:
            if p in current:
                continue
            visible = (not full) or (s == 0 and p > nth) or (s == 1 and p < nth)
            removed = self._levels.pop((s, p))
            if visible:
                self._sample(removed, s, p, t, 0, ref, out)
        for p, size in side:
            level = self._levels.get((s, p))
            if level is None:
                self._levels[(s, p)] = _Level(
                    displayed=size,
                    ring=deque([(t, size, size)], maxlen=RING),
                    ice_start=t,
                    ice_max=size,
                )
                continue
            level.displayed = size
            level.ice_max = max(level.ice_max, size)
            self._sample(level, s, p, t, size, ref, out)
        self._prev[s] = prices

    def _sample(
        self, level: _Level, s: int, p: int, t: int, size: int, ref: int, out: list[Signal]
    ) -> None:
        x = size + level.traded
        ring = level.ring
        if ring and ring[-1][1] == x:
            return
        ring.append((t, x, size))
        window = self.params.window_s * NS_PER_SECOND
        while len(ring) > 1 and ring[0][0] < t - window:
            ring.popleft()
        if ref == NO_PRICE or abs(p - ref) > self.params.near_ticks:
            return
        hi = max(range(len(ring)), key=lambda j: (ring[j][1], -j))
        lo = min(range(len(ring)), key=lambda j: (ring[j][1], j))
        pull = self.params
        pulled, base = ring[hi][1] - x, ring[hi][2]
        num, den = pull.pull_frac.numerator, pull.pull_frac.denominator
        if pulled > 0 and pulled >= pull.pull_min and pulled * den >= num * base:
            kind, amount, direction = KIND_PULLING, pulled, (-1 if s == 0 else 1)
        else:
            stacked, base = x - ring[lo][1], ring[lo][2]
            if not (stacked > 0 and stacked >= pull.pull_min and stacked * den >= num * base):
                return
            kind, amount, direction = KIND_STACKING, stacked, (1 if s == 0 else -1)
        out.append(to_signal((t, kind, direction, p, amount, base, s)))
        newest = ring[-1]
        ring.clear()
        ring.append(newest)
