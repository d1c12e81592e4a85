"""Safety limits from settings, and their validation when an operator changes them."""

from __future__ import annotations

from dataclasses import asdict

import pydantic

from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.risk.records import SafetyLimits


def limits_from_settings(risk: RiskSettings) -> SafetyLimits:
    """SafetyLimits with the values of the risk settings section."""
    return SafetyLimits(**risk.model_dump(exclude={"max_decision_age_ms"}))


def validate_limits(limits: SafetyLimits) -> SafetyLimits:
    """Return the limits, or raise ConfigError naming the first bad field and the reason.

    The rules are those of RiskSettings (finite, bounded), so start-up and the control API agree.
    """
    try:
        RiskSettings(**asdict(limits))
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"risk.{field}: {first['msg']} (was {first.get('input')!r})") from exc
    return limits


def describe_limit_change(before: SafetyLimits, after: SafetyLimits) -> list[str]:
    """'field: old -> new' for every limit that changed (for the audit log)."""
    old, new = asdict(before), asdict(after)
    return [
        f"{name}: {old[name]!r} -> {value!r}" for name, value in new.items() if old[name] != value
    ]
