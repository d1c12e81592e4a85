"""Aggressor classification kernel (spec §7.1): exchange flag, quote rule, Lee-Ready midpoint, tick
test, each step switchable, against the quote prevailing just before each trade."""

from __future__ import annotations

import numpy as np
from numba import njit

METHOD_NONE = 0
METHOD_EXCHANGE = 1
METHOD_QUOTE = 2
METHOD_LR_MID = 3
METHOD_TICK = 4
NO_PRICE = np.iinfo(np.int64).min


@njit(cache=True, nogil=True)
def _quote_counts(bid: np.ndarray, ask: np.ndarray) -> tuple:
    """(crossed, locked) quotes: bid > ask and bid == ask, both sides present."""
    crossed = 0
    locked = 0
    for i in range(bid.shape[0]):
        if bid[i] == NO_PRICE or ask[i] == NO_PRICE:
            continue
        if bid[i] > ask[i]:
            crossed += 1
        elif bid[i] == ask[i]:
            locked += 1
    return crossed, locked


@njit(cache=True, nogil=True)
def _classify(
    trade_ts: np.ndarray,
    trade_seq: np.ndarray,
    price: np.ndarray,
    exchange_side: np.ndarray,
    quote_ts: np.ndarray,
    quote_seq: np.ndarray,
    bid: np.ndarray,
    ask: np.ndarray,
    use_exchange: bool,
    use_quote: bool,
    use_mid: bool,
    use_tick: bool,
    lag_ns: int,
) -> tuple:
    """Side (+1/-1/0) and method code per trade, plus how many trades met an unusable
    (one-sided, locked or crossed) quote.

    With `use_exchange` the feed's flag decides every trade (0 stays unknown: an auction print
    has no aggressor). The prevailing quote is the latest with ts + lag < trade ts, or ts + lag == trade ts and a
    smaller feed sequence. The tick test tracks every trade's price, whichever step decided it.
    """
    n = trade_ts.shape[0]
    side = np.zeros(n, dtype=np.int8)
    method = np.zeros(n, dtype=np.int8)
    q = -1
    n_quotes = quote_ts.shape[0]
    last_price = NO_PRICE
    last_dir = 0
    unusable = 0
    for i in range(n):
        t = trade_ts[i]
        while q + 1 < n_quotes and (
            quote_ts[q + 1] + lag_ns < t
            or (quote_ts[q + 1] + lag_ns == t and quote_seq[q + 1] < trade_seq[i])
        ):
            q += 1
        p = price[i]
        tick_dir = last_dir
        if last_price != NO_PRICE and p != last_price:
            tick_dir = 1 if p > last_price else -1
        decided = False
        if use_exchange:
            side[i] = exchange_side[i]
            method[i] = METHOD_EXCHANGE
            decided = True
        if not decided and (use_quote or use_mid) and q >= 0:
            b = bid[q]
            a = ask[q]
            if b == NO_PRICE or a == NO_PRICE or b >= a:
                unusable += 1
            elif use_quote and p >= a:
                side[i] = 1
                method[i] = METHOD_QUOTE
                decided = True
            elif use_quote and p <= b:
                side[i] = -1
                method[i] = METHOD_QUOTE
                decided = True
            elif use_mid and b < p and p < a and 2 * p != a + b:
                side[i] = 1 if 2 * p > a + b else -1
                method[i] = METHOD_LR_MID
                decided = True
        if not decided and use_tick:
            side[i] = tick_dir
            method[i] = METHOD_TICK
        if last_price == NO_PRICE or p != last_price:
            last_dir = tick_dir
        last_price = p
    return side, method, unusable
