"""Volumetric candles (time, volume or tick bars) and the bar-level detectors, fed trade batches.

A time bar closes when the first trade of a later bar arrives (as the reference `CandleBuilder`); a
volume or tick bar closes at the trade that completes it. The trades of closed bars go through the
batch candle kernel (`flow.volumetric_candles`) in one call per batch, the open bar's trades wait
in a buffer, and cumulative delta is carried across calls, so the candles are those of the batch
kernel over the whole session for any batching. Closed candles feed `flow.BarSignalEngine`; only
the trades that can break a zone or complete a magnet are passed to its `on_trade` (each trade
after the candles of the bars before it, as the batch detectors read them), which changes nothing
else.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from orderflow_lib.core.config import OrderFlowSettings
from orderflow_lib.flow.bars import BarSpec
from orderflow_lib.flow.candles import VolCandle, volumetric_candles
from orderflow_lib.flow.detect import BarSignalEngine
from orderflow_lib.flow.imbalance import SUPPORT
from orderflow_lib.flow.signals import Signal
from orderflow_lib.flow.trades import TradeArrays
from orderflow_lib.kernels.bar_marks import HIGHEST, LOWEST, _bar_ends, _bar_starts, _watch_hits

KEEP_CANDLES: Final = 240
_Watch = tuple[int, int, np.ndarray]
_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class ClosedBar:
    """A bar known closed after event index `at` of the batch (-1: before the batch's first event,
    or by a flush), with the detector signals it produced."""

    at: int
    candle: VolCandle
    signals: tuple[Signal, ...]


class _Buffer:
    """The open bar's trades: kept as the batches' slices and joined only when read."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, ts: np.ndarray, price: np.ndarray, size: np.ndarray, side: np.ndarray) -> None:
        if ts.shape[0]:
            self._parts.append((ts, price, size, side))
            self._count += int(ts.shape[0])

    def arrays(self) -> TradeArrays:
        if len(self._parts) > 1:
            ts, price, size, side = (np.concatenate(c) for c in zip(*self._parts, strict=True))
            self._parts = [(ts, price, size, side)]
        if not self._parts:
            return TradeArrays(_EMPTY, _EMPTY, _EMPTY, np.empty(0, dtype=np.int8))
        return TradeArrays(*self._parts[0])


