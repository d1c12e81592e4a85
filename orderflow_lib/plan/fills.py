"""Paper fill rules of spec §5.6, shared by the paper broker and the review's hypothetical bracket.

Prices are ticks; `side` is the order's side (+1 buy, -1 sell). Market and stop fills take the
slippage against the order; a limit fills at its price, and only when a trade prints at least one
tick through it.
"""

from __future__ import annotations


def market_fill_tick(side: int, trade_tick: int, slippage_ticks: int) -> int:
    """A market order fills at the next trade's price, `slippage_ticks` worse for the order."""
    return trade_tick + side * slippage_ticks


def stop_triggered(side: int, stop_tick: int, trade_tick: int) -> bool:
    """A sell stop triggers on a trade at or below it, a buy stop at or above it."""
    return (trade_tick - stop_tick) * side >= 0


def stop_fill_tick(side: int, trade_tick: int, slippage_ticks: int) -> int:
    """A triggered stop fills at the triggering trade's price, `slippage_ticks` worse."""
    return trade_tick + side * slippage_ticks


def limit_filled(side: int, limit_tick: int, trade_tick: int) -> bool:
    """A buy limit fills when a trade prints at least one tick below it, a sell limit one above."""
    return (limit_tick - trade_tick) * side >= 1


def bar_path_for_position(
    direction: int, open_tick: int, high_tick: int, low_tick: int, close_tick: int
) -> tuple[int, int, int, int]:
    """A bar read for a position in `direction` (+1 long): open, adverse extreme, favourable
    extreme, close; a bar that reaches both the stop and the target hits the stop first."""
    adverse, favourable = (low_tick, high_tick) if direction > 0 else (high_tick, low_tick)
    return open_tick, adverse, favourable, close_tick
