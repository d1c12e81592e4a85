"""Safety manager persistence of one source: state and limits, denials, reject cooldowns, security log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.risk.records import (
    Denial,
    OrderAction,
    RejectCooldown,
    SafetyState,
    SecurityEvent,
    TradingState,
)
from orderflow_lib.store.mapping import record_from_row, row_values
from orderflow_lib.store.models import DenialRow, RejectedOrderRow, SafetyStateRow, SecurityLogRow
from orderflow_lib.store.records import ID_MAX, NAME_MAX, check_text
from orderflow_lib.store.sql import upsert

if TYPE_CHECKING:
    from orderflow_lib.store.database import Store

EVENT_MAX = 64
ADDRESS_MAX = 128


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValidationError(f"limit must be an int >= 0; was {limit!r}")
    return limit


def _state_values(state: SafetyState, source: str, actor: str) -> dict[str, object]:
    if state.trading_state not in tuple(TradingState):
        raise ValidationError(
            f"trading_state must be one of {', '.join(TradingState)}; was {state.trading_state!r}"
        )
    limits = state.limits
    for instrument in limits.allowed_instruments:
        check_text("limits.allowed_instruments[]", instrument, NAME_MAX)
    check_text("limits.trading_window", limits.trading_window, NAME_MAX)
    return row_values(state, source=source, updated_by=actor)


class SafetyRepository:
    """Safety state (signed by `actor`, e.g. "node" or "notebook"), denials, cooldowns and audit log."""

    def __init__(self, store: Store, source: str, actor: str) -> None:
        self._store = store
        self._source = source
        self._actor = check_text("actor", actor, ID_MAX)

    def load_state(self) -> SafetyState | None:
        """The saved state of this source, or None when none was ever saved."""
        with self._store.read() as session:
            row = session.get(SafetyStateRow, self._source)
            return None if row is None else record_from_row(SafetyState, row)

    def save_state(self, state: SafetyState) -> None:
        """Replace the saved state of this source."""
        values = _state_values(state, self._source, self._actor)
        with self._store.write() as session:
            upsert(session, SafetyStateRow, [values], ["source"])

    def updated_by(self) -> str | None:
        """Who saved the state last (the `actor` of that repository), or None."""
        with self._store.read() as session:
            row = session.get(SafetyStateRow, self._source)
            return None if row is None else row.updated_by

    def record_denial(self, denial: Denial) -> None:
        """Append one denial."""
        check_text("denial.signal_id", denial.signal_id, ID_MAX)
        check_text("denial.reason", denial.reason, EVENT_MAX)
        check_text("denial.instrument", denial.instrument, NAME_MAX)
        if denial.action not in tuple(OrderAction):
            raise ValidationError(f"denial.action must be BUY or SELL; was {denial.action!r}")
        row = DenialRow(**row_values(denial, source=self._source))
        with self._store.write() as session:
            session.add(row)

    def recent_denials(self, limit: int) -> list[Denial]:
        """Up to `limit` denials, newest first."""
        query = (
            select(DenialRow)
            .where(DenialRow.source == self._source)
            .order_by(DenialRow.ts_ns.desc(), DenialRow.id.desc())
            .limit(_check_limit(limit))
        )
        with self._store.read() as session:
            return [record_from_row(Denial, row) for row in session.scalars(query)]

    def upsert_reject_cooldown(self, entry: RejectCooldown) -> None:
        """Insert or replace the cooldown of `entry.signal_id`."""
        check_text("cooldown.signal_id", entry.signal_id, ID_MAX)
        if entry.expires_ns < entry.ts_ns:
            raise ValidationError(
                f"cooldown of {entry.signal_id}: expires_ns {entry.expires_ns} "
                f"is before ts_ns {entry.ts_ns}"
            )
        values = row_values(entry, source=self._source)
        with self._store.write() as session:
            upsert(session, RejectedOrderRow, [values], ["source", "signal_id"])

    def active_reject_cooldowns(self, now_ns: int) -> list[RejectCooldown]:
        """Cooldowns with expires_ns > now_ns, oldest first."""
        query = (
            select(RejectedOrderRow)
            .where(RejectedOrderRow.source == self._source, RejectedOrderRow.expires_ns > now_ns)
            .order_by(RejectedOrderRow.ts_ns, RejectedOrderRow.signal_id)
        )
        with self._store.read() as session:
            return [record_from_row(RejectCooldown, row) for row in session.scalars(query)]

    def purge_expired_cooldowns(self, now_ns: int) -> int:
        """Delete cooldowns with expires_ns <= now_ns; the number deleted."""
        statement = delete(RejectedOrderRow).where(
            RejectedOrderRow.source == self._source, RejectedOrderRow.expires_ns <= now_ns
        )
        with self._store.write() as session:
            return cast(CursorResult[Any], session.execute(statement)).rowcount

    def record_security_event(self, event: SecurityEvent) -> None:
        """Append one audit/security log entry."""
        check_text("security.event", event.event, EVENT_MAX)
        check_text("security.address", event.address, ADDRESS_MAX)
        row = SecurityLogRow(**row_values(event, source=self._source))
        with self._store.write() as session:
            session.add(row)

    def recent_security_events(self, limit: int, event: str | None = None) -> list[SecurityEvent]:
        """Up to `limit` security events (only those named `event`, if given), newest first."""
        query = select(SecurityLogRow).where(SecurityLogRow.source == self._source)
        if event is not None:
            query = query.where(SecurityLogRow.event == event)
        query = query.order_by(SecurityLogRow.ts_ns.desc(), SecurityLogRow.id.desc()).limit(
            _check_limit(limit)
        )
        with self._store.read() as session:
            return [record_from_row(SecurityEvent, row) for row in session.scalars(query)]
