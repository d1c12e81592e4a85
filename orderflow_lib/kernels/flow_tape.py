"""Time-and-sales kernel (spec §7.11): rolling buy/sell volume, large-lot volume and trade count
over the last window_ns of time, or over the last window_trades trades, at every trade."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _tape_windows(
    ts_ns: np.ndarray,
    size: np.ndarray,
    side: np.ndarray,
    window_ns: int,
    window_trades: int,
    by_trades: bool,
    large_lot: int,
) -> np.ndarray:
    """Per trade i, columns (buy, sell, large_buy, large_sell, trades) over the window ending at i:
    trades j <= i with ts_ns[j] > ts_ns[i] - window_ns, or the last window_trades trades."""
    n = ts_ns.shape[0]
    out = np.empty((n, 5), dtype=np.int64)
    buy = 0
    sell = 0
    large_buy = 0
    large_sell = 0
    first = 0
    for i in range(n):
        q = size[i]
        if side[i] > 0:
            buy += q
            if q >= large_lot:
                large_buy += q
        elif side[i] < 0:
            sell += q
            if q >= large_lot:
                large_sell += q
        while first <= i and (
            (by_trades and i - first + 1 > window_trades)
            or (not by_trades and ts_ns[first] <= ts_ns[i] - window_ns)
        ):
            r = size[first]
            if side[first] > 0:
                buy -= r
                if r >= large_lot:
                    large_buy -= r
            elif side[first] < 0:
                sell -= r
                if r >= large_lot:
                    large_sell -= r
            first += 1
        out[i, 0] = buy
        out[i, 1] = sell
        out[i, 2] = large_buy
        out[i, 3] = large_sell
        out[i, 4] = i - first + 1
    return out
