"""Footprint: bid volume (sells hitting the bid) and ask volume (buys lifting the offer) per bar and
price (spec §7.2). `footprint()` is the public DataFrame form; `build_footprint()` the array form."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.core.errors import ValidationError
from orderflow_lib.flow.bars import BarSpec, anchor_array
from orderflow_lib.flow.trades import (
    GRID_TOLERANCE,
    PlainColumns,
    TradeArrays,
    check_tick_size,
    plain_columns,
    prepare_trades,
)
from orderflow_lib.kernels.footprint import _bar_offsets, _footprint_rows

FOOTPRINT_COLUMNS = (
    "bar",
    "price",
    "bid_volume",
    "ask_volume",
    "delta",
    "trades",
    "unknown_volume",
    "volume",
)


@dataclass(frozen=True)
class Footprint:
    """Bars and their price rows as arrays.

    Bar b covers trades trade_offsets[b]..trade_offsets[b+1]-1 over [start_ns[b], end_ns[b]) and
    rows row_offsets[b]..row_offsets[b+1]-1 (prices ascending); `session` numbers the anchor
    segment of each bar. `late_rows` counts trades that arrived out of time order.
    """

    spec: BarSpec
    trade_offsets: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray
    session: np.ndarray
    row_offsets: np.ndarray
    price_ticks: np.ndarray
    bid_volume: np.ndarray
    ask_volume: np.ndarray
    unknown_volume: np.ndarray
    trades: np.ndarray
    late_rows: int = 0

    @property
    def n_bars(self) -> int:
        """Number of bars."""
        return int(self.start_ns.shape[0])

    @property
    def row_bar(self) -> np.ndarray:
        """Bar index of each price row."""
        return np.repeat(np.arange(self.n_bars, dtype=np.int64), np.diff(self.row_offsets))

    @property
    def delta(self) -> np.ndarray:
        """Per row: ask volume minus bid volume."""
        return self.ask_volume - self.bid_volume

    @property
    def volume(self) -> np.ndarray:
        """Per row: all traded volume, unknown aggressor included."""
        return self.ask_volume + self.bid_volume + self.unknown_volume

    def to_frame(self, tick_size: float) -> pd.DataFrame:
        """The long DataFrame of the public API (see FOOTPRINT_COLUMNS)."""
        bar_ns = np.repeat(self.start_ns, np.diff(self.row_offsets))
        bar = pd.DatetimeIndex(bar_ns.view("datetime64[ns]")).tz_localize("UTC")
        return pd.DataFrame(
            {
                "bar": bar,
                "price": np.round(self.price_ticks * tick_size, 10),
                "bid_volume": self.bid_volume,
                "ask_volume": self.ask_volume,
                "delta": self.delta,
                "trades": self.trades,
                "unknown_volume": self.unknown_volume,
                "volume": self.volume,
            },
            columns=list(FOOTPRINT_COLUMNS),
        )


def build_footprint(
    trades: TradeArrays, bar: str | BarSpec = "1min", anchors_ns: np.ndarray | None = None
) -> Footprint:
    """Footprint of time-ordered trade arrays; bars never span an anchor (a session start)."""
    spec = BarSpec.parse(bar)
    columns = PlainColumns(trades.ts_ns, trades.price_ticks, trades.size, trades.side, None)
    fp = _build(columns, spec, None, anchor_array(anchors_ns))
    if fp is None:
        raise ValidationError("trade arrays must be validated and in time order (use trade_arrays)")
    return replace(fp, late_rows=trades.late_rows)


def _build(
    columns: PlainColumns, spec: BarSpec, tick_size: float | None, anchors: np.ndarray
) -> Footprint | None:
    """Bars then rows in two passes over the columns (prices in ticks when tick_size is None, else
    decimals checked on the grid); None when a row needs the validating path."""
    side_offsets, letters = columns.letters if columns.letters is not None else (None, None)
    bad, offsets, start, end, session, low, high = _bar_offsets(
        columns.ts_ns,
        columns.price,
        columns.size,
        tick_size,
        GRID_TOLERANCE,
        spec.code,
        spec.length,
        spec.origin_ns,
        anchors,
        side_offsets,
    )
    if bad >= 0:
        return None
    if letters is not None and side_offsets is not None:
        letters = letters[int(side_offsets[0]) : int(side_offsets[0]) + columns.ts_ns.shape[0]]
    inv_tick = None if tick_size is None else 1.0 / tick_size
    bad, row_offsets, price, bid, ask, unknown, count = _footprint_rows(
        offsets, low, high, columns.price, inv_tick, columns.size, columns.codes, letters
    )
    if bad >= 0:
        return None
    return Footprint(
        spec, offsets, start, end, session, row_offsets, price, bid, ask, unknown, count
    )


def footprint(
    trades: pd.DataFrame,
    bar: str | BarSpec = "1min",
    tick_size: float = ES_TICK_SIZE,
    *,
    anchors_ns: np.ndarray | None = None,
) -> pd.DataFrame:
    """Footprint of a trades DataFrame (ts int64 UTC ns, price, size, side 'B'/'A'/'N').

    One row per bar and price traded: bar (bar start, UTC), price, bid_volume (sells hitting the
    bid), ask_volume (buys lifting the offer), delta (= ask_volume - bid_volume), then trades,
    unknown_volume (side 'N', counted in volume but not in delta) and volume. Rows are sorted by
    bar, then price. `bar` is a duration ('1min'), 'volume:N' or 'tick:N'.
    """
    tick = check_tick_size(tick_size)
    columns = plain_columns(trades)
    if columns is not None:
        fp = _build(columns, BarSpec.parse(bar), tick, anchor_array(anchors_ns))
        if fp is not None:
            return fp.to_frame(tick)
    return build_footprint(prepare_trades(trades, tick), bar, anchors_ns).to_frame(tick)
