"""Compile the numba kernels once, at install time (`make` runs it after installing), so the first
`orderflow demo` or `run` on a fresh clone starts in seconds instead of compiling for ~15 s.

It runs what a node and a backtest run: the pipeline in both DOM modes, then a small synthetic
day after a few small prior sessions through the whole trading loop (plan, strategy, paper
broker, review). The kernels cache their machine code next to their source (`cache=True`).

Run: python -m orderflow_lib.research.precompile
"""

from __future__ import annotations

import time
from datetime import date
from typing import Final

from orderflow_lib.core.config import Settings
from orderflow_lib.engine.context import prior_from_trades
from orderflow_lib.engine.warmup import warm_up
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.synthetic import generate_sessions
from orderflow_lib.research.backtest import DayResult, run_day

REHEARSAL_FIRST: Final = date(2026, 11, 16)
REHEARSAL_DAY: Final = date(2026, 11, 24)
REHEARSAL_SCALE: Final = 0.02
REHEARSAL_SEED: Final = 1


def rehearse_day(settings: Settings) -> DayResult:
    """A small synthetic day (its priors the small sessions before it) through the trading loop."""
    calendar = default_calendar()
    sessions = generate_sessions(
        REHEARSAL_FIRST, REHEARSAL_DAY, REHEARSAL_SEED, scale=REHEARSAL_SCALE
    )
    priors = []
    for session in sessions[:-1]:
        day = session.trade_date
        contract = calendar.lead_contract(day, "ES")
        prior = prior_from_trades(
            session.trades, day, contract, calendar, settings.instrument.tick_size
        )
        if prior is not None:
            priors.append(prior)
    return run_day(session_events(sessions[-1]), priors, settings, source="synthetic")


def precompile(settings: Settings | None = None) -> float:
    """Run every kernel a node and a backtest use once; the seconds it took."""
    settings = settings or Settings()
    started = time.perf_counter()
    calendar = default_calendar()
    for dom_metrics in (True, False):
        warm_up(settings, calendar, dom_metrics=dom_metrics, exchange_side=dom_metrics)
    rehearse_day(settings)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"numba kernels compiled and cached in {precompile():.1f} s")
