"""Numba kernels that turn prices, trades and bars into a zero-filled volume ladder.

A ladder is an int64 array indexed by row; row `i` holds ticks
`[(base_row + i) * row_ticks, (base_row + i + 1) * row_ticks)`. Callers validate and allocate.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _prices_to_ticks(prices, tick_size, tolerance, out):
    """Fill `out` with the nearest tick of each price; return the first off-grid index or -1."""
    inverse = 1.0 / tick_size
    for i in range(prices.shape[0]):
        scaled = prices[i] * inverse
        nearest = np.floor(scaled + 0.5)
        if not abs(scaled - nearest) <= tolerance:
            return i
        out[i] = np.int64(nearest)
    return -1


@njit(cache=True, nogil=True)
def _tick_range(ticks):
    """(lowest, highest) of a non-empty int64 array, in one pass."""
    low = ticks[0]
    high = ticks[0]
    for i in range(1, ticks.shape[0]):
        t = ticks[i]
        if t < low:
            low = t
        elif t > high:
            high = t
    return low, high


@njit(cache=True, nogil=True)
def _first_below(values, minimum):
    """Index of the first value below `minimum`, or -1."""
    for i in range(values.shape[0]):
        if values[i] < minimum:
            return i
    return -1


@njit(cache=True, nogil=True)
def _accumulate(ticks, sizes, base_row, row_ticks, out):
    """Add each size to the row of its tick (rows of `row_ticks` ticks, anchored at tick 0)."""
    if row_ticks == 1:
        for i in range(ticks.shape[0]):
            out[ticks[i] - base_row] += sizes[i]
    else:
        for i in range(ticks.shape[0]):
            out[ticks[i] // row_ticks - base_row] += sizes[i]


@njit(cache=True, nogil=True)
def _accumulate_sided(ticks, sizes, sides, base_row, row_ticks, volume, buy, sell):
    """Like `_accumulate`, also splitting each size by aggressor side (+1 buy, -1 sell)."""
    for i in range(ticks.shape[0]):
        row = ticks[i] // row_ticks - base_row
        size = sizes[i]
        volume[row] += size
        if sides[i] > 0:
            buy[row] += size
        elif sides[i] < 0:
            sell[row] += size


@njit(cache=True, nogil=True)
def _spread_bars(lows, highs, closes, volumes, base_row, row_ticks, out):
    """Spread each bar's volume evenly over the ticks of its low..high range.

    Integer split: each tick gets volume // n; the volume % n units left over go one per tick to
    the ticks nearest the bar's close (the lower tick first when two are equally near).
    """
    for b in range(lows.shape[0]):
        low = lows[b]
        high = highs[b]
        close = closes[b]
        n = high - low + 1
        share = volumes[b] // n
        extra = volumes[b] - share * n
        if share > 0:
            for t in range(low, high + 1):
                out[t // row_ticks - base_row] += share
        distance = 0
        while extra > 0:
            below = close - distance
            if below >= low:
                out[below // row_ticks - base_row] += 1
                extra -= 1
            above = close + distance
            if distance > 0 and extra > 0 and above <= high:
                out[above // row_ticks - base_row] += 1
                extra -= 1
            distance += 1


@njit(cache=True, nogil=True)
def _first_bad_bar(opens, highs, lows, closes, volumes):
    """Index of the first bar with low > open/close, open/close > high, or negative volume; -1."""
    for b in range(lows.shape[0]):
        low = lows[b]
        high = highs[b]
        if (
            low > high
            or opens[b] < low
            or opens[b] > high
            or closes[b] < low
            or closes[b] > high
            or volumes[b] < 0
        ):
            return b
    return -1
