"""Limits that would switch safety off are refused, at start-up and through the manager, with
the setting named and nothing changed (issue #19: a drawdown limit of -inf started the node)."""

from dataclasses import replace

import pytest
from risk_fakes import AUTH_KEY, make_manager

from orderflow_lib.core.config import RiskSettings, load_settings
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.risk import SafetyLimits, SafetyState, validate_limits


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("MAX_DRAWDOWN_GBP", "-Infinity", "risk.max_drawdown_gbp"),
        ("MAX_DRAWDOWN_GBP", "NaN", "risk.max_drawdown_gbp"),
        ("MAX_DRAWDOWN_GBP", "-1e400", "risk.max_drawdown_gbp"),
        ("MAX_DRAWDOWN_GBP", "-1000000", "risk.max_drawdown_gbp"),
        ("MAX_DRAWDOWN_GBP", "0", "risk.max_drawdown_gbp"),
        ("MAX_POSITION", "1001", "risk.max_position"),
        ("MAX_ORDER_SIZE", "1001", "risk.max_order_size"),
        ("MAX_ORDERS_PER_MINUTE", "601", "risk.max_orders_per_minute"),
        ("PRICE_SANITY_TICKS", "100001", "risk.price_sanity_ticks"),
        ("REJECT_COOLDOWN_MIN", "1441", "risk.reject_cooldown_min"),
        ("ALLOWED_INSTRUMENTS", "[]", "risk.allowed_instruments"),
        ("ALLOWED_INSTRUMENTS", '["NQ"]', "risk.allowed_instruments"),
    ],
)
def test_settings_when_limit_disables_safety_then_start_up_refused_naming_it(
    variable, value, setting
):
    with pytest.raises(ConfigError, match=rf"setting '{setting}[.0-9]*' is invalid"):
        load_settings(environ={f"ORDERFLOW_RISK__{variable}": value})


def test_settings_when_limits_at_their_bounds_then_accepted():
    risk = load_settings(
        environ={
            "ORDERFLOW_RISK__MAX_DRAWDOWN_GBP": "-999999.99",
            "ORDERFLOW_RISK__MAX_POSITION": "1000",
            "ORDERFLOW_RISK__MAX_ORDERS_PER_MINUTE": "600",
        }
    ).risk
    assert (risk.max_drawdown_gbp, risk.max_position, risk.max_orders_per_minute) == (
        -999_999.99,
        1000,
        600,
    )


@pytest.mark.parametrize(
    ("limits", "setting"),
    [
        (SafetyLimits(max_drawdown_gbp=float("-inf")), "risk.max_drawdown_gbp"),
        (SafetyLimits(max_drawdown_gbp=float("nan")), "risk.max_drawdown_gbp"),
        (SafetyLimits(max_position=10**9), "risk.max_position"),
        (SafetyLimits(max_orders_per_minute=10**6), "risk.max_orders_per_minute"),
    ],
)
def test_validate_limits_when_unbounded_then_same_rule_as_settings(limits, setting):
    with pytest.raises(ConfigError, match=setting):
        validate_limits(limits)


async def test_update_config_when_limit_infinite_then_refused_and_state_and_store_intact(
    store, clock
):
    manager = await make_manager(store, clock)
    before = manager.state
    saved = store.inner.load_safety_state()
    events = store.inner.recent_security_events(100)

    with pytest.raises(ConfigError, match="max_drawdown_gbp"):
        manager.update_config(
            AUTH_KEY, address="ops", limits=SafetyLimits(max_drawdown_gbp=float("-inf"))
        )

    assert manager.state == before
    assert store.inner.load_safety_state() == saved
    assert store.inner.recent_security_events(100) == events


async def test_start_when_stored_limits_break_the_rules_then_settings_apply_and_audited(
    store, clock
):
    bad = SafetyState(limits=replace(SafetyLimits(), max_drawdown_gbp=float("-inf")))
    store.inner.save_safety_state(bad)

    manager = await make_manager(store, clock, risk=RiskSettings(max_drawdown_gbp=-300.0))

    assert manager.state.limits.max_drawdown_gbp == -300.0
    assert store.inner.load_safety_state().limits.max_drawdown_gbp == -300.0
    entry = store.inner.recent_security_events(1)[0]
    assert entry.event == "LIMITS_REPLACED" and "max_drawdown_gbp" in entry.detail
