"""The safety control API (FastAPI app factory): status, config, halt, flatten, fence release and
force-sync.

Every write (any method but GET/HEAD) passes a guard before its body is read: the
`x-safety-auth-key` header is compared in constant time, then the body is capped at 64 KB (413).
A correct key always gets in. A missing or wrong key gets 401; an address that sends
`max_failures` wrong keys within `failure_window_s` gets 429 with a true Retry-After until its
lock-out ends, and each wrong key counted after that doubles the next lock-out. Refusals go to
the security log through a buffer that writes one row per address and event per minute from a
background task, so a flood of bad requests costs the request path no store writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Annotated, Any, NamedTuple

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRouter
from fastapi.security import APIKeyHeader

from orderflow_lib.core.clock import Clock, LiveClock
from orderflow_lib.core.errors import BrokerError, ConfigError
from orderflow_lib.node.api_guard import (
    AUTH_HEADER,
    MAX_BODY_BYTES,
    ControlContext,
    ControlGuard,
    FlattenHook,
    JSONRoute,
    client_address,
)
from orderflow_lib.node.api_models import (
    ActionRequest,
    ConfigRequest,
    ErrorResponse,
    FlattenResponse,
    HaltResponse,
    PositionsResponse,
    StateResponse,
    finite_or_none,
    state_response,
)
from orderflow_lib.node.auth_throttle import FailureThrottle, SecurityLogBuffer
from orderflow_lib.risk.errors import AuthenticationError, SafetyRefusedError
from orderflow_lib.risk.manager import ProductionSafetyManager
from orderflow_lib.risk.status import SafetyStatus

TITLE = "OrderFlow safety control"
_auth_header = APIKeyHeader(name=AUTH_HEADER, auto_error=False, description="SAFETY_AUTH_KEY")


class _Caller(NamedTuple):
    key: str | None
    address: str


def _controls(request: Request) -> ControlContext:
    controls: ControlContext = request.app.state.controls
    return controls


def _caller(request: Request, key: Annotated[str | None, Depends(_auth_header)]) -> _Caller:
    """The key sent (the guard has checked it; the manager checks it again) and who sent it."""
    return _Caller(key, client_address(request.scope))


Controls = Annotated[ControlContext, Depends(_controls)]
Caller = Annotated[_Caller, Depends(_caller)]


async def _validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field and why, without echoing what was sent (NaN or raw bytes have no
    JSON form and would turn a refusal into a server error)."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


@contextmanager
def _answers() -> Iterator[None]:
    """Turn refusals into HTTP answers: 422 bad limits, 401 wrong key, 409 refused now, 502 broker."""
    try:
        yield
    except ConfigError as exc:
        raise HTTPException(
            status_code=422, detail=[{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        ) from exc
    except AuthenticationError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from exc
    except SafetyRefusedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except BrokerError as exc:
        raise HTTPException(status_code=502, detail=f"the broker failed: {exc}") from exc


def _flatten_summary(result: Mapping[str, Any]) -> str:
    """'cancelled orders 2, closed {...}' from the hook's summary (its keys in words)."""
    parts = [f"{key.replace('_', ' ')} {value}" for key, value in result.items()]
    return ", ".join(parts) or "nothing to cancel or close"


_PROTECTED_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "missing or wrong x-safety-auth-key"},
    409: {"model": ErrorResponse, "description": "refused in the current state"},
    413: {"model": ErrorResponse, "description": "request body over 64 KB"},
    429: {
        "model": ErrorResponse,
        "description": "too many wrong keys from this address (Retry-After: seconds left)",
    },
}

_router = APIRouter(route_class=JSONRoute)


@_router.get("/api/safety/status", response_model=SafetyStatus)
async def safety_status(controls: Controls) -> SafetyStatus:
    """Read-only: state, fence, breaker, reconciliation, limits and current violations (the
    manager's SafetyStatus; pydantic documents and checks it from the dataclass)."""
    status = controls.manager.status()
    return replace(status, daily_pnl_gbp=finite_or_none(status.daily_pnl_gbp))


