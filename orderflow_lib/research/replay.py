"""Signal research: replay chosen trade dates through the order-flow engines and measure what
followed each signal (forward returns, MFE/MAE) and where it fired relative to value.

A day source (see `sources`) hands out one trade date's trades, so the days fan out to a local
pool or a Dask cluster (`map_days`), each worker loading its own day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from orderflow_lib.core.config import Settings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.flow import (
    detect_bar_signals,
    tape_pressure,
    tape_signals,
    trade_arrays,
    volumetric_candles,
)
from orderflow_lib.flow.signals import Signal, sort_signals
from orderflow_lib.flow.tape import TapeParams
from orderflow_lib.profiles import Levels, developing_value_areas
from orderflow_lib.research.daily import calendar_for, value_rules
from orderflow_lib.research.outcomes import signal_outcomes, value_location
from orderflow_lib.research.parallel import map_days
from orderflow_lib.research.paths import research_settings
from orderflow_lib.research.sources import DaySource

DEFAULT_HORIZONS_MIN = (1, 5, 15, 30)
SIGNAL_COLUMNS = [
    "trade_date",
    "ts",
    "ts_ns",
    "kind",
    "direction",
    "price",
    "strength",
    "location",
    "cva_location",
    "entry",
]


@dataclass(frozen=True, slots=True)
class ReplayTask:
    """One trade date for a worker: where its trades come from and how to judge its signals."""

    trade_date: date
    source: DaySource
    settings: Settings
    horizons_min: tuple[int, ...]
    bar: str
    reference: Levels | None = None


@dataclass(slots=True)
class SignalStudy:
    """Every signal of the replayed days with what followed it (one row each)."""

    signals: pd.DataFrame
    horizons_min: tuple[int, ...]
    days: list[date] = field(default_factory=list)

    def by_kind(self) -> pd.DataFrame:
        """Per signal kind: count, mean signed forward return and hit rate (share > 0) per
        horizon, mean MFE and MAE (ticks); neutral signals count but have no returns."""
        return summarise(self.signals, "kind", self.horizons_min)

    def by_location(self) -> pd.DataFrame:
        """Signal counts per kind and location relative to the developing value area."""
        if self.signals.empty:
            return pd.DataFrame()
        return pd.crosstab(self.signals["kind"], self.signals["location"])


def default_bar(settings: Settings) -> str:
    """The footprint bar of the `orderflow.bar` settings ('volume:3000' by default)."""
    bar = settings.orderflow.bar
    return f"{bar.size}s" if bar.type == "time" else f"{bar.type}:{bar.size}"


def replay_days(
    source: DaySource,
    days: Sequence[date],
    *,
    settings: Settings | None = None,
    horizons_min: Sequence[int] = DEFAULT_HORIZONS_MIN,
    bar: str | None = None,
    reference: Mapping[date, Levels] | None = None,
    client: Any = None,
    workers: int | None = None,
    progress: bool = True,
) -> SignalStudy:
    """Replay `days` through the bar-level detectors and tape pressure, one task per day (see
    `map_days` for `client`/`workers`); `reference` gives each day's composite (ticks) for the
    `cva_location` column."""
    s = research_settings(settings)
    horizons = tuple(int(h) for h in horizons_min)
    chosen = sorted(set(days))
    tasks = [
        ReplayTask(
            day,
            source,
            s,
            horizons,
            bar or default_bar(s),
            None if reference is None else reference.get(day),
        )
        for day in chosen
    ]
    frames = map_days(
        replay_day, tasks, client=client, workers=workers, progress=progress, desc="replay"
    )
    present = [f for f in frames if not f.empty]
    signals = pd.concat(present, ignore_index=True) if present else _empty_signals(horizons)
    return SignalStudy(signals, horizons, chosen)


def replay_day(task: ReplayTask) -> pd.DataFrame:
    """One trade date's signals with outcome columns (see `SignalStudy`)."""
    s = task.settings
    tick = s.instrument.tick_size
    records = task.source.trades(task.trade_date, s)
    if len(records) == 0:
        return _empty_signals(task.horizons_min)
    trades = trade_arrays(
        records["ts_ns"], records["price_ticks"], records["size"], records["side"]
    )
    anchors = np.array([calendar_for(s).globex_window(task.trade_date).open_ns], dtype=np.int64)
    candles = volumetric_candles(trades, task.bar, anchors)
    found: list[Signal] = list(detect_bar_signals(trades, candles, s.orderflow, anchors).signals)
    params = TapeParams(
        window_s=s.tape.window_s,
        window_trades=s.tape.window_trades,
        pressure_thr=exact(s.tape.pressure_thr),
        min_vol=s.tape.min_vol,
        large_lot=s.tape.large_lot,
    )
    found += tape_signals(tape_pressure(trades, params), trades.price_ticks, params)
    ordered = sort_signals(found)
    if not ordered:
        return _empty_signals(task.horizons_min)
    at = np.array([x.ts_ns for x in ordered], dtype=np.int64)
    direction = np.array([x.direction for x in ordered], dtype=np.int64)
    price = np.array([x.price_ticks for x in ordered], dtype=np.int64)
    developing = developing_value_areas(
        trades.price_ticks,
        trades.size,
        trades.ts_ns,
        rules=value_rules(s),
        row_ticks=s.profile.row_ticks,
        tick_size=tick,
    )
    index = np.searchsorted(trades.ts_ns, at, side="right") - 1
    state = developing[np.clip(index, 0, None)]
    outcomes = signal_outcomes(
        trades.ts_ns,
        trades.price_ticks,
        at,
        direction,
        [h * NS_PER_MINUTE for h in task.horizons_min],
    )
    frame = pd.DataFrame(
        {
            "trade_date": task.trade_date,
            "ts": pd.to_datetime(at, unit="ns", utc=True),
            "ts_ns": at,
            "kind": [str(x.kind) for x in ordered],
            "direction": direction,
            "price": price * tick,
            "strength": [float(x.strength) for x in ordered],
            "location": value_location(price, state["val_ticks"], state["vah_ticks"], index >= 0),
            "cva_location": _reference_location(price, task.reference),
            "entry": outcomes["entry"] * tick,
        }
    )
    for k, minutes in enumerate(task.horizons_min):
        frame[f"fwd_{minutes}m"] = outcomes[f"fwd_{k}"]
    frame["mfe"] = outcomes["mfe"]
    frame["mae"] = outcomes["mae"]
    return frame


