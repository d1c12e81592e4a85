"""Trade exports (CSV and Parquet) read into and written from the standard trades frame.

The standard frame has four columns: `ts` (int64 UTC ns), `price` (float), `size` (int64) and
`side` ('B' buyer aggressor, 'A' seller aggressor, 'N' unknown). A `mapping` names the source
column for each of them, e.g. ``{"ts": "time", "price": "last", "size": "qty", "side": None}``
(None: the source has no such column; for `side` every trade is then 'N').

Source timestamps may be integers since the Unix epoch (unit `ts_unit`, default ns) or ISO-8601
text that carries its zone ('2024-01-02T09:30:00.25-05:00' or '...Z'); text without a zone is
refused, because its zone would be a guess. Side values accepted (case-insensitive):
B/BUY/1 -> 'B', A/S/SELL/-1 -> 'A', N/UNKNOWN/0/empty -> 'N'. 'BID' and 'ASK' are refused:
vendors use them both for the aggressor and for the side that was hit.

A file that cannot be read (empty, not CSV or Parquet, a compressed stream cut short, a last line
cut off), a time too large for int64 nanoseconds, or a trade outside the `data` settings' bounds
(see readers.limits) is a DataError naming the file and, where there is one, the row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pyarrow

from orderflow_lib.core.config import DataSettings
from orderflow_lib.core.errors import DataError
from orderflow_lib.market.readers.limits import DEFAULT_LIMITS, check_timestamps, check_trade_sizes

TsUnit = Literal["ns", "us", "ms", "s"]
TRADE_COLUMNS: Final = ("ts", "price", "size", "side")
SIDE_ALIASES: Final = {
    "B": "B",
    "BUY": "B",
    "1": "B",
    "+1": "B",
    "A": "A",
    "S": "A",
    "SELL": "A",
    "-1": "A",
    "N": "N",
    "UNKNOWN": "N",
    "0": "N",
    "": "N",
}
_NS_PER_UNIT: Final = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_ZONED_ISO: Final = r"(?:Z|[+-]\d{2}:?\d{2})$"
_INT64_MAX: Final = int(np.iinfo(np.int64).max)
_COMPRESSED_SUFFIXES: Final = (".gz", ".bz2", ".xz", ".zip", ".zst", ".tar")
_TAIL_BYTES: Final = 65_536
_REFETCH: Final = "export or copy it again"


def read_trades_csv(
    path: str | os.PathLike[str],
    mapping: Mapping[str, str | None] | None = None,
    *,
    ts_unit: TsUnit = "ns",
    limits: DataSettings = DEFAULT_LIMITS,
    **read_csv_kwargs: Any,
) -> pd.DataFrame:
    """Trades from a CSV export as the standard frame (ts, price, size, side), in file order.

    Extra keyword arguments go to pandas.read_csv (e.g. sep=';'). Values are converted, not
    judged (pass the result to validation.validate_trades to reject bad rows), except that a
    trade outside `limits` refuses the whole file.
    """
    source = _csv_table(Path(path), read_csv_kwargs)
    trades = standard_trades(source, mapping, ts_unit=ts_unit, where=str(path))
    return _within_limits(trades, limits, str(path))


def read_trades_parquet(
    path: str | os.PathLike[str],
    mapping: Mapping[str, str | None] | None = None,
    *,
    ts_unit: TsUnit = "ns",
    limits: DataSettings = DEFAULT_LIMITS,
) -> pd.DataFrame:
    """Trades from a Parquet export as the standard frame; ts may also be a zoned timestamp column.

    A trade outside `limits` refuses the whole file.
    """
    try:
        source = pd.read_parquet(path)
    except (ValueError, OSError, pyarrow.ArrowException) as exc:
        raise DataError(
            f"{path}: not a readable Parquet file ({exc}); it is empty, damaged or cut short: "
            f"{_REFETCH}"
        ) from exc
    trades = standard_trades(source, mapping, ts_unit=ts_unit, where=str(path))
    return _within_limits(trades, limits, str(path))


def write_trades_parquet(trades: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the standard frame's four columns to Parquet (ts as int64 UTC ns), readable back as is."""
    missing = [name for name in TRADE_COLUMNS if name not in trades.columns]
    if missing:
        raise DataError(f"trades need columns {list(TRADE_COLUMNS)}; missing {missing}")
    frame = standard_trades(trades[list(TRADE_COLUMNS)], None, ts_unit="ns", where="trades")
    frame.to_parquet(path, index=False)


