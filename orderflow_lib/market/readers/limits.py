"""The `data` settings' bounds on trades (size in lots, UTC timestamps), checked by every reader.

A trade outside them is far more likely a damaged file or a wrong unit (milliseconds read as
nanoseconds, a size column holding notional) than a real print, so the reader refuses the whole
file with a DataError naming the file, the first such row and the limit: storing the other rows
would build profiles on a file known to be wrong.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from orderflow_lib.core.config import DataSettings
from orderflow_lib.core.errors import DataError

DEFAULT_LIMITS: Final = DataSettings()


def check_trade_sizes(
    sizes: np.ndarray, limits: DataSettings, where: str, *, row_name: str = "row"
) -> None:
    """DataError naming the first row whose trade size is above `limits.max_trade_size`."""
    big = np.flatnonzero(sizes > limits.max_trade_size)
    if len(big):
        row = int(big[0])
        raise DataError(
            f"{where}: {row_name} {row} is a trade of {int(sizes[row]):,} lots, above the limit of "
            f"{limits.max_trade_size:,} (setting data.max_trade_size; rows over it: {len(big):,}). "
            "Check the file's size column, or raise the limit if these trades are real"
        )


def check_timestamps(
    ts_ns: np.ndarray, limits: DataSettings, where: str, *, row_name: str = "row"
) -> None:
    """DataError naming the first row whose UTC ns time is outside [earliest_ts, latest_ts)."""
    earliest, latest = pd.Timestamp(limits.earliest_ts), pd.Timestamp(limits.latest_ts)
    outside = np.flatnonzero((ts_ns < earliest.value) | (ts_ns >= latest.value))
    if len(outside):
        row = int(outside[0])
        stamp = pd.Timestamp(int(ts_ns[row]), unit="ns", tz="UTC")
        raise DataError(
            f"{where}: {row_name} {row} has time {int(ts_ns[row])} ns ({stamp.isoformat()}), "
            f"outside {earliest.isoformat()} to {latest.isoformat()} (settings data.earliest_ts "
            f"and data.latest_ts; rows outside: {len(outside):,}). Check the file's time unit "
            "(ns, us, ms or s) and zone, or widen the limits"
        )
