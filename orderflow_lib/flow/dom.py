"""DOM metrics over book frames and trades (spec §7.10): imbalance I = (B - A) / (B + A) over the
top dom.imbalance_levels and its 1/i weighted form; DOM_IMBALANCE when |I| >= dom.sustain_abs holds
for dom.sustain_s; PULLING / STACKING when resting size near the touch falls / grows by at least
max(dom.pull_min, dom.pull_frac x size at the window start) within dom.window_s, traded volume
excluded (net_add = size_t1 - size_t0 + traded); ICEBERG when a level executes more than it ever
displayed within orderflow.abs_window_s (the DOM-confirmed absorption of §7.5).

`dom_metrics` runs the rules of `kernels.dom_state` (numba) over recorded frames and trades. A
gap frame (crossed, locked, reset, bad input, unsorted book) clears every tracked level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from orderflow_lib.core.config import DomSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.book import BookFrames
from orderflow_lib.flow.signals import Signal, SignalKind
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
