"""Checks and conversions of structured inputs: trade and bar record arrays, sides, bar frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.market.events import BAR_DTYPE, SIDE_FROM_LETTER
from orderflow_lib.profiles.ladder import check_tick_size, int_array, prices_to_ticks


def side_array(sides: Any) -> np.ndarray:
    """int8 aggressor sides from +1/-1/0 numbers or 'B'/'A'/'N' letters."""
    array = np.asarray(sides).reshape(-1)
    if array.dtype.kind in "UO":
        unknown = sorted({str(s) for s in np.unique(array.astype(str))} - set(SIDE_FROM_LETTER))
        if unknown:
            raise ValidationError(f"sides must be 'B', 'A' or 'N', found {unknown}")
        codes = np.zeros(array.shape[0], dtype=np.int8)
        codes[array == "B"] = 1
        codes[array == "A"] = -1
        array = codes
    return np.sign(int_array(array, "sides")).astype(np.int8)


def bars_to_array(bars: pd.DataFrame, tick_size: float) -> np.ndarray:
    """BAR_DTYPE array of a decimal OHLCV DataFrame (columns ts, open, high, low, close, volume)."""
    missing = [c for c in ("ts", "open", "high", "low", "close", "volume") if c not in bars.columns]
    if missing:
        raise ValidationError(
            f"bars need columns ts, open, high, low, close, volume; missing {missing}"
        )
    tick_size = check_tick_size(tick_size)
    out = np.empty(len(bars), dtype=BAR_DTYPE)
    out["ts_ns"] = int_array(bars["ts"].to_numpy(), "ts")
    for name in ("open", "high", "low", "close"):
        out[f"{name}_ticks"] = prices_to_ticks(bars[name].to_numpy(), tick_size, name=name)
    out["volume"] = int_array(bars["volume"].to_numpy(), "volume", minimum=0)
    return out


def records_in_window(
    records: np.ndarray, dtype: np.dtype, name: str, start_ns: int | None, end_ns: int | None
) -> np.ndarray:
    """Checked structured records of `dtype` with start_ns <= ts_ns < end_ns (a bound left None is open)."""
    if not isinstance(records, np.ndarray) or records.dtype.names is None:
        raise ValidationError(f"{name} must be a numpy structured array of {dtype}")
    missing = [f for f in (dtype.names or ()) if f not in records.dtype.names]
    if missing:
        raise ValidationError(f"{name} lack fields {missing} of {dtype}")
    if start_ns is None and end_ns is None:
        return records
    ts = records["ts_ns"]
    keep = np.ones(ts.shape[0], dtype=bool)
    if start_ns is not None:
        keep &= ts >= start_ns
    if end_ns is not None:
        keep &= ts < end_ns
    return records[keep]
