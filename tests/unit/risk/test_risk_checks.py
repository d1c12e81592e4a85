"""Pure pre-trade checks: each rule returns its denial reason, or None when the order passes."""

from risk_fakes import PRICE, START_NS, intent

from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.risk import (
    DenialReason,
    OrderAction,
    PreTradeContext,
    RejectCooldown,
    SafetyLimits,
    SafetyState,
    TradingState,
    run_pre_trade_checks,
)
from orderflow_lib.risk.checks import (
    check_duplicate_signal,
    check_instrument,
    check_max_position,
    check_order_rate,
    check_order_size,
    check_price_sanity,
    check_reject_cooldown,
    check_trading_state,
    check_trading_window,
    gate_violations,
    is_exposure_reducing,
)

BUY, SELL = OrderAction.BUY, OrderAction.SELL


def _ctx(**changes: object) -> PreTradeContext:
    base: dict[str, object] = {
        "now_ns": START_NS,
        "limits": SafetyLimits(),
        "trading_state": TradingState.ACTIVE,
        "position": 0,
        "open_buy_qty": 0,
        "open_sell_qty": 0,
        "last_trade_ticks": PRICE,
        "in_trading_window": True,
        "recent_order_ts_ns": (),
        "used_signal_ids": set(),
        "cooldowns": {},
    }
    base.update(changes)
    return PreTradeContext(**base)  # type: ignore[arg-type]


def test_instrument_when_mes_then_allowed_and_es_denied_by_default():
    assert check_instrument(intent(), ("MES",)) is None
    violation = check_instrument(intent(instrument="ES"), ("MES",))
    assert violation is not None and violation.reason is DenialReason.INSTRUMENT_NOT_ALLOWED
    assert "'ES'" in violation.detail


def test_order_size_when_above_max_then_denied():
    assert check_order_size(intent(quantity=1), 1) is None
    violation = check_order_size(intent(quantity=2), 1)
    assert violation is not None and violation.reason is DenialReason.MAX_ORDER_SIZE


def test_max_position_when_in_flight_buys_count_then_worst_case_is_checked():
    assert (
        check_max_position(intent(), position=1, open_buy_qty=0, open_sell_qty=0, max_position=2)
        is None
    )
    violation = check_max_position(
        intent(), position=1, open_buy_qty=1, open_sell_qty=0, max_position=2
    )
    assert violation is not None and violation.reason is DenialReason.MAX_POSITION
    assert "would reach 3" in violation.detail


def test_max_position_when_short_side_then_symmetric():
    sell = intent(action=SELL)
    assert check_max_position(sell, -1, 0, 0, 2) is None
    assert check_max_position(sell, -2, 0, 0, 2) is not None
    assert check_max_position(sell, 2, 0, 0, 2) is None


def test_exposure_reducing_when_sell_against_long_then_true_but_flip_is_false():
    assert is_exposure_reducing(intent(action=SELL, quantity=1), 2, 0, 0)
    assert not is_exposure_reducing(intent(action=SELL, quantity=1), 2, 0, 2)
    assert not is_exposure_reducing(intent(action=SELL, quantity=3), 2, 0, 0)
    assert not is_exposure_reducing(intent(action=BUY), 2, 0, 0)
    assert not is_exposure_reducing(intent(action=SELL), 0, 0, 0)
    assert is_exposure_reducing(intent(action=BUY), -1, 0, 0)


def test_trading_state_when_reducing_then_only_reducing_orders_pass():
    assert check_trading_state(intent(action=SELL), TradingState.REDUCING, 1, 0, 0) is None
    violation = check_trading_state(intent(action=BUY), TradingState.REDUCING, 1, 0, 0)
    assert violation is not None and violation.reason is DenialReason.REDUCING_ONLY


def test_trading_state_when_halted_then_even_reducing_orders_denied():
    violation = check_trading_state(intent(action=SELL), TradingState.HALTED, 1, 0, 0)
    assert violation is not None and violation.reason is DenialReason.HALTED


def test_trading_window_when_outside_then_denied_naming_window():
    assert check_trading_window(True, "RTH") is None
    violation = check_trading_window(False, "RTH")
    assert violation is not None and violation.reason is DenialReason.OUTSIDE_TRADING_WINDOW
    assert "RTH" in violation.detail


