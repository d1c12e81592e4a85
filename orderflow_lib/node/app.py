"""The node's HTTP face (FastAPI): health, the newest state, the WebSocket state stream, and the
safety control API of whichever source is trading now."""

from __future__ import annotations

import json
from typing import Any, Protocol

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from orderflow_lib.node.stream import SlowViewerError, StateHub


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


def create_app(node: NodeFace) -> FastAPI:
    """The node's FastAPI app: GET /api/health, GET /api/state, WebSocket /ws/state, and the
    control API (GET /api/safety/status, POST /api/safety/config, POST
    /api/safety/fence/deactivate, POST /api/position/force-sync)."""
    app = FastAPI(title="OrderFlow node", version="1")

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