def _csv_table(path: Path, read_csv_kwargs: Mapping[str, Any]) -> pd.DataFrame:
    """The CSV as text cells; an unreadable file or a last line cut off is a DataError naming it."""
    try:
        source = pd.read_csv(path, dtype=str, keep_default_na=False, **read_csv_kwargs)
    except pd.errors.EmptyDataError as exc:
        raise DataError(
            f"{path}: the file is empty; expected a CSV trade export with a header row"
        ) from exc
    except EOFError as exc:
        raise DataError(
            f"{path}: the compressed data stops before its end ({exc}); the file was cut short "
            f"(an interrupted download or copy?): {_REFETCH}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a text CSV file ({exc}); is it the right file?") from exc
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc}); {_REFETCH}") from exc
    if not path.name.lower().endswith(_COMPRESSED_SUFFIXES):
        _check_last_line(path, len(source.columns), read_csv_kwargs.get("sep", ","))
    return source


def _check_last_line(path: Path, fields: int, sep: str) -> None:
    """DataError when the file ends without a line break in a line with fewer fields than the header."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - _TAIL_BYTES))
        tail = handle.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return
    last = tail.rsplit(b"\n", 1)[-1]
    found = last.count(sep.encode()) + 1
    if found < fields:
        raise DataError(
            f"{path}: the last line has {found} of the header's {fields} fields and no line break "
            f"after it: the file was cut short (an interrupted download or copy?): {_REFETCH}"
        )


def _within_limits(trades: pd.DataFrame, limits: DataSettings, where: str) -> pd.DataFrame:
    """The trades, once their times and sizes are known to be inside `limits`."""
    check_timestamps(trades["ts"].to_numpy(), limits, where)
    check_trade_sizes(trades["size"].to_numpy(), limits, where)
    return trades


def standard_trades(
    source: pd.DataFrame,
    mapping: Mapping[str, str | None] | None = None,
    *,
    ts_unit: TsUnit = "ns",
    where: str = "trades",
) -> pd.DataFrame:
    """The standard trades frame of any table, through a column mapping (see the module docstring)."""
    columns = _resolve_mapping(source, mapping, where)
    n = len(source)
    if ts_unit not in _NS_PER_UNIT:
        raise ValueError(f"ts_unit must be one of {list(_NS_PER_UNIT)}, was {ts_unit!r}")
    side_column = columns["side"]
    return pd.DataFrame(
        {
            "ts": _ts_ns(source[columns["ts"]], ts_unit, where),
            "price": _prices(source[columns["price"]], where),
            "size": _sizes(source[columns["size"]], where),
            "side": np.full(n, "N") if side_column is None else _sides(source[side_column], where),
        }
    )


def _resolve_mapping(
    source: pd.DataFrame, mapping: Mapping[str, str | None] | None, where: str
) -> dict[str, str | None]:
    """Source column per standard column; unknown keys and absent source columns are errors."""
    given = dict(mapping or {})
    unknown = sorted(set(given) - set(TRADE_COLUMNS))
    if unknown:
        raise ValueError(f"mapping keys must be among {list(TRADE_COLUMNS)}, got {unknown}")
    columns: dict[str, str | None] = {name: given.get(name, name) for name in TRADE_COLUMNS}
    for name in ("ts", "price", "size"):
        if columns[name] is None:
            raise ValueError(f"mapping[{name!r}] cannot be None: every trade needs a {name}")
    for name, column in columns.items():
        if column is not None and column not in source.columns:
            hint = " (map it to None if the source has no side)" if name == "side" else ""
            raise DataError(
                f"{where}: no column {column!r} for {name}{hint}; columns are {list(source.columns)}"
            )
    return columns


def _ts_ns(values: pd.Series, ts_unit: TsUnit, where: str) -> np.ndarray:
    """int64 UTC ns of integer epoch values, zoned datetimes or zoned ISO-8601 text."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.as_unit("ns").astype("int64").to_numpy()
    if pd.api.types.is_datetime64_dtype(values.dtype):
        raise DataError(f"{where}: ts column is a datetime without a zone; a zone is required")
    if pd.api.types.is_integer_dtype(values.dtype):
        return _epoch_ns(values, ts_unit, where)
    text = values.astype(str).str.strip()
    if text.str.fullmatch(r"[+-]?\d+").all():
        return _epoch_ns(text, ts_unit, where)
    naive = ~text.str.contains(_ZONED_ISO, regex=True)
    if naive.any():
        row = int(np.flatnonzero(naive.to_numpy())[0])
        raise DataError(
            f"{where}: row {row} ts {text.iloc[row]!r} has no zone; expected epoch integers or "
            "ISO-8601 text ending in Z or +HH:MM"
        )
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{where}: row {row} ts {text.iloc[row]!r} is not an ISO-8601 time")
    return parsed.dt.as_unit("ns").astype("int64").to_numpy()


