"""Aggressor classification of trades (spec §7.1): the exchange flag when the feed has one, else the
quote rule against the prevailing bid/offer, then the Lee-Ready midpoint and the tick test.

Each trade gets a side (+1 buy, -1 sell, 0 unknown) and the method that decided it. Locked,
crossed or one-sided quotes are unusable (the tick test decides); they are counted, never fatal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.kernels.flow_aggressor import (
    METHOD_EXCHANGE,
    METHOD_LR_MID,
    METHOD_NONE,
    METHOD_QUOTE,
    METHOD_TICK,
    NO_PRICE,
    _classify,
    _quote_counts,
)

Method = Literal["EXCHANGE", "QUOTE", "LR_MID", "TICK"]
DEFAULT_METHODS: tuple[Method, ...] = ("EXCHANGE", "QUOTE", "LR_MID", "TICK")
METHOD_NAMES = {
    METHOD_NONE: "NONE",
    METHOD_EXCHANGE: "EXCHANGE",
    METHOD_QUOTE: "QUOTE",
    METHOD_LR_MID: "LR_MID",
    METHOD_TICK: "TICK",
}
_NS_PER_MS = 1_000_000


@dataclass(frozen=True)
class AggressorResult:
    """Sides and methods per trade, with the counts of unusable quotes.

    `unusable_quote_trades` counts trades whose prevailing quote was one-sided, locked or crossed;
    `crossed_quotes` / `locked_quotes` count such quotes in the input.
    """

    side: np.ndarray
    method: np.ndarray
    unusable_quote_trades: int
    crossed_quotes: int
    locked_quotes: int

    def method_counts(self) -> dict[str, int]:
        """How many trades each method decided."""
        codes, counts = np.unique(self.method, return_counts=True)
        return {METHOD_NAMES[int(c)]: int(n) for c, n in zip(codes, counts, strict=True)}


def _check_methods(methods: Sequence[str]) -> set[str]:
    unknown = [m for m in methods if m not in DEFAULT_METHODS]
    if unknown:
        raise ValueError(f"aggressor methods must be among {list(DEFAULT_METHODS)}, got {unknown}")
    return set(methods)


def classify_aggressor(
    trade_ts_ns: np.ndarray,
    price_ticks: np.ndarray,
    quote_ts_ns: np.ndarray,
    bid_ticks: np.ndarray,
    ask_ticks: np.ndarray,
    *,
    exchange_side: np.ndarray | None = None,
    trade_seq: np.ndarray | None = None,
    quote_seq: np.ndarray | None = None,
    methods: Sequence[str] = DEFAULT_METHODS,
    quote_lag_ms: int = 0,
) -> AggressorResult:
    """Classify time-ordered trades against time-ordered quotes (batch form).

    A quote prevails for a trade when its time + lag is earlier than the trade's, or equal with a
    smaller feed sequence (`trade_seq`/`quote_seq`: positions in the merged feed, increasing along
    each stream; without them an equal-time quote does not prevail). Missing quote sides are `NO_PRICE`.
    `exchange_side` (the feed's aggressor flag, +1/-1/0) decides every trade when given.
    """
    chosen = _check_methods(methods)
    ts = np.ascontiguousarray(trade_ts_ns, dtype=np.int64)
    px = np.ascontiguousarray(price_ticks, dtype=np.int64)
    qts = np.ascontiguousarray(quote_ts_ns, dtype=np.int64)
    bid = np.ascontiguousarray(bid_ticks, dtype=np.int64)
    ask = np.ascontiguousarray(ask_ticks, dtype=np.int64)
    if ts.shape != px.shape:
        raise ValueError(f"trade columns differ in length: ts {ts.shape[0]}, price {px.shape[0]}")
    if not (qts.shape == bid.shape == ask.shape):
        raise ValueError(
            f"quote columns differ in length: ts {qts.shape[0]}, bid {bid.shape[0]}, ask {ask.shape[0]}"
        )
    for name, column in (("trade", ts), ("quote", qts)):
        if column.size > 1 and (np.diff(column) < 0).any():
            raise ValueError(f"{name} times must be in time order (sort them first)")
    if quote_lag_ms < 0:
        raise ValueError(f"quote_lag_ms must be >= 0, was {quote_lag_ms}")
    use_exchange = exchange_side is not None and "EXCHANGE" in chosen
    flags = (
        np.ascontiguousarray(exchange_side, dtype=np.int8)
        if exchange_side is not None
        else np.zeros(ts.shape[0], dtype=np.int8)
    )
    t_seq = _seq(trade_seq, ts.shape[0])
    q_seq = _seq(quote_seq, qts.shape[0])
    side, method, unusable = _classify(
        ts,
        t_seq,
        px,
        flags,
        qts,
        q_seq,
        bid,
        ask,
        use_exchange,
        "QUOTE" in chosen,
        "LR_MID" in chosen,
        "TICK" in chosen,
        quote_lag_ms * _NS_PER_MS,
    )
    crossed, locked = _quote_counts(bid, ask)
    return AggressorResult(side, method, int(unusable), int(crossed), int(locked))


def _seq(seq: np.ndarray | None, n: int) -> np.ndarray:
    if seq is None:
        return np.zeros(n, dtype=np.int64)
    out = np.ascontiguousarray(seq, dtype=np.int64)
    if out.shape[0] != n:
        raise ValueError(f"sequence has {out.shape[0]} values for {n} rows")
    if out.size > 1 and (np.diff(out) <= 0).any():
        raise ValueError("feed sequence numbers must increase along each stream")
    return out


class AggressorClassifier:
    """Incremental classifier: feed quotes and trades in arrival order (same rules as the batch).

    `unusable_quote_trades`, `crossed_quotes` and `locked_quotes` count bad or unusable quotes.
    """

    def __init__(
        self,
        *,
        has_exchange_flag: bool = False,
        methods: Sequence[str] = DEFAULT_METHODS,
        quote_lag_ms: int = 0,
    ) -> None:
        chosen = _check_methods(methods)
        if quote_lag_ms < 0:
            raise ValueError(f"quote_lag_ms must be >= 0, was {quote_lag_ms}")
        self._use_exchange = has_exchange_flag and "EXCHANGE" in chosen
        self._use_quote = "QUOTE" in chosen
        self._use_mid = "LR_MID" in chosen
        self._use_tick = "TICK" in chosen
        self._lag_ns = quote_lag_ms * _NS_PER_MS
        self._quotes: deque[tuple[int, int, int]] = deque()
        self._last_price: int | None = None
        self._last_dir = 0
        self.unusable_quote_trades = 0
        self.crossed_quotes = 0
        self.locked_quotes = 0

    def on_quote(self, ts_ns: int, bid_ticks: int, ask_ticks: int) -> None:
        """Record a best bid/offer (NO_PRICE for a missing side)."""
        if bid_ticks != NO_PRICE and ask_ticks != NO_PRICE:
            if bid_ticks > ask_ticks:
                self.crossed_quotes += 1
            elif bid_ticks == ask_ticks:
                self.locked_quotes += 1
        self._quotes.append((ts_ns, bid_ticks, ask_ticks))

    def on_trade(self, ts_ns: int, price_ticks: int, exchange_side: int = 0) -> tuple[int, int]:
        """(side, method code) of one trade."""
        quotes = self._quotes
        while len(quotes) > 1 and quotes[1][0] + self._lag_ns <= ts_ns:
            quotes.popleft()
        quote = quotes[0] if quotes and quotes[0][0] + self._lag_ns <= ts_ns else None
        p = price_ticks
        tick_dir = self._last_dir
        if self._last_price is not None and p != self._last_price:
            tick_dir = 1 if p > self._last_price else -1
        side, method = self._decide(p, exchange_side, quote, tick_dir)
        if self._last_price is None or p != self._last_price:
            self._last_dir = tick_dir
        self._last_price = p
        return side, method

    def _decide(
        self, p: int, exchange_side: int, quote: tuple[int, int, int] | None, tick_dir: int
    ) -> tuple[int, int]:
        if self._use_exchange:
            return exchange_side, METHOD_EXCHANGE
        if quote is not None and (self._use_quote or self._use_mid):
            _, b, a = quote
            if b == NO_PRICE or a == NO_PRICE or b >= a:
                self.unusable_quote_trades += 1
            elif self._use_quote and p >= a:
                return 1, METHOD_QUOTE
            elif self._use_quote and p <= b:
                return -1, METHOD_QUOTE
            elif self._use_mid and b < p < a and 2 * p != a + b:
                return (1 if 2 * p > a + b else -1), METHOD_LR_MID
        if self._use_tick:
            return tick_dir, METHOD_TICK
        return 0, METHOD_NONE


def unknown_share(size: np.ndarray, side: np.ndarray) -> Fraction:
    """Exact share of volume without a known aggressor (0 when there is no volume)."""
    total = int(np.sum(size))
    if total == 0:
        return Fraction(0)
    return Fraction(int(np.sum(size[side == 0])), total)


def unknown_share_too_high(share: Fraction, warn_above: float | str | Fraction = "0.01") -> bool:
    """True when the unknown share exceeds `orderflow.unknown_share_warn` (1%), compared exactly."""
    return share > exact(warn_above)
