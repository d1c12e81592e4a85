"""Numba kernels for TPO profiles: each period's low/high and the TPO count per row (spec §2.2)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _period_ranges(ts_ns, lows, highs, starts, ends, period_low, period_high):
    """Widen each period's [low, high] by the prints whose ts lies in [start, end).

    `starts` are sorted and the periods do not overlap; `period_low`/`period_high` arrive filled
    with int64 max/min so an untouched period stays recognisable. Returns the number of prints
    that fell inside some period.
    """
    n_periods = starts.shape[0]
    inside = 0
    for i in range(ts_ns.shape[0]):
        t = ts_ns[i]
        lo = 0
        hi = n_periods
        while lo < hi:
            mid = (lo + hi) // 2
            if starts[mid] <= t:
                lo = mid + 1
            else:
                hi = mid
        k = lo - 1
        if k < 0 or t >= ends[k]:
            continue
        inside += 1
        if lows[i] < period_low[k]:
            period_low[k] = lows[i]
        if highs[i] > period_high[k]:
            period_high[k] = highs[i]
    return inside


@njit(cache=True, nogil=True)
def _tpo_counts(low_rows, high_rows, printed, out):
    """Add one TPO to every row low_rows[k]..high_rows[k] of each printed period k."""
    n_rows = out.shape[0]
    diff = np.zeros(n_rows + 1, dtype=np.int64)
    for k in range(low_rows.shape[0]):
        if printed[k]:
            diff[low_rows[k]] += 1
            diff[high_rows[k] + 1] -= 1
    running = 0
    for r in range(n_rows):
        running += diff[r]
        out[r] += running
