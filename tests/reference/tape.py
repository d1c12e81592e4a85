"""Reference tape pressure over a rolling window, trade by trade (the rules of `flow.tape_pressure`)."""

from __future__ import annotations

from collections import deque

from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.flow.signals import Signal
from orderflow_lib.flow.tape import TapeParams, pressure_signal, pressure_state


class TapePressure:
    """Incremental tape pressure: feed trades in time order; returns a signal when the state turns."""

    def __init__(self, params: TapeParams | None = None) -> None:
        self.params = params or TapeParams()
        self._window: deque[tuple[int, int, int]] = deque()
        self.buy = self.sell = self.large_buy = self.large_sell = 0
        self.state = 0

    @property
    def trades(self) -> int:
        """Trades in the window."""
        return len(self._window)

    def on_trade(self, ts_ns: int, price_ticks: int, size: int, side: int) -> Signal | None:
        """Add a trade; a BUY/SELL_PRESSURE signal if the pressure state just turned."""
        p = self.params
        self._window.append((ts_ns, size, side))
        self._add(size, side, 1)
        horizon = ts_ns - p.window_s * NS_PER_SECOND
        while self._window and (
            (p.mode == "trades" and len(self._window) > p.window_trades)
            or (p.mode == "time" and self._window[0][0] <= horizon)
        ):
            _, old_size, old_side = self._window.popleft()
            self._add(old_size, old_side, -1)
        state = int(pressure_state(self.buy, self.sell, p))
        turned = state != self.state and state != 0
        self.state = state
        if not turned:
            return None
        return pressure_signal(ts_ns, price_ticks, state, self.buy, self.sell, p)

    def _add(self, size: int, side: int, sign: int) -> None:
        large = size >= self.params.large_lot
        if side > 0:
            self.buy += sign * size
            self.large_buy += sign * size if large else 0
        elif side < 0:
            self.sell += sign * size
            self.large_sell += sign * size if large else 0
