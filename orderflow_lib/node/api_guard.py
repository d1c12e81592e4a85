"""The control API's guard, run before a write's body is read: the key (401, 429 with a true
Retry-After, both logged), then the body size (413); and routes whose body must be UTF-8 JSON."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderflow_lib.node.auth_throttle import FailureThrottle, SecurityLogBuffer
from orderflow_lib.risk.manager import ProductionSafetyManager

AUTH_HEADER = "x-safety-auth-key"
MAX_BODY_BYTES = 64 * 1024

FlattenHook = Callable[[str], Awaitable[dict[str, Any]]]
"""Cancels every working order and closes every position; takes the reason, returns a
JSON-ready summary of what it did (supplied by the node's trading session)."""

_READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class ControlContext:
    """What the routes and the guard of one control app act on."""

    manager: ProductionSafetyManager
    flatten: FlattenHook | None
    throttle: FailureThrottle
    security_log: SecurityLogBuffer


def client_address(scope: Scope) -> str:
    """The caller's IP address as the server saw it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class _BodyTooLargeError(Exception):
    """The streamed body passed the size cap."""


class ControlGuard:
    """ASGI middleware run before a write's body is read: key (401/429, logged), then size (413)."""

    def __init__(self, app: ASGIApp, *, controls: ControlContext, max_body_bytes: int) -> None:
        self._app = app
        self._controls = controls
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _READ_METHODS:
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._key_refusal(headers.get(AUTH_HEADER), client_address(scope), scope["path"])
        declared = headers.get("content-length", "")
        if refusal is None and declared.isdigit() and int(declared) > self._max_body_bytes:
            refusal = self._too_large()
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        try:
            body = await _read_body(receive, self._max_body_bytes)
        except _BodyTooLargeError:
            await self._too_large()(scope, receive, send)
            return
        if body is not None:
            await self._app(scope, _replay(body, receive), send)

    def _key_refusal(self, key: str | None, address: str, path: str) -> JSONResponse | None:
        controls = self._controls
        if controls.manager.verify_auth_key(key):
            controls.throttle.record_success(address)
            return None
        wait_s = controls.throttle.retry_after_s(address)
        if wait_s > 0:
            controls.security_log.note("AUTH_THROTTLED", address, f"{path}: retry in {wait_s}s")
            return JSONResponse(
                {"detail": f"too many wrong keys from this address; retry after {wait_s} s"},
                status_code=429,
                headers={"Retry-After": str(wait_s)},
            )
        controls.throttle.record_failure(address)
        what = "missing" if not key else "wrong"
        controls.security_log.note("AUTH_FAILED", address, f"{path}: {what} {AUTH_HEADER}")
        return JSONResponse({"detail": f"{what} {AUTH_HEADER} header"}, status_code=401)

    def _too_large(self) -> JSONResponse:
        limit_kb = self._max_body_bytes // 1024
        return JSONResponse(
            {"detail": f"request body too large: the limit is {limit_kb} KB"}, status_code=413
        )


async def _read_body(receive: Receive, max_bytes: int) -> bytes | None:
    """The whole request body (None if the client went away); _BodyTooLargeError past `max_bytes`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise _BodyTooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then passes on the real one."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class _JSONRequest(Request):
    """A request whose body must be UTF-8 JSON; anything else is a JSON error (422), not a
    parse failure (400)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body.decode("utf-8"))
            except json.JSONDecodeError:
                raise
            except ValueError as exc:  # not UTF-8, or an integer too long for Python to read
                raise json.JSONDecodeError(str(exc), "", 0) from exc
        return self._json


class JSONRoute(APIRoute):
    """A route that reads its body as `_JSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            return await handler(_JSONRequest(request.scope, request.receive))

        return handle
