"""Production safety: the gate every order passes (ProductionSafetyManager), its pure checks,
persisted records and the SafetyStore port with an in-memory implementation."""

from orderflow_lib.risk.auth import MIN_AUTH_KEY_LENGTH, keys_match, validate_auth_key
from orderflow_lib.risk.breaker import breaker_should_reset, breaker_should_trip
from orderflow_lib.risk.checks import (
    DenialReason,
    PreTradeContext,
    Violation,
    gate_violations,
    run_pre_trade_checks,
)
from orderflow_lib.risk.errors import AuthenticationError, SafetyRefusedError
from orderflow_lib.risk.limits import limits_from_settings, validate_limits
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.memory_store import InMemorySafetyStore
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.records import (
    Denial,
    OrderAction,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyLimits,
    SafetyState,
    SecurityEvent,
    TradingState,
)
from orderflow_lib.risk.status import SafetyStatus
from orderflow_lib.risk.venue import (
    AccountSnapshot,
    OrderIntent,
    OrderType,
    OrderVenue,
    SubmitResult,
)

__all__ = [
    "MIN_AUTH_KEY_LENGTH",
    "AccountSnapshot",
    "AuthenticationError",
    "Denial",
    "DenialReason",
    "InMemorySafetyStore",
    "OrderAction",
    "OrderIntent",
    "OrderRecord",
    "OrderStatus",
    "OrderType",
    "OrderVenue",
    "PositionRecord",
    "PreTradeContext",
    "ProductionSafetyManager",
    "RejectCooldown",
    "SafetyLimits",
    "SafetyRefusedError",
    "SafetyState",
    "SafetyStatus",
    "SafetyStore",
    "SecurityEvent",
    "SubmitResult",
    "TradingState",
    "Violation",
    "breaker_should_reset",
    "breaker_should_trip",
    "gate_violations",
    "keys_match",
    "limits_from_settings",
    "run_pre_trade_checks",
    "validate_auth_key",
    "validate_limits",
]
