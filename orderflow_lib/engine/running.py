"""Running values of a session's trades, batch by batch: volume, high, low, cumulative delta,
anchored VWAP and sigma, tape pressure (equal to the reference `TapePressure` and `VwapEngine` trade by
trade), overnight and initial-balance extremes.

One kernel call per batch (`kernels.session_trades`) carries everything to the next batch, so a
batch of one trade (live) costs a few microseconds and any batching gives the same values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np

from orderflow_lib.core.config import TapeSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.signals import Signal
from orderflow_lib.flow.tape import TapeParams, pressure_signal
from orderflow_lib.kernels import session_trades as k
from orderflow_lib.kernels.session_trades import NO_PRICE, new_state

_NEVER: Final = int(np.iinfo(np.int64).max)
_RING: Final = 1024


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
class SessionWindows:
    """The times that split a session's trades (UTC ns; None when the day has no such time)."""

    vwap_anchor_ns: int | None
    rth_open_ns: int | None
    ib_end_ns: int | None


class TradeRun(NamedTuple):
    """Per-trade values of one batch (rows in trade order; columns as `kernels.session_trades`)
    and the tape signals it fired with their trade positions; `before` is the row of values as
    they stood before the batch."""

    ints: np.ndarray
    floats: np.ndarray
    signal_trades: list[int]
    signals: list[Signal]
    before: tuple[np.ndarray, np.ndarray]


def _first_row() -> tuple[np.ndarray, np.ndarray]:
    """The row of values before a session's first trade."""
    ints = np.zeros(k.OUT_INT, dtype=np.int64)
    for column in (k.O_HIGH, k.O_LOW, k.O_ON_HIGH, k.O_ON_LOW, k.O_IB_HIGH, k.O_IB_LOW):
        ints[column] = NO_PRICE
    return ints, np.array([math.nan, math.nan, 0.0])


def optional(value: int) -> int | None:
    """A carried price, None while it has no value yet."""
    return None if value == NO_PRICE else int(value)


class RunningTrades:
    """The running values of one session; `add` a batch of time-ordered trades."""

    def __init__(self, tape: TapeParams, windows: SessionWindows) -> None:
        self.tape = tape
        self._params = np.zeros(k.PARAMS_SIZE, dtype=np.int64)
        self._params[k.P_ANCHOR] = (
            _NEVER if windows.vwap_anchor_ns is None else windows.vwap_anchor_ns
        )
        self._params[k.P_WINDOW_NS] = tape.window_s * NS_PER_SECOND
        self._params[k.P_WINDOW_TRADES] = tape.window_trades
        self._params[k.P_BY_TRADES] = tape.mode == "trades"
        self._params[k.P_LARGE_LOT] = tape.large_lot
        self._params[k.P_THR_NUM] = tape.pressure_thr.numerator
        self._params[k.P_THR_DEN] = tape.pressure_thr.denominator
        self._params[k.P_MIN_VOL] = tape.min_vol
        rth_open = _NEVER if windows.rth_open_ns is None else windows.rth_open_ns
        self._params[k.P_RTH_OPEN] = rth_open
        self._params[k.P_IB_END] = rth_open if windows.ib_end_ns is None else windows.ib_end_ns
        self.state = new_state()
        self.last = _first_row()
        self._ring_ts = np.zeros(_RING, dtype=np.int64)
        self._ring_size = np.zeros(_RING, dtype=np.int64)
        self._ring_side = np.zeros(_RING, dtype=np.int8)

    def add(
        self, ts: np.ndarray, price: np.ndarray, size: np.ndarray, side: np.ndarray
    ) -> TradeRun:
        """Add time-ordered trades; their running values and the tape signals they fired."""
        n = ts.shape[0]
        self._make_room(n)
        ints = np.empty((n, k.OUT_INT), dtype=np.int64)
        floats = np.empty((n, k.OUT_FLOAT))
        fired = k._session_trades(
            ts,
            price,
            size,
            side,
            self._params,
            self.state,
            self._ring_ts,
            self._ring_size,
            self._ring_side,
            ints,
            floats,
        )
        turned = np.flatnonzero(ints[:, k.O_TURNED]).tolist() if fired else []
        signals = [
            pressure_signal(
                int(ts[i]),
                int(price[i]),
                int(ints[i, k.O_TURNED]),
                int(ints[i, k.O_BUY]),
                int(ints[i, k.O_SELL]),
                self.tape,
            )
            for i in turned
        ]
        before, self.last = self.last, (ints[-1], floats[-1])
        return TradeRun(ints, floats, turned, signals, before)

    def _make_room(self, n: int) -> None:
        """Grow the tape ring (oldest trade first) when its trades plus the batch do not fit."""
        cap = self._ring_ts.shape[0]
        used = int(self.state[k.S_LEN])
        if used + n <= cap:
            return
        head = int(self.state[k.S_HEAD])
        order = (head + np.arange(used)) % cap
        bigger = max(2 * cap, 2 * (used + n))
        for name in ("_ring_ts", "_ring_size", "_ring_side"):
            old = getattr(self, name)
            new = np.zeros(bigger, dtype=old.dtype)
            new[:used] = old[order]
            setattr(self, name, new)
        self.state[k.S_HEAD] = 0

    @property
    def trades_in_window(self) -> int:
        """Trades in the tape window."""
        return int(self.state[k.S_LEN])
