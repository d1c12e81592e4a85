"""Validation of trades, quotes and bars before they reach the engines.

Each bad row is rejected under the first reason it fails and counted in a ValidationReport; rows
that are valid but notable (late, possibly duplicated, crossed) are kept and counted as flags.
Nothing valid is dropped:

* Out-of-order rows (ts below an earlier row's) are kept, flagged `out_of_order` and, with
  `reorder=True` (default), stably sorted back into time order: late trades still count in
  profiles (spec §8).
* Duplicates. Two identical rows are only provably the same print when the rows carry an
  identity column (`order_id` or `trade_id`). Without one they may be distinct real trades: on
  the ESH4 2023-12-25 MBO hour, 15 pairs of real trades share (sequence, ts, price, size) and
  differ only in the resting order filled, so a (seq, ts, price, size) key would drop 15
  contracts. `duplicates="auto"` (default) therefore rejects exact duplicate rows (every column
  equal) only when an identity column is present and otherwise keeps them, flagged
  `possible_duplicate`; `"drop"` always rejects exact duplicates; `"keep"` does not look.

With `strict=True` any rejected or out-of-order row raises ValidationError naming the first such
row and its reason instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import OffGridPriceError, ValidationError
from orderflow_lib.market.events import BAR_DTYPE, QUOTE_DTYPE, SIDE_FROM_LETTER, TRADE_DTYPE

DuplicateMode = Literal["auto", "drop", "keep"]
TradeData = pd.DataFrame | np.ndarray

NAN_PRICE: Final = "nan_price"
NON_POSITIVE_PRICE: Final = "non_positive_price"
OFF_GRID: Final = "off_grid"
PRICE_OUT_OF_RANGE: Final = "price_out_of_range"
INVALID_SIZE: Final = "invalid_size"
NON_POSITIVE_SIZE: Final = "non_positive_size"
NEGATIVE_SIZE: Final = "negative_size"
INVALID_SIDE: Final = "invalid_side"
EMPTY_QUOTE: Final = "empty_quote"
HIGH_BELOW_LOW: Final = "high_below_low"
OPEN_OUTSIDE_RANGE: Final = "open_outside_range"
CLOSE_OUTSIDE_RANGE: Final = "close_outside_range"
INVALID_VOLUME: Final = "invalid_volume"
NEGATIVE_VOLUME: Final = "negative_volume"
DUPLICATE: Final = "duplicate"
OUT_OF_ORDER: Final = "out_of_order"
POSSIBLE_DUPLICATE: Final = "possible_duplicate"
CROSSED: Final = "crossed"
LOCKED: Final = "locked"
ONE_SIDED: Final = "one_sided"

IDENTITY_COLUMNS: Final = ("order_id", "trade_id")
GRID_TOLERANCE: Final = 1e-9
"""Relative tolerance of the tick-grid test: |price - nearest tick| <= 1e-9 x |price|."""
MAX_PRICE_TICKS: Final = 2**53
"""Largest tick count a float price converts to exactly; beyond it a price is out of range."""

_TRADE_COLUMNS: Final = ("ts", "price", "size", "side")
_QUOTE_COLUMNS: Final = ("ts", "bid", "ask", "bid_size", "ask_size")
_BAR_COLUMNS: Final = ("ts", "open", "high", "low", "close", "volume")
_SIDE_LETTERS: Final = ("B", "A", "N")


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What validation did: rows in and kept, rejections and flags by reason with their first row.

    Row numbers are 0-based positions in the input. `reordered` says the clean output was sorted.
    """

    kind: str
    rows_in: int
    rows_kept: int
    rejected: Mapping[str, int] = field(default_factory=dict)
    first_rejected: Mapping[str, int] = field(default_factory=dict)
    flagged: Mapping[str, int] = field(default_factory=dict)
    first_flagged: Mapping[str, int] = field(default_factory=dict)
    reordered: bool = False

    @property
    def rows_rejected(self) -> int:
        """Rows removed (each counted once, under its first failing reason)."""
        return sum(self.rejected.values())

    @property
    def ok(self) -> bool:
        """True when nothing was rejected or flagged."""
        return not self.rejected and not self.flagged

    def summary(self) -> str:
        """One line for logs: counts per reason with the first row of each."""

        def part(counts: Mapping[str, int], first: Mapping[str, int]) -> str:
            return ", ".join(f"{r} {c} (first row {first[r]})" for r, c in sorted(counts.items()))

        text = f"{self.kind}: {self.rows_in} in, {self.rows_kept} kept"
        if self.rejected:
            text += f"; rejected {part(self.rejected, self.first_rejected)}"
        if self.flagged:
            text += f"; flagged {part(self.flagged, self.first_flagged)}"
        return text


