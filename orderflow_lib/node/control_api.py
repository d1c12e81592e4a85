"""The safety control API (FastAPI app factory): status, config, fence release and force-sync.

Protected calls need the `x-safety-auth-key` header, compared in constant time. A missing or
wrong key gets 401 and a security-log entry with the caller's address; an address that fails
`max_failures` times within `failure_window_s` is refused with 429 (Retry-After) for a delay that
doubles with every further failure, even with the right key, until the delay has passed.
"""

import math
from collections import deque
from dataclasses import asdict, replace
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field

from orderflow_lib.core.clock import Clock, LiveClock
from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import NS_PER_SECOND
from orderflow_lib.risk.errors import AuthenticationError, SafetyRefusedError
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.records import SafetyLimits, SafetyState, TradingState

AUTH_HEADER = "x-safety-auth-key"
_auth_header = APIKeyHeader(name=AUTH_HEADER, auto_error=False, description="SAFETY_AUTH_KEY")


class LimitsModel(BaseModel):
    """The safety limits as sent and returned by the API."""

    max_drawdown_gbp: float
    reject_cooldown_min: int
    allowed_instruments: list[str]
    max_position: int
    max_order_size: int
    trading_window: str
    price_sanity_ticks: int
    max_orders_per_minute: int
    reconciliation: bool


class DenialModel(BaseModel):
    """One refused order."""

    ts_ns: int
    signal_id: str
    reason: str
    detail: str
    instrument: str
    action: str
    quantity: int
    price_ticks: int


class StatusResponse(BaseModel):
    """GET /api/safety/status: the manager's state and every condition blocking orders now."""

    ts_ns: int
    ready: bool
    trading_state: TradingState
    trading_state_reason: str
    effective_state: TradingState
    fence_active: bool
    fence_reason: str
    fence_ts_ns: int | None
    breaker_tripped: bool
    breaker_trade_date: date | None
    breaker_ts_ns: int | None
    reconciliation_mismatch: bool
    reconciliation_detail: str
    broker_connected: bool
    store_degraded: bool
    daily_pnl_gbp: float | None
    positions: dict[str, int]
    open_orders: int
    limits: LimitsModel
    violations: list[str]
    recent_denials: list[DenialModel]


class ConfigRequest(BaseModel):
    """POST /api/safety/config: the limits to change (omitted ones stay) and/or the trading state."""

    model_config = ConfigDict(extra="forbid")

    max_drawdown_gbp: float | None = Field(None, lt=0, ge=-1_000_000, allow_inf_nan=False)
    reject_cooldown_min: int | None = Field(None, ge=1, le=24 * 60)
    allowed_instruments: list[Literal["ES", "MES"]] | None = Field(None, min_length=1, max_length=2)
    max_position: int | None = Field(None, ge=0, le=1_000)
    max_order_size: int | None = Field(None, ge=1, le=1_000)
    price_sanity_ticks: int | None = Field(None, ge=1, le=100_000)
    max_orders_per_minute: int | None = Field(None, ge=1, le=600)
    reconciliation: bool | None = None
    trading_state: TradingState | None = None
    reason: str = Field("", max_length=500)


class StateResponse(BaseModel):
    """The persisted safety state after a change."""

    trading_state: TradingState
    trading_state_reason: str
    fence_active: bool
    fence_reason: str
    breaker_tripped: bool
    breaker_trade_date: date | None
    reconciliation_mismatch: bool
    limits: LimitsModel


class PositionsResponse(BaseModel):
    """Local positions after a force-sync."""

    positions: dict[str, int]


class ErrorResponse(BaseModel):
    """An error with a message."""

    detail: str


class FailureThrottle:
    """Per-address failed-authentication counter with an exponentially growing lock-out."""

    def __init__(
        self,
        clock: Clock,
        *,
        max_failures: int = 5,
        failure_window_s: float = 60.0,
        base_delay_s: float = 1.0,
        max_delay_s: float = 300.0,
    ) -> None:
        if max_failures < 1:
            raise ValueError(f"max_failures must be >= 1, was {max_failures}")
        self._clock = clock
        self._max_failures = max_failures
        self._window_ns = int(failure_window_s * NS_PER_SECOND)
        self._base_delay_ns = int(base_delay_s * NS_PER_SECOND)
        self._max_delay_ns = int(max_delay_s * NS_PER_SECOND)
        self._failures: dict[str, deque[int]] = {}

    def retry_after_s(self, address: str) -> int:
        """Seconds the address must still wait (0 when it may try)."""
        failures = self._recent(address)
        if len(failures) < self._max_failures:
            return 0
        excess = len(failures) - self._max_failures
        delay_ns = min(self._base_delay_ns * 2**excess, self._max_delay_ns)
        wait_ns = failures[-1] + delay_ns - self._clock.now_ns()
        return max(0, math.ceil(wait_ns / NS_PER_SECOND))

    def record_failure(self, address: str) -> None:
        """Count one failed attempt now."""
        self._failures.setdefault(address, deque()).append(self._clock.now_ns())

    def record_success(self, address: str) -> None:
        """Forget the address's failures."""
        self._failures.pop(address, None)

    def _recent(self, address: str) -> deque[int]:
        failures = self._failures.get(address, deque())
        horizon = self._clock.now_ns() - self._window_ns
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures


