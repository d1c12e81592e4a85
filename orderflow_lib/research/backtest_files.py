"""The backtest's sources by name ('synthetic' or a data folder) and where its results are kept."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from orderflow_lib.core.config import Settings
from orderflow_lib.research.backtest import BacktestSource, DayResult, Totals
from orderflow_lib.research.backtest_sources import LeanDays, SyntheticChain
from orderflow_lib.store import open_store
from orderflow_lib.store.records import BacktestRunRecord


def source_for(
    name: str, start: date, end: date, *, seed: int, scale: float, data_dir: Path
) -> tuple[BacktestSource, list[date]]:
    """The source named on the command line and the trade dates it covers in [start, end]."""
    if name == "synthetic":
        return SyntheticChain.covering(start, end, seed=seed, scale=scale, data_dir=data_dir)
    return LeanDays.covering(Path(name).expanduser().resolve(), start, end)


def _json_value(value: Any) -> Any:
    """What `json` cannot write itself: dates as ISO text, fractions and numpy numbers plain."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON: {value!r}")


def day_payload(day: DayResult) -> dict[str, Any]:
    """One day's result as plain JSON, with its P&L (GBP) and R from the closed round trips."""
    fields = {f.name: getattr(day, f.name) for f in dataclasses.fields(day)}
    plain: dict[str, Any] = json.loads(
        json.dumps({**fields, "pnl_gbp": day.pnl_gbp, "r": day.r}, default=_json_value)
    )
    return plain


def store_backtest(
    settings: Settings,
    results: Sequence[DayResult],
    totals: Totals,
    *,
    source: str,
    seed: int,
) -> str:
    """Keep the run in the store at settings.database_url, to compare it with other runs later;
    a line naming the run, its config hash and the store."""
    dates = [r.trade_date for r in results]
    record = BacktestRunRecord(
        config_hash=settings.config_hash(),
        created_ts_ns=time.time_ns(),
        source=source,
        seed=seed,
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
        totals=totals.to_dict(),
        days=[day_payload(r) for r in results],
    )
    with open_store(settings.database_url) as store:
        run_id = store.backtests.save(record)
        return f"run {run_id} (config {record.config_hash}) in {store.url}"
