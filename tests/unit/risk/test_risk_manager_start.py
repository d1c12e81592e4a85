"""Fail-safe start, readiness and persistence across restarts."""

import pytest
from risk_fakes import AUTH_KEY, RecordingVenue, day_of, intent, make_manager

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import SafetyError
from orderflow_lib.risk import (
    DenialReason,
    OrderAction,
    ProductionSafetyManager,
    SafetyLimits,
    TradingState,
)


async def _create(store, clock, key):
    return await ProductionSafetyManager.create(
        store,
        RiskSettings(),
        clock,
        auth_key=key,
        in_trading_window=lambda _: True,
        trade_date_of=day_of,
    )


async def test_create_when_auth_key_missing_then_refuses_saying_so(store, clock):
    with pytest.raises(SafetyError, match="SAFETY_AUTH_KEY is missing"):
        await _create(store, clock, None)


async def test_create_when_auth_key_short_then_refuses_with_length(store, clock):
    with pytest.raises(SafetyError, match="too short: 10 characters"):
        await _create(store, clock, "0123456789")


async def test_create_when_store_unreachable_then_refuses_saying_store(store, clock):
    store.down = True
    with pytest.raises(SafetyError, match="store unreachable: StoreError: database unreachable"):
        await _create(store, clock, AUTH_KEY)


async def test_create_when_key_and_store_both_bad_then_both_reasons_given(store, clock):
    store.down = True
    with pytest.raises(SafetyError, match=r"missing.*store unreachable"):
        await _create(store, clock, None)


async def test_create_when_fresh_store_then_ready_with_settings_limits_persisted(store, clock):
    manager = await make_manager(store, clock, risk=RiskSettings(max_position=3))
    assert manager.ready
    saved = store.inner.load_safety_state()
    assert saved is not None and saved.limits.max_position == 3
    assert store.inner.recent_security_events(1)[0].event == "MANAGER_STARTED"


async def test_create_when_store_has_state_then_persisted_limits_win_over_settings(store, clock):
    first = await make_manager(store, clock)
    first.update_config(AUTH_KEY, address="ops", limits=SafetyLimits(max_position=1))
    second = await make_manager(store, clock, risk=RiskSettings(max_position=2))
    assert second.state.limits.max_position == 1


async def test_submit_when_closed_then_not_ready_denial_and_nothing_sent(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    manager.close()
    result = await manager.submit(intent())
    assert (result.accepted, result.reason) == (False, DenialReason.NOT_READY)
    assert venue.placed == []
    assert not manager.ready


async def test_submit_when_no_venue_attached_then_denied(store, clock):
    manager = await make_manager(store, clock)
    result = await manager.submit(intent())
    assert result.reason == DenialReason.NO_BROKER


async def test_restart_when_positions_orders_and_state_saved_then_all_restored(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    assert (await manager.submit(intent("a"))).accepted
    order_id = venue.placed[0].order_id
    manager.on_fill(order_id, 1, 24_000, clock.now_ns())
    venue.broker_positions = {"MES": 1}
    manager.update_config(AUTH_KEY, address="ops", trading_state=TradingState.REDUCING)
    restarted = await make_manager(store, clock, venue=venue)
    assert restarted.positions == {"MES": 1}
    assert restarted.state.trading_state is TradingState.REDUCING
    assert [o.order_id for o in restarted.orders()] == [order_id]
    duplicate = await restarted.submit(intent("a", action=OrderAction.SELL))
    assert duplicate.reason == DenialReason.DUPLICATE_SIGNAL


async def test_status_when_not_ready_then_lists_violation_and_halted(store, clock):
    manager = await make_manager(store, clock, venue=RecordingVenue(clock))
    manager.close()
    status = manager.status()
    assert status.effective_state is TradingState.HALTED
    assert any(v.startswith("NOT_READY") for v in status.violations)