def validate_trades(
    data: TradeData,
    tick_size: float = ES_TICK_SIZE,
    strict: bool = False,
    *,
    reorder: bool = True,
    duplicates: DuplicateMode = "auto",
) -> tuple[TradeData, ValidationReport]:
    """Clean trades (same type as the input) and the report.

    A DataFrame needs ts (int64 UTC ns), price, size and side ('B'/'A'/'N'); other columns are
    kept and take part in the duplicate test. A TRADE_DTYPE array is checked in ticks. Rejected:
    nan_price, non_positive_price, price_out_of_range, off_grid, invalid_size (NaN or
    fractional), non_positive_size, invalid_side, duplicate (see the module docstring).
    Flagged: out_of_order, possible_duplicate.
    """
    tick = _checked_tick(tick_size)
    if isinstance(data, np.ndarray):
        _require_dtype(data, TRADE_DTYPE, "trades")
        checks = [
            (NON_POSITIVE_PRICE, data["price_ticks"] <= 0),
            (NON_POSITIVE_SIZE, data["size"] <= 0),
            (INVALID_SIDE, ~np.isin(data["side"], [-1, 0, 1])),
        ]
        return _run("trades", data, data["ts_ns"], checks, [], strict, reorder, duplicates, tick)
    frame = _require_columns(data, _TRADE_COLUMNS, "trades")
    price = _numeric(frame, "price", "trades")
    size = _numeric(frame, "size", "trades")
    checks = [
        (NAN_PRICE, ~np.isfinite(price)),
        (NON_POSITIVE_PRICE, price <= 0),
        (PRICE_OUT_OF_RANGE, _out_of_range(price, tick)),
        (OFF_GRID, _off_grid(price, tick)),
        (INVALID_SIZE, _not_whole(size)),
        (NON_POSITIVE_SIZE, size <= 0),
        (INVALID_SIDE, ~frame["side"].isin(_SIDE_LETTERS).to_numpy()),
    ]
    ts = _ts(frame, "trades")
    return _run("trades", frame, ts, checks, [], strict, reorder, duplicates, tick)


def validate_quotes(
    data: TradeData,
    tick_size: float = ES_TICK_SIZE,
    strict: bool = False,
    *,
    in_auction: Sequence[bool] | np.ndarray | None = None,
    reorder: bool = True,
    duplicates: DuplicateMode = "auto",
) -> tuple[TradeData, ValidationReport]:
    """Clean best bid/offer rows and the report.

    A DataFrame needs ts, bid, ask, bid_size, ask_size (a missing side is NaN); a QUOTE_DTYPE
    array is checked in ticks. Rejected: empty_quote (no bid and no ask), nan_price (infinite),
    non_positive_price, price_out_of_range, off_grid, invalid_size, negative_size, duplicate.
    Flagged and kept: one_sided, locked (bid == ask), crossed (bid > ask, not counted on rows
    marked `in_auction`, where a crossed book is normal), out_of_order, possible_duplicate.
    """
    tick = _checked_tick(tick_size)
    if isinstance(data, np.ndarray):
        _require_dtype(data, QUOTE_DTYPE, "quotes")
        bid, ask = data["bid_ticks"].astype(np.float64), data["ask_ticks"].astype(np.float64)
        checks = [
            (NON_POSITIVE_PRICE, (data["bid_ticks"] <= 0) | (data["ask_ticks"] <= 0)),
            (NEGATIVE_SIZE, (data["bid_size"] < 0) | (data["ask_size"] < 0)),
        ]
        frame_or_array: TradeData = data
        ts = data["ts_ns"]
    else:
        frame = _require_columns(data, _QUOTE_COLUMNS, "quotes")
        bid, ask = _numeric(frame, "bid", "quotes"), _numeric(frame, "ask", "quotes")
        sizes = np.stack(
            [_numeric(frame, "bid_size", "quotes"), _numeric(frame, "ask_size", "quotes")]
        )
        with np.errstate(invalid="ignore"):
            checks = [
                (EMPTY_QUOTE, np.isnan(bid) & np.isnan(ask)),
                (NAN_PRICE, np.isinf(bid) | np.isinf(ask)),
                (NON_POSITIVE_PRICE, (bid <= 0) | (ask <= 0)),
                (PRICE_OUT_OF_RANGE, _out_of_range(bid, tick) | _out_of_range(ask, tick)),
                (OFF_GRID, _off_grid(bid, tick) | _off_grid(ask, tick)),
                (INVALID_SIZE, _any_row(_not_whole(sizes))),
                (NEGATIVE_SIZE, _any_row(sizes < 0)),
            ]
        frame_or_array = frame
        ts = _ts(frame, "quotes")
    auction = _auction_mask(in_auction, len(ts))
    with np.errstate(invalid="ignore"):
        flags = [
            (ONE_SIDED, np.isnan(bid) ^ np.isnan(ask)),
            (LOCKED, bid == ask),
            (CROSSED, (bid > ask) & ~auction),
        ]
    return _run("quotes", frame_or_array, ts, checks, flags, strict, reorder, duplicates, tick)


