"""SqlSafetyStore: the risk layer's SafetyStore port (orderflow_lib.risk.ports) on the SQL store."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from orderflow_lib.risk.records import (
    Denial,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyState,
    SecurityEvent,
)
from orderflow_lib.store.orders import OrderRepository
from orderflow_lib.store.positions import PositionRepository
from orderflow_lib.store.safety import SafetyRepository

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store


class SqlSafetyStore:
    """Everything the safety manager persists, for one source.

    A database failure raises StoreError (URL masked); a record the tables cannot hold raises
    core ValidationError. Orders follow the store's forward-only rules: a duplicate or stale update
    is ignored, a contradicting one raises OrderConflictError (a StoreError) and changes nothing.
    Both refusals are permanent: retrying the same write gives the same answer.
    """

    def __init__(self, store: Store, source: str, actor: str) -> None:
        self._store = store
        self._safety = SafetyRepository(store, source, actor)
        self._orders = OrderRepository(store, source)
        self._positions = PositionRepository(store, source)

    def ping(self) -> None:
        """Check the database answers; StoreError naming the URL (password masked) when not."""
        self._store.ping()

    def load_safety_state(self) -> SafetyState | None:
        """The last saved state, or None for a fresh store."""
        return self._safety.load_state()

    def save_safety_state(self, state: SafetyState) -> None:
        """Replace the saved state (one row per source)."""
        self._safety.save_state(state)

    def record_denial(self, denial: Denial) -> None:
        """Append a denial."""
        self._safety.record_denial(denial)

    def recent_denials(self, limit: int) -> list[Denial]:
        """Up to `limit` denials, newest first."""
        return self._safety.recent_denials(limit)

    def upsert_reject_cooldown(self, entry: RejectCooldown) -> None:
        """Insert or replace the cooldown of `entry.signal_id`."""
        self._safety.upsert_reject_cooldown(entry)

    def active_reject_cooldowns(self, now_ns: int) -> list[RejectCooldown]:
        """Cooldowns with `expires_ns > now_ns`, oldest first."""
        return self._safety.active_reject_cooldowns(now_ns)

    def record_security_event(self, event: SecurityEvent) -> None:
        """Append an audit/security log entry."""
        self._safety.record_security_event(event)

    def recent_security_events(self, limit: int) -> list[SecurityEvent]:
        """Up to `limit` security events, newest first."""
        return self._safety.recent_security_events(limit)

    def upsert_order(self, order: OrderRecord) -> None:
        """Insert the order or move it forward (duplicates and stale confirmations are ignored)."""
        self._orders.save(order)

    def get_order(self, order_id: str) -> OrderRecord | None:
        """The order with this client id, or None."""
        return self._orders.get(order_id)

    def orders(self, statuses: Collection[OrderStatus] | None = None) -> list[OrderRecord]:
        """Orders (all, or only those whose status is in `statuses`), oldest first."""
        return self._orders.all_orders(statuses)

    def orders_for_signal(self, signal_id: str) -> list[OrderRecord]:
        """Orders placed for one signal, oldest first."""
        return self._orders.for_signal(signal_id)

    def save_position(self, position: PositionRecord) -> None:
        """Insert or replace the local position of `position.instrument`."""
        self._positions.save(position)

    def record_fill(self, order: OrderRecord, position: PositionRecord) -> None:
        """The filled order and the position it leaves, in one transaction."""
        with self._store.atomic():
            self._orders.save(order)
            self._positions.save(position)

    def load_positions(self) -> list[PositionRecord]:
        """Every saved local position, by instrument."""
        return self._positions.all()
