"""Numba kernel for the developing POC and value area, updated one trade at a time (spec §3.2).

The kernel keeps the value-area expansion path (the state before each comparison step) so that a
trade only re-runs the steps it can affect:
  * a new POC re-runs from the POC;
  * a trade at the POC row adds its size to every recorded step and cuts the path at the first
    step that now reaches the target;
  * any other row re-runs from the first step whose candidate rows include it (or, when the trade
    makes a new high/low, from the first step whose window reached the old edge);
  * earlier steps keep their choices, and still continue because the target only grows.
The state lives in arrays the caller owns (so a live wrapper can keep it between calls and
re-base it when the ladder grows); indices below are ladder rows.
"""

from __future__ import annotations

from numba import njit

from orderflow_lib.kernels.profile_value_area import (
    POC_CENTRE_TRADES,
    _expand_step,
    _poc_in_range,
    _target,
)

S_COUNT = 0
S_LO = 1
S_HI = 2
S_TRADED_LOW = 3
S_TRADED_HIGH = 4
S_TOTAL = 5
S_MAXV = 6
S_NMAX = 7
S_POC = 8
S_STEPS = 9
STATE_SIZE = 10
P_BASE_ROW = 0
P_ROW_TICKS = 1
P_NUM = 2
P_DEN = 3
P_WIDTH = 4
P_TIE = 5
P_RULE = 6
P_FINAL_HIGHER = 7
PARAMS_SIZE = 8


@njit(cache=True, nogil=True)
def _first_step_up(path_hi, steps, width, reach):
    """First step j in 0..steps with path_hi[j] + width >= reach (steps when none)."""
    lo = 0
    hi = steps
    while lo < hi:
        mid = (lo + hi) // 2
        if path_hi[mid] + width >= reach:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, nogil=True)
def _first_step_down(path_lo, steps, width, reach):
    """First step j in 0..steps with path_lo[j] - width <= reach (steps when none)."""
    lo = 0
    hi = steps
    while lo < hi:
        mid = (lo + hi) // 2
        if path_lo[mid] - width <= reach:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, nogil=True)
def _developing(ticks, sizes, params, volumes, state, path, out):
    """Apply trades in order; after each, write the POC row, VA rows, captured and total volume.

    params = [base_row, row_ticks, num, den, width, tie, poc_rule, final_higher];
    path rows 0-2 = lo, hi, acc before each step; out rows 0-4 = poc, lo, hi, captured, total.
    """
    base_row = params[P_BASE_ROW]
    row_ticks = params[P_ROW_TICKS]
    num = params[P_NUM]
    den = params[P_DEN]
    width = params[P_WIDTH]
    tie = params[P_TIE]
    rule = params[P_RULE]
    final_higher = params[P_FINAL_HIGHER] != 0
    path_lo = path[0]
    path_hi = path[1]
    path_acc = path[2]
    for i in range(ticks.shape[0]):
        tick = ticks[i]
        size = sizes[i]
        r = tick // row_ticks - base_row
        if state[S_COUNT] == 0:
            state[S_LO] = r
            state[S_HI] = r
            state[S_TRADED_LOW] = tick
            state[S_TRADED_HIGH] = tick
            volumes[r] += size
            state[S_TOTAL] = volumes[r]
            state[S_MAXV] = volumes[r]
            state[S_NMAX] = 1
            state[S_POC] = r
            path_lo[0] = r
            path_hi[0] = r
            path_acc[0] = volumes[r]
            resume = 0
        else:
            old_lo = state[S_LO]
            old_hi = state[S_HI]
            extended_up = r > old_hi
            extended_down = r < old_lo
            if extended_up:
                state[S_HI] = r
            if extended_down:
                state[S_LO] = r
            extremes_moved = False
            if tick > state[S_TRADED_HIGH]:
                state[S_TRADED_HIGH] = tick
                extremes_moved = True
            if tick < state[S_TRADED_LOW]:
                state[S_TRADED_LOW] = tick
                extremes_moved = True
            volumes[r] += size
            state[S_TOTAL] += size
            old_poc = state[S_POC]
            v = volumes[r]
            rescan = False
            if v > state[S_MAXV]:
                state[S_MAXV] = v
                state[S_NMAX] = 1
                state[S_POC] = r
            elif v == state[S_MAXV]:
                state[S_NMAX] += 1
                rescan = True
            elif state[S_NMAX] > 1 and (
                extended_up or extended_down or (rule == POC_CENTRE_TRADES and extremes_moved)
            ):
                rescan = True
            if rescan:
                state[S_POC] = _poc_in_range(
                    volumes,
                    volumes,
                    False,
                    state[S_LO],
                    state[S_HI],
                    rule,
                    final_higher,
                    base_row,
                    row_ticks,
                    state[S_TRADED_LOW],
                    state[S_TRADED_HIGH],
                )
            poc = state[S_POC]
            steps = state[S_STEPS]
            target = _target(state[S_TOTAL], num, den)
            if poc != old_poc:
                path_lo[0] = poc
                path_hi[0] = poc
                path_acc[0] = volumes[poc]
                resume = 0
            elif r == poc:
                resume = steps
                for j in range(steps + 1):
                    path_acc[j] += size
                    if path_acc[j] >= target:
                        resume = j
                        break
            elif r > poc:
                reach = old_hi + 1 if extended_up else r
                resume = _first_step_up(path_hi, steps, width, reach)
            else:
                reach = old_lo - 1 if extended_down else r
                resume = _first_step_down(path_lo, steps, width, reach)
        lo = path_lo[resume]
        hi = path_hi[resume]
        acc = path_acc[resume]
        steps = resume
        target = _target(state[S_TOTAL], num, den)
        bottom = state[S_LO]
        top = state[S_HI]
        while acc < target and (hi < top or lo > bottom):
            lo, hi, acc = _expand_step(volumes, lo, hi, acc, bottom, top, width, tie)
            steps += 1
            path_lo[steps] = lo
            path_hi[steps] = hi
            path_acc[steps] = acc
        state[S_STEPS] = steps
        state[S_COUNT] += 1
        out[0, i] = state[S_POC]
        out[1, i] = lo
        out[2, i] = hi
        out[3, i] = acc
        out[4, i] = state[S_TOTAL]
