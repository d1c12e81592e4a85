"""SafeBroker: the only object that may send orders, so every order passes the safety gate.

It attaches a Broker to a ProductionSafetyManager and, once registered as one of the broker's
listeners (the trading session puts it in its listener chain), forwards the broker's events to
it; it has no place_order of its own: `submit` goes through `manager.submit`.
"""

from __future__ import annotations

from orderflow_lib.execution.broker import Broker
from orderflow_lib.execution.events import Fill, OrderStatusUpdate
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.venue import OrderIntent, SubmitResult


class SafeBroker:
    """A broker behind the safety gate: submit, cancel, connect and account refresh."""

    def __init__(self, manager: ProductionSafetyManager, broker: Broker) -> None:
        self._manager = manager
        self._broker = broker
        manager.attach_venue(broker)

    @property
    def manager(self) -> ProductionSafetyManager:
        """The safety manager in front of the broker."""
        return self._manager

    async def submit(self, intent: OrderIntent) -> SubmitResult:
        """Send an order through the safety gate (denied orders never reach the broker)."""
        return await self._manager.submit(intent)

    async def submit_bracket(
        self, intent: OrderIntent, stop_ticks: int, target_ticks: int
    ) -> SubmitResult:
        """Send an entry with its protective stop and target through the safety gate."""
        return await self._manager.submit_bracket(intent, stop_ticks, target_ticks)

    async def submit_exit(self, intent: OrderIntent) -> SubmitResult:
        """Send an exit or a protective order (passes every gate when it only reduces exposure)."""
        return await self._manager.submit_exit(intent)

    async def cancel(self, order_id: str) -> None:
        """Cancel a working order (always allowed: cancelling never adds exposure)."""
        await self._broker.cancel_order(order_id)

    async def connect(self) -> None:
        """Connect the broker (a reconnect does not lift the fence)."""
        await self._broker.connect()

    async def disconnect(self) -> None:
        """Disconnect the broker (raises the fence)."""
        await self._broker.disconnect()

    def is_connected(self) -> bool:
        """True while the broker is connected."""
        return self._broker.is_connected()

    async def refresh_account(self) -> None:
        """Pull account values and give them to the manager (drives the drawdown breaker)."""
        self._manager.on_account(await self._broker.account())

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        """Forward an order status to the manager."""
        self._manager.on_order_status(
            update.order_id,
            update.status,
            update.ts_ns,
            broker_order_id=update.broker_order_id,
            reason=update.reason,
        )

    def on_fill(self, fill: Fill) -> None:
        """Forward a fill to the manager."""
        self._manager.on_fill(fill.order_id, fill.cumulative_quantity, fill.price_ticks, fill.ts_ns)

    def on_connection(self, connected: bool, reason: str) -> None:
        """Forward a connection change to the manager (a drop raises the fence)."""
        if connected:
            self._manager.on_broker_connected()
        else:
            self._manager.on_broker_disconnected(reason)
