"""Strategy research: replay trade dates through the pre-market plan and the strategy engine
(ROTATIONAL, DIRECTIONAL_BULLISH, DIRECTIONAL_BEARISH), simulate each intent as a bracket on
the day's 1-minute bars, and hand the round trips to the PerformanceAnalyzer.

The simulation is a research approximation, not the paper broker: an intent enters at its
entry tick when its bar closes; on later bars the stop is taken first when a bar reaches both
stop and target; a trade still open at the RTH close exits at the last close. Each intent is its
own round trip (no netting between overlapping intents).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.execution.performance import PerformanceAnalyzer, RoundTrip
from orderflow_lib.flow import (
    detect_bar_signals,
    trade_arrays,
    volumetric_candles,
    vwap_bands,
    vwap_rhythm,
)
from orderflow_lib.flow.rhythm import Condition as Rhythm
from orderflow_lib.flow.signals import Signal
from orderflow_lib.market.events import BAR_DTYPE
from orderflow_lib.plan import MarketData, build_plan, plan_context
from orderflow_lib.research.daily import calendar_for
from orderflow_lib.research.parallel import map_days
from orderflow_lib.research.paths import research_settings
from orderflow_lib.research.plans import as_source
from orderflow_lib.research.replay import default_bar
from orderflow_lib.research.sources import DaySource
from orderflow_lib.strategy import StrategyEngine, TradeIntent

DEFAULT_GBP_PER_USD = 0.79
"""GBP for one USD when no rate is given (the paper broker's default)."""
EXIT_STOP = "STOP"
EXIT_TARGET = "TARGET"
EXIT_CLOSE = "CLOSE"


@dataclass(frozen=True, slots=True)
class DayResult:
    """One trade date: its plan's headline, the intents the strategies emitted and their trips."""

    trade_date: date
    regime: str
    bias: str
    scenarios: int
    intents: tuple[TradeIntent, ...]
    trips: tuple[RoundTrip, ...]
    exits: tuple[str, ...]


@dataclass(slots=True)
class StrategyStudy:
    """Every replayed day's plan headline, intents with their exits, and the analyzer of the
    round trips (summary, daily P&L, breakdown by setup, regime and scenario)."""

    days: pd.DataFrame
    intents: pd.DataFrame
    analyzer: PerformanceAnalyzer

    def summary(self) -> pd.DataFrame:
        """The PerformanceAnalyzer summary as a one-column table."""
        return pd.DataFrame({"all": self.analyzer.summary().to_dict()})

    def breakdown(self, tag: str) -> pd.DataFrame:
        """The summary per value of a tag (setup, regime, scenario or family), one row each."""
        rows = {key: s.to_dict() for key, s in self.analyzer.by(tag).items()}
        return pd.DataFrame.from_dict(rows, orient="index")


def replay_strategies(
    source: str | os.PathLike[str] | DaySource,
    days: Sequence[date],
    *,
    settings: Settings | None = None,
    gbp_per_usd: float = DEFAULT_GBP_PER_USD,
    instrument: str = "MES",
    client: Any = None,
    workers: int | None = 1,
    progress: bool = True,
) -> StrategyStudy:
    """Plan, run the strategies and simulate the intents of each of `days` (one task per day,
    see `map_days`), then analyse the round trips at `gbp_per_usd`."""
    s = research_settings(settings)
    data = as_source(source)
    tasks = [(day, data, s, instrument) for day in sorted(set(days))]
    results = map_days(
        strategy_day, tasks, client=client, workers=workers, progress=progress, desc="strategies"
    )
    trips = [t for r in results for t in r.trips]
    analyzer = PerformanceAnalyzer(trips, gbp_per_usd=gbp_per_usd)
    return StrategyStudy(_days_frame(results), _intents_frame(results, s), analyzer)


def strategy_day(task: tuple[date, DaySource, Settings, str]) -> DayResult:
    """Worker: one trade date's plan, strategy intents and simulated round trips."""
    day, source, settings, instrument = task
    data = source.market_data(day, settings)
    plan = build_plan(plan_context(data, day, settings, calendar=calendar_for(settings)), settings)
    rth = data.window(plan.rth_open_ns, plan.rth_close_ns)
    bars = minute_bars(rth)
    signals = _signals(data, day, settings)
    rhythm = _rhythm(rth, bars, settings)
    engine = StrategyEngine(plan, settings, instrument=instrument)
    intents: list[TradeIntent] = []
    fed = 0
    for i, bar in enumerate(bars):
        close_ns = int(bar["ts_ns"]) + NS_PER_MINUTE
        while fed < len(signals) and signals[fed].ts_ns < close_ns:
            engine.on_signal(signals[fed])
            fed += 1
        intents += engine.on_bar(
            int(bar["ts_ns"]),
            int(bar["open_ticks"]),
            int(bar["high_ticks"]),
            int(bar["low_ticks"]),
            int(bar["close_ticks"]),
            int(bar["volume"]),
            rhythm=rhythm[i],
        )
    simulated = [simulate_intent(x, bars) for x in intents]
    return DayResult(
        day,
        plan.regime,
        plan.bias,
        len(plan.scenarios),
        tuple(intents),
        tuple(trip for trip, _ in simulated),
        tuple(exit_ for _, exit_ in simulated),
    )


def minute_bars(data: MarketData) -> np.ndarray:
    """1-minute BAR_DTYPE bars: the bars themselves, or built from trades (minutes without a
    trade have no bar)."""
    if data.bars is not None:
        return data.bars
    assert data.trades is not None
    if len(data.trades) == 0:
        return np.empty(0, dtype=BAR_DTYPE)
    t = data.trades
    candles = volumetric_candles(
        trade_arrays(t["ts_ns"], t["price_ticks"], t["size"], t["side"]), "1min"
    )
    out = np.empty(len(candles), dtype=BAR_DTYPE)
    out["ts_ns"] = candles.footprint.start_ns
    for name in ("open_ticks", "high_ticks", "low_ticks", "close_ticks", "volume"):
        out[name] = candles[name]
    return out


def simulate_intent(intent: TradeIntent, bars: np.ndarray) -> tuple[RoundTrip, str]:
    """The intent as a bracket on the bars opening at or after its time: (round trip, exit kind)."""
    later = bars[bars["ts_ns"] >= intent.ts_ns]
    side = intent.side
    exit_tick, exit_ns, kind = intent.entry_tick, intent.ts_ns, EXIT_CLOSE
    for bar in later:
        end_ns = int(bar["ts_ns"]) + NS_PER_MINUTE
        low, high = int(bar["low_ticks"]), int(bar["high_ticks"])
        stopped = low <= intent.stop_tick if side > 0 else high >= intent.stop_tick
        reached = high >= intent.target_tick if side > 0 else low <= intent.target_tick
        if stopped:
            exit_tick, exit_ns, kind = intent.stop_tick, end_ns, EXIT_STOP
            break
        if reached:
            exit_tick, exit_ns, kind = intent.target_tick, end_ns, EXIT_TARGET
            break
        exit_tick, exit_ns = int(bar["close_ticks"]), end_ns
    trip = RoundTrip(
        instrument=intent.instrument,
        side=side,
        quantity=intent.quantity,
        entry_ticks=intent.entry_tick,
        exit_ticks=exit_tick,
        entry_ts_ns=intent.ts_ns,
        exit_ts_ns=exit_ns,
        entry_order_id=intent.signal_id,
        exit_order_id=f"{intent.signal_id}:{kind}",
        tags=intent.tags(),
    )
    return trip, kind


def _signals(data: MarketData, day: date, settings: Settings) -> list[Signal]:
    """The day's bar-level order-flow signals (trades only; bars carry no order flow)."""
    if data.trades is None:
        return []
    window = calendar_for(settings).globex_window(day)
    part = data.window(window.open_ns, window.close_ns)
    assert part.trades is not None
    t = part.trades
    if len(t) == 0:
        return []
    trades = trade_arrays(t["ts_ns"], t["price_ticks"], t["size"], t["side"])
    anchors = np.array([window.open_ns], dtype=np.int64)
    candles = volumetric_candles(trades, default_bar(settings), anchors)
    return list(detect_bar_signals(trades, candles, settings.orderflow, anchors).signals)


def _rhythm(rth: MarketData, bars: np.ndarray, settings: Settings) -> list[Rhythm | None]:
    """The VWAP rhythm after each bar: VWAP from the RTH trades, or from the bars' closes
    weighted by volume when there are no trades."""
    if len(bars) == 0:
        return []
    close_ns = bars["ts_ns"] + NS_PER_MINUTE
    if rth.trades is not None and len(rth.trades):
        t = rth.trades
        series = vwap_bands(trade_arrays(t["ts_ns"], t["price_ticks"], t["size"], t["side"]))
        at = np.searchsorted(series.ts_ns, close_ns, side="left") - 1
        vwap = np.where(at >= 0, series.vwap_ticks[np.clip(at, 0, None)], np.nan)
        sigma = np.where(at >= 0, series.sigma_ticks[np.clip(at, 0, None)], np.nan)
    else:
        volume = np.cumsum(bars["volume"].astype(np.float64))
        close = bars["close_ticks"].astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            vwap = np.cumsum(close * bars["volume"]) / volume
            sigma = np.sqrt(
                np.maximum(np.cumsum(close * close * bars["volume"]) / volume - vwap**2, 0)
            )
    v = settings.vwap
    readings = vwap_rhythm(
        close_ns,
        bars["close_ticks"],
        bars["low_ticks"],
        bars["high_ticks"],
        vwap,
        sigma,
        flat_slope_ticks_per_30m=v.flat_slope_ticks_per_30m,
        balanced_min_crosses_per_hour=v.balanced_min_crosses_per_hour,
        rhythm_lookback_min=v.rhythm_lookback_min,
        accept_minutes=settings.acceptance.fast_minutes,
    )
    return [r.condition for r in readings]


def _days_frame(results: Sequence[DayResult]) -> pd.DataFrame:
    rows = [
        {
            "trade_date": r.trade_date,
            "regime": r.regime,
            "bias": r.bias,
            "scenarios": r.scenarios,
            "intents": len(r.intents),
            "pnl_ticks": sum(t.pnl_ticks for t in r.trips),
        }
        for r in results
    ]
    return pd.DataFrame(
        rows, columns=["trade_date", "regime", "bias", "scenarios", "intents", "pnl_ticks"]
    )


def _intents_frame(results: Sequence[DayResult], settings: Settings) -> pd.DataFrame:
    tick = settings.instrument.tick_size
    rows = []
    for r in results:
        for intent, trip, exit_kind in zip(r.intents, r.trips, r.exits, strict=True):
            rows.append(
                {
                    "trade_date": r.trade_date,
                    "ts": pd.Timestamp(intent.ts_ns, unit="ns", tz="UTC"),
                    "scenario": intent.scenario_id,
                    "family": intent.family,
                    "setup": intent.setup,
                    "side": intent.action,
                    "entry": intent.entry_tick * tick,
                    "stop": intent.stop_tick * tick,
                    "target": intent.target_tick * tick,
                    "score": float(intent.score),
                    "exit": exit_kind,
                    "exit_price": trip.exit_ticks * tick,
                    "pnl_ticks": trip.pnl_ticks,
                    "pnl_usd": trip.pnl_usd,
                    "signal_id": intent.signal_id,
                }
            )
    columns = [
        "trade_date",
        "ts",
        "scenario",
        "family",
        "setup",
        "side",
        "entry",
        "stop",
        "target",
        "score",
        "exit",
        "exit_price",
        "pnl_ticks",
        "pnl_usd",
        "signal_id",
    ]
    return pd.DataFrame(rows, columns=columns)