def _limits_model(limits: SafetyLimits) -> LimitsModel:
    data = asdict(limits)
    data["allowed_instruments"] = list(limits.allowed_instruments)
    return LimitsModel(**data)


def _state_response(state: SafetyState) -> StateResponse:
    return StateResponse(
        trading_state=state.trading_state,
        trading_state_reason=state.trading_state_reason,
        fence_active=state.fence_active,
        fence_reason=state.fence_reason,
        breaker_tripped=state.breaker_tripped,
        breaker_trade_date=state.breaker_trade_date,
        reconciliation_mismatch=state.reconciliation_mismatch,
        limits=_limits_model(state.limits),
    )


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


_PROTECTED_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse, "description": "missing or wrong x-safety-auth-key"},
    409: {"model": ErrorResponse, "description": "refused in the current state"},
    429: {"model": ErrorResponse, "description": "too many failed attempts from this address"},
}


def create_control_app(
    manager: ProductionSafetyManager,
    *,
    clock: Clock | None = None,
    max_failures: int = 5,
    failure_window_s: float = 60.0,
    base_delay_s: float = 1.0,
    max_delay_s: float = 300.0,
) -> FastAPI:
    """The control API around a safety manager (the node mounts it; tests drive it directly).

    Handlers run on the event loop (async) so they never touch the manager from another thread.
    """
    throttle = FailureThrottle(
        clock or LiveClock(),
        max_failures=max_failures,
        failure_window_s=failure_window_s,
        base_delay_s=base_delay_s,
        max_delay_s=max_delay_s,
    )
    app = FastAPI(title="OrderFlow safety control", version="1")

    async def authenticated(
        request: Request, key: Annotated[str | None, Depends(_auth_header)]
    ) -> tuple[str, str]:
        """(key, caller address) of an authenticated request; 401/429 otherwise, logged."""
        address = request.client.host if request.client else "unknown"
        path = request.url.path
        wait_s = throttle.retry_after_s(address)
        if wait_s > 0:
            throttle.record_failure(address)
            manager.record_security_event("AUTH_THROTTLED", address, f"{path}: retry in {wait_s}s")
            raise HTTPException(
                status_code=429,
                detail=f"too many failed attempts; retry after {wait_s} s",
                headers={"Retry-After": str(wait_s)},
            )
        if not manager.verify_auth_key(key):
            throttle.record_failure(address)
            what = "missing" if not key else "wrong"
            manager.record_security_event("AUTH_FAILED", address, f"{path}: {what} {AUTH_HEADER}")
            raise HTTPException(status_code=401, detail=f"{what} {AUTH_HEADER} header")
        throttle.record_success(address)
        assert key is not None
        return key, address

    Auth = Annotated[tuple[str, str], Depends(authenticated)]

    @app.get("/api/safety/status", response_model=StatusResponse)
    async def safety_status() -> StatusResponse:
        """Read-only: state, fence, breaker, reconciliation, limits and current violations."""
        status = manager.status()
        data = asdict(status)
        data["limits"] = _limits_model(status.limits)
        data["daily_pnl_gbp"] = _finite_or_none(status.daily_pnl_gbp)
        data["recent_denials"] = [DenialModel(**asdict(d)) for d in status.recent_denials]
        return StatusResponse(**data)

    @app.post(
        "/api/safety/config",
        response_model=StateResponse,
        responses={
            400: {"model": ErrorResponse, "description": "body is not valid JSON"},
            **_PROTECTED_RESPONSES,
        },
    )
    async def safety_config(body: ConfigRequest, auth: Auth) -> StateResponse:
        """Change limits and/or the trading state (authenticated, validated, audited)."""
        key, address = auth
        changes = body.model_dump(
            exclude_none=True, exclude={"trading_state", "reason", "allowed_instruments"}
        )
        limits = manager.state.limits
        if body.allowed_instruments is not None:
            limits = replace(limits, allowed_instruments=tuple(body.allowed_instruments))
        limits = replace(limits, **changes)
        try:
            state = manager.update_config(
                key,
                address=address,
                limits=limits,
                trading_state=body.trading_state,
                reason=body.reason,
            )
        except ConfigError as exc:
            raise HTTPException(
                status_code=422,
                detail=[{"loc": ["body"], "msg": str(exc), "type": "value_error"}],
            ) from exc
        except AuthenticationError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from exc
        except SafetyRefusedError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return _state_response(state)

    @app.post(
        "/api/safety/fence/deactivate", response_model=StateResponse, responses=_PROTECTED_RESPONSES
    )
    async def fence_deactivate(auth: Auth) -> StateResponse:
        """Lift the trading fence (refused while the broker is down or the store failing)."""
        key, address = auth
        try:
            state = manager.deactivate_fence(key, address=address)
        except AuthenticationError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from exc
        except SafetyRefusedError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return _state_response(state)

    @app.post(
        "/api/position/force-sync", response_model=PositionsResponse, responses=_PROTECTED_RESPONSES
    )
    async def position_force_sync(auth: Auth) -> PositionsResponse:
        """Reset local positions from the broker's and clear the reconciliation mismatch."""
        key, address = auth
        try:
            positions = await manager.force_sync(key, address=address)
        except AuthenticationError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from exc
        except SafetyRefusedError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return PositionsResponse(positions=positions)

    return app
