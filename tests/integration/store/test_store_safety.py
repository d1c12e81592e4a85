"""The risk layer's SafetyStore port on SQL: same answers as the in-memory store, and survives restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from store_builders import T0, order

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.risk.memory_store import InMemorySafetyStore
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import (
    Denial,
    OrderAction,
    OrderStatus,
    OrderType,
    PositionRecord,
    RejectCooldown,
    SafetyLimits,
    SafetyState,
    SecurityEvent,
    TradingState,
)
from orderflow_lib.store import Store, open_store

FENCED = SafetyState(
    trading_state=TradingState.HALTED,
    trading_state_reason="drawdown breaker",
    fence_active=True,
    fence_reason="broker connection lost",
    fence_ts_ns=T0,
    breaker_tripped=True,
    breaker_trade_date=date(2024, 5, 29),
    breaker_ts_ns=T0 + 1,
    reconciliation_mismatch=True,
    reconciliation_detail="MES local 1 broker 0",
    limits=SafetyLimits(
        max_drawdown_gbp=-250.5,
        reject_cooldown_min=45,
        allowed_instruments=("MES", "ES"),
        max_position=3,
        max_order_size=2,
        trading_window="GLOBEX",
        price_sanity_ticks=20,
        max_orders_per_minute=4,
        reconciliation=False,
    ),
    updated_ts_ns=T0 + 2,
)


def _denial(ts_ns: int, reason: str) -> Denial:
    return Denial(
        ts_ns=ts_ns,
        signal_id=f"S-{ts_ns - T0}",
        reason=reason,
        detail=f"{reason} in words",
        instrument="MES",
        action=OrderAction.SELL,
        quantity=1,
        price_ticks=20040,
    )


def _script(safety: SafetyStore) -> list[Any]:
    """Drive one store through every port method; return everything it answered."""
    answers: list[Any] = [safety.load_safety_state()]
    safety.save_safety_state(SafetyState())
    safety.save_safety_state(FENCED)
    answers.append(safety.load_safety_state())
    for i, reason in enumerate(["MAX_POSITION", "FENCE_ACTIVE", "RATE_LIMIT"]):
        safety.record_denial(_denial(T0 + i, reason))
    answers.append(safety.recent_denials(2))
    safety.upsert_reject_cooldown(
        RejectCooldown("S-1", "margin", 20040, T0, T0 + 30 * NS_PER_MINUTE)
    )
    safety.upsert_reject_cooldown(RejectCooldown("S-2", "price", 20044, T0 + 5, T0 + 10))
    safety.upsert_reject_cooldown(
        RejectCooldown("S-1", "again", 20041, T0 + 1, T0 + 31 * NS_PER_MINUTE)
    )
    answers.append(safety.active_reject_cooldowns(T0 + 9))
    answers.append(safety.active_reject_cooldowns(T0 + 10))
    for i in range(3):
        safety.record_security_event(SecurityEvent(T0 + i, "AUTH_FAILED", f"10.0.0.{i}", "bad key"))
    answers.append(safety.recent_security_events(5))
    safety.upsert_order(order("O-2", created_ts_ns=T0 + 1, signal_id="S-2"))
    safety.upsert_order(order("O-1"))
    safety.upsert_order(order("O-1", status=OrderStatus.FILLED, filled_quantity=1))
    safety.upsert_order(
        order(
            "O-3",
            signal_id="S-2",
            action=OrderAction.SELL,
            price_ticks=20032,
            created_ts_ns=T0 + 2,
            order_type=OrderType.STOP,
            parent_id="O-2",
            oca_group="OCA-O-2",
        )
    )
    answers.append(safety.get_order("O-1"))
    answers.append(safety.get_order("missing"))
    answers.append(safety.orders())
    answers.append(safety.orders([OrderStatus.PENDING]))
    answers.append(safety.orders_for_signal("S-2"))
    safety.save_position(PositionRecord("MES", 1, T0))
    safety.save_position(PositionRecord("ES", -2, T0))
    safety.save_position(PositionRecord("MES", 0, T0 + 1))
    answers.append(safety.load_positions())
    return answers


def test_sql_safety_store_implements_the_risk_port(store: Store) -> None:
    assert isinstance(store.safety_store("live", "node"), SafetyStore)


def test_sql_safety_store_when_scripted_then_answers_like_the_in_memory_store(
    store: Store,
) -> None:
    expected = _script(InMemorySafetyStore())

    answers = _script(store.safety_store("live", "node"))

    assert answers == expected
    assert answers[1] == FENCED


def test_safety_state_when_store_reopened_then_fence_and_breaker_survive(db_url: str) -> None:
    with open_store(db_url) as first:
        first.safety_store("live", "node").save_safety_state(FENCED)
        first.safety_store("live", "node").upsert_reject_cooldown(
            RejectCooldown("S-9", "rejected", 20040, T0, T0 + 30 * NS_PER_MINUTE)
        )

    with open_store(db_url) as second:
        safety = second.safety_store("live", "node")
        state = safety.load_safety_state()
        cooldowns = safety.active_reject_cooldowns(T0 + 29 * NS_PER_MINUTE)

    assert state == FENCED
    assert [c.signal_id for c in cooldowns] == ["S-9"]


def test_safety_state_when_sources_differ_then_each_has_its_own(store: Store) -> None:
    store.safety_store("live", "node").save_safety_state(FENCED)

    replay_state = store.safety_store("replay", "node").load_safety_state()

    assert replay_state is None


def test_save_state_records_which_actor_saved_it(store: Store) -> None:
    store.safety("live", "node").save_state(SafetyState())
    store.safety("live", "notebook").save_state(replace(FENCED, fence_active=False))

    assert store.safety("live", "node").updated_by() == "notebook"


def test_purge_expired_cooldowns_deletes_only_expired_ones(store: Store) -> None:
    safety = store.safety("live", "node")
    safety.upsert_reject_cooldown(RejectCooldown("S-1", "r", 1, T0, T0 + 10))
    safety.upsert_reject_cooldown(RejectCooldown("S-2", "r", 1, T0, T0 + 20))

    deleted = safety.purge_expired_cooldowns(T0 + 10)

    assert deleted == 1
    assert [c.signal_id for c in safety.active_reject_cooldowns(T0)] == ["S-2"]


def test_cooldown_when_expiry_before_reject_time_then_validation_error(store: Store) -> None:
    with pytest.raises(ValidationError, match="expires_ns 5 is before ts_ns 9"):
        store.safety("live", "node").upsert_reject_cooldown(RejectCooldown("S-1", "r", 1, 9, 5))


def test_recent_security_events_when_filtered_by_event_then_newest_first(store: Store) -> None:
    safety = store.safety("live", "node")
    safety.record_security_event(SecurityEvent(T0, "AUTH_FAILED", "10.0.0.1", "bad key"))
    safety.record_security_event(SecurityEvent(T0 + 1, "FENCE_LIFTED", "127.0.0.1", "by operator"))
    safety.record_security_event(SecurityEvent(T0 + 2, "AUTH_FAILED", "10.0.0.2", "no key"))

    failures = safety.recent_security_events(10, event="AUTH_FAILED")

    assert [e.address for e in failures] == ["10.0.0.2", "10.0.0.1"]


def test_recent_denials_when_limit_negative_then_validation_error(store: Store) -> None:
    with pytest.raises(ValidationError, match="limit must be an int >= 0; was -1"):
        store.safety("live", "node").recent_denials(-1)


def test_replace_all_positions_when_force_synced_then_only_broker_positions_remain(
    store: Store,
) -> None:
    positions = store.positions("live")
    positions.save(PositionRecord("MES", 2, T0))
    positions.save(PositionRecord("ES", 1, T0))

    positions.replace_all([PositionRecord("MES", -1, T0 + 1)])

    assert positions.all() == [PositionRecord("MES", -1, T0 + 1)]


def test_replace_all_positions_when_instrument_twice_then_refused_and_intact(store: Store) -> None:
    positions = store.positions("live")
    positions.save(PositionRecord("MES", 2, T0))

    with pytest.raises(ValidationError, match="instrument twice"):
        positions.replace_all([PositionRecord("MES", 1, T0), PositionRecord("MES", 0, T0)])

    assert positions.all() == [PositionRecord("MES", 2, T0)]
