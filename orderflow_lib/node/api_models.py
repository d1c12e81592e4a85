"""The control API's request and response models, and the plain-text rule for reasons."""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from orderflow_lib.risk.records import SafetyLimits, SafetyState, TradingState

REASON_MAX = 500
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def plain_text(text: str) -> str:
    """`text` without control or invisible formatting characters (so a reason cannot forge log
    lines or hide text); line breaks and tabs become single spaces."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in _UNPRINTABLE
    )
    return " ".join(kept.split())


def _short_plain_text(text: str) -> str:
    return plain_text(text)[:REASON_MAX]


class ConfigRequest(BaseModel):
    """POST /api/safety/config: the limits to change (omitted ones stay) and/or the trading state.

    Every limit is finite and bounded; control characters are removed from `reason`.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    max_drawdown_gbp: float | None = Field(None, lt=0, ge=-1_000_000)
    reject_cooldown_min: int | None = Field(None, ge=1, le=24 * 60)
    allowed_instruments: list[Literal["ES", "MES"]] | None = Field(None, min_length=1, max_length=2)
    max_position: int | None = Field(None, ge=0, le=1_000)
    max_order_size: int | None = Field(None, ge=1, le=1_000)
    price_sanity_ticks: int | None = Field(None, ge=1, le=100_000)
    max_orders_per_minute: int | None = Field(None, ge=1, le=600)
    reconciliation: bool | None = None
    trading_state: TradingState | None = None
    reason: Annotated[str, Field(max_length=REASON_MAX), AfterValidator(plain_text)] = ""


class ActionRequest(BaseModel):
    """Body of halt and flatten: why (optional). Control characters are removed and a long reason
    is cut to 500 characters; other fields are ignored, so these calls are never refused for them."""

    reason: Annotated[str, AfterValidator(_short_plain_text)] = ""


class StateResponse(BaseModel):
    """The persisted safety state after a change (these fields of the SafetyState)."""

    model_config = ConfigDict(from_attributes=True)

    trading_state: TradingState
    trading_state_reason: str
    fence_active: bool
    fence_reason: str
    breaker_tripped: bool
    breaker_trade_date: date | None
    reconciliation_mismatch: bool
    limits: SafetyLimits


class HaltResponse(BaseModel):
    """POST /api/safety/halt: what happened, in words, and the trading state now."""

    message: str
    trading_state: TradingState


class FlattenResponse(BaseModel):
    """POST /api/position/flatten: what happened, in words, and the trading session's summary."""

    message: str
    result: dict[str, Any]


class PositionsResponse(BaseModel):
    """Local positions after a force-sync."""

    positions: dict[str, int]


class ErrorResponse(BaseModel):
    """An error with a message."""

    detail: str


def state_response(state: SafetyState) -> StateResponse:
    return StateResponse.model_validate(state)


def finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
