"""Buy/sell pressure from time and sales (spec §7.11): over a rolling window (tape.window_s, or the
last tape.window_trades trades) pressure = (buy - sell) / (buy + sell); BUY_PRESSURE when it is at
least tape.pressure_thr with at least tape.min_vol sided volume, SELL_PRESSURE mirrors. Large lots
(>= tape.large_lot) are tallied apart; intensity is trades per second in the window."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.signals import BEARISH, BULLISH, Signal, SignalKind
from orderflow_lib.flow.trades import TradeArrays
from orderflow_lib.kernels.flow_tape import _tape_windows

WindowMode = Literal["time", "trades"]


@dataclass(frozen=True, slots=True)
class TapeParams:
    """tape.* settings; `mode` picks the time window or the trade-count window."""

    window_s: int = 30
    window_trades: int = 200
    pressure_thr: Fraction = Fraction(3, 10)
    min_vol: int = 200
    large_lot: int = 25
    mode: WindowMode = "time"

    def __post_init__(self) -> None:
        if self.window_s < 1 or self.window_trades < 1:
            raise ValueError(
                f"tape windows must be >= 1, were window_s={self.window_s}, "
                f"window_trades={self.window_trades}"
            )
        if self.mode not in ("time", "trades"):
            raise ValueError(f"tape window mode must be 'time' or 'trades', was {self.mode!r}")
        object.__setattr__(self, "pressure_thr", exact(self.pressure_thr))


@dataclass(frozen=True)
class TapeReadings:
    """Per-trade window sums; pressure and state are derived from them."""

    ts_ns: np.ndarray
    buy: np.ndarray
    sell: np.ndarray
    large_buy: np.ndarray
    large_sell: np.ndarray
    trades: np.ndarray
    state: np.ndarray

    @property
    def pressure(self) -> np.ndarray:
        """(buy - sell) / (buy + sell), 0 where the window has no sided volume."""
        total = self.buy + self.sell
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (self.buy - self.sell) / np.maximum(total, 1), 0.0)

    @property
    def large_lot_delta(self) -> np.ndarray:
        """Large-lot buy volume minus large-lot sell volume in the window."""
        return self.large_buy - self.large_sell


def pressure_state(buy: np.ndarray | int, sell: np.ndarray | int, params: TapeParams) -> np.ndarray:
    """+1 BUY_PRESSURE, -1 SELL_PRESSURE, 0 neither (exact threshold, min volume included)."""
    b = np.asarray(buy, dtype=np.int64)
    s = np.asarray(sell, dtype=np.int64)
    total = b + s
    num, den = params.pressure_thr.numerator, params.pressure_thr.denominator
    enough = total >= params.min_vol
    up = enough & (total > 0) & ((b - s) * den >= num * total)
    down = enough & (total > 0) & ((s - b) * den >= num * total)
    return np.where(up, 1, np.where(down, -1, 0)).astype(np.int8)


def pressure_signal(
    ts_ns: int, price_ticks: int, state: int, buy: int, sell: int, params: TapeParams
) -> Signal:
    """The BUY_PRESSURE / SELL_PRESSURE signal of a trade where the state turned to `state`."""
    total = buy + sell
    pressure = (buy - sell) / total
    return Signal(
        ts_ns=ts_ns,
        kind=SignalKind.BUY_PRESSURE if state > 0 else SignalKind.SELL_PRESSURE,
        direction=BULLISH if state > 0 else BEARISH,
        price_ticks=price_ticks,
        strength=abs(pressure),
        evidence={
            "buy_volume": buy,
            "sell_volume": sell,
            "pressure": pressure,
            "window": f"{params.window_s}s"
            if params.mode == "time"
            else f"{params.window_trades} trades",
        },
    )


def tape_pressure(trades: TradeArrays, params: TapeParams = TapeParams()) -> TapeReadings:
    """Window sums and pressure state at every trade (batch form)."""
    table = _tape_windows(
        trades.ts_ns,
        trades.size,
        trades.side,
        params.window_s * NS_PER_SECOND,
        params.window_trades,
        params.mode == "trades",
        params.large_lot,
    )
    buy, sell = table[:, 0], table[:, 1]
    return TapeReadings(
        trades.ts_ns,
        buy,
        sell,
        table[:, 2],
        table[:, 3],
        table[:, 4],
        pressure_state(buy, sell, params),
    )


def tape_signals(
    readings: TapeReadings, price_ticks: np.ndarray, params: TapeParams = TapeParams()
) -> list[Signal]:
    """A signal each time the pressure state turns to BUY or SELL (price = that trade's price)."""
    state = readings.state
    prev = np.concatenate(([0], state[:-1])).astype(np.int8)
    out = []
    for i in np.flatnonzero((state != prev) & (state != 0)).tolist():
        out.append(
            pressure_signal(
                int(readings.ts_ns[i]),
                int(price_ticks[i]),
                int(state[i]),
                int(readings.buy[i]),
                int(readings.sell[i]),
                params,
            )
        )
    return out


def intensity(readings: TapeReadings, params: TapeParams = TapeParams()) -> np.ndarray:
    """Trades per second in the time window (compare with the same-time-of-day median)."""
    return readings.trades / params.window_s
