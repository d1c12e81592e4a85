"""Auth key rules (32+ characters, constant-time match) and limit validation."""

import pytest

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import ConfigError, SafetyError
from orderflow_lib.risk import (
    SafetyLimits,
    keys_match,
    limits_from_settings,
    validate_auth_key,
    validate_limits,
)


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
