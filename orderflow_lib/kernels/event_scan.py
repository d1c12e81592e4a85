"""One pass over a batch of node market events (MARKET_EVENT_DTYPE records): event times made
monotonic, the positions of usable trades and quotes, the trades' own columns, and the count of
unusable events.

A trade needs a size > 0 and a price; a quote needs both a bid and an ask. Event times that step
back are held at the latest event time seen, and trade times at the latest trade time seen (both
carried across batches by the caller), so the engines always see time moving forward."""

from __future__ import annotations

import numpy as np
from numba import njit

from orderflow_lib.kernels.book import NO_PRICE
from orderflow_lib.market.events import KIND_QUOTE, KIND_TRADE


@njit(cache=True, nogil=True)
def _scan_events(events, ts_carry, trade_ts_carry):
    """(ts_run, trade positions, quote positions, unusable events, trade ts, price, size, side,
    trades whose time was held forward) of a batch."""
    n = events.shape[0]
    ts_run = np.empty(n, dtype=np.int64)
    trades = np.empty(n, dtype=np.int64)
    quotes = np.empty(n, dtype=np.int64)
    t_ts = np.empty(n, dtype=np.int64)
    t_price = np.empty(n, dtype=np.int64)
    t_size = np.empty(n, dtype=np.int64)
    t_side = np.empty(n, dtype=np.int8)
    n_trades = 0
    n_quotes = 0
    bad = 0
    late = 0
    latest = ts_carry
    latest_trade = trade_ts_carry
    for i in range(n):
        ev = events[i]
        if ev.ts_ns > latest:
            latest = ev.ts_ns
        ts_run[i] = latest
        if ev.kind == KIND_TRADE:
            if ev.size > 0 and ev.price_ticks != NO_PRICE:
                if ev.ts_ns >= latest_trade:
                    latest_trade = ev.ts_ns
                else:
                    late += 1
                trades[n_trades] = i
                t_ts[n_trades] = latest_trade
                t_price[n_trades] = ev.price_ticks
                t_size[n_trades] = ev.size
                t_side[n_trades] = ev.side
                n_trades += 1
            else:
                bad += 1
        elif ev.kind == KIND_QUOTE:
            if ev.bid_ticks != NO_PRICE and ev.ask_ticks != NO_PRICE:
                quotes[n_quotes] = i
                n_quotes += 1
            else:
                bad += 1
    k = n_trades
    return (
        ts_run,
        trades[:k],
        quotes[:n_quotes],
        bad,
        t_ts[:k],
        t_price[:k],
        t_size[:k],
        t_side[:k],
        late,
    )
