"""Input checks and conversions shared by the profile builders: ticks, sizes, row sizes.

Prices become integer ticks once, here (spec §0.1); every bad input is refused with a message
that names the value and what was expected.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from orderflow_lib.core.errors import OffGridPriceError, ValidationError
from orderflow_lib.kernels.profile_ladder import _first_below, _prices_to_ticks

GRID_TOLERANCE_TICKS = 1e-6


def check_tick_size(tick_size: float) -> float:
    """The tick size as a float; refuses zero, negative and non-finite values."""
    if isinstance(tick_size, bool) or not isinstance(tick_size, int | float | np.floating):
        raise ValueError(f"tick_size must be a number > 0, was {tick_size!r}")
    value = float(tick_size)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"tick_size must be > 0, was {tick_size!r}")
    return value


def check_row_ticks(row_ticks: int) -> int:
    """Row size in ticks; must be a whole number >= 1."""
    if isinstance(row_ticks, bool) or not isinstance(row_ticks, int | np.integer) or row_ticks < 1:
        raise ValueError(f"row_ticks must be an integer >= 1, was {row_ticks!r}")
    return int(row_ticks)


def price_of(tick: int, tick_size: float) -> float:
    """Decimal price of a tick, for display and the public contract objects."""
    return round(tick * tick_size, 10)


def prices_to_ticks(prices: Any, tick_size: float, name: str = "prices") -> np.ndarray:
    """int64 ticks of decimal prices; an off-grid or non-finite price raises OffGridPriceError."""
    values = np.ascontiguousarray(np.asarray(prices, dtype=np.float64).reshape(-1))
    out = np.empty(values.shape[0], dtype=np.int64)
    bad = int(_prices_to_ticks(values, tick_size, GRID_TOLERANCE_TICKS, out))
    if bad >= 0:
        raise OffGridPriceError(
            f"{name}[{bad}] = {values[bad]!r} is not a whole number of ticks of {tick_size}"
        )
    return out


def int_array(values: Any, name: str, minimum: int | None = None) -> np.ndarray:
    """A 1-D int64 array of whole numbers (floats must be integral), each >= `minimum` if given."""
    array = np.asarray(values)
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.dtype.kind in "iu":
        result = np.ascontiguousarray(array, dtype=np.int64)
    elif array.dtype.kind == "f" or array.dtype == object:
        floats = np.asarray(array, dtype=np.float64)
        whole = np.isfinite(floats) & (np.floor(floats) == floats)
        if not whole.all():
            bad = int(np.argmin(whole))
            raise ValidationError(f"{name}[{bad}] = {array[bad]!r} is not a whole number")
        result = floats.astype(np.int64)
    elif array.size == 0:
        result = np.empty(0, dtype=np.int64)
    else:
        raise ValidationError(f"{name} must hold whole numbers, had dtype {array.dtype}")
    if minimum is not None and result.size:
        bad = int(_first_below(result, minimum))
        if bad >= 0:
            raise ValidationError(f"{name}[{bad}] = {result[bad]} must be >= {minimum}")
    return result


def same_length(**arrays: np.ndarray) -> int:
    """The common length of named arrays; refuses a mismatch naming every length."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValidationError(f"arrays must have the same length: {described}")
    return next(iter(lengths.values()))


def frozen_array(array: Any, dtype: Any = np.int64) -> np.ndarray:
    """A read-only copy, so profile objects cannot be changed behind their backs."""
    out = np.array(array, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out


def optional_int(value: Any) -> int | None:
    """int(value), keeping None."""
    return None if value is None else int(value)


def sided_volumes(
    volumes: np.ndarray, buy_volume: Any, sell_volume: Any
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Checked buy/sell volume per row: both or neither, same length, buy + sell <= volume."""
    if (buy_volume is None) != (sell_volume is None):
        raise ValidationError("buy_volume and sell_volume must be given together")
    if buy_volume is None:
        return None, None
    buy = int_array(buy_volume, "buy_volume", minimum=0)
    sell = int_array(sell_volume, "sell_volume", minimum=0)
    same_length(volumes=volumes, buy_volume=buy, sell_volume=sell)
    over = np.nonzero(buy + sell > volumes)[0]
    if over.size:
        row = int(over[0])
        raise ValidationError(
            f"row {row}: buy + sell volume exceeds the row's volume {volumes[row]}"
        )
    return buy, sell


class RowLadder(ABC):
    """Row geometry shared by the volume and TPO profiles, read off their per-row array `_rows`."""

    __slots__ = ()
    base_row: int
    row_ticks: int

    @property
    @abstractmethod
    def _rows(self) -> np.ndarray:
        """The per-row array the geometry is read from; each profile names its own."""

    @property
    def n_rows(self) -> int:
        """Number of rows (zero gap rows included)."""
        return int(self._rows.size)

    @property
    def is_empty(self) -> bool:
        """True when the profile has no rows (no volume traded, no period printed)."""
        return self._rows.size == 0

    @property
    def row_low_ticks(self) -> np.ndarray:
        """Lowest tick of each row (the row's name, spec §0.1)."""
        return (self.base_row + np.arange(self._rows.size, dtype=np.int64)) * self.row_ticks
