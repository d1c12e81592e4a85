"""Kernels that turn raw trade columns into engine arrays: decimal prices to ticks, side letters to
+1/-1/0, and the count of rows that arrived out of time order."""

from __future__ import annotations

import numpy as np
from numba import njit

_INVALID = 2
_SIDE_OF_LETTER = np.full(256, _INVALID, dtype=np.int8)
_SIDE_OF_LETTER[ord("B")] = 1
_SIDE_OF_LETTER[ord("A")] = -1
_SIDE_OF_LETTER[ord("N")] = 0


@njit(cache=True, nogil=True)
def _trade_columns(
    ts_ns: np.ndarray, price: np.ndarray, size: np.ndarray, tick_size: float, tolerance: float
) -> tuple:
    """One pass over raw trade columns: the nearest tick of each price, the index of the first
    price off the grid (or NaN) and of the first size <= 0 (-1 if none), and how many rows are
    earlier than a row before them."""
    n = price.shape[0]
    ticks = np.empty(n, dtype=np.int64)
    ok = True
    late = 0
    latest = ts_ns[0] if n > 0 else 0
    for i in range(n):
        x = price[i] / tick_size
        r = np.rint(x)
        ok &= (abs(x - r) <= tolerance) & (size[i] > 0)
        ticks[i] = np.int64(r) if abs(r) < 9.2e18 else 0
        t = ts_ns[i]
        late += t < latest
        latest = max(latest, t)
    first_bad_price = -1
    first_bad_size = -1
    if not ok:
        for i in range(n):
            x = price[i] / tick_size
            if first_bad_price < 0 and not (abs(x - np.rint(x)) <= tolerance):
                first_bad_price = i
            if first_bad_size < 0 and size[i] <= 0:
                first_bad_size = i
    return ticks, first_bad_price, first_bad_size, late


@njit(cache=True, nogil=True)
def _sides_from_letters(offsets: np.ndarray, data: np.ndarray) -> tuple:
    """Sides (+1 'B', -1 'A', 0 'N') of UTF-8 strings given Arrow offsets and bytes.

    Returns the codes and the index of the first string that is not one of the three letters.
    """
    n = offsets.shape[0] - 1
    codes = np.zeros(n, dtype=np.int8)
    if n == 0:
        return codes, -1
    if data.shape[0] == 0:
        return codes, 0
    last = data.shape[0] - 1
    ok = True
    for i in range(n):
        start = min(offsets[i], last)
        code = _SIDE_OF_LETTER[data[start]]
        codes[i] = code
        ok &= (code != _INVALID) & (offsets[i + 1] - offsets[i] == 1)
    if ok:
        return codes, -1
    for i in range(n):
        if codes[i] == _INVALID or offsets[i + 1] - offsets[i] != 1:
            return codes, i
    return codes, -1


@njit(cache=True, nogil=True)
def _late_rows(ts_ns: np.ndarray) -> int:
    """Rows whose time is earlier than a row before them (0 when the column is sorted)."""
    late = 0
    if ts_ns.shape[0] == 0:
        return 0
    latest = ts_ns[0]
    for i in range(1, ts_ns.shape[0]):
        if ts_ns[i] < latest:
            late += 1
        else:
            latest = ts_ns[i]
    return late


@njit(cache=True, nogil=True)
def _first_not_positive(values: np.ndarray) -> int:
    """Index of the first value <= 0, or -1."""
    for i in range(values.shape[0]):
        if values[i] <= 0:
            return i
    return -1
