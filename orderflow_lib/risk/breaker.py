"""Max-drawdown circuit breaker rules (pure): when it trips and when it resets.

Rule: the breaker trips when the daily P&L in GBP (the broker's USD P&L times its GBP-per-USD
rate) is at or below `max_drawdown_gbp` (default -500). Once tripped it stays tripped for the
rest of that CME trade date whatever happens to P&L, the limit, the fence or the process (it is
persisted). It resets by itself only at the first account update stamped in a LATER trade date
(that is, after the next trade date's Globex open) whose daily P&L is known and above the limit;
a stale P&L still at or below the limit keeps it tripped. No operator call resets it early.
"""

from __future__ import annotations

import math
from datetime import date


def breaker_should_trip(daily_pnl_gbp: float, max_drawdown_gbp: float) -> bool:
    """True when a known daily P&L is at or below the (negative) drawdown limit."""
    return math.isfinite(daily_pnl_gbp) and daily_pnl_gbp <= max_drawdown_gbp


def breaker_should_reset(
    tripped_trade_date: date | None,
    update_trade_date: date,
    daily_pnl_gbp: float,
    max_drawdown_gbp: float,
) -> bool:
    """True when an account update from a later trade date shows a known P&L above the limit.

    A trip without a recorded trade date (never written by the manager) never resets by itself.
    """
    if tripped_trade_date is None:
        return False
    return (
        update_trade_date > tripped_trade_date
        and math.isfinite(daily_pnl_gbp)
        and daily_pnl_gbp > max_drawdown_gbp
    )