class BarBuilder:
    """Candles of one session's bars (default 1 minute) and, with `detect`, their bar signals,
    batch by batch."""

    def __init__(
        self,
        settings: OrderFlowSettings | None = None,
        *,
        bar: str | BarSpec = "1min",
        keep: int = KEEP_CANDLES,
        detect: bool = True,
    ) -> None:
        self.spec = BarSpec.parse(bar)
        self.detectors = BarSignalEngine(settings or OrderFlowSettings()) if detect else None
        self._open = _Buffer()
        self._open_key: int | None = None
        self._filled = 0
        self._cd = 0
        self._open_candle: VolCandle | None = None
        self.candles: deque[VolCandle] = deque(maxlen=keep)
        self._watch: _Watch | None = None
        self.bars_closed = 0

    def add(
        self,
        ts: np.ndarray,
        price: np.ndarray,
        size: np.ndarray,
        side: np.ndarray,
        event_index: np.ndarray,
    ) -> list[ClosedBar]:
        """Add time-ordered trades (with their event indices); the bars they closed, in order."""
        n = ts.shape[0]
        if n == 0:
            return []
        cuts, ats = self._cuts(ts, size, event_index)
        self._open_candle = None
        closed: list[ClosedBar] = []
        if cuts.size:
            last = int(cuts[-1])
            done = self._open
            done.add(ts[:last], price[:last], size[:last], side[:last])
            begin = 0
            bounds = zip(cuts.tolist(), ats.tolist(), strict=True)
            for candle, (cut, at) in zip(self._candles(done), bounds, strict=True):
                self._trades_after(ts, price, begin, cut)
                begin = cut
                closed.append(ClosedBar(at, candle, self._close(candle)))
            self._open = _Buffer()
            self._open.add(ts[last:], price[last:], size[last:], side[last:])
            self._trades_after(ts, price, last, n)
        else:
            self._trades_after(ts, price, 0, n)
            self._open.add(ts, price, size, side)
        return closed

    def _cuts(
        self, ts: np.ndarray, size: np.ndarray, event_index: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions in the batch where a bar after a closed one starts, and the event after which
        each closed bar is known: before the first trade of the next time bar, at the trade that
        completes a volume or tick bar."""
        spec = self.spec
        if spec.kind == "time":
            open_key = self._open_key
            last_key, starts = _bar_starts(
                ts, spec.origin_ns, spec.length, open_key or 0, open_key is not None
            )
            self._open_key = int(last_key)
            return starts, event_index[starts] - 1
        self._filled, ends = _bar_ends(size, spec.length, self._filled, spec.kind == "volume")
        return ends + 1, event_index[ends]

    def _close(self, candle: VolCandle) -> tuple[Signal, ...]:
        """Keep a closed candle; the detectors' signals of it."""
        self.candles.append(candle)
        self.bars_closed += 1
        if self.detectors is None:
            return ()
        self._watch = None
        return tuple(self.detectors.on_candle(candle))

    def _candles(self, trades: _Buffer) -> list[VolCandle]:
        """Candles of whole bars, cumulative delta continued from the previous bar."""
        out = []
        for c in volumetric_candles(trades.arrays(), self.spec).candles():
            shifted = replace(
                c,
                cd_open=c.cd_open + self._cd,
                cd_high=c.cd_high + self._cd,
                cd_low=c.cd_low + self._cd,
                cd_close=c.cd_close + self._cd,
            )
            out.append(shifted)
        if out:
            self._cd = out[-1].cd_close
        return out

    def _trades_after(self, ts: np.ndarray, price: np.ndarray, start: int, stop: int) -> None:
        """Pass to the detectors the trades of [start, stop) that can end a zone or a magnet."""
        engine = self.detectors
        if stop <= start or engine is None:
            return
        if self._watch is None:
            self._watch = self._watched()
        low, high, magnets = self._watch
        if low == LOWEST and high == HIGHEST and not magnets.shape[0]:
            return
        for i in _watch_hits(price, start, stop, low, high, magnets).tolist():
            engine.on_trade(int(ts[i]), int(price[i]))
            self._watch = None

    def _watched(self) -> _Watch:
        """The prices that can end a live zone (at or below `low`, at or above `high`) or
        complete a magnet; kept until the detectors change."""
        engine = self.detectors
        assert engine is not None
        gap = engine.zones.break_ticks
        lows = [z.low_ticks - gap for z in engine.zones.live if z.side == SUPPORT]
        highs = [z.high_ticks + gap for z in engine.zones.live if z.side != SUPPORT]
        magnets = [p for p, ms in engine.magnets.open.items() if ms]
        return (
            max(lows, default=LOWEST),
            min(highs, default=HIGHEST),
            np.array(magnets, dtype=np.int64),
        )

    def flush(self) -> list[ClosedBar]:
        """Close the open bar (end of session or of data)."""
        if not len(self._open):
            return []
        candles = self._candles(self._open)
        self._open = _Buffer()
        self._open_key = None
        self._filled = 0
        self._open_candle = None
        return [ClosedBar(-1, candle, self._close(candle)) for candle in candles]

    @property
    def cumulative_delta(self) -> int:
        """Session cumulative delta including the open bar."""
        candle = self.open_candle()
        return candle.cd_close if candle is not None else self._cd

    def open_candle(self) -> VolCandle | None:
        """The bar being built, as a candle so far (None before its first trade)."""
        if self._open_candle is None and len(self._open):
            candles = volumetric_candles(self._open.arrays(), self.spec).candles()
            c = candles[-1]
            self._open_candle = replace(
                c,
                cd_open=c.cd_open + self._cd,
                cd_high=c.cd_high + self._cd,
                cd_low=c.cd_low + self._cd,
                cd_close=c.cd_close + self._cd,
            )
        return self._open_candle
