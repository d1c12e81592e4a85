"""In-memory view of our orders and positions that the gate consults on every order."""

from __future__ import annotations

from collections import deque
from collections.abc import KeysView

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.risk.records import OrderRecord, OrderStatus
from orderflow_lib.risk.tracking import remaining_quantity


class OrderLedger:
    """Orders by id, orders still able to fill, signals already used, send times, local positions."""

    def __init__(self, orders: list[OrderRecord], positions: dict[str, int], now_ns: int) -> None:
        self.positions = positions
        self.orders: dict[str, OrderRecord] = {}
        self._inflight: dict[str, OrderRecord] = {}
        self._live_signals: dict[str, int] = {}
        for order in orders:
            self.put(None, order)
        recent = (o.created_ts_ns for o in orders if o.created_ts_ns > now_ns - NS_PER_MINUTE)
        self._send_times: deque[int] = deque(sorted(recent))

    def put(self, old: OrderRecord | None, new: OrderRecord) -> None:
        """Index a new order, or replace `old` by its updated version `new`."""
        if old is not None and old.status is not OrderStatus.REJECTED:
            self._live_signals[old.signal_id] -= 1
            if self._live_signals[old.signal_id] == 0:
                del self._live_signals[old.signal_id]
        if new.status is not OrderStatus.REJECTED:
            self._live_signals[new.signal_id] = self._live_signals.get(new.signal_id, 0) + 1
        self.orders[new.order_id] = new
        if remaining_quantity(new) > 0:
            self._inflight[new.order_id] = new
        else:
            self._inflight.pop(new.order_id, None)

    def next_order_id(self, now_ns: int) -> str:
        """A client order id unique within the store (sequence number plus time)."""
        return f"OF-{len(self.orders) + 1:06d}-{now_ns}"

    def record_send(self, now_ns: int) -> None:
        """Remember that an order was sent now (for the per-minute rate)."""
        self._send_times.append(now_ns)

    def send_times(self, now_ns: int) -> tuple[int, ...]:
        """Send times within the trailing minute."""
        while self._send_times and self._send_times[0] <= now_ns - NS_PER_MINUTE:
            self._send_times.popleft()
        return tuple(self._send_times)

    def open_quantities(self, instrument: str) -> tuple[int, int]:
        """(unfilled buy contracts, unfilled sell contracts) of orders in flight for an instrument."""
        buys = sells = 0
        for order in self._inflight.values():
            if order.instrument == instrument:
                if order.action.sign > 0:
                    buys += remaining_quantity(order)
                else:
                    sells += remaining_quantity(order)
        return buys, sells

    def unacknowledged(self) -> list[OrderRecord]:
        """Orders still PENDING: recorded, but never acknowledged by the broker."""
        return [o for o in self._inflight.values() if o.status is OrderStatus.PENDING]

    @property
    def open_order_count(self) -> int:
        """Orders that may still fill."""
        return len(self._inflight)

    @property
    def used_signal_ids(self) -> KeysView[str]:
        """Signals with an order that was not rejected."""
        return self._live_signals.keys()
