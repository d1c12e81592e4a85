"""Pure choice of the price window a chart shows, so today's trade stays readable.

Letting Bokeh fit every line would squeeze today's profile into a sliver whenever the CVA or the
prior day lie far away; these functions pick a window around the action instead, and change it
only in whole steps, so the browser gets a range update now and then rather than every frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def price_window(
    core: Iterable[float],
    levels: Iterable[float],
    tick_size: float,
    *,
    min_ticks: int = 40,
    reach_ticks: int = 20,
    pad_ticks: int = 2,
    step_ticks: int = 4,
) -> tuple[float, float] | None:
    """(low, high) covering `core` prices (today's trades, last price) and the `levels` near them.

    A level is near when it lies within max(`reach_ticks`, the core's own span) of the core. The
    window is padded, at least `min_ticks` tall, and rounded outwards to `step_ticks`; None when
    no core price is known.
    """
    if tick_size <= 0:
        raise ValueError(f"tick_size must be > 0, was {tick_size}")
    known = [p for p in core if not math.isnan(p)]
    if not known:
        return None
    low, high = min(known), max(known)
    reach = max(reach_ticks * tick_size, high - low)
    near_low, near_high = low - reach, high + reach
    for level in levels:
        if not math.isnan(level) and near_low <= level <= near_high:
            low, high = min(low, level), max(high, level)
    low -= pad_ticks * tick_size
    high += pad_ticks * tick_size
    shortfall = min_ticks * tick_size - (high - low)
    if shortfall > 0:
        low -= shortfall / 2
        high += shortfall / 2
    step = step_ticks * tick_size
    return math.floor(low / step) * step, math.ceil(high / step) * step


def follow_window(
    start: float,
    end: float,
    last: float,
    tick_size: float,
    half_ticks: int = 20,
    margin_ticks: int = 4,
) -> tuple[float, float] | None:
    """A price window of ±`half_ticks` centred on `last`, or None while `last` is well inside it.

    Keeps dense charts (the footprint) readable and re-centres only when the price nears an edge.
    """
    if math.isnan(last):
        return None
    margin = margin_ticks * tick_size
    if start + margin <= last <= end - margin and end > start:
        return None
    half = half_ticks * tick_size
    return last - half, last + half
