"""Reference DOM metrics, frame by frame and trade by trade (the rules of `flow.dom_metrics`)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.book import GAP_STATUS, BookFrame
from orderflow_lib.flow.dom import DomParams, to_signal
from orderflow_lib.flow.signals import Signal
from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.kernels.dom_state import (
    KIND_DOM_IMBALANCE,
    KIND_ICEBERG,
    KIND_PULLING,
    KIND_STACKING,
    RING,
)


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

    def __init__(self, params: DomParams | None = None, book_levels: int = 10) -> None:
        if book_levels < 1:
            raise ValueError(f"book_levels must be >= 1, was {book_levels}")
        self.params = params or DomParams()
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
