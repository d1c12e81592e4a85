"""Per-bar footprint detector kernels: diagonal imbalances and stacks (spec §7.4), absorption
(§7.5), exhaustion (§7.6), unfinished extremes (§7.7) and the first later trade that completes or
breaks a level. Rows are footprint rows (prices ascending within each bar)."""

from __future__ import annotations

import numpy as np
from numba import njit

BLOCK = 1024


@njit(cache=True, nogil=True)
def _imbalances(
    row_offsets: np.ndarray,
    price: np.ndarray,
    bid: np.ndarray,
    ask: np.ndarray,
    ratio_num: int,
    ratio_den: int,
    min_vol: int,
) -> tuple:
    """Diagonal imbalance flags per row.

    Buy at P: ask(P) >= ratio * bid(P - 1 tick) and ask(P) >= min_vol; sell at P: bid(P) >= ratio *
    ask(P + 1 tick) and bid(P) >= min_vol. An untraded tick compares as 0; both cells 0 is never an
    imbalance; the bar's lowest row has no buy test and its highest row no sell test.
    """
    n = price.shape[0]
    buy = np.zeros(n, dtype=np.bool_)
    sell = np.zeros(n, dtype=np.bool_)
    for b in range(row_offsets.shape[0] - 1):
        a = row_offsets[b]
        z = row_offsets[b + 1]
        for r in range(a, z):
            if r > a:
                below = bid[r - 1] if price[r - 1] == price[r] - 1 else 0
                up = ask[r]
                if (up > 0 or below > 0) and up >= min_vol and up * ratio_den >= ratio_num * below:
                    buy[r] = True
            if r < z - 1:
                above = ask[r + 1] if price[r + 1] == price[r] + 1 else 0
                down = bid[r]
                if (
                    (down > 0 or above > 0)
                    and down >= min_vol
                    and down * ratio_den >= ratio_num * above
                ):
                    sell[r] = True
    return buy, sell


@njit(cache=True, nogil=True)
def _stacks(
    row_offsets: np.ndarray, price: np.ndarray, flags: np.ndarray, stack_min: int
) -> np.ndarray:
    """Runs of >= stack_min flagged rows on consecutive ticks within a bar: rows (bar, low, high)."""
    out = np.empty((price.shape[0], 3), dtype=np.int64)
    k = 0
    for b in range(row_offsets.shape[0] - 1):
        a = row_offsets[b]
        z = row_offsets[b + 1]
        run_start = -1
        for r in range(a, z + 1):
            extend = r < z and flags[r] and run_start >= 0 and price[r] == price[r - 1] + 1
            if extend:
                continue
            if run_start >= 0 and r - run_start >= stack_min:
                out[k, 0] = b
                out[k, 1] = price[run_start]
                out[k, 2] = price[r - 1]
                k += 1
            run_start = r if (r < z and flags[r]) else -1
    return out[:k].copy()


@njit(cache=True, nogil=True)
def _block_bounds(price: np.ndarray) -> tuple:
    """Min and max price of each BLOCK of trades, to skip blocks in `_first_hit`."""
    n_blocks = (price.shape[0] + BLOCK - 1) // BLOCK
    lo = np.empty(n_blocks, dtype=np.int64)
    hi = np.empty(n_blocks, dtype=np.int64)
    for k in range(n_blocks):
        a = k * BLOCK
        z = min(a + BLOCK, price.shape[0])
        m = price[a]
        x = price[a]
        for i in range(a + 1, z):
            if price[i] < m:
                m = price[i]
            if price[i] > x:
                x = price[i]
        lo[k] = m
        hi[k] = x
    return lo, hi


@njit(cache=True, nogil=True)
def _first_hit(
    price: np.ndarray,
    block_lo: np.ndarray,
    block_hi: np.ndarray,
    start: int,
    stop: int,
    lo: int,
    hi: int,
) -> int:
    """First trade index in [start, stop) with lo <= price <= hi, or -1."""
    i = start
    while i < stop:
        k = i // BLOCK
        if i % BLOCK == 0 and i + BLOCK <= stop and (block_hi[k] < lo or block_lo[k] > hi):
            i += BLOCK
            continue
        if lo <= price[i] <= hi:
            return i
        i += 1
    return -1