def summarise(signals: pd.DataFrame, by: str, horizons_min: Sequence[int]) -> pd.DataFrame:
    """Count, mean forward return and hit rate per horizon, mean MFE/MAE, grouped by `by`."""
    columns = ["count"]
    for minutes in horizons_min:
        columns += [f"mean_fwd_{minutes}m", f"hit_{minutes}m"]
    columns += ["mean_mfe", "mean_mae"]
    if signals.empty:
        return pd.DataFrame(columns=columns)
    groups = signals.groupby(by, sort=True)
    table = pd.DataFrame({"count": groups.size()})
    for minutes in horizons_min:
        name = f"fwd_{minutes}m"
        table[f"mean_fwd_{minutes}m"] = groups[name].mean()
        table[f"hit_{minutes}m"] = groups[name].apply(_hit_rate)
    table["mean_mfe"] = groups["mfe"].mean()
    table["mean_mae"] = groups["mae"].mean()
    return table[columns]


def _hit_rate(values: pd.Series) -> float:
    known = values.dropna()
    return float((known > 0).mean()) if len(known) else float("nan")


def _reference_location(price: np.ndarray, reference: Levels | None) -> np.ndarray:
    n = price.shape[0]
    if reference is None:
        return value_location(price, np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool))
    return value_location(
        price,
        np.full(n, reference.val_ticks),
        np.full(n, reference.vah_ticks),
        np.ones(n, dtype=bool),
    )


def _empty_signals(horizons_min: Sequence[int]) -> pd.DataFrame:
    columns = SIGNAL_COLUMNS + [f"fwd_{m}m" for m in horizons_min] + ["mfe", "mae"]
    return pd.DataFrame(columns=columns)