def test_price_sanity_when_exactly_limit_then_passes_and_one_more_tick_denied():
    assert check_price_sanity(intent(price_ticks=PRICE + 40), PRICE, 40) is None
    violation = check_price_sanity(intent(price_ticks=PRICE - 41), PRICE, 40)
    assert violation is not None and violation.reason is DenialReason.PRICE_SANITY
    assert "41 ticks" in violation.detail


def test_price_sanity_when_no_last_trade_then_denied():
    violation = check_price_sanity(intent(), None, 40)
    assert violation is not None and violation.reason is DenialReason.NO_LAST_TRADE


def test_order_rate_when_six_in_last_minute_then_seventh_denied():
    times = [START_NS - i * NS_PER_SECOND for i in range(6)]
    violation = check_order_rate(times, START_NS, 6)
    assert violation is not None and violation.reason is DenialReason.ORDER_RATE
    assert check_order_rate(times[:5], START_NS, 6) is None


def test_order_rate_when_orders_older_than_a_minute_then_not_counted():
    times = [START_NS - 60 * NS_PER_SECOND] * 10
    assert check_order_rate(times, START_NS, 6) is None


def test_duplicate_signal_when_signal_used_then_denied():
    assert check_duplicate_signal("a", {"b"}) is None
    violation = check_duplicate_signal("a", {"a"})
    assert violation is not None and violation.reason is DenialReason.DUPLICATE_SIGNAL


def test_reject_cooldown_when_active_then_denied_and_when_expired_then_passes():
    entry = RejectCooldown("a", "no margin", PRICE, START_NS, START_NS + 100)
    violation = check_reject_cooldown("a", {"a": entry}, START_NS + 99)
    assert violation is not None and violation.reason is DenialReason.REJECT_COOLDOWN
    assert check_reject_cooldown("a", {"a": entry}, START_NS + 100) is None


def test_run_pre_trade_checks_when_all_pass_then_none():
    assert run_pre_trade_checks(intent(), _ctx()) is None


def test_run_pre_trade_checks_when_several_fail_then_first_in_order_wins():
    violation = run_pre_trade_checks(
        intent(instrument="ES", quantity=5), _ctx(in_trading_window=False)
    )
    assert violation is not None and violation.reason is DenialReason.INSTRUMENT_NOT_ALLOWED


def _gate(**changes: object) -> list[DenialReason]:
    base: dict[str, object] = {
        "ready": True,
        "broker_attached": True,
        "broker_connected": True,
        "state": SafetyState(),
        "store_degraded": False,
        "daily_pnl_gbp": 0.0,
    }
    base.update(changes)
    return [v.reason for v in gate_violations(**base)]  # type: ignore[arg-type]


def test_gate_violations_when_all_clear_then_empty():
    assert _gate() == []


def test_gate_violations_when_everything_wrong_then_each_listed_in_order():
    state = SafetyState(
        fence_active=True,
        fence_reason="x",
        breaker_tripped=True,
        reconciliation_mismatch=True,
    )
    assert _gate(
        ready=False, broker_connected=False, state=state, store_degraded=True, daily_pnl_gbp=None
    ) == [
        DenialReason.NOT_READY,
        DenialReason.BROKER_DISCONNECTED,
        DenialReason.FENCE_ACTIVE,
        DenialReason.STORE_FAILURE,
        DenialReason.BREAKER_TRIPPED,
        DenialReason.RECONCILIATION_MISMATCH,
        DenialReason.ACCOUNT_UNAVAILABLE,
    ]


def test_gate_violations_when_not_refreshed_yet_then_breaker_account_reconciliation_left_out():
    state = SafetyState(breaker_tripped=True, reconciliation_mismatch=True)
    assert _gate(state=state, daily_pnl_gbp=None, include_refreshed=False) == []


def test_gate_violations_when_reconciliation_disabled_then_mismatch_ignored():
    state = SafetyState(reconciliation_mismatch=True, limits=SafetyLimits(reconciliation=False))
    assert _gate(state=state) == []


def test_gate_violations_when_no_broker_then_no_broker_reason():
    assert _gate(broker_attached=False) == [DenialReason.NO_BROKER]
