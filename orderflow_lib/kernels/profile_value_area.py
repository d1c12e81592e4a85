"""Numba kernels for the point of control and the value area of a ladder (spec §2.3-§2.4).

Codes shared with the wrappers in `orderflow_lib.profiles.value_area`:
  POC rule: 0 closest to centre in row units, 1 closest to the traded mid in ticks,
            2 lowest tied row, 3 highest tied row.  Final tie: 0 lower row, 1 higher row.
  VA tie:   0 BOTH, 1 UP, 2 DOWN.  `width` = rows per side per step (2 dual, 1 single).
The stop test is exact: `acc >= ceil(num * total / den)`, computed without overflow for
`den < 2**31`.
"""

from __future__ import annotations

from numba import njit

POC_CENTRE_ROWS = 0
POC_CENTRE_TRADES = 1
POC_LOWEST = 2
POC_HIGHEST = 3
TIE_BOTH = 0
TIE_UP = 1
TIE_DOWN = 2


@njit(cache=True, nogil=True)
def _target(total, num, den):
    """Smallest integer acc with acc * den >= num * total (0 < num <= den < 2**31)."""
    whole = total // den
    rest = total - whole * den
    return whole * num + (rest * num + den - 1) // den


@njit(cache=True, nogil=True)
def _poc_key(i, lo, hi, rule, base_row, row_ticks, traded_low, traded_high):
    """Distance key of row i among tied maxima (smaller wins) for rows lo..hi."""
    if rule == POC_CENTRE_ROWS:
        return abs(2 * (i - lo) - (hi - lo))
    if rule == POC_CENTRE_TRADES:
        row_low = (base_row + i) * row_ticks
        return abs(2 * row_low + row_ticks - 1 - traded_high - traded_low)
    return 0


@njit(cache=True, nogil=True)
def _poc_in_range(
    primary,
    secondary,
    use_secondary,
    lo,
    hi,
    rule,
    final_higher,
    base_row,
    row_ticks,
    traded_low,
    traded_high,
):
    """Row (index) of the POC among rows lo..hi: max primary, then max secondary when used,
    then the distance rule, then the lower/higher final tie-break."""
    best = lo
    for i in range(lo + 1, hi + 1):
        p = primary[i]
        bp = primary[best]
        if p > bp:
            best = i
            continue
        if p < bp:
            continue
        if use_secondary:
            s = secondary[i]
            bs = secondary[best]
            if s > bs:
                best = i
                continue
            if s < bs:
                continue
        if rule == POC_LOWEST:
            continue
        if rule == POC_HIGHEST:
            best = i
            continue
        k = _poc_key(i, lo, hi, rule, base_row, row_ticks, traded_low, traded_high)
        kb = _poc_key(best, lo, hi, rule, base_row, row_ticks, traded_low, traded_high)
        if k < kb or (k == kb and final_higher):
            best = i
    return best


@njit(cache=True, nogil=True)
def _expand_step(volumes, lo, hi, acc, bottom, top, width, tie):
    """One comparison of the value-area loop; returns the new (lo, hi, acc)."""
    up_end = min(hi + width, top)
    down_end = max(lo - width, bottom)
    has_up = up_end > hi
    has_down = down_end < lo
    su = 0
    for r in range(hi + 1, up_end + 1):
        su += volumes[r]
    sd = 0
    for r in range(down_end, lo):
        sd += volumes[r]
    take_up = False
    take_down = False
    if has_up and not has_down:
        take_up = True
    elif has_down and not has_up:
        take_down = True
    elif su > sd:
        take_up = True
    elif sd > su:
        take_down = True
    elif tie == TIE_BOTH:
        take_up = True
        take_down = True
    elif tie == TIE_UP:
        take_up = True
    else:
        take_down = True
    if take_up:
        hi = up_end
        acc += su
    if take_down:
        lo = down_end
        acc += sd
    return lo, hi, acc


@njit(cache=True, nogil=True)
def _value_area(volumes, poc, num, den, width, tie):
    """(val_row, vah_row, captured, total) of a ladder around row `poc` (spec §2.4)."""
    total = 0
    for r in range(volumes.shape[0]):
        total += volumes[r]
    target = _target(total, num, den)
    lo = poc
    hi = poc
    acc = volumes[poc]
    top = volumes.shape[0] - 1
    while acc < target and (hi < top or lo > 0):
        lo, hi, acc = _expand_step(volumes, lo, hi, acc, 0, top, width, tie)
    return lo, hi, acc, total


@njit(cache=True, nogil=True)
def _poc(
    primary,
    secondary,
    use_secondary,
    rule,
    final_higher,
    base_row,
    row_ticks,
    traded_low,
    traded_high,
):
    """POC row of a whole ladder (see `_poc_in_range`)."""
    return _poc_in_range(
        primary,
        secondary,
        use_secondary,
        0,
        primary.shape[0] - 1,
        rule,
        final_higher,
        base_row,
        row_ticks,
        traded_low,
        traded_high,
    )