def validate_bars(
    data: TradeData,
    tick_size: float = ES_TICK_SIZE,
    strict: bool = False,
    *,
    reorder: bool = True,
    duplicates: DuplicateMode = "auto",
) -> tuple[TradeData, ValidationReport]:
    """Clean OHLCV bars and the report.

    A DataFrame needs ts, open, high, low, close, volume (other columns such as `contract` are
    kept); a BAR_DTYPE array is checked in ticks. Rejected: nan_price, non_positive_price,
    price_out_of_range, off_grid, high_below_low, open_outside_range, close_outside_range, invalid_volume,
    negative_volume, duplicate. Flagged: out_of_order (equal ts, e.g. two contracts, is in order).
    """
    tick = _checked_tick(tick_size)
    if isinstance(data, np.ndarray):
        _require_dtype(data, BAR_DTYPE, "bars")
        o, h, lo, c = (data[f"{name}_ticks"] for name in ("open", "high", "low", "close"))
        checks = [
            (NON_POSITIVE_PRICE, _any_row(np.stack([o, h, lo, c]) <= 0)),
            *_range_checks(o, h, lo, c),
            (NEGATIVE_VOLUME, data["volume"] < 0),
        ]
        return _run("bars", data, data["ts_ns"], checks, [], strict, reorder, duplicates, tick)
    frame = _require_columns(data, _BAR_COLUMNS, "bars")
    ohlc = np.stack([_numeric(frame, name, "bars") for name in ("open", "high", "low", "close")])
    volume = _numeric(frame, "volume", "bars")
    with np.errstate(invalid="ignore"):
        checks = [
            (NAN_PRICE, _any_row(~np.isfinite(ohlc))),
            (NON_POSITIVE_PRICE, _any_row(ohlc <= 0)),
            (PRICE_OUT_OF_RANGE, _any_row(np.stack([_out_of_range(row, tick) for row in ohlc]))),
            (OFF_GRID, _any_row(np.stack([_off_grid(row, tick) for row in ohlc]))),
            *_range_checks(*ohlc),
            (INVALID_VOLUME, _not_whole(volume)),
            (NEGATIVE_VOLUME, volume < 0),
        ]
    return _run("bars", frame, _ts(frame, "bars"), checks, [], strict, reorder, duplicates, tick)


