"""Time-and-sales pressure over trade batches, equal to `flow.TapePressure` trade by trade.

Each batch runs the batch kernel (`flow.tape_pressure`) over the batch plus the carried trades that
can still be in a window (the last window_s of time, or the last window_trades trades), so every
batch trade's window sums are exact; a signal fires where the state turns to BUY or SELL compared
with the trade before, the carried state included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orderflow_lib.core.config import TapeSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.signals import Signal
from orderflow_lib.flow.tape import TapeParams, TapeReadings, tape_pressure, tape_signals
from orderflow_lib.flow.trades import TradeArrays

_NO_TS = -1


def tape_params(settings: TapeSettings) -> TapeParams:
    """TapeParams of the `tape` settings (time window)."""
    return TapeParams(
        window_s=settings.window_s,
        window_trades=settings.window_trades,
        pressure_thr=exact(settings.pressure_thr),
        min_vol=settings.min_vol,
        large_lot=settings.large_lot,
    )


@dataclass(frozen=True, slots=True)
class TapeBatch:
    """Per-trade pressure of one batch and the signals it fired (in trade order)."""

    pressure: np.ndarray
    large_lot_delta: np.ndarray
    trades_in_window: np.ndarray
    signal_trades: np.ndarray
    signals: list[Signal]


class BatchTape:
    """Tape pressure of a session, batch by batch."""

    def __init__(self, params: TapeParams | None = None) -> None:
        self.params = params or TapeParams()
        self._ts = np.empty(0, dtype=np.int64)
        self._price = np.empty(0, dtype=np.int64)
        self._size = np.empty(0, dtype=np.int64)
        self._side = np.empty(0, dtype=np.int8)
        self.state = 0
        self.pressure = 0.0
        self.large_lot_delta = 0
        self.trades_in_window = 0

    @property
    def intensity(self) -> float:
        """Trades per second in the current window."""
        return self.trades_in_window / self.params.window_s

    def add(
        self, ts: np.ndarray, price: np.ndarray, size: np.ndarray, side: np.ndarray
    ) -> TapeBatch:
        """Add time-ordered trades; their pressure readings and the signals they fired."""
        n = ts.shape[0]
        k = self._ts.shape[0]
        all_ts = np.concatenate((self._ts, ts))
        all_price = np.concatenate((self._price, price))
        all_size = np.concatenate((self._size, size))
        all_side = np.concatenate((self._side, side.astype(np.int8)))
        readings = tape_pressure(TradeArrays(all_ts, all_price, all_size, all_side), self.params)
        mine = slice(k, k + n)
        marked = TapeReadings(
            np.concatenate(([_NO_TS], readings.ts_ns[mine])),
            np.concatenate(([int(self.state > 0)], readings.buy[mine])),
            np.concatenate(([int(self.state < 0)], readings.sell[mine])),
            np.concatenate(([0], readings.large_buy[mine])),
            np.concatenate(([0], readings.large_sell[mine])),
            np.concatenate(([0], readings.trades[mine])),
            np.concatenate(([self.state], readings.state[mine])).astype(np.int8),
        )
        signals = [
            s
            for s in tape_signals(marked, np.concatenate(([0], price)), self.params)
            if s.ts_ns != _NO_TS
        ]
        state = readings.state[mine]
        prev = np.concatenate(([self.state], state[:-1]))
        signal_trades = np.flatnonzero((state != prev) & (state != 0))
        batch = TapeBatch(
            readings.pressure[mine],
            readings.large_lot_delta[mine],
            readings.trades[mine],
            signal_trades,
            signals,
        )
        if n:
            self.state = int(state[-1])
            self.pressure = float(batch.pressure[-1])
            self.large_lot_delta = int(batch.large_lot_delta[-1])
            self.trades_in_window = int(batch.trades_in_window[-1])
            self._carry(all_ts, all_price, all_size, all_side)
        return batch

    def _carry(self, ts: np.ndarray, price: np.ndarray, size: np.ndarray, side: np.ndarray) -> None:
        """Keep only the trades that can fall inside a later trade's window."""
        p = self.params
        if p.mode == "trades":
            start = max(0, ts.shape[0] - p.window_trades)
        else:
            start = int(np.searchsorted(ts, ts[-1] - p.window_s * NS_PER_SECOND, side="right"))
        self._ts, self._price, self._size, self._side = (
            ts[start:],
            price[start:],
            size[start:],
            side[start:],
        )
