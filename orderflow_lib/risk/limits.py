"""Safety limits from settings, and their validation when an operator changes them."""

from __future__ import annotations

import math
from dataclasses import asdict

import pydantic

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.risk.records import SafetyLimits


def limits_from_settings(risk: RiskSettings) -> SafetyLimits:
    """SafetyLimits with the values of the risk settings section."""
    return SafetyLimits(**risk.model_dump())


def validate_limits(limits: SafetyLimits) -> SafetyLimits:
    """Return the limits, or raise ConfigError naming the first bad field and the reason."""
    try:
        RiskSettings(**asdict(limits))
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"risk.{field}: {first['msg']} (was {first.get('input')!r})") from exc
    if not math.isfinite(limits.max_drawdown_gbp):
        raise ConfigError(f"risk.max_drawdown_gbp must be finite, was {limits.max_drawdown_gbp}")
    if any(not name for name in limits.allowed_instruments):
        raise ConfigError(
            f"risk.allowed_instruments must hold root symbols, was {limits.allowed_instruments!r}"
        )
    return limits


def describe_limit_change(before: SafetyLimits, after: SafetyLimits) -> list[str]:
    """'field: old -> new' for every limit that changed (for the audit log)."""
    old, new = asdict(before), asdict(after)
    return [
        f"{name}: {old[name]!r} -> {value!r}" for name, value in new.items() if old[name] != value
    ]
