"""One pass over a batch of node market events (MARKET_EVENT_DTYPE records): event times made
monotonic, the positions of usable trades and quotes, and the count of unusable ones.

A trade needs a size > 0 and a price; a quote needs both a bid and an ask. Times that step back
are held at the latest time seen (carried across batches by the caller)."""

from __future__ import annotations

import numpy as np
from numba import njit

NO_PRICE = np.iinfo(np.int64).min
EVENT_TRADE = 1
EVENT_QUOTE = 2
"""Event kinds, as `feeds.events` KIND_TRADE and KIND_QUOTE."""


@njit(cache=True, nogil=True)
def _scan_events(events, ts_carry):
    """(ts_run, trade positions, quote positions, unusable trades and quotes) of a batch."""
    n = events.shape[0]
    ts_run = np.empty(n, dtype=np.int64)
    trades = np.empty(n, dtype=np.int64)
    quotes = np.empty(n, dtype=np.int64)
    n_trades = 0
    n_quotes = 0
    bad = 0
    latest = ts_carry
    for i in range(n):
        ev = events[i]
        if ev.ts_ns > latest:
            latest = ev.ts_ns
        ts_run[i] = latest
        if ev.kind == EVENT_TRADE:
            if ev.size > 0 and ev.price_ticks != NO_PRICE:
                trades[n_trades] = i
                n_trades += 1
            else:
                bad += 1
        elif ev.kind == EVENT_QUOTE:
            if ev.bid_ticks != NO_PRICE and ev.ask_ticks != NO_PRICE:
                quotes[n_quotes] = i
                n_quotes += 1
            else:
                bad += 1
    return ts_run, trades[:n_trades], quotes[:n_quotes], bad
