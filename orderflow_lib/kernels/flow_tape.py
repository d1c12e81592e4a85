"""Time-and-sales kernel (spec §7.11): rolling buy/sell volume, large-lot volume and trade count
over the last window_ns of time, or over the last window_trades trades, at every trade."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _tape_count(sums: np.ndarray, size: int, side: int, sign: int, large_lot: int) -> None:
    """Add (sign 1) or remove (sign -1) one trade from `sums` (buy, sell, large buy, large sell);
    shared with the node's kernel."""
    if side > 0:
        sums[0] += sign * size
        if size >= large_lot:
            sums[2] += sign * size
    elif side < 0:
        sums[1] += sign * size
        if size >= large_lot:
            sums[3] += sign * size


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
    sums = np.zeros(4, dtype=np.int64)
    first = 0
    for i in range(n):
        _tape_count(sums, size[i], side[i], 1, large_lot)
        while first <= i and (
            (by_trades and i - first + 1 > window_trades)
            or (not by_trades and ts_ns[first] <= ts_ns[i] - window_ns)
        ):
            _tape_count(sums, size[first], side[first], -1, large_lot)
            first += 1
        out[i, :4] = sums
        out[i, 4] = i - first + 1
    return out
