"""The node's HTTP face (FastAPI): health, the newest state, the WebSocket state stream, and the
safety control API of whichever source is trading now."""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import urlsplit

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.status import WS_1008_POLICY_VIOLATION
from starlette.types import Receive, Scope, Send

from orderflow_lib.node.control_api import control_openapi
from orderflow_lib.node.stream import SlowViewerError, StateHub

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class NodeFace(Protocol):
    """What the app needs from a node."""

    @property
    def hub(self) -> StateHub:
        """The state stream hub."""
        ...

    @property
    def control_app(self) -> FastAPI | None:
        """The control API of the current trading source (None before it starts)."""
        ...

    def health(self) -> dict[str, Any]:
        """Health answer: status, source, feed, broker and store states."""
        ...


class _ControlDispatch:
    """Routes /api/safety/* and /api/position/* to the current source's control app."""

    def __init__(self, node: NodeFace) -> None:
        self._node = node

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._node.control_app
        if app is None:
            response = JSONResponse(
                {"detail": "the node is starting; no trading source yet"}, status_code=503
            )
            await response(scope, receive, send)
            return
        await app(scope, receive, send)


class _NodeApp(FastAPI):
    """FastAPI whose OpenAPI document also lists the control API it forwards to."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        schema = super().openapi()
        controls = control_openapi()
        schema["paths"].update(controls["paths"])
        components = schema.setdefault("components", {})
        for section, entries in controls.get("components", {}).items():
            components.setdefault(section, {}).update(entries)
        return schema


def _hostname(address: str) -> str | None:
    try:
        return urlsplit(address).hostname
    except ValueError:
        return None


def stream_allowed(headers: Headers) -> bool:
    """True when Host, and Origin if sent, name this machine: a web page from elsewhere (or a DNS
    name rebound to 127.0.0.1) cannot read the stream; clients without Origin are not browsers."""
    host = headers.get("host")
    origin = headers.get("origin")
    if host is None or _hostname(f"//{host}") not in LOOPBACK_NAMES:
        return False
    return origin is None or _hostname(origin) in LOOPBACK_NAMES


def create_app(node: NodeFace) -> FastAPI:
    """The node's FastAPI app: GET /api/health, GET /api/state, WebSocket /ws/state (loopback
    Host and Origin only), and the control API (GET /api/safety/status, POST /api/safety/config,
    POST /api/safety/halt, POST /api/safety/fence/deactivate, POST /api/position/flatten, POST
    /api/position/force-sync), all listed in /openapi.json."""
    app = _NodeApp(title="OrderFlow node", version="1")

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        """Whether the node is running and what it is connected to."""
        return node.health()

    @app.get("/api/state")
    async def state() -> dict[str, Any]:
        """The newest snapshot with its sequence number."""
        return node.hub.latest()

    @app.websocket("/ws/state")
    async def state_stream(websocket: WebSocket) -> None:
        """Snapshots (conflated, at most node.snapshot_hz a second) and every event, with seq."""
        if not stream_allowed(websocket.headers):
            await websocket.close(code=WS_1008_POLICY_VIOLATION)
            return
        await websocket.accept()

        async def send(message: dict[str, Any]) -> None:
            await websocket.send_text(json.dumps(message))

        try:
            await node.hub.serve(send)
        except (WebSocketDisconnect, SlowViewerError, OSError, RuntimeError):
            return

    dispatch = _ControlDispatch(node)
    app.mount("/api/safety", _Prefixed(dispatch, "/api/safety"))
    app.mount("/api/position", _Prefixed(dispatch, "/api/position"))
    return app


class _Prefixed:
    """Gives a mounted app the full path back (Starlette strips the mount prefix)."""

    def __init__(self, app: _ControlDispatch, prefix: str) -> None:
        self._app = app
        self._prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        inner = dict(scope)
        inner["root_path"] = ""
        inner["path"] = scope.get("path", "")
        await self._app(inner, receive, send)