def to_trade_array(trades: pd.DataFrame, tick_size: float = ES_TICK_SIZE) -> np.ndarray:
    """TRADE_DTYPE array (price in ticks, side +1/-1/0) of a trades frame, in its row order.

    Raises OffGridPriceError for a price that is not a whole tick and ValidationError for a
    missing price, a fractional size or an unknown side; it converts, it does not judge (run
    validate_trades first to drop bad rows).
    """
    tick = _checked_tick(tick_size)
    frame = _require_columns(trades, _TRADE_COLUMNS, "trades")
    price = _numeric(frame, "price", "trades")
    size = _numeric(frame, "size", "trades")
    _raise_first(~np.isfinite(price), frame, "price is not a finite number")
    _raise_first(_out_of_range(price, tick), frame, f"price is beyond {MAX_PRICE_TICKS} ticks")
    off = _off_grid(price, tick)
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise OffGridPriceError(
            f"trades row {row}: price {float(price[row])} is not a multiple of tick_size {tick}"
        )
    _raise_first(_not_whole(size), frame, "size is not a whole number")
    sides = frame["side"].map(SIDE_FROM_LETTER)
    _raise_first(sides.isna().to_numpy(), frame, "side must be 'B', 'A' or 'N'")
    out = np.empty(len(frame), dtype=TRADE_DTYPE)
    out["ts_ns"] = _ts(frame, "trades")
    out["price_ticks"] = np.rint(price / tick).astype(np.int64)
    out["size"] = size.astype(np.int64)
    out["side"] = sides.to_numpy(dtype=np.int8)
    return out


def _run(
    kind: str,
    data: TradeData,
    ts: np.ndarray,
    checks: list[tuple[str, np.ndarray]],
    flags: list[tuple[str, np.ndarray]],
    strict: bool,
    reorder: bool,
    duplicates: DuplicateMode,
    tick: float,
) -> tuple[TradeData, ValidationReport]:
    """Apply the checks in order, then duplicates and ordering; build the clean output and report."""
    if duplicates not in ("auto", "drop", "keep"):
        raise ValueError(f"duplicates must be 'auto', 'drop' or 'keep', was {duplicates!r}")
    alive = np.ones(len(ts), dtype=bool)
    rejected: dict[str, int] = {}
    first_rejected: dict[str, int] = {}
    for reason, mask in checks:
        _count(reason, mask & alive, rejected, first_rejected)
        alive &= ~mask
    flagged: dict[str, int] = {}
    first_flagged: dict[str, int] = {}
    if duplicates != "keep":
        twins = _exact_duplicates(data, alive)
        if duplicates == "drop" or _has_identity(data):
            _count(DUPLICATE, twins, rejected, first_rejected)
            alive &= ~twins
        else:
            _count(POSSIBLE_DUPLICATE, twins, flagged, first_flagged)
    for reason, mask in flags:
        _count(reason, mask & alive, flagged, first_flagged)
    late = _late_rows(ts, alive)
    _count(OUT_OF_ORDER, late, flagged, first_flagged)
    if strict:
        _raise_strict(kind, data, {**first_rejected, **_late_only(first_flagged)}, tick)
    keep = np.flatnonzero(alive)
    reordered = reorder and bool(late.any())
    if reordered:
        keep = keep[np.argsort(ts[keep], kind="stable")]
    clean = data[keep] if isinstance(data, np.ndarray) else data.iloc[keep].reset_index(drop=True)
    report = ValidationReport(
        kind=kind,
        rows_in=len(ts),
        rows_kept=len(keep),
        rejected=rejected,
        first_rejected=first_rejected,
        flagged=flagged,
        first_flagged=first_flagged,
        reordered=reordered,
    )
    return clean, report


def _count(reason: str, hit: np.ndarray, counts: dict[str, int], first: dict[str, int]) -> None:
    rows = np.flatnonzero(hit)
    if len(rows):
        counts[reason] = len(rows)
        first[reason] = int(rows[0])


def _late_only(first_flagged: Mapping[str, int]) -> dict[str, int]:
    return {OUT_OF_ORDER: first_flagged[OUT_OF_ORDER]} if OUT_OF_ORDER in first_flagged else {}


def _raise_strict(kind: str, data: TradeData, first: Mapping[str, int], tick: float) -> None:
    """ValidationError naming the earliest row that failed (or came out of order)."""
    if not first:
        return
    reason, row = min(first.items(), key=lambda item: (item[1], item[0]))
    detail = f" (tick_size {tick})" if reason == OFF_GRID else ""
    raise ValidationError(f"{kind} row {row}: {reason}{detail}: {_row_text(data, row)}")


