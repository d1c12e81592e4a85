"""The persistence port of the safety manager: what it stores, as a Protocol the store implements.

Methods are synchronous (the store is fast; an async caller runs them in a thread). Every method
raises core.errors.StoreError when the database cannot be reached or written; the manager treats
that as a critical failure and raises the trading fence.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, runtime_checkable

from orderflow_lib.risk.records import (
    Denial,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyState,
    SecurityEvent,
)


@runtime_checkable
class SafetyStore(Protocol):
    """Durable storage for the safety manager (in-memory for tests/replay, SQL in orderflow_lib.store)."""

    def ping(self) -> None:
        """Check the store is reachable; raise StoreError naming the cause when it is not."""
        ...

    def load_safety_state(self) -> SafetyState | None:
        """The last saved state, or None for a fresh store."""
        ...

    def save_safety_state(self, state: SafetyState) -> None:
        """Replace the saved state (one row)."""
        ...

    def record_denial(self, denial: Denial) -> None:
        """Append a denial."""
        ...

    def recent_denials(self, limit: int) -> list[Denial]:
        """Up to `limit` denials, newest first."""
        ...

    def upsert_reject_cooldown(self, entry: RejectCooldown) -> None:
        """Insert or replace the cooldown of `entry.signal_id`."""
        ...

    def active_reject_cooldowns(self, now_ns: int) -> list[RejectCooldown]:
        """Cooldowns with `expires_ns > now_ns`, oldest first."""
        ...

    def record_security_event(self, event: SecurityEvent) -> None:
        """Append an audit/security log entry."""
        ...

    def recent_security_events(self, limit: int) -> list[SecurityEvent]:
        """Up to `limit` security events, newest first."""
        ...

    def upsert_order(self, order: OrderRecord) -> None:
        """Insert or replace the order with `order.order_id`."""
        ...

    def get_order(self, order_id: str) -> OrderRecord | None:
        """The order with this client id, or None."""
        ...

    def orders(self, statuses: Collection[OrderStatus] | None = None) -> list[OrderRecord]:
        """Orders (all, or only those whose status is in `statuses`), oldest first by created_ts_ns."""
        ...

    def orders_for_signal(self, signal_id: str) -> list[OrderRecord]:
        """Orders placed for one signal, oldest first."""
        ...

    def save_position(self, position: PositionRecord) -> None:
        """Insert or replace the local position of `position.instrument`."""
        ...

    def record_fill(self, order: OrderRecord, position: PositionRecord) -> None:
        """A fill's two writes in one transaction: the order moved forward and the position it
        leaves (a crash between them would store one without the other)."""
        ...

    def load_positions(self) -> list[PositionRecord]:
        """Every saved local position."""
        ...
