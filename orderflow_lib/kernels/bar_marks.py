"""Marks on a batch of time-ordered trades for the node's bar builder: where a new time bar starts,
where a volume or tick bar completes, and which trades can end a live imbalance zone or complete a
magnet. One call each per batch, so a batch of one live trade costs about a microsecond here."""

from __future__ import annotations

import numpy as np
from numba import njit

LOWEST = np.iinfo(np.int64).min
HIGHEST = np.iinfo(np.int64).max
"""Watch bounds that no trade price reaches (nothing to watch on that side)."""


@njit(cache=True, nogil=True)
def _bar_starts(ts, origin, length, open_key, has_open):
    """(start time of the last trade's bar, positions of the trades that open a bar after the one
    open before the batch); bars lie on the grid origin + k * length."""
    n = ts.shape[0]
    starts = np.empty(n, dtype=np.int64)
    m = 0
    key = open_key
    have = has_open
    for i in range(n):
        k = origin + ((ts[i] - origin) // length) * length
        if have and k != key:
            starts[m] = i
            m += 1
        key = k
        have = True
    return key, starts[:m]


@njit(cache=True, nogil=True)
def _watch_hits(price, start, stop, low, high, magnets):
    """Positions in [start, stop) of prices at or below `low`, at or above `high`, or equal to one
    of `magnets`."""
    out = np.empty(max(stop - start, 0), dtype=np.int64)
    m = 0
    for i in range(start, stop):
        p = price[i]
        hit = p <= low or p >= high
        k = 0
        while not hit and k < magnets.shape[0]:
            hit = p == magnets[k]
            k += 1
        if hit:
            out[m] = i
            m += 1
    return out[:m]


@njit(cache=True, nogil=True)
def _bar_ends(size, length, filled, by_volume):
    """(count of the bar open after the batch, positions of the trades that complete a volume bar
    (by_volume) or a tick bar); `filled` is the open bar's volume or trade count before the batch.
    A bar completes at the trade that takes its count to `length` or more (a trade is never
    split), as in `footprint._bar_offsets`."""
    n = size.shape[0]
    ends = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        filled += size[i] if by_volume else 1
        if filled >= length:
            ends[m] = i
            m += 1
            filled = 0
    return filled, ends[:m]
