"""Running per-trade values of one session in one pass, resumable across batches: volume, high,
low, cumulative delta, anchored VWAP and sigma (spec §7.12), tape window sums and pressure state
(spec §7.11), overnight and initial-balance extremes.

The carried state lives in arrays the caller owns (`state`, and a ring of the trades still inside
the tape window), so any batching of the same trades gives the same values, one trade at a time
(live) or thousands (replay). The ring must have room for its trades plus the batch.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.kernels.flow_tape import _tape_count
from orderflow_lib.kernels.flow_vwap import _vwap_step

# state slots
S_VOLUME = 0
S_HIGH = 1
S_LOW = 2
S_CD = 3
S_VWAP_VOLUME = 4  # slots 4-7: the VWAP accumulator of flow_vwap._vwap_step
S_S1 = 5
S_S2 = 6
S_P0 = 7
S_BUY = 8  # slots 8-11: the window sums of flow_tape._tape_count
S_SELL = 9
S_LARGE_BUY = 10
S_LARGE_SELL = 11
S_HEAD = 12
S_LEN = 13
S_TAPE_STATE = 14
S_ON_HIGH = 15
S_ON_LOW = 16
S_IB_HIGH = 17
S_IB_LOW = 18
STATE_SIZE = 19

# params slots
P_ANCHOR = 0
P_WINDOW_NS = 1
P_WINDOW_TRADES = 2
P_BY_TRADES = 3
P_LARGE_LOT = 4
P_THR_NUM = 5
P_THR_DEN = 6
P_MIN_VOL = 7
P_RTH_OPEN = 8
P_IB_END = 9
PARAMS_SIZE = 10

# integer output columns
O_VOLUME = 0
O_HIGH = 1
O_LOW = 2
O_CD = 3
O_LARGE_LOT_DELTA = 4
O_IN_WINDOW = 5
O_ON_HIGH = 6
O_ON_LOW = 7
O_IB_HIGH = 8
O_IB_LOW = 9
O_BUY = 10
O_SELL = 11
O_TURNED = 12
OUT_INT = 13
# float output columns
F_VWAP = 0
F_SIGMA = 1
F_PRESSURE = 2
OUT_FLOAT = 3


def new_state() -> np.ndarray:
    """The state of a session before its first trade."""
    state = np.zeros(STATE_SIZE, dtype=np.int64)
    for slot in (S_HIGH, S_LOW, S_ON_HIGH, S_ON_LOW, S_IB_HIGH, S_IB_LOW):
        state[slot] = NO_PRICE
    return state


@njit(cache=True, nogil=True)
def _pressure_state(buy, sell, num, den, min_vol):
    """+1 BUY, -1 SELL, 0 neither (exact threshold, minimum sided volume)."""
    total = buy + sell
    if total <= 0 or total < min_vol:
        return 0
    if (buy - sell) * den >= num * total:
        return 1
    if (sell - buy) * den >= num * total:
        return -1
    return 0


@njit(cache=True, nogil=True)
def _extreme(state, hi_slot, lo_slot, price):
    """Stretch a carried high/low pair to include `price`."""
    if state[hi_slot] == NO_PRICE or price > state[hi_slot]:
        state[hi_slot] = price
    if state[lo_slot] == NO_PRICE or price < state[lo_slot]:
        state[lo_slot] = price


@njit(cache=True, nogil=True)
def _session_trades(ts, price, size, side, params, state, ring_ts, ring_size, ring_side, oi, of):
    """Apply time-ordered trades; write each trade's running values into rows of oi / of. Returns
    how many trades turned the tape pressure state (fired a signal)."""
    cap = ring_ts.shape[0]
    turned = 0
    window_ns = params[P_WINDOW_NS]
    by_trades = params[P_BY_TRADES] != 0
    large_lot = params[P_LARGE_LOT]
    sums = state[S_BUY : S_LARGE_SELL + 1]
    for i in range(ts.shape[0]):
        t = ts[i]
        p = price[i]
        q = size[i]
        state[S_VOLUME] += q
        _extreme(state, S_HIGH, S_LOW, p)
        if side[i] > 0:
            state[S_CD] += q
        elif side[i] < 0:
            state[S_CD] -= q
        if t < params[P_RTH_OPEN]:
            _extreme(state, S_ON_HIGH, S_ON_LOW, p)
        elif t < params[P_IB_END]:
            _extreme(state, S_IB_HIGH, S_IB_LOW, p)
        of[i, F_VWAP] = math.nan
        of[i, F_SIGMA] = math.nan
        if t >= params[P_ANCHOR]:
            of[i, F_VWAP], of[i, F_SIGMA] = _vwap_step(state[S_VWAP_VOLUME : S_P0 + 1], p, q)
        slot = (state[S_HEAD] + state[S_LEN]) % cap
        ring_ts[slot] = t
        ring_size[slot] = q
        ring_side[slot] = side[i]
        state[S_LEN] += 1
        _tape_count(sums, q, side[i], 1, large_lot)
        while state[S_LEN] > 0 and (
            (by_trades and state[S_LEN] > params[P_WINDOW_TRADES])
            or (not by_trades and ring_ts[state[S_HEAD]] <= t - window_ns)
        ):
            head = state[S_HEAD]
            _tape_count(sums, ring_size[head], ring_side[head], -1, large_lot)
            state[S_HEAD] = (state[S_HEAD] + 1) % cap
            state[S_LEN] -= 1
        buy = state[S_BUY]
        sell = state[S_SELL]
        tape_state = _pressure_state(
            buy, sell, params[P_THR_NUM], params[P_THR_DEN], params[P_MIN_VOL]
        )
        oi[i, O_TURNED] = tape_state if tape_state != state[S_TAPE_STATE] else 0
        if oi[i, O_TURNED] != 0:
            turned += 1
        state[S_TAPE_STATE] = tape_state
        of[i, F_PRESSURE] = (buy - sell) / (buy + sell) if buy + sell > 0 else 0.0
        oi[i, O_VOLUME] = state[S_VOLUME]
        oi[i, O_HIGH] = state[S_HIGH]
        oi[i, O_LOW] = state[S_LOW]
        oi[i, O_CD] = state[S_CD]
        oi[i, O_LARGE_LOT_DELTA] = state[S_LARGE_BUY] - state[S_LARGE_SELL]
        oi[i, O_IN_WINDOW] = state[S_LEN]
        oi[i, O_ON_HIGH] = state[S_ON_HIGH]
        oi[i, O_ON_LOW] = state[S_ON_LOW]
        oi[i, O_IB_HIGH] = state[S_IB_HIGH]
        oi[i, O_IB_LOW] = state[S_IB_LOW]
        oi[i, O_BUY] = buy
        oi[i, O_SELL] = sell
    return turned
