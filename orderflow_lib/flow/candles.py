"""Volumetric candles (spec §7.12): per bar OHLC, volume by aggressor, the intra-bar delta path
(max/min with the 0 start included, delta since the high/low), cumulative delta as a candle, the
bar POC and its footprint rows, over whole arrays of trades."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from orderflow_lib.flow.bars import BarSpec
from orderflow_lib.flow.footprint import Footprint, build_footprint
from orderflow_lib.flow.trades import TradeArrays
from orderflow_lib.kernels.footprint import CANDLE_FIELDS, _bar_poc, _candles

FootprintRow = tuple[int, int, int, int, int]
"""(price_ticks, bid_volume, ask_volume, unknown_volume, trades) of one price in a bar."""


@dataclass(frozen=True, slots=True)
class VolCandle:
    """One volumetric bar over [start_ns, end_ns); `last_ts_ns` is its last trade (its as-of)."""

    start_ns: int
    end_ns: int
    last_ts_ns: int
    session: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume: int
    buy_volume: int
    sell_volume: int
    unknown_volume: int
    delta: int
    delta_max: int
    delta_min: int
    delta_since_high: int
    delta_since_low: int
    cd_open: int
    cd_high: int
    cd_low: int
    cd_close: int
    poc_ticks: int
    trades: int
    rows: tuple[FootprintRow, ...]

    @property
    def unknown_share(self) -> float:
        """Share of the bar's volume without a known aggressor."""
        return self.unknown_volume / self.volume if self.volume else 0.0


@dataclass(frozen=True)
class VolumetricCandles:
    """Candles of a footprint as int64 column arrays (names as in VolCandle)."""

    footprint: Footprint
    fields: dict[str, np.ndarray]

    def __len__(self) -> int:
        return self.footprint.n_bars

    def __getitem__(self, name: str) -> np.ndarray:
        return self.fields[name]

    def candle(self, index: int) -> VolCandle:
        """The bar at `index` as a VolCandle record."""
        fp = self.footprint
        a, z = int(fp.row_offsets[index]), int(fp.row_offsets[index + 1])
        rows = tuple(
            (
                int(fp.price_ticks[r]),
                int(fp.bid_volume[r]),
                int(fp.ask_volume[r]),
                int(fp.unknown_volume[r]),
                int(fp.trades[r]),
            )
            for r in range(a, z)
        )
        values = {name: int(column[index]) for name, column in self.fields.items()}
        return VolCandle(
            start_ns=int(fp.start_ns[index]),
            end_ns=int(fp.end_ns[index]),
            session=int(fp.session[index]),
            rows=rows,
            **values,
        )

    def candles(self) -> list[VolCandle]:
        """Every bar as a VolCandle."""
        return [self.candle(i) for i in range(len(self))]

    def to_frame(self) -> pd.DataFrame:
        """One row per bar: start/end (UTC) and the candle fields."""
        fp = self.footprint
        frame = pd.DataFrame(self.fields)
        frame.insert(
            0, "end", pd.DatetimeIndex(fp.end_ns.view("datetime64[ns]")).tz_localize("UTC")
        )
        frame.insert(
            0, "start", pd.DatetimeIndex(fp.start_ns.view("datetime64[ns]")).tz_localize("UTC")
        )
        return frame


def volumetric_candles(
    trades: TradeArrays, bar: str | BarSpec = "1min", anchors_ns: np.ndarray | None = None
) -> VolumetricCandles:
    """Volumetric candles of time-ordered trades; CD restarts at 0 at each anchor (spec §7.3)."""
    fp = build_footprint(trades, bar, anchors_ns)
    table = _candles(
        fp.trade_offsets, fp.session, trades.ts_ns, trades.price_ticks, trades.size, trades.side
    )
    fields = {name: np.ascontiguousarray(table[:, k]) for k, name in enumerate(CANDLE_FIELDS)}
    fields["poc_ticks"] = _bar_poc(fp.row_offsets, fp.price_ticks, fp.volume)
    return VolumetricCandles(fp, fields)
