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


def time_window(
    times_ms: Iterable[float], bar_ms: float, *, ahead_bars: float = 3.0, min_bars: int = 10
) -> tuple[float, float] | None:
    """(start, end) in ms showing every bar in `times_ms` plus room for the next `ahead_bars`.

    At least `min_bars` wide; changes only when a new bar starts (so once a minute); None when
    there are no bars yet.
    """
    if bar_ms <= 0:
        raise ValueError(f"bar_ms must be > 0, was {bar_ms}")
    known = [t for t in times_ms if not math.isnan(t)]
    if not known:
        return None
    first, last = min(known), max(known)
    end = last + ahead_bars * bar_ms
    start = min(first - bar_ms / 2, end - min_bars * bar_ms)
    return start, end


def volume_window(volumes: Iterable[float], step: float = 50.0) -> tuple[float, float] | None:
    """(0, end) fitting the largest profile volume with 8% room, rounded up to `step`."""
    largest = max((v for v in volumes if not math.isnan(v)), default=0.0)
    if largest <= 0:
        return None
    return 0.0, math.ceil(largest * 1.08 / step) * step
