"""The review's hypothetical bracket (spec §5.7): what the §5.6 trade of a tradable scenario would
have done, entered at the first zone trade and run by the paper fill rules, including the
scenario's invalidation and the time exit before the close."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from orderflow_lib.core.plain import plain_dict
from orderflow_lib.plan.fills import limit_filled, market_fill_tick, stop_fill_tick, stop_triggered
from orderflow_lib.plan.trade import Bracket


@dataclass(frozen=True, slots=True)
class BracketRun:
    """How a bracket ended: entry fill, exit price, time and why ('stop', 'target',
    'invalidation', 'time', 'close'), and the R multiple from the fill."""

    fill_tick: int
    fill_ns: int
    exit_tick: int
    exit_ns: int
    exit_reason: str
    r_multiple: Fraction

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (R as a float)."""
        return plain_dict(self, fraction=float)


def r_multiple(direction: int, fill_tick: int, stop_tick: int, exit_tick: int) -> Fraction:
    """Result over the risk taken, both measured from the entry fill."""
    risk = direction * (fill_tick - stop_tick)
    return Fraction(direction * (exit_tick - fill_tick), max(risk, 1))


def run_bracket(
    bracket: Bracket,
    ts_ns: np.ndarray,
    ticks: np.ndarray,
    *,
    invalidated_ns: int | None,
    flat_ns: int,
    slippage_ticks: int,
) -> BracketRun | None:
    """Run `bracket` over prints (time order; the first print is the entry's fill); None when
    there is no print to fill the entry. Prints at or after `invalidated_ns` or `flat_ns` exit at
    market on that print; the position still open after the last print exits at it ('close')."""
    if len(ticks) == 0:
        return None
    d = bracket.direction
    fill_ns, fill = int(ts_ns[0]), market_fill_tick(d, int(ticks[0]), slippage_ticks)
    stop, target = bracket.stop_tick, bracket.target1_tick
    exit_at: tuple[int, int, str] | None = None
    for k in range(1, len(ticks)):
        t, tick = int(ts_ns[k]), int(ticks[k])
        if stop_triggered(-d, stop, tick):
            exit_at = (stop_fill_tick(-d, tick, slippage_ticks), t, "stop")
        elif limit_filled(-d, target, tick):
            exit_at = (target, t, "target")
        elif invalidated_ns is not None and t >= invalidated_ns > fill_ns:
            exit_at = (market_fill_tick(-d, tick, slippage_ticks), t, "invalidation")
        elif t >= flat_ns:
            exit_at = (market_fill_tick(-d, tick, slippage_ticks), t, "time")
        if exit_at is not None:
            break
    if exit_at is None:
        exit_at = (int(ticks[-1]), int(ts_ns[-1]), "close")
    exit_tick, exit_ns, why = exit_at
    return BracketRun(fill, fill_ns, exit_tick, exit_ns, why, r_multiple(d, fill, stop, exit_tick))
