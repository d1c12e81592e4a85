"""Trades as engine arrays: validated, in ticks, with the aggressor as +1/-1/0, sorted by time.

A trades DataFrame (ts int64 UTC ns, price, size, side 'B'/'A'/'N') becomes a `TradeArrays`; rows
that arrived out of time order are counted and put back in order (stable), never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from orderflow_lib.core.errors import OffGridPriceError, ValidationError
from orderflow_lib.kernels.flow_input import (
    _first_not_positive,
    _late_rows,
    _sides_from_letters,
    _trade_columns,
)
from orderflow_lib.market.events import TRADE_DTYPE

GRID_TOLERANCE = 1e-6
REQUIRED_COLUMNS = ("ts", "price", "size", "side")


@dataclass(frozen=True)
class PlainColumns:
    """Raw trade columns as numpy views: decimal prices, and the side either as Arrow
    (offsets, bytes) `letters` or as `codes`."""

    ts_ns: np.ndarray
    price: np.ndarray
    size: np.ndarray
    codes: np.ndarray
    letters: tuple[np.ndarray, np.ndarray] | None


@dataclass(frozen=True)
class TradeArrays:
    """Column arrays of trades in time order; `late_rows` counts rows that arrived out of order."""

    ts_ns: np.ndarray
    price_ticks: np.ndarray
    size: np.ndarray
    side: np.ndarray
    late_rows: int = 0

    def __len__(self) -> int:
        return int(self.ts_ns.shape[0])

    def to_records(self) -> np.ndarray:
        """The trades as a TRADE_DTYPE structured array."""
        out = np.empty(len(self), dtype=TRADE_DTYPE)
        out["ts_ns"] = self.ts_ns
        out["price_ticks"] = self.price_ticks
        out["size"] = self.size
        out["side"] = self.side
        return out


def check_tick_size(tick_size: float) -> float:
    """The tick size as a float, refusing zero, negative or non-finite values."""
    value = float(tick_size)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"tick_size must be > 0, was {tick_size!r}")
    return value


def trade_arrays(
    ts_ns: np.ndarray | list[int],
    price_ticks: np.ndarray | list[int],
    size: np.ndarray | list[int],
    side: np.ndarray | list[int],
) -> TradeArrays:
    """TradeArrays from columns already in ticks and +1/-1/0 sides (validated, sorted by time)."""
    ts = np.ascontiguousarray(ts_ns, dtype=np.int64)
    ticks = np.ascontiguousarray(price_ticks, dtype=np.int64)
    sizes = np.ascontiguousarray(size, dtype=np.int64)
    sides = np.ascontiguousarray(side, dtype=np.int8)
    lengths = {ts.shape[0], ticks.shape[0], sizes.shape[0], sides.shape[0]}
    if len(lengths) != 1:
        raise ValidationError(
            f"trade columns must have one length, were ts={ts.shape[0]}, price={ticks.shape[0]}, "
            f"size={sizes.shape[0]}, side={sides.shape[0]}"
        )
    _check_sizes(sizes)
    bad = np.flatnonzero((sides < -1) | (sides > 1))
    if bad.size:
        raise ValidationError(f"trade row {bad[0]}: side must be -1, 0 or +1, was {sides[bad[0]]}")
    return _in_time_order(ts, ticks, sizes, sides)


def prepare_trades(trades: pd.DataFrame, tick_size: float) -> TradeArrays:
    """Validate a trades DataFrame and turn it into TradeArrays in ticks (see module docstring)."""
    tick = check_tick_size(tick_size)
    missing = [c for c in REQUIRED_COLUMNS if c not in trades.columns]
    if missing:
        raise ValidationError(
            f"trades need columns {list(REQUIRED_COLUMNS)}, missing {missing} "
            f"(got {list(trades.columns)})"
        )
    ts = _ts_column(trades["ts"])
    price = np.ascontiguousarray(trades["price"].to_numpy(dtype=np.float64, na_value=np.nan))
    sizes = _size_column(trades["size"])
    ticks, bad_price, bad_size, late = _trade_columns(ts, price, sizes, tick, GRID_TOLERANCE)
    if bad_price >= 0 and (bad_size < 0 or bad_price < bad_size):
        raise OffGridPriceError(
            f"trade row {bad_price}: price {float(price[bad_price])!r} is not a whole number of "
            f"ticks of {tick}"
        )
    if bad_size >= 0:
        raise ValidationError(f"trade row {bad_size}: size must be > 0, was {sizes[bad_size]}")
    sides = side_codes(trades["side"])
    return _sorted(ts, ticks, sizes, sides, int(late))


def side_codes(side: pd.Series) -> np.ndarray:
    """Aggressor codes (+1 'B', -1 'A', 0 'N') of a side column of letters or of -1/0/+1 integers."""
    if pd.api.types.is_integer_dtype(side.dtype):
        codes = side.to_numpy(dtype=np.int64)
        bad = np.flatnonzero((codes < -1) | (codes > 1))
        if bad.size:
            raise ValidationError(
                f"trade row {bad[0]}: side must be -1, 0 or +1, was {codes[bad[0]]}"
            )
        return codes.astype(np.int8)
    if isinstance(side.dtype, pd.CategoricalDtype):
        lookup = side_codes(pd.Series(side.cat.categories.astype(str)))
        raw = side.cat.codes.to_numpy()
        if (raw < 0).any():
            row = int(np.flatnonzero(raw < 0)[0])
            raise ValidationError(f"trade row {row}: side is missing; expected 'B', 'A' or 'N'")
        return lookup[raw]
    array = pa.array(side, from_pandas=True)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    parts = []
    offset = 0
    for chunk in chunks:
        parts.append(_chunk_codes(chunk, side, offset))
        offset += len(chunk)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int8)


def _chunk_codes(chunk: pa.Array, side: pd.Series, row_offset: int) -> np.ndarray:
    if pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
        strings = chunk.cast(pa.large_string())
    elif pa.types.is_null(chunk.type) and len(chunk) == 0:
        return np.empty(0, dtype=np.int8)
    else:
        raise ValidationError(
            f"side must hold the letters 'B', 'A', 'N' or -1/0/+1, column type was {side.dtype}"
        )
    if strings.null_count:
        row = row_offset + int(np.flatnonzero(strings.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValidationError(f"trade row {row}: side is missing; expected 'B', 'A' or 'N'")
    offsets, data = _string_buffers(strings)
    codes, first_bad = _sides_from_letters(offsets, data)
    if first_bad >= 0:
        row = row_offset + int(first_bad)
        raise ValidationError(
            f"trade row {row}: side must be 'B', 'A' or 'N', was {side.iloc[row]!r}"
        )
    return codes


def _string_buffers(strings: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """(int64 offsets, uint8 bytes) of an Arrow large-string array, without copying."""
    buffers = strings.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[
        strings.offset : strings.offset + len(strings) + 1
    ]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(1, np.uint8)
    )
    return np.ascontiguousarray(offsets), data


def arrow_letters(side: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Arrow (offsets, bytes) of a string side column held in one chunk without missing values,
    without copying; None for any other column (those go through `side_codes`)."""
    if not pd.api.types.is_string_dtype(side.dtype) or side.dtype == object:
        return None
    array = pa.array(side, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks != 1:
            return None
        array = array.chunk(0)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    strings = array.cast(pa.large_string())
    if strings.null_count or len(strings) == 0:
        return None
    return _string_buffers(strings)


def plain_columns(trades: pd.DataFrame) -> PlainColumns | None:
    """Zero-copy numpy views of a trades DataFrame whose columns need no conversion (int64 ts and
    size, numeric price, side letters in Arrow or codes), else None."""
    if any(c not in trades.columns for c in REQUIRED_COLUMNS):
        return None
    ts_col, price_col, size_col, side_col = (trades[c] for c in REQUIRED_COLUMNS)
    plain = (
        pd.api.types.is_integer_dtype(ts_col.dtype)
        and pd.api.types.is_integer_dtype(size_col.dtype)
        and pd.api.types.is_numeric_dtype(price_col.dtype)
        and not (ts_col.hasnans or size_col.hasnans)
    )
    if not plain:
        return None
    letters = arrow_letters(side_col)
    if letters is not None:
        codes = np.zeros(1, dtype=np.int8)
    elif isinstance(side_col.dtype, pd.CategoricalDtype) or pd.api.types.is_integer_dtype(
        side_col.dtype
    ):
        try:
            codes = side_codes(side_col)
        except ValidationError:
            return None
    else:
        return None
    return PlainColumns(
        np.ascontiguousarray(ts_col.to_numpy(dtype=np.int64)),
        np.ascontiguousarray(price_col.to_numpy(dtype=np.float64, na_value=np.nan)),
        np.ascontiguousarray(size_col.to_numpy(dtype=np.int64)),
        codes,
        letters,
    )


def _ts_column(column: pd.Series) -> np.ndarray:
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return np.ascontiguousarray(pd.DatetimeIndex(column).as_unit("ns").asi8, dtype=np.int64)
    if pd.api.types.is_datetime64_dtype(dtype):
        raise ValidationError(
            "ts must be int64 UTC nanoseconds or timezone-aware, was naive datetime"
        )
    if not pd.api.types.is_integer_dtype(dtype):
        raise ValidationError(f"ts must be int64 UTC nanoseconds, column type was {dtype}")
    return np.ascontiguousarray(column.to_numpy(dtype=np.int64))


def _size_column(column: pd.Series) -> np.ndarray:
    if not pd.api.types.is_integer_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = np.isfinite(values) & (values == np.round(values))
        if not whole.all():
            row = int(np.flatnonzero(~whole)[0])
            raise ValidationError(
                f"trade row {row}: size must be a whole number, was {float(values[row])!r}"
            )
        return values.astype(np.int64)
    return np.ascontiguousarray(column.to_numpy(dtype=np.int64))


def _check_sizes(sizes: np.ndarray) -> None:
    row = _first_not_positive(sizes)
    if row >= 0:
        raise ValidationError(f"trade row {row}: size must be > 0, was {sizes[row]}")


def _in_time_order(
    ts: np.ndarray, ticks: np.ndarray, sizes: np.ndarray, sides: np.ndarray
) -> TradeArrays:
    return _sorted(ts, ticks, sizes, sides, int(_late_rows(ts)))


def _sorted(
    ts: np.ndarray, ticks: np.ndarray, sizes: np.ndarray, sides: np.ndarray, late: int
) -> TradeArrays:
    if late:
        order = np.argsort(ts, kind="stable")
        ts, ticks, sizes, sides = ts[order], ticks[order], sizes[order], sides[order]
    return TradeArrays(ts, ticks, sizes, sides, late)