@njit(cache=True, nogil=True)
def _twice_median(values: np.ndarray) -> int:
    """Twice the median of integer values (exact: the sum of the two middle values when even)."""
    s = np.sort(values)
    n = s.shape[0]
    if n % 2 == 1:
        return 2 * s[n // 2]
    return s[n // 2 - 1] + s[n // 2]


@njit(cache=True, nogil=True)
def _absorption(
    row_offsets: np.ndarray,
    price: np.ndarray,
    bid: np.ndarray,
    ask: np.ndarray,
    volume: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    median_bars: int,
    min_vol: int,
    k_num: int,
    k_den: int,
    max_pen: int,
) -> tuple:
    """Absorption flags per row and twice the median row volume of the previous bars per bar
    (-1 when there is no previous bar; then only min_vol applies).

    Bid absorption at L: sell volume >= max(min_vol, k * median) and bar low >= L - max_pen; ask
    absorption mirrors with buy volume and the bar high.
    """
    n_bars = row_offsets.shape[0] - 1
    bid_abs = np.zeros(price.shape[0], dtype=np.bool_)
    ask_abs = np.zeros(price.shape[0], dtype=np.bool_)
    medians = np.full(n_bars, -1, dtype=np.int64)
    for b in range(n_bars):
        first = b - median_bars if b >= median_bars else 0
        if b > 0:
            medians[b] = _twice_median(volume[row_offsets[first] : row_offsets[b]])
        m2 = medians[b]
        for r in range(row_offsets[b], row_offsets[b + 1]):
            for which in range(2):
                v = bid[r] if which == 0 else ask[r]
                if v < min_vol or v == 0:
                    continue
                if m2 >= 0 and 2 * v * k_den < k_num * m2:
                    continue
                if which == 0 and low[b] >= price[r] - max_pen:
                    bid_abs[r] = True
                if which == 1 and high[b] <= price[r] + max_pen:
                    ask_abs[r] = True
    return bid_abs, ask_abs, medians


@njit(cache=True, nogil=True)
def _volume_at(row_a: int, row_z: int, price: np.ndarray, values: np.ndarray, tick: int) -> int:
    for r in range(row_a, row_z):
        if price[r] == tick:
            return values[r]
    return 0


@njit(cache=True, nogil=True)
def _exhaustion(
    row_offsets: np.ndarray,
    price: np.ndarray,
    bid: np.ndarray,
    ask: np.ndarray,
    bar_volume: np.ndarray,
    levels: int,
    cap_abs: int,
    frac_num: int,
    frac_den: int,
) -> tuple:
    """Exhaustion at each bar's high and low.

    High: ask volume strictly decreasing over the `levels` ticks ending at the high, and
    ask(high) <= max(cap_abs, frac * bar volume / ticks in the bar's range). Low mirrors with bid.
    """
    n_bars = row_offsets.shape[0] - 1
    at_high = np.zeros(n_bars, dtype=np.bool_)
    at_low = np.zeros(n_bars, dtype=np.bool_)
    for b in range(n_bars):
        a = row_offsets[b]
        z = row_offsets[b + 1]
        lo = price[a]
        hi = price[z - 1]
        n_rows = hi - lo + 1
        if n_rows < levels:
            continue
        for which in range(2):
            ok = True
            prev = 0
            for j in range(levels):
                tick = hi - (levels - 1) + j if which == 0 else lo + (levels - 1) - j
                v = _volume_at(a, z, price, ask if which == 0 else bid, tick)
                if j > 0 and not v < prev:
                    ok = False
                    break
                prev = v
            if ok and (prev <= cap_abs or prev * n_rows * frac_den <= frac_num * bar_volume[b]):
                if which == 0:
                    at_high[b] = True
                else:
                    at_low[b] = True
    return at_high, at_low
