"""Footprint kernels: split time-ordered trades into time, volume or tick bars, then sum bid and
ask volume per bar and price, and compute each bar's volumetric candle (OHLC, delta path, CD)."""

from __future__ import annotations

import numpy as np
from numba import njit

from orderflow_lib.kernels.flow_input import _INVALID, _SIDE_OF_LETTER

BAR_TIME = 0
BAR_VOLUME = 1
BAR_TICK = 2
_NO_ANCHOR = np.iinfo(np.int64).min
_PRICE_LIMIT = 2.0**62
CANDLE_FIELDS = (
    "open_ticks",
    "high_ticks",
    "low_ticks",
    "close_ticks",
    "volume",
    "buy_volume",
    "sell_volume",
    "unknown_volume",
    "delta",
    "delta_max",
    "delta_min",
    "delta_since_high",
    "delta_since_low",
    "cd_open",
    "cd_high",
    "cd_low",
    "cd_close",
    "trades",
    "last_ts_ns",
)


@njit(cache=True, nogil=True)
def _bar_offsets(
    ts_ns: np.ndarray,
    price: np.ndarray,
    size: np.ndarray,
    tick_size: float | None,
    tolerance: float,
    kind: int,
    length: int,
    origin_ns: int,
    anchors_ns: np.ndarray,
    side_offsets: np.ndarray | None,
) -> tuple:
    """Bar boundaries over time-ordered trades: prices in ticks (tick_size None: the arrays are
    already validated) or decimal prices checked on the way (tick_size given). Given Arrow string
    offsets of the side column, it also checks that every side is one character long.

    Returns (bad, offsets, start_ns, end_ns, session, low, high): trades offsets[b]..offsets[b+1]-1
    form bar b over [start_ns[b], end_ns[b]) with prices low[b]..high[b] in ticks; `session`
    numbers the anchor segment of each bar (bars never span an anchor). Time bars sit on the grid
    origin + k*length (ns); volume bars close once their volume reaches `length` (a trade is never
    split); tick bars hold `length` trades. `bad` is the first row that is earlier than the row
    before it, off the tick grid, of size <= 0 or with a side of another length (-1 if none; the
    rest is then unfinished).
    """
    n = ts_ns.shape[0]
    offsets = np.empty(n + 1, dtype=np.int64)
    start = np.empty(n, dtype=np.int64)
    end = np.empty(n, dtype=np.int64)
    session = np.empty(n, dtype=np.int64)
    low = np.empty(n, dtype=np.int64)
    high = np.empty(n, dtype=np.int64)
    n_anchors = anchors_ns.shape[0]
    next_anchor = 0
    seg = -1
    bars = 0
    stop = _NO_ANCHOR
    filled = 0
    lo = 0
    hi = 0
    bad = -1
    latest = ts_ns[0] if n > 0 else 0
    inv_tick = 1.0 / tick_size if tick_size is not None else 1.0
    for i in range(n):
        t = ts_ns[i]
        if tick_size is None:
            p = int(price[i])
        else:
            x = price[i] * inv_tick
            r = np.rint(x)
            valid = (abs(x - r) <= tolerance) & (abs(r) < _PRICE_LIMIT)
            if side_offsets is not None:
                valid &= side_offsets[i] - side_offsets[0] == i
            if not (valid & (size[i] > 0) & (t >= latest)):
                bad = i
                break
            latest = t
            p = int(r)
        moved = False
        while next_anchor < n_anchors and anchors_ns[next_anchor] <= t:
            next_anchor += 1
            moved = True
        if kind == BAR_TIME:
            new_bar = bars == 0 or moved or t >= stop
        else:
            new_bar = bars == 0 or moved or filled >= length
        if new_bar:
            if bars > 0:
                low[bars - 1] = lo
                high[bars - 1] = hi
            lo = p
            hi = p
            if bars > 0 and kind != BAR_TIME:
                end[bars - 1] = ts_ns[i - 1] + 1
            if bars == 0 or moved:
                seg += 1
            offsets[bars] = i
            session[bars] = seg
            if kind == BAR_TIME:
                anchor = anchors_ns[next_anchor - 1] if next_anchor > 0 else _NO_ANCHOR
                grid = origin_ns + ((t - origin_ns) // length) * length
                start[bars] = grid if grid > anchor else anchor
                stop = grid + length
                if next_anchor < n_anchors and anchors_ns[next_anchor] < stop:
                    stop = anchors_ns[next_anchor]
                end[bars] = stop
            else:
                start[bars] = t
            bars += 1
            filled = 0
        lo = min(lo, p)
        hi = max(hi, p)
        if kind == BAR_VOLUME:
            filled += size[i]
        elif kind == BAR_TICK:
            filled += 1
    if bad < 0 and side_offsets is not None and side_offsets[n] - side_offsets[0] != n:
        bad = n - 1
    offsets[bars] = n
    if bars > 0:
        low[bars - 1] = lo
        high[bars - 1] = hi
    if bars > 0 and kind != BAR_TIME:
        end[bars - 1] = ts_ns[n - 1] + 1
    return (
        bad,
        offsets[: bars + 1],
        start[:bars],
        end[:bars],
        session[:bars],
        low[:bars],
        high[:bars],
    )


@njit(cache=True, nogil=True)
def _footprint_rows(
    offsets: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    price: np.ndarray,
    inv_tick: float | None,
    size: np.ndarray,
    side: np.ndarray,
    side_letters: np.ndarray | None,
) -> tuple:
    """Per bar and traded price (ascending): bid (sell aggressor), ask (buy aggressor), unknown
    volume and trade count, given each bar's low and high (ticks). Prices are ticks (inv_tick
    None) or decimals times inv_tick = 1 / tick size; sides come from `side` (-1/0/+1) or, when
    side_letters is given, from one byte per trade ('A'/'N'/'B': the bytes of an Arrow string
    column whose strings `_bar_offsets` checked are one character each). A None argument removes
    its branch at compile time.

    Returns (bad, row_offsets, price, bid, ask, unknown, trades); `bad` is the first row whose
    side letter is not one of the three (-1 if none; the rows are then not usable).
    """
    n_bars = offsets.shape[0] - 1
    span_total = 0
    widest = 0
    for b in range(n_bars):
        width = highs[b] - lows[b] + 1
        span_total += width
        widest = max(widest, width)
    row_offsets = np.empty(n_bars + 1, dtype=np.int64)
    r_price = np.empty(span_total, dtype=np.int64)
    bid = np.empty(span_total, dtype=np.int64)
    ask = np.empty(span_total, dtype=np.int64)
    unknown = np.empty(span_total, dtype=np.int64)
    trades = np.empty(span_total, dtype=np.int64)
    acc = np.zeros((widest, 4), dtype=np.int64)
    rows = 0
    bad = -1
    for b in range(n_bars):
        row_offsets[b] = rows
        lo = lows[b]
        for i in range(offsets[b], offsets[b + 1]):
            if side_letters is None:
                s = side[i]
            else:
                s = _SIDE_OF_LETTER[side_letters[i]]
                if s == _INVALID:
                    bad = i if bad < 0 else bad
                    s = 0
            k = int(price[i] if inv_tick is None else np.rint(price[i] * inv_tick)) - lo
            acc[k, s + 1] += size[i]
            acc[k, 3] += 1
        for k in range(highs[b] - lo + 1):
            if acc[k, 3] > 0:
                r_price[rows] = lo + k
                bid[rows] = acc[k, 0]
                unknown[rows] = acc[k, 1]
                ask[rows] = acc[k, 2]
                trades[rows] = acc[k, 3]
                rows += 1
                acc[k, 0] = 0
                acc[k, 1] = 0
                acc[k, 2] = 0
                acc[k, 3] = 0
    row_offsets[n_bars] = rows
    return (
        bad,
        row_offsets,
        r_price[:rows].copy(),
        bid[:rows].copy(),
        ask[:rows].copy(),
        unknown[:rows].copy(),
        trades[:rows].copy(),
    )


@njit(cache=True, nogil=True)
def _candles(
    offsets: np.ndarray,
    session: np.ndarray,
    ts_ns: np.ndarray,
    price_ticks: np.ndarray,
    size: np.ndarray,
    side: np.ndarray,
) -> np.ndarray:
    """Per bar, an int64 row of the fields named in `CANDLE_FIELDS`.

    Running delta starts at 0 in each bar (so delta_max >= 0 >= delta_min); cumulative delta starts
    at 0 at the first bar of each session and carries across bars; its candle includes the open.
    """
    n_bars = offsets.shape[0] - 1
    out = np.empty((n_bars, 19), dtype=np.int64)
    cd = 0
    for b in range(n_bars):
        if b == 0 or session[b] != session[b - 1]:
            cd = 0
        a = offsets[b]
        z = offsets[b + 1]
        hi = price_ticks[a]
        lo = price_ticks[a]
        volume = 0
        buy = 0
        sell = 0
        unknown = 0
        delta = 0
        d_max = 0
        d_min = 0
        d_at_high = 0
        d_at_low = 0
        cd_open = cd
        cd_high = cd
        cd_low = cd
        for i in range(a, z):
            p = price_ticks[i]
            if p > hi:
                hi = p
                d_at_high = delta
            if p < lo:
                lo = p
                d_at_low = delta
            q = size[i]
            volume += q
            s = side[i]
            if s > 0:
                buy += q
                delta += q
                cd += q
            elif s < 0:
                sell += q
                delta -= q
                cd -= q
            else:
                unknown += q
            if delta > d_max:
                d_max = delta
            if delta < d_min:
                d_min = delta
            if cd > cd_high:
                cd_high = cd
            if cd < cd_low:
                cd_low = cd
        row = out[b]
        row[0] = price_ticks[a]
        row[1] = hi
        row[2] = lo
        row[3] = price_ticks[z - 1]
        row[4] = volume
        row[5] = buy
        row[6] = sell
        row[7] = unknown
        row[8] = delta
        row[9] = d_max
        row[10] = d_min
        row[11] = delta - d_at_high
        row[12] = delta - d_at_low
        row[13] = cd_open
        row[14] = cd_high
        row[15] = cd_low
        row[16] = cd
        row[17] = z - a
        row[18] = ts_ns[z - 1]
    return out


@njit(cache=True, nogil=True)
def _bar_poc(row_offsets: np.ndarray, row_price: np.ndarray, row_volume: np.ndarray) -> np.ndarray:
    """Bar POC: the price row with the most volume; ties go to the row nearest the middle of the
    bar's range (|2p - high - low| smallest), then to the lower row."""
    n_bars = row_offsets.shape[0] - 1
    poc = np.empty(n_bars, dtype=np.int64)
    for b in range(n_bars):
        a = row_offsets[b]
        z = row_offsets[b + 1]
        lo = row_price[a]
        hi = row_price[z - 1]
        best = a
        best_dist = abs(2 * row_price[a] - hi - lo)
        for r in range(a + 1, z):
            dist = abs(2 * row_price[r] - hi - lo)
            if row_volume[r] > row_volume[best] or (
                row_volume[r] == row_volume[best] and dist < best_dist
            ):
                best = r
                best_dist = dist
        poc[b] = row_price[best]
    return poc
