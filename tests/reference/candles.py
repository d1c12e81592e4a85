"""Reference volumetric candles built trade by trade (the rules of `flow.volumetric_candles`)."""

from __future__ import annotations

import numpy as np

from orderflow_lib.flow.bars import BarSpec, anchor_array
from orderflow_lib.flow.candles import FootprintRow, VolCandle
from orderflow_lib.kernels.footprint import BAR_TIME


class _OpenBar:
    """Accumulator of the bar being built."""

    def __init__(self, start_ns: int, end_ns: int, session: int, cd_open: int) -> None:
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.session = session
        self.cd_open = cd_open
        self.cd = cd_open
        self.cd_high = cd_open
        self.cd_low = cd_open
        self.rows: dict[int, list[int]] = {}
        self.open = self.high = self.low = self.close = 0
        self.volume = self.buy = self.sell = self.unknown = self.trades = 0
        self.delta = self.delta_max = self.delta_min = 0
        self.delta_at_high = self.delta_at_low = 0
        self.last_ts = start_ns

    def add(self, ts_ns: int, price: int, size: int, side: int) -> None:
        if self.trades == 0:
            self.open = self.high = self.low = price
        if price > self.high:
            self.high = price
            self.delta_at_high = self.delta
        if price < self.low:
            self.low = price
            self.delta_at_low = self.delta
        self.close = price
        self.volume += size
        self.trades += 1
        self.last_ts = ts_ns
        row = self.rows.setdefault(price, [0, 0, 0, 0])
        row[3] += 1
        if side > 0:
            self.buy += size
            self.delta += size
            self.cd += size
            row[1] += size
        elif side < 0:
            self.sell += size
            self.delta -= size
            self.cd -= size
            row[0] += size
        else:
            self.unknown += size
            row[2] += size
        self.delta_max = max(self.delta_max, self.delta)
        self.delta_min = min(self.delta_min, self.delta)
        self.cd_high = max(self.cd_high, self.cd)
        self.cd_low = min(self.cd_low, self.cd)

    def candle(self, end_ns: int) -> VolCandle:
        rows = tuple((p, r[0], r[1], r[2], r[3]) for p, r in sorted(self.rows.items()))
        poc = _poc_of_rows(rows, self.low, self.high)
        return VolCandle(
            start_ns=self.start_ns,
            end_ns=end_ns,
            last_ts_ns=self.last_ts,
            session=self.session,
            open_ticks=self.open,
            high_ticks=self.high,
            low_ticks=self.low,
            close_ticks=self.close,
            volume=self.volume,
            buy_volume=self.buy,
            sell_volume=self.sell,
            unknown_volume=self.unknown,
            delta=self.delta,
            delta_max=self.delta_max,
            delta_min=self.delta_min,
            delta_since_high=self.delta - self.delta_at_high,
            delta_since_low=self.delta - self.delta_at_low,
            cd_open=self.cd_open,
            cd_high=self.cd_high,
            cd_low=self.cd_low,
            cd_close=self.cd,
            poc_ticks=poc,
            trades=self.trades,
            rows=rows,
        )


def _poc_of_rows(rows: tuple[FootprintRow, ...], low: int, high: int) -> int:
    """Most traded price; ties to the middle of the range, then lower (as the batch kernel)."""
    best = min(rows, key=lambda r: (-(r[1] + r[2] + r[3]), abs(2 * r[0] - high - low), r[0]))
    return best[0]


class CandleBuilder:
    """Incremental volumetric candles: feed trades in time order, get each bar when it closes.

    Matches `volumetric_candles` on the same trades (the last bar comes from `flush`). A trade
    older than the previous one is counted in `late_trades`; it is added to the open bar when it
    falls inside it, otherwise kept in `unplaced_trades` (closed bars are never rewritten).
    """

    def __init__(self, bar: str | BarSpec = "1min", anchors_ns: np.ndarray | None = None) -> None:
        self.spec = BarSpec.parse(bar)
        self._anchors = anchor_array(anchors_ns)
        self._next_anchor = 0
        self._session = -1
        self._bar: _OpenBar | None = None
        self._key = 0
        self._filled = 0
        self._cd = 0
        self._last_ts: int | None = None
        self._closed_until = np.iinfo(np.int64).min
        self.late_trades = 0
        self.unplaced_trades: list[tuple[int, int, int, int]] = []

    def on_trade(self, ts_ns: int, price_ticks: int, size: int, side: int) -> list[VolCandle]:
        """Add one trade; returns the bars it closed: the previous time bar when this trade starts
        a new one, or the volume/tick bar this trade completed."""
        if size <= 0:
            raise ValueError(f"trade size must be > 0, was {size}")
        if (self._last_ts is not None and ts_ns < self._last_ts) or ts_ns < self._closed_until:
            self.late_trades += 1
            if self._bar is not None and ts_ns >= self._bar.start_ns:
                self._bar.add(ts_ns, price_ticks, size, side)
                self._cd = self._bar.cd
            else:
                self.unplaced_trades.append((ts_ns, price_ticks, size, side))
            return []
        self._last_ts = ts_ns
        closed = self._roll(ts_ns)
        assert self._bar is not None
        self._bar.add(ts_ns, price_ticks, size, side)
        self._cd = self._bar.cd
        if self.spec.code == BAR_TIME:
            return closed
        self._filled += size if self.spec.kind == "volume" else 1
        if self._filled >= self.spec.length:
            closed.append(self._close_open_bar())
        return closed

    def on_time(self, now_ns: int) -> list[VolCandle]:
        """Close the open time bar once the clock reaches its end (no trade needed)."""
        if self._bar is None or self.spec.code != BAR_TIME or now_ns < self._bar.end_ns:
            return []
        return [self._close_open_bar()]

    def flush(self) -> list[VolCandle]:
        """Close the open bar (end of data or of session) and return it."""
        if self._bar is None:
            return []
        candle = self._close_open_bar()
        return [candle]

    def _close_open_bar(self) -> VolCandle:
        bar = self._bar
        assert bar is not None
        if self.spec.code == BAR_TIME:
            end = self._closed_until = bar.end_ns
        else:
            end = bar.last_ts + 1
        self._bar = None
        return bar.candle(end)

    def _roll(self, ts_ns: int) -> list[VolCandle]:
        moved = False
        anchors = self._anchors
        while self._next_anchor < anchors.shape[0] and anchors[self._next_anchor] <= ts_ns:
            self._next_anchor += 1
            moved = True
        anchor = int(anchors[self._next_anchor - 1]) if self._next_anchor > 0 else None
        spec = self.spec
        new_bar = self._bar is None or moved
        key = 0
        if spec.code == BAR_TIME:
            grid = spec.origin_ns + ((ts_ns - spec.origin_ns) // spec.length) * spec.length
            key = grid if anchor is None or grid > anchor else anchor
            new_bar = new_bar or key != self._key
        elif self._filled >= spec.length:
            new_bar = True
        if not new_bar:
            return []
        closed = [self._close_open_bar()] if self._bar is not None else []
        if self._session < 0 or moved:
            self._session += 1
            self._cd = 0
        if spec.code == BAR_TIME:
            end = spec.origin_ns + ((key - spec.origin_ns) // spec.length + 1) * spec.length
            if self._next_anchor < anchors.shape[0]:
                end = min(end, int(anchors[self._next_anchor]))
            self._key = key
            self._bar = _OpenBar(key, end, self._session, self._cd)
        else:
            self._bar = _OpenBar(ts_ns, ts_ns + 1, self._session, self._cd)
        self._filled = 0
        return closed
