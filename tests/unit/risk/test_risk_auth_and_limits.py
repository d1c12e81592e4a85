"""Auth key rules (32+ printable ASCII characters without spaces, constant-time match), the
authenticated halt, and limit validation."""

import pytest

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import ConfigError, SafetyError
from orderflow_lib.risk import (
    InMemorySafetyStore,
    ProductionSafetyManager,
    SafetyLimits,
    TradingState,
    keys_match,
    limits_from_settings,
    validate_auth_key,
    validate_limits,
)
from orderflow_lib.risk.errors import AuthenticationError

KEY = "k" * 32


def test_validate_auth_key_when_missing_then_says_missing():
    with pytest.raises(SafetyError, match="SAFETY_AUTH_KEY is missing"):
        validate_auth_key(None)
    with pytest.raises(SafetyError, match="missing"):
        validate_auth_key("")


def test_validate_auth_key_when_31_chars_then_says_too_short_with_length():
    with pytest.raises(SafetyError, match="too short: 31 characters, need at least 32"):
        validate_auth_key("x" * 31)


def test_validate_auth_key_when_32_chars_then_accepted():
    assert validate_auth_key("x" * 32) == "x" * 32


def test_validate_auth_key_when_32_printable_ascii_with_punctuation_then_accepted():
    key = "!~#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}"
    assert validate_auth_key(key) == key


@pytest.mark.parametrize(
    ("key", "position"),
    [
        (" " * 32, 1),
        ("a" * 16 + " " + "a" * 16, 17),
        ("a" * 31 + "é", 32),
        ("ключ" * 8, 1),
        ("a" * 32 + "\t", 33),
        ("\x00" + "a" * 32, 1),
        ("a" * 32 + "\n", 33),
    ],
)
def test_validate_auth_key_when_space_control_or_non_ascii_then_refused_naming_position(
    key, position
):
    with pytest.raises(SafetyError) as refused:
        validate_auth_key(key)
    message = str(refused.value)
    assert f"non-ASCII character at position {position}" in message
    assert "printable ASCII characters without spaces" in message
    assert key not in message


async def test_manager_when_key_is_32_spaces_then_refuses_to_start():
    with pytest.raises(SafetyError, match="refused to start: SAFETY_AUTH_KEY has a space"):
        await ProductionSafetyManager.create(
            InMemorySafetyStore(), RiskSettings(), ReplayClock(0), auth_key=" " * 32
        )


async def test_halt_when_key_wrong_then_refused_logged_and_state_unchanged():
    store = InMemorySafetyStore()
    manager = await ProductionSafetyManager.create(
        store, RiskSettings(), ReplayClock(5), auth_key=KEY
    )
    before = manager.state
    with pytest.raises(AuthenticationError, match="halt: missing or wrong safety auth key"):
        manager.halt("k" * 31 + "x", address="10.0.0.9", reason="try")
    assert manager.state == before
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address) == ("AUTH_FAILED", "10.0.0.9")


async def test_halt_when_key_right_then_halted_with_reason_persisted_and_audited():
    store = InMemorySafetyStore()
    manager = await ProductionSafetyManager.create(
        store, RiskSettings(), ReplayClock(5), auth_key=KEY
    )
    state = manager.halt(KEY, address="10.0.0.9", reason="")
    assert state.trading_state is TradingState.HALTED
    assert state.trading_state_reason == "halted by 10.0.0.9"
    assert store.load_safety_state() == state
    event = store.recent_security_events(1)[0]
    assert (event.event, event.address) == ("HALTED", "10.0.0.9")


def test_keys_match_when_equal_then_true_and_otherwise_false():
    key = "a" * 32
    assert keys_match(key, "a" * 32)
    assert not keys_match(key, "a" * 31 + "b")
    assert not keys_match(key, None)
    assert not keys_match(key, "")


def test_limits_from_settings_when_defaults_then_spec_defaults():
    assert limits_from_settings(RiskSettings()) == SafetyLimits()


def test_validate_limits_when_drawdown_positive_then_config_error_names_field():
    with pytest.raises(ConfigError, match=r"risk\.max_drawdown_gbp"):
        validate_limits(SafetyLimits(max_drawdown_gbp=10.0))


def test_validate_limits_when_drawdown_infinite_then_refused():
    with pytest.raises(ConfigError, match="max_drawdown_gbp"):
        validate_limits(SafetyLimits(max_drawdown_gbp=float("-inf")))


def test_validate_limits_when_empty_instrument_then_refused():
    with pytest.raises(ConfigError, match="allowed_instruments"):
        validate_limits(SafetyLimits(allowed_instruments=("",)))
