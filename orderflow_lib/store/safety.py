"""Safety manager persistence of one source: state and limits, denials, reject cooldowns, security log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, select

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.risk.records import (
    Denial,
    OrderAction,
    RejectCooldown,
    SafetyLimits,
    SafetyState,
    SecurityEvent,
    TradingState,
)
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
    return {
        "source": source,
        "trading_state": str(state.trading_state),
        "trading_state_reason": state.trading_state_reason,
        "fence_active": state.fence_active,
        "fence_reason": state.fence_reason,
        "fence_ts_ns": state.fence_ts_ns,
        "breaker_tripped": state.breaker_tripped,
        "breaker_trade_date": state.breaker_trade_date,
        "breaker_ts_ns": state.breaker_ts_ns,
        "reconciliation_mismatch": state.reconciliation_mismatch,
        "reconciliation_detail": state.reconciliation_detail,
        "max_drawdown_gbp": limits.max_drawdown_gbp,
        "reject_cooldown_min": limits.reject_cooldown_min,
        "allowed_instruments": list(limits.allowed_instruments),
        "max_position": limits.max_position,
        "max_order_size": limits.max_order_size,
        "trading_window": check_text("limits.trading_window", limits.trading_window, NAME_MAX),
        "price_sanity_ticks": limits.price_sanity_ticks,
        "max_orders_per_minute": limits.max_orders_per_minute,
        "reconciliation": limits.reconciliation,
        "updated_ts_ns": state.updated_ts_ns,
        "updated_by": actor,
    }


def _state_from_row(row: SafetyStateRow) -> SafetyState:
    return SafetyState(
        trading_state=TradingState(row.trading_state),
        trading_state_reason=row.trading_state_reason,
        fence_active=row.fence_active,
        fence_reason=row.fence_reason,
        fence_ts_ns=row.fence_ts_ns,
        breaker_tripped=row.breaker_tripped,
        breaker_trade_date=row.breaker_trade_date,
        breaker_ts_ns=row.breaker_ts_ns,
        reconciliation_mismatch=row.reconciliation_mismatch,
        reconciliation_detail=row.reconciliation_detail,
        limits=SafetyLimits(
            max_drawdown_gbp=row.max_drawdown_gbp,
            reject_cooldown_min=row.reject_cooldown_min,
            allowed_instruments=tuple(row.allowed_instruments),
            max_position=row.max_position,
            max_order_size=row.max_order_size,
            trading_window=row.trading_window,
            price_sanity_ticks=row.price_sanity_ticks,
            max_orders_per_minute=row.max_orders_per_minute,
            reconciliation=row.reconciliation,
        ),
        updated_ts_ns=row.updated_ts_ns,
    )


def _denial_from_row(row: DenialRow) -> Denial:
    return Denial(
        ts_ns=row.ts_ns,
        signal_id=row.signal_id,
        reason=row.reason,
        detail=row.detail,
        instrument=row.instrument,
        action=OrderAction(row.action),
        quantity=row.quantity,
        price_ticks=row.price_ticks,
    )


def _cooldown_from_row(row: RejectedOrderRow) -> RejectCooldown:
    return RejectCooldown(
        signal_id=row.signal_id,
        reason=row.reason,
        price_ticks=row.price_ticks,
        ts_ns=row.ts_ns,
        expires_ns=row.expires_ns,
    )


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
            return None if row is None else _state_from_row(row)

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
        row = DenialRow(
            source=self._source,
            ts_ns=denial.ts_ns,
            signal_id=denial.signal_id,
            reason=denial.reason,
            detail=denial.detail,
            instrument=denial.instrument,
            action=str(denial.action),
            quantity=denial.quantity,
            price_ticks=denial.price_ticks,
        )
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
            return [_denial_from_row(row) for row in session.scalars(query)]

    def upsert_reject_cooldown(self, entry: RejectCooldown) -> None:
        """Insert or replace the cooldown of `entry.signal_id`."""
        check_text("cooldown.signal_id", entry.signal_id, ID_MAX)
        if entry.expires_ns < entry.ts_ns:
            raise ValidationError(
                f"cooldown of {entry.signal_id}: expires_ns {entry.expires_ns} "
                f"is before ts_ns {entry.ts_ns}"
            )
        values = {
            "source": self._source,
            "signal_id": entry.signal_id,
            "reason": entry.reason,
            "price_ticks": entry.price_ticks,
            "ts_ns": entry.ts_ns,
            "expires_ns": entry.expires_ns,
        }
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
            return [_cooldown_from_row(row) for row in session.scalars(query)]

    def purge_expired_cooldowns(self, now_ns: int) -> int:
        """Delete cooldowns with expires_ns <= now_ns; the number deleted."""
        statement = delete(RejectedOrderRow).where(
            RejectedOrderRow.source == self._source, RejectedOrderRow.expires_ns <= now_ns
        )
        with self._store.write() as session:
            return cast(CursorResult[Any], session.execute(statement)).rowcount

    def record_security_event(self, event: SecurityEvent) -> None:
        """Append one audit/security log entry."""
        row = SecurityLogRow(
            source=self._source,
            ts_ns=event.ts_ns,
            event=check_text("security.event", event.event, EVENT_MAX),
            address=check_text("security.address", event.address, ADDRESS_MAX),
            detail=event.detail,
        )
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
            return [
                SecurityEvent(
                    ts_ns=row.ts_ns, event=row.event, address=row.address, detail=row.detail
                )
                for row in session.scalars(query)
            ]
