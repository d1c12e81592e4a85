"""Strategy research on the node's own decision path: the chosen days run through the backtest
(`research.backtest`: the engine's trading loop with the paper broker, walk-forward), and their
round trips go to the PerformanceAnalyzer. No second plan builder, no second exit simulator:
what this shows is what the node would have done.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from orderflow_lib.core.config import Settings
from orderflow_lib.execution.performance import PerformanceAnalyzer, RoundTrip
from orderflow_lib.research.backtest import DayResult, run_backtest
from orderflow_lib.research.backtest_files import source_for
from orderflow_lib.research.paths import research_settings, resolve_path

DEFAULT_GBP_PER_USD = 0.79
"""GBP for one USD when no rate is given (the paper broker's default)."""
DAY_COLUMNS = ["trade_date", "regime", "bias", "scenarios", "entries", "trades", "pnl_gbp"]
TRADE_COLUMNS = [
    "trade_date",
    "entry_time",
    "scenario",
    "setup",
    "side",
    "entry",
    "stop",
    "exit",
    "exit_price",
    "r_multiple",
    "pnl_gbp",
]


@dataclass(slots=True)
class StrategyStudy:
    """Every replayed day's plan headline, the trades the node would have made, and the analyzer
    of those round trips (summary, daily P&L, breakdown by setup, regime and scenario)."""

    days: pd.DataFrame
    intents: pd.DataFrame
    analyzer: PerformanceAnalyzer

    def summary(self) -> pd.DataFrame:
        """The PerformanceAnalyzer summary as a one-column table."""
        return pd.DataFrame({"all": self.analyzer.summary().to_dict()})

    def breakdown(self, tag: str) -> pd.DataFrame:
        """The summary per value of a tag (setup, regime or scenario), one row each."""
        rows = {key: s.to_dict() for key, s in self.analyzer.by(tag).items()}
        return pd.DataFrame.from_dict(rows, orient="index")


def replay_strategies(
    source: str | os.PathLike[str],
    days: Sequence[date],
    *,
    settings: Settings | None = None,
    seed: int = 7,
    scale: float = 1.0,
    gbp_per_usd: float = DEFAULT_GBP_PER_USD,
    client: Any = None,
    workers: int | None = 1,
    progress: bool = True,
) -> StrategyStudy:
    """Backtest `days` of `source` ('synthetic', or a Lean minute folder; relative paths and the
    data folder are read against the project root) and analyse the round trips at `gbp_per_usd`."""
    s = research_settings(settings)
    wanted = sorted(set(days))
    name = source if source == "synthetic" else str(resolve_path(source))
    data, covered = source_for(
        name, wanted[0], wanted[-1], seed=seed, scale=scale, data_dir=resolve_path(s.data_dir)
    )
    chosen = [d for d in covered if d in set(wanted)]
    results = run_backtest(data, chosen, s, client=client, workers=workers, progress=progress)
    trips = [_round_trip(r, t, s.instrument.execute) for r in results for t in r.trips]
    analyzer = PerformanceAnalyzer(trips, gbp_per_usd=gbp_per_usd)
    return StrategyStudy(_days_frame(results), _trades_frame(results, s), analyzer)


def _round_trip(day: DayResult, trip: dict[str, Any], instrument: str) -> RoundTrip:
    """A backtest round trip as the analyzer's, tagged by setup, regime and scenario."""
    scenario = trip["scenario_id"]
    return RoundTrip(
        instrument=instrument,
        side=trip["direction"],
        quantity=trip["quantity"],
        entry_ticks=round(trip["entry_ticks"]),
        exit_ticks=round(trip["exit_ticks"]),
        entry_ts_ns=trip["entry_ts_ns"],
        exit_ts_ns=trip["exit_ts_ns"],
        entry_order_id=trip["signal_id"],
        exit_order_id=f"{trip['signal_id']}:{trip['exit']}",
        tags={
            "setup": day.kinds.get(scenario, "?"),
            "regime": day.regime or "?",
            "scenario": scenario,
        },
    )


def _days_frame(results: Sequence[DayResult]) -> pd.DataFrame:
    rows = [
        {
            "trade_date": r.trade_date,
            "regime": r.regime,
            "bias": r.bias,
            "scenarios": sum(r.grades.values()),
            "entries": r.entries,
            "trades": len(r.trips),
            "pnl_gbp": round(r.pnl_gbp, 2),
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=DAY_COLUMNS)


def _trades_frame(results: Sequence[DayResult], settings: Settings) -> pd.DataFrame:
    tick = settings.instrument.tick_size
    rows = []
    for r in results:
        for t in r.trips:
            rows.append(
                {
                    "trade_date": r.trade_date,
                    "entry_time": pd.Timestamp(t["entry_ts_ns"], unit="ns", tz="UTC"),
                    "scenario": t["scenario_id"],
                    "setup": r.kinds.get(t["scenario_id"], "?"),
                    "side": "long" if t["direction"] > 0 else "short",
                    "entry": t["entry_ticks"] * tick,
                    "stop": None if t["stop_ticks"] is None else t["stop_ticks"] * tick,
                    "exit": t["exit"],
                    "exit_price": t["exit_ticks"] * tick,
                    "r_multiple": None if t["r_multiple"] is None else round(t["r_multiple"], 2),
                    "pnl_gbp": None if t["pnl_gbp"] is None else round(t["pnl_gbp"], 2),
                }
            )
    return pd.DataFrame(rows, columns=TRADE_COLUMNS)