def _epoch_ns(values: pd.Series, ts_unit: TsUnit, where: str) -> np.ndarray:
    """int64 ns of whole numbers since the epoch in `ts_unit`; one too large is an error naming the row."""
    scale = _NS_PER_UNIT[ts_unit]
    limit = _INT64_MAX // scale
    if not _within(values, limit):
        row = next(i for i, value in enumerate(values) if abs(int(value)) > limit)
        digits = len(str(abs(int(values.iloc[row]))))
        raise DataError(
            f"{where}: row {row} ts {str(values.iloc[row])!r} ({digits} digits) is too large for a "
            f"time in {ts_unit} since 1970 (at most {limit:,}); the column is damaged or holds "
            "something else"
        )
    return values.astype(np.int64).to_numpy() * scale


def _within(values: pd.Series, limit: int) -> bool:
    """True when every whole number of `values` (integers or integer text) lies in [-limit, limit]."""
    try:
        numbers = values.astype(np.int64).to_numpy()
    except OverflowError:
        return False
    if values.dtype.kind == "u":
        return bool((values <= limit).all())
    return bool(((numbers >= -limit) & (numbers <= limit)).all())


def _prices(values: pd.Series, where: str) -> np.ndarray:
    """Float prices; empty cells become NaN (rejected later by validation), text is an error."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64)
    text = values.astype(str).str.strip()
    parsed = pd.to_numeric(text.where(text != "", "nan"), errors="coerce")
    bad = parsed.isna() & (text != "") & (text.str.lower() != "nan")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{where}: row {row} price {text.iloc[row]!r} is not a number")
    return parsed.to_numpy(dtype=np.float64)


def _sizes(values: pd.Series, where: str) -> np.ndarray:
    """int64 sizes; a missing or fractional size is an error naming the row."""
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.to_numpy(dtype=np.int64)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"{where}: row {row} size {values.iloc[row]!r} is not a whole number")
    return numbers.astype(np.int64)


def _sides(values: pd.Series, where: str) -> np.ndarray:
    """'B' / 'A' / 'N' of the accepted side spellings; anything else is an error naming the row."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        codes = values.to_numpy(dtype=np.float64)
        letters = pd.Series(np.select([codes == 1, codes == -1, codes == 0], ["B", "A", "N"], ""))
        bad = letters == ""
    else:
        letters = values.astype(str).str.strip().str.upper().map(SIDE_ALIASES)
        bad = letters.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{where}: row {row} side {values.iloc[row]!r} is not one of "
            "B/BUY/1, A/S/SELL/-1, N/UNKNOWN/0"
        )
    return letters.to_numpy(dtype=str)