@_router.post("/api/safety/config", response_model=StateResponse, responses=_PROTECTED_RESPONSES)
async def safety_config(body: ConfigRequest, controls: Controls, caller: Caller) -> StateResponse:
    """Change limits and/or the trading state (authenticated, validated, audited)."""
    manager = controls.manager
    changes = body.model_dump(
        exclude_none=True, exclude={"trading_state", "reason", "allowed_instruments"}
    )
    limits = manager.state.limits
    if body.allowed_instruments is not None:
        limits = replace(limits, allowed_instruments=tuple(body.allowed_instruments))
    with _answers():
        state = manager.update_config(
            caller.key,
            address=caller.address,
            limits=replace(limits, **changes),
            trading_state=body.trading_state,
            reason=body.reason,
        )
    return state_response(state)


@_router.post("/api/safety/halt", response_model=HaltResponse, responses=_PROTECTED_RESPONSES)
async def safety_halt(
    controls: Controls, caller: Caller, body: Annotated[ActionRequest | None, Body()] = None
) -> HaltResponse:
    """Stop new entries now: the trading state becomes HALTED (exits and flatten still pass)."""
    reason = body.reason if body is not None else ""
    with _answers():
        state = controls.manager.halt(caller.key, address=caller.address, reason=reason)
    return HaltResponse(
        message=f"Trading halted: {state.trading_state_reason}", trading_state=state.trading_state
    )


@_router.post(
    "/api/position/flatten",
    response_model=FlattenResponse,
    responses={
        **_PROTECTED_RESPONSES,
        502: {"model": ErrorResponse, "description": "the broker failed"},
        503: {"model": ErrorResponse, "description": "no trading session to flatten"},
    },
)
async def position_flatten(
    controls: Controls, caller: Caller, body: Annotated[ActionRequest | None, Body()] = None
) -> FlattenResponse:
    """Cancel every working order and close every position (authenticated, audited)."""
    if controls.flatten is None:
        raise HTTPException(status_code=503, detail="no trading session is attached to flatten")
    reason = (body.reason if body is not None else "") or f"requested by {caller.address}"
    controls.manager.record_security_event("FLATTEN", caller.address, reason)
    with _answers():
        result = await controls.flatten(reason)
    return FlattenResponse(message=f"Flattening: {_flatten_summary(result)}", result=result)


@_router.post(
    "/api/safety/fence/deactivate", response_model=StateResponse, responses=_PROTECTED_RESPONSES
)
async def fence_deactivate(controls: Controls, caller: Caller) -> StateResponse:
    """Lift the trading fence (refused while the broker is down or the store failing)."""
    with _answers():
        state = controls.manager.deactivate_fence(caller.key, address=caller.address)
    return state_response(state)


@_router.post(
    "/api/position/force-sync", response_model=PositionsResponse, responses=_PROTECTED_RESPONSES
)
async def position_force_sync(controls: Controls, caller: Caller) -> PositionsResponse:
    """Reset local positions from the broker's and clear the reconciliation mismatch."""
    with _answers():
        positions = await controls.manager.force_sync(caller.key, address=caller.address)
    return PositionsResponse(positions=positions)


def control_openapi() -> dict[str, Any]:
    """The control API's OpenAPI document (the node merges it into its own)."""
    return get_openapi(title=TITLE, version="1", routes=_router.routes)


def create_control_app(
    manager: ProductionSafetyManager,
    *,
    flatten: FlattenHook | None = None,
    clock: Clock | None = None,
    max_failures: int = 5,
    failure_window_s: float = 60.0,
    base_delay_s: float = 1.0,
    max_delay_s: float = 300.0,
) -> FastAPI:
    """The control API around a safety manager and the trading session's `flatten` (the node
    mounts it; tests drive it directly). Without `flatten`, POST /api/position/flatten answers 503.

    Handlers run on the event loop (async) so they never touch the manager from another thread.
    """
    clock = clock or LiveClock()
    controls = ControlContext(
        manager=manager,
        flatten=flatten,
        throttle=FailureThrottle(
            clock,
            max_failures=max_failures,
            failure_window_s=failure_window_s,
            base_delay_s=base_delay_s,
            max_delay_s=max_delay_s,
        ),
        security_log=SecurityLogBuffer(manager.record_security_event, clock),
    )
    app = FastAPI(title=TITLE, version="1")
    app.state.controls = controls
    app.include_router(_router)
    app.add_exception_handler(RequestValidationError, _validation_failed)
    app.add_middleware(ControlGuard, controls=controls, max_body_bytes=MAX_BODY_BYTES)
    return app
