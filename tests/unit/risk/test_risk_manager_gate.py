"""The gate: fence, drawdown breaker, reject cooldown, reconciliation, store failure, checks."""

import pytest
from risk_fakes import AUTH_KEY, PRICE, intent, make_manager

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import BrokerError, ConfigError
from orderflow_lib.core.timeconv import NS_PER_DAY, NS_PER_MINUTE, NS_PER_SECOND
from orderflow_lib.risk import (
    AuthenticationError,
    DenialReason,
    InMemorySafetyStore,
    OrderAction,
    OrderStatus,
    SafetyLimits,
    SafetyRefusedError,
    TradingState,
)

SELL = OrderAction.SELL


# ---- fence ---------------------------------------------------------------------------------


async def test_fence_when_broker_disconnects_then_orders_denied_and_fence_persisted(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    venue.connected = False
    manager.on_broker_disconnected("socket closed")
    venue.connected = True
    manager.on_broker_connected()
    result = await manager.submit(intent())
    assert (result.accepted, result.reason) == (False, DenialReason.FENCE_ACTIVE)
    assert "socket closed" in result.detail
    saved = store.inner.load_safety_state()
    assert saved is not None and saved.fence_active
    assert venue.placed == []


async def test_fence_when_restarted_then_still_active(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    manager.on_broker_disconnected("socket closed")
    restarted = await make_manager(store, clock, venue=venue)
    assert restarted.state.fence_active
    assert (await restarted.submit(intent())).reason == DenialReason.FENCE_ACTIVE


async def test_fence_when_venue_found_disconnected_without_event_then_activates(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    venue.connected = False
    result = await manager.submit(intent())
    assert result.reason == DenialReason.BROKER_DISCONNECTED
    assert manager.state.fence_active and manager.state.fence_reason == "broker connection down"


async def test_fence_when_wrong_key_then_stays_and_security_event_logged(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    manager.on_broker_disconnected("x")
    with pytest.raises(AuthenticationError):
        manager.deactivate_fence("w" * 32, address="10.0.0.9")
    assert manager.state.fence_active
    event = store.inner.recent_security_events(1)[0]
    assert (event.event, event.address) == ("AUTH_FAILED", "10.0.0.9")


async def test_fence_when_authenticated_and_connected_then_lifted_and_orders_flow(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    manager.on_broker_disconnected("x")
    state = manager.deactivate_fence(AUTH_KEY, address="127.0.0.1")
    assert not state.fence_active
    assert (await manager.submit(intent())).accepted
    assert "FENCE_DEACTIVATED" in [e.event for e in store.inner.recent_security_events(10)]


async def test_fence_when_broker_still_down_then_deactivation_refused(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.connected = False
    manager.on_broker_disconnected("x")
    with pytest.raises(SafetyRefusedError, match="broker is disconnected"):
        manager.deactivate_fence(AUTH_KEY, address="127.0.0.1")
    assert manager.state.fence_active


async def test_fence_when_broker_call_fails_then_activates(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.fail_calls = True
    result = await manager.submit(intent())
    assert result.reason == DenialReason.BROKER_ERROR
    assert manager.state.fence_active and "broker call failed" in manager.state.fence_reason


# ---- store failure -------------------------------------------------------------------------


async def test_store_failure_when_order_cannot_be_recorded_then_not_sent_and_fenced(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    store.down = True
    result = await manager.submit(intent())
    assert result.reason == DenialReason.STORE_FAILURE
    assert venue.placed == []
    assert manager.state.fence_active and "store write failed" in manager.state.fence_reason
    assert manager.status().store_degraded


async def test_store_failure_when_store_returns_then_fence_persisted_but_stays_on(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    store.down = True
    await manager.submit(intent())
    store.down = False
    assert manager.check_health()
    saved = store.inner.load_safety_state()
    assert saved is not None and saved.fence_active
    assert (await manager.submit(intent("b"))).reason == DenialReason.FENCE_ACTIVE
    restarted = await make_manager(store, clock, venue=venue)
    assert restarted.state.fence_active


async def test_store_failure_when_fence_lift_attempted_while_down_then_refused(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    store.down = True
    manager.check_health()
    with pytest.raises(SafetyRefusedError, match="store"):
        manager.deactivate_fence(AUTH_KEY, address="127.0.0.1")


# ---- drawdown breaker ----------------------------------------------------------------------


async def test_breaker_when_gbp_pnl_at_limit_then_trips_halts_and_persists(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -625.0  # x 0.8 = -500 GBP
    result = await manager.submit(intent())
    assert result.reason == DenialReason.BREAKER_TRIPPED
    assert venue.placed == []
    saved = store.inner.load_safety_state()
    assert saved is not None and saved.breaker_tripped
    assert str(saved.breaker_trade_date) == "2025-06-02"


async def test_breaker_when_usd_loss_smaller_in_gbp_then_not_tripped(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -620.0  # -496 GBP
    assert (await manager.submit(intent())).accepted


async def test_breaker_when_pnl_recovers_same_day_or_limit_raised_then_stays_tripped(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -700.0
    await manager.submit(intent())
    venue.daily_pnl_usd = 0.0
    clock.advance_ns(NS_PER_DAY // 2)
    manager.update_config(AUTH_KEY, address="ops", limits=SafetyLimits(max_drawdown_gbp=-1000.0))
    assert (await manager.submit(intent("b"))).reason == DenialReason.BREAKER_TRIPPED


async def test_breaker_when_restarted_same_day_then_still_tripped(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -700.0
    await manager.submit(intent())
    venue.daily_pnl_usd = 0.0
    restarted = await make_manager(store, clock, venue=venue)
    assert (await restarted.submit(intent("b"))).reason == DenialReason.BREAKER_TRIPPED


async def test_breaker_when_next_trade_date_and_pnl_above_limit_then_resets(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -700.0
    await manager.submit(intent())
    clock.advance_ns(NS_PER_DAY)
    venue.daily_pnl_usd = 0.0
    assert (await manager.submit(intent("b"))).accepted
    assert not manager.state.breaker_tripped
    events = [e.event for e in store.inner.recent_security_events(10)]
    assert "BREAKER_RESET" in events and "BREAKER_TRIPPED" in events


async def test_breaker_when_next_trade_date_but_pnl_still_at_limit_then_stays(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -700.0
    await manager.submit(intent())
    clock.advance_ns(NS_PER_DAY)
    assert (await manager.submit(intent("b"))).reason == DenialReason.BREAKER_TRIPPED


async def test_breaker_when_limit_tightened_below_current_loss_then_trips_at_once(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = -300.0  # -240 GBP
    assert (await manager.submit(intent())).accepted
    manager.update_config(AUTH_KEY, address="ops", limits=SafetyLimits(max_drawdown_gbp=-200.0))
    assert manager.state.breaker_tripped


async def test_account_when_pnl_unknown_then_denied_as_unavailable(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.daily_pnl_usd = float("nan")
    assert (await manager.submit(intent())).reason == DenialReason.ACCOUNT_UNAVAILABLE


# ---- reject replay protection ---------------------------------------------------------------


async def test_reject_when_signal_retried_within_30_min_then_blocked_until_expiry(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    assert (await manager.submit(intent("a"))).accepted
    manager.on_order_status(
        venue.placed[0].order_id, OrderStatus.REJECTED, clock.now_ns(), reason="margin"
    )
    clock.advance_ns(30 * NS_PER_MINUTE - 1)
    retry = await manager.submit(intent("a"))
    assert retry.reason == DenialReason.REJECT_COOLDOWN and "margin" in retry.detail
    clock.advance_ns(1)
    assert (await manager.submit(intent("a"))).accepted


async def test_reject_when_restarted_then_cooldown_still_applies(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    await manager.submit(intent("a"))
    manager.on_order_status(
        venue.placed[0].order_id, OrderStatus.REJECTED, clock.now_ns(), reason="x"
    )
    clock.advance_ns(10 * NS_PER_MINUTE)
    restarted = await make_manager(store, clock, venue=venue)
    assert (await restarted.submit(intent("a"))).reason == DenialReason.REJECT_COOLDOWN


async def test_reject_when_cooldown_configured_to_5_min_then_expires_after_5(store, clock, venue):
    manager = await make_manager(
        store, clock, venue=venue, risk=RiskSettings(reject_cooldown_min=5)
    )
    await manager.submit(intent("a"))
    manager.on_order_status(
        venue.placed[0].order_id, OrderStatus.REJECTED, clock.now_ns(), reason="x"
    )
    clock.advance_ns(5 * NS_PER_MINUTE)
    assert (await manager.submit(intent("a"))).accepted


async def test_send_when_venue_raises_broker_error_then_order_rejected_and_cooling(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)

    def refuse(_):
        raise BrokerError("contract not found")

    venue.on_place = refuse
    result = await manager.submit(intent("a"))
    assert (result.accepted, result.reason) == (False, DenialReason.BROKER_ERROR)
    assert manager.orders()[0].status is OrderStatus.REJECTED
    assert not manager.state.fence_active
    venue.on_place = None
    assert (await manager.submit(intent("a"))).reason == DenialReason.REJECT_COOLDOWN


async def test_send_when_venue_fails_unexpectedly_then_order_kept_pending_and_fenced(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue, risk=RiskSettings(max_position=1))

    def timeout(_):
        raise TimeoutError("no answer")

    venue.on_place = timeout
    result = await manager.submit(intent("a"))
    assert result.reason == DenialReason.BROKER_ERROR
    assert manager.orders()[0].status is OrderStatus.PENDING
    assert manager.state.fence_active and "outcome unknown" in manager.state.fence_reason
    venue.on_place = None
    manager.deactivate_fence(AUTH_KEY, address="ops")
    assert (await manager.submit(intent("b"))).reason == DenialReason.MAX_POSITION
    await manager.force_sync(AUTH_KEY, address="ops")
    assert manager.orders()[0].status is OrderStatus.CANCELLED
    assert (await manager.submit(intent("c"))).accepted


# ---- confirmations -------------------------------------------------------------------------


async def test_confirmation_when_fill_repeated_then_position_counted_once(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    await manager.submit(intent("a"))
    order_id = venue.placed[0].order_id
    for _ in range(3):
        manager.on_fill(order_id, 1, PRICE, clock.now_ns())
    manager.on_order_status(order_id, OrderStatus.FILLED, clock.now_ns())
    manager.on_order_status(order_id, OrderStatus.SUBMITTED, clock.now_ns())
    assert manager.positions == {"MES": 1}
    saved = store.inner.get_order(order_id)
    assert saved is not None and saved.status is OrderStatus.FILLED and saved.filled_quantity == 1


async def test_confirmation_when_unknown_order_then_audited_and_ignored(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    manager.on_fill("nope", 1, PRICE, clock.now_ns())
    assert manager.positions == {}
    assert store.inner.recent_security_events(1)[0].event == "UNKNOWN_ORDER_FILL"


async def test_confirmation_when_filled_status_before_fill_then_exposure_still_counted(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue, risk=RiskSettings(max_position=1))
    await manager.submit(intent("a"))
    manager.on_order_status(venue.placed[0].order_id, OrderStatus.FILLED, clock.now_ns())
    venue.broker_positions = {}
    assert (await manager.submit(intent("b"))).reason == DenialReason.MAX_POSITION


# ---- reconciliation ------------------------------------------------------------------------


async def test_reconciliation_when_broker_differs_then_denied_reported_and_force_sync_fixes(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    venue.broker_positions = {"MES": 1}
    result = await manager.submit(intent("a"))
    assert result.reason == DenialReason.RECONCILIATION_MISMATCH
    assert "MES: local 0 broker 1" in result.detail
    assert manager.status().reconciliation_mismatch
    assert "RECONCILIATION_MISMATCH" in [e.event for e in store.inner.recent_security_events(5)]
    positions = await manager.force_sync(AUTH_KEY, address="127.0.0.1")
    assert positions == {"MES": 1}
    assert (await manager.submit(intent("b"))).accepted


async def test_reconciliation_when_disagreement_goes_away_then_flag_clears(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    venue.broker_positions = {"MES": 1}
    await manager.submit(intent("a"))
    venue.broker_positions = {}
    assert (await manager.submit(intent("b"))).accepted
    assert not manager.state.reconciliation_mismatch


async def test_reconciliation_when_disabled_then_not_checked(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue, risk=RiskSettings(reconciliation=False))
    venue.broker_positions = {"MES": 1}
    assert (await manager.submit(intent("a"))).accepted


async def test_force_sync_when_wrong_key_then_refused(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    with pytest.raises(AuthenticationError):
        await manager.force_sync(None, address="1.1.1.1")


# ---- trading state, per-order checks and denials ------------------------------------------


async def test_trading_state_when_reducing_then_only_closing_orders_sent(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    await manager.submit(intent("a"))
    manager.on_fill(venue.placed[0].order_id, 1, PRICE, clock.now_ns())
    venue.broker_positions = {"MES": 1}
    manager.update_config(
        AUTH_KEY, address="ops", trading_state=TradingState.REDUCING, reason="news"
    )
    assert (await manager.submit(intent("b"))).reason == DenialReason.REDUCING_ONLY
    assert (await manager.submit(intent("c", action=SELL))).accepted
    assert manager.state.trading_state_reason == "news"


async def test_trading_state_when_halted_then_nothing_sent(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    manager.update_config(AUTH_KEY, address="ops", trading_state=TradingState.HALTED)
    assert (await manager.submit(intent("a"))).reason == DenialReason.HALTED


async def test_checks_when_outside_window_then_denied(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue, in_window=False)
    assert (await manager.submit(intent())).reason == DenialReason.OUTSIDE_TRADING_WINDOW


async def test_checks_when_es_or_two_lots_or_far_price_then_denied(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    assert (
        await manager.submit(intent("a", instrument="ES"))
    ).reason == DenialReason.INSTRUMENT_NOT_ALLOWED
    assert (await manager.submit(intent("b", quantity=2))).reason == DenialReason.MAX_ORDER_SIZE
    assert (
        await manager.submit(intent("c", price_ticks=PRICE + 41))
    ).reason == DenialReason.PRICE_SANITY


async def test_checks_when_seventh_order_within_a_minute_then_rate_denied(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue, risk=RiskSettings(max_position=10))
    for i in range(6):
        assert (
            await manager.submit(intent(f"s{i}", action=OrderAction.BUY if i % 2 else SELL))
        ).accepted
        clock.advance_ns(NS_PER_SECOND)
    assert (await manager.submit(intent("s6"))).reason == DenialReason.ORDER_RATE
    clock.advance_ns(60 * NS_PER_SECOND)
    assert (await manager.submit(intent("s7"))).accepted


async def test_denials_when_refused_then_each_recorded_with_reason_and_order(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    await manager.submit(intent("a", quantity=2))
    denial = store.inner.recent_denials(1)[0]
    assert (denial.signal_id, denial.reason, denial.quantity, denial.price_ticks) == (
        "a",
        "MAX_ORDER_SIZE",
        2,
        PRICE,
    )
    assert manager.status().recent_denials[0] == denial


async def test_config_when_invalid_or_window_change_then_config_error_and_unchanged(
    store, clock, venue
):
    manager = await make_manager(store, clock, venue=venue)
    with pytest.raises(ConfigError, match="max_order_size"):
        manager.update_config(AUTH_KEY, address="ops", limits=SafetyLimits(max_order_size=0))
    with pytest.raises(ConfigError, match="trading_window"):
        manager.update_config(AUTH_KEY, address="ops", limits=SafetyLimits(trading_window="GLOBEX"))
    assert manager.state.limits == SafetyLimits()


async def test_config_when_changed_then_audited_with_old_and_new(store, clock, venue):
    manager = await make_manager(store, clock, venue=venue)
    manager.update_config(AUTH_KEY, address="10.1.1.1", limits=SafetyLimits(max_position=1))
    event = store.inner.recent_security_events(1)[0]
    assert (event.event, event.address, event.detail) == (
        "CONFIG_CHANGED",
        "10.1.1.1",
        "max_position: 2 -> 1",
    )


async def test_store_failure_when_a_write_is_refused_for_good_then_dropped_audited_and_fence_liftable(
    clock, venue
):
    class RefusesDenials(InMemorySafetyStore):
        refuse = True

        def record_denial(self, denial):
            if self.refuse:
                raise ValueError("denial table locked")
            super().record_denial(denial)

    store = RefusesDenials()
    manager = await make_manager(store, clock, venue=venue)
    await manager.submit(intent("a", quantity=2))
    assert manager.state.fence_active and "denial table locked" in manager.state.fence_reason
    manager.deactivate_fence(AUTH_KEY, address="ops")
    assert not manager.state.fence_active and not manager.store_degraded
    refused = [e for e in store.recent_security_events(10) if e.event == "WRITE_REFUSED"]
    assert refused and "denial table locked" in refused[0].detail
