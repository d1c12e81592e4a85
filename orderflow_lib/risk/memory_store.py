"""An in-memory SafetyStore: the store used by tests and replay, with the same semantics as the SQL one."""

from __future__ import annotations

from collections.abc import Collection

from orderflow_lib.risk.records import (
    Denial,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyState,
    SecurityEvent,
)


class InMemorySafetyStore:
    """SafetyStore kept in dicts and lists; survives a manager restart as long as the object lives."""

    def __init__(self) -> None:
        self._state: SafetyState | None = None
        self._denials: list[Denial] = []
        self._cooldowns: dict[str, RejectCooldown] = {}
        self._security: list[SecurityEvent] = []
        self._orders: dict[str, OrderRecord] = {}
        self._positions: dict[str, PositionRecord] = {}

    def ping(self) -> None:
        """Always reachable."""

    def load_safety_state(self) -> SafetyState | None:
        """The last saved state, or None."""
        return self._state

    def save_safety_state(self, state: SafetyState) -> None:
        """Replace the saved state."""
        self._state = state

    def record_denial(self, denial: Denial) -> None:
        """Append a denial."""
        self._denials.append(denial)

    def recent_denials(self, limit: int) -> list[Denial]:
        """Up to `limit` denials, newest first."""
        return self._denials[::-1][:limit]

    def upsert_reject_cooldown(self, entry: RejectCooldown) -> None:
        """Insert or replace the cooldown of one signal."""
        self._cooldowns[entry.signal_id] = entry

    def active_reject_cooldowns(self, now_ns: int) -> list[RejectCooldown]:
        """Unexpired cooldowns, oldest first."""
        active = [c for c in self._cooldowns.values() if c.expires_ns > now_ns]
        return sorted(active, key=lambda c: (c.ts_ns, c.signal_id))

    def record_security_event(self, event: SecurityEvent) -> None:
        """Append a security event."""
        self._security.append(event)

    def recent_security_events(self, limit: int) -> list[SecurityEvent]:
        """Up to `limit` security events, newest first."""
        return self._security[::-1][:limit]

    def upsert_order(self, order: OrderRecord) -> None:
        """Insert or replace an order by client id."""
        self._orders[order.order_id] = order

    def get_order(self, order_id: str) -> OrderRecord | None:
        """The order with this client id, or None."""
        return self._orders.get(order_id)

    def orders(self, statuses: Collection[OrderStatus] | None = None) -> list[OrderRecord]:
        """Orders, optionally filtered by status, oldest first."""
        chosen = [o for o in self._orders.values() if statuses is None or o.status in statuses]
        return sorted(chosen, key=lambda o: (o.created_ts_ns, o.order_id))

    def orders_for_signal(self, signal_id: str) -> list[OrderRecord]:
        """Orders of one signal, oldest first."""
        return [o for o in self.orders() if o.signal_id == signal_id]

    def save_position(self, position: PositionRecord) -> None:
        """Insert or replace one instrument's local position."""
        self._positions[position.instrument] = position

    def record_fill(self, order: OrderRecord, position: PositionRecord) -> None:
        """The filled order and the position it leaves."""
        self.upsert_order(order)
        self.save_position(position)

    def load_positions(self) -> list[PositionRecord]:
        """Every saved position, by instrument."""
        return [self._positions[k] for k in sorted(self._positions)]