def _row_text(data: TradeData, row: int) -> str:
    """The row's values as 'name=value, ...' with plain Python numbers."""
    if isinstance(data, np.ndarray):
        pairs = zip(data.dtype.names or (), data[row].tolist(), strict=True)
    else:
        pairs = zip(data.columns, data.iloc[row].tolist(), strict=True)
    return ", ".join(f"{name}={_plain(value)!r}" for name, value in pairs)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _exact_duplicates(data: TradeData, alive: np.ndarray) -> np.ndarray:
    """Rows equal in every column to an earlier surviving row."""
    rows = np.flatnonzero(alive)
    out = np.zeros(len(alive), dtype=bool)
    if len(rows) < 2:
        return out
    table = pd.DataFrame(data[rows]) if isinstance(data, np.ndarray) else data.iloc[rows]
    out[rows] = table.duplicated(keep="first").to_numpy()
    return out


def _has_identity(data: TradeData) -> bool:
    names = (data.dtype.names or ()) if isinstance(data, np.ndarray) else tuple(data.columns)
    return any(name in names for name in IDENTITY_COLUMNS)


def _late_rows(ts: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Surviving rows whose ts is below the latest ts of the surviving rows before them."""
    rows = np.flatnonzero(alive)
    out = np.zeros(len(alive), dtype=bool)
    if len(rows) < 2:
        return out
    stamps = ts[rows]
    out[rows[1:]] = stamps[1:] < np.maximum.accumulate(stamps)[:-1]
    return out


def _range_checks(
    o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    return [
        (HIGH_BELOW_LOW, h < lo),
        (OPEN_OUTSIDE_RANGE, (o < lo) | (o > h)),
        (CLOSE_OUTSIDE_RANGE, (c < lo) | (c > h)),
    ]


def _checked_tick(tick_size: float) -> float:
    if not np.isfinite(tick_size) or tick_size <= 0:
        raise ValueError(f"tick_size must be a finite number > 0, was {tick_size}")
    return float(tick_size)


def _off_grid(price: np.ndarray, tick: float) -> np.ndarray:
    """Finite prices further than GRID_TOLERANCE x |price| from the nearest multiple of `tick`."""
    with np.errstate(invalid="ignore", over="ignore"):
        nearest = np.rint(price / tick) * tick
        off = np.abs(price - nearest) > GRID_TOLERANCE * np.maximum(np.abs(price), tick)
    return off & np.isfinite(price)


def _any_row(stacked: np.ndarray) -> np.ndarray:
    """Per row (column of a stacked 2-D mask): True when any of the stacked checks is True."""
    return np.asarray(stacked.any(axis=0), dtype=bool)


def _out_of_range(price: np.ndarray, tick: float) -> np.ndarray:
    """Finite prices whose tick count is too large to be held exactly (above MAX_PRICE_TICKS)."""
    with np.errstate(over="ignore"):
        return np.isfinite(price) & (np.abs(price / tick) > MAX_PRICE_TICKS)


def _not_whole(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(values) | (values != np.round(values))


def _require_dtype(data: np.ndarray, dtype: np.dtype, kind: str) -> None:
    if data.dtype != dtype:
        raise ValidationError(f"{kind} array must have dtype {dtype}, was {data.dtype}")


def _require_columns(data: object, columns: Sequence[str], kind: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ValidationError(f"{kind} must be a DataFrame or structured array, was {type(data)}")
    missing = [name for name in columns if name not in data.columns]
    if missing:
        raise ValidationError(f"{kind} need columns {list(columns)}; missing {missing}")
    return data


def _numeric(frame: pd.DataFrame, column: str, kind: str) -> np.ndarray:
    """A numeric column as float64 (nullable NA -> NaN); text or objects are a structural error."""
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise ValidationError(f"{kind} column {column!r} must be numeric, was {values.dtype}")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _ts(frame: pd.DataFrame, kind: str) -> np.ndarray:
    """The ts column as int64 UTC ns; it must be an integer column without missing values."""
    values = frame["ts"]
    if not pd.api.types.is_integer_dtype(values.dtype) or values.isna().any():
        raise ValidationError(
            f"{kind} column 'ts' must be int64 UTC ns without gaps, was {values.dtype}"
        )
    return values.to_numpy(dtype=np.int64)


def _auction_mask(in_auction: Sequence[bool] | np.ndarray | None, n: int) -> np.ndarray:
    if in_auction is None:
        return np.zeros(n, dtype=bool)
    mask = np.asarray(in_auction, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"in_auction must have one flag per row ({n}), had shape {mask.shape}")
    return mask


def _raise_first(bad: np.ndarray, frame: pd.DataFrame, why: str) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"trades row {row}: {why}: {_row_text(frame, row)}")
