"""TimedSafetyStore: a SafetyStore whose every call runs through a DeadlineRunner.

No call waits longer than the deadline; a missed deadline raises StoreError like any other store
failure, so the safety manager fences, and the runner tells the manager at once when the store
stops answering even if nothing is being written.
"""

from __future__ import annotations

from collections.abc import Collection

from orderflow_lib.risk.deadline import DeadlineRunner, Watcher
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import (
    Denial,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyState,
    SecurityEvent,
)


class TimedSafetyStore:
    """`inner` behind `runner`'s deadline (the runner may be shared by several stores)."""

    def __init__(self, inner: SafetyStore, runner: DeadlineRunner) -> None:
        self.inner = inner
        self.runner = runner

    @property
    def down(self) -> str | None:
        """Why the store is taken as down, or None."""
        return self.runner.down

    def watch(self, watcher: Watcher) -> None:
        """Hear when the store goes down or answers again."""
        self.runner.watch(watcher)

    def ping(self) -> None:
        """Check the store answers within the deadline."""
        self.runner.call(self.inner.ping)

    def load_safety_state(self) -> SafetyState | None:
        """The last saved state, or None for a fresh store."""
        return self.runner.call(self.inner.load_safety_state)

    def save_safety_state(self, state: SafetyState) -> None:
        """Replace the saved state."""
        self.runner.call(lambda: self.inner.save_safety_state(state))

    def record_denial(self, denial: Denial) -> None:
        """Append a denial."""
        self.runner.call(lambda: self.inner.record_denial(denial))

    def recent_denials(self, limit: int) -> list[Denial]:
        """Up to `limit` denials, newest first."""
        return self.runner.call(lambda: self.inner.recent_denials(limit))

    def upsert_reject_cooldown(self, entry: RejectCooldown) -> None:
        """Insert or replace a cooldown."""
        self.runner.call(lambda: self.inner.upsert_reject_cooldown(entry))

    def active_reject_cooldowns(self, now_ns: int) -> list[RejectCooldown]:
        """Cooldowns still running at `now_ns`."""
        return self.runner.call(lambda: self.inner.active_reject_cooldowns(now_ns))

    def record_security_event(self, event: SecurityEvent) -> None:
        """Append an audit/security log entry."""
        self.runner.call(lambda: self.inner.record_security_event(event))

    def recent_security_events(self, limit: int) -> list[SecurityEvent]:
        """Up to `limit` security events, newest first."""
        return self.runner.call(lambda: self.inner.recent_security_events(limit))

    def upsert_order(self, order: OrderRecord) -> None:
        """Insert the order or move it forward."""
        self.runner.call(lambda: self.inner.upsert_order(order))

    async def upsert_orders_async(self, orders: list[OrderRecord]) -> None:
        """Write several orders in one call, without blocking the event loop."""

        def write() -> None:
            for order in orders:
                self.inner.upsert_order(order)

        await self.runner.call_async(write)

    def get_order(self, order_id: str) -> OrderRecord | None:
        """The order with this client id, or None."""
        return self.runner.call(lambda: self.inner.get_order(order_id))

    def orders(self, statuses: Collection[OrderStatus] | None = None) -> list[OrderRecord]:
        """Orders, oldest first."""
        return self.runner.call(lambda: self.inner.orders(statuses))

    def orders_for_signal(self, signal_id: str) -> list[OrderRecord]:
        """Orders placed for one signal, oldest first."""
        return self.runner.call(lambda: self.inner.orders_for_signal(signal_id))

    def save_position(self, position: PositionRecord) -> None:
        """Insert or replace a local position."""
        self.runner.call(lambda: self.inner.save_position(position))

    def record_fill(self, order: OrderRecord, position: PositionRecord) -> None:
        """The filled order and the position it leaves, in one transaction."""
        self.runner.call(lambda: self.inner.record_fill(order, position))

    def load_positions(self) -> list[PositionRecord]:
        """Every saved local position."""
        return self.runner.call(self.inner.load_positions)
