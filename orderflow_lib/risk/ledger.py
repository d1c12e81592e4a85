"""In-memory view of our orders and positions that the gate consults on every order."""

from __future__ import annotations

from collections import deque
from collections.abc import KeysView

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderStatus
from orderflow_lib.risk.tracking import remaining_quantity


class OrderLedger:
    """Orders by id, orders still able to fill, signals already used, send times, local positions.

    Send times are those of this run only: stored orders of an earlier run carry times of another
    clock (a replay restarted on the same store would see them in its future) and never count.
    """

    def __init__(self, orders: list[OrderRecord], positions: dict[str, int]) -> None:
        self.positions = positions
        self.orders: dict[str, OrderRecord] = {}
        self._inflight: dict[str, OrderRecord] = {}
        self._live_signals: dict[str, int] = {}
        for order in orders:
            self.put(None, order)
        self._send_times: deque[int] = deque()

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

    def open_quantities(self, instrument: str, *, except_oca: str = "") -> tuple[int, int]:
        """(unfilled buy contracts, unfilled sell contracts) of orders in flight for an instrument,
        leaving out the OCA group `except_oca` (a new member can only fill instead of the others)."""
        buys = sells = 0
        for order in self._inflight.values():
            if order.instrument == instrument and not (
                except_oca and order.oca_group == except_oca
            ):
                if order.action.sign > 0:
                    buys += remaining_quantity(order)
                else:
                    sells += remaining_quantity(order)
        return buys, sells

    def largest_in_group(self, instrument: str, oca_group: str, action: OrderAction) -> int:
        """The most contracts any one working `action` order of an OCA group may still fill (the
        group fills at most one of them)."""
        if not oca_group:
            return 0
        return max(
            (
                remaining_quantity(o)
                for o in self._inflight.values()
                if o.instrument == instrument and o.oca_group == oca_group and o.action is action
            ),
            default=0,
        )

    def unacknowledged(self) -> list[OrderRecord]:
        """Orders still PENDING: recorded, but never acknowledged by the broker."""
        return [o for o in self._inflight.values() if o.status is OrderStatus.PENDING]

    def in_flight(self) -> list[OrderRecord]:
        """Orders with contracts left that are not cancelled or rejected, oldest first."""
        return sorted(self._inflight.values(), key=lambda o: (o.created_ts_ns, o.order_id))

    @property
    def open_order_count(self) -> int:
        """Orders that may still fill."""
        return len(self._inflight)

    @property
    def used_signal_ids(self) -> KeysView[str]:
        """Signals with an order that was not rejected."""
        return self._live_signals.keys()
