"""The node's HTTP face: health, state, the control API of the current source (503 before one
exists, documented in /openapi.json either way), and the state stream for loopback callers only,
served through the ASGI app without a network."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx
import pytest
from node_support import KEY

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.node.app import create_app
from orderflow_lib.node.client import NodeClient, NodeUnavailableError
from orderflow_lib.node.control_api import control_openapi, create_control_app
from orderflow_lib.node.stream import StateHub


class FakeNode:
    """A node face with a hub and, once `trading` is set, a control app."""

    def __init__(self) -> None:
        self.hub = StateHub()
        self.control_app = None

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "source": "synthetic"}


def _client(node: FakeNode) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(node)), base_url="http://node"
    )


async def test_app_when_asked_for_health_and_state_then_node_answers():
    node = FakeNode()
    node.hub.publish_snapshot({"schema": 1})

    async with _client(node) as http:
        health = (await http.get("/api/health")).json()
        state = (await http.get("/api/state")).json()

    assert health == {"status": "ok", "source": "synthetic"}
    assert state == {"seq": 1, "snapshot": {"schema": 1}}


async def test_app_when_no_trading_source_yet_then_control_api_answers_503():
    async with _client(FakeNode()) as http:
        response = await http.get("/api/safety/status")

    assert response.status_code == 503 and "starting" in response.json()["detail"]


async def test_app_when_trading_then_control_api_of_that_source_with_auth():
    node = FakeNode()
    clock = ReplayClock(1)
    session = await TradingSession.open(
        source="synthetic",
        settings=Settings(),
        clock=clock,
        auth_key=KEY,
        broker=PaperBroker(clock),
        safety=None,
        publish=lambda e: None,
        sink=None,
    )
    node.control_app = create_control_app(session.manager, clock=clock)

    async with _client(node) as http:
        status = await http.get("/api/safety/status")
        refused = await http.post(
            "/api/safety/fence/deactivate", headers={"x-safety-auth-key": "wrong"}
        )
        synced = await http.post(
            "/api/position/force-sync", headers={"x-safety-auth-key": KEY}, json={}
        )

    assert status.status_code == 200 and status.json()["ready"] is True
    assert refused.status_code == 401
    assert synced.status_code == 200 and synced.json() == {"positions": {}}
    await session.close()


async def test_client_when_no_node_then_clear_unavailable_error():
    with pytest.raises(NodeUnavailableError, match="no node at"):
        await NodeClient("http://127.0.0.1:9", timeout_s=1).health()


async def test_app_when_halted_through_node_then_control_app_of_that_source_halts():
    node = FakeNode()
    clock = ReplayClock(1)
    session = await TradingSession.open(
        source="synthetic",
        settings=Settings(),
        clock=clock,
        auth_key=KEY,
        broker=PaperBroker(clock),
        safety=None,
        publish=lambda e: None,
        sink=None,
    )
    node.control_app = create_control_app(session.manager, clock=clock)

    async with _client(node) as http:
        refused = await http.post("/api/safety/halt", json={"reason": "x"})
        halted = await http.post(
            "/api/safety/halt", headers={"x-safety-auth-key": KEY}, json={"reason": "CPI"}
        )

    assert refused.status_code == 401
    assert halted.status_code == 200 and halted.json()["message"] == "Trading halted: CPI"
    assert session.manager.state.trading_state == "HALTED"
    await session.close()


async def test_openapi_when_no_source_yet_then_every_control_endpoint_documented():
    async with _client(FakeNode()) as http:
        schema = (await http.get("/openapi.json")).json()

    assert set(control_openapi()["paths"]) <= set(schema["paths"])
    assert {
        "/api/health",
        "/api/state",
        "/api/safety/status",
        "/api/safety/config",
        "/api/safety/halt",
        "/api/safety/fence/deactivate",
        "/api/position/flatten",
        "/api/position/force-sync",
    } <= set(schema["paths"])
    assert "x-safety-auth-key" in str(schema["components"]["securitySchemes"])
    assert "ConfigRequest" in schema["components"]["schemas"]


async def _open_stream(node: FakeNode, host: str, headers: dict[str, str]) -> list[dict]:
    """What the app sends a WebSocket client of /ws/state, up to its first message or its close."""
    raw = [(b"host", host.encode()), *((k.encode(), v.encode()) for k, v in headers.items())]
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/ws/state",
        "raw_path": b"/ws/state",
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
        "subprotocols": [],
    }
    sent: list[dict] = []
    answered = asyncio.Event()
    connecting = [{"type": "websocket.connect"}]

    async def receive() -> dict:
        if connecting:
            return connecting.pop()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] in {"websocket.send", "websocket.close"}:
            answered.set()

    task = asyncio.create_task(create_app(node)(scope, receive, send))
    await asyncio.wait_for(answered.wait(), 5)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return sent


@pytest.mark.parametrize(
    ("host", "headers"),
    [
        ("127.0.0.1:8765", {}),
        ("localhost:8765", {"origin": "http://localhost:8866"}),
        ("[::1]:8765", {"origin": "http://[::1]:8866"}),
        ("127.0.0.1", {"origin": "http://127.0.0.1:8866"}),
    ],
)
async def test_stream_when_loopback_host_and_origin_then_snapshot_sent(host, headers):
    node = FakeNode()
    node.hub.publish_snapshot({"schema": 1})

    sent = await _open_stream(node, host, headers)

    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send"]
    assert json.loads(sent[1]["text"])["snapshot"] == {"schema": 1}


@pytest.mark.parametrize(
    ("host", "headers"),
    [
        ("127.0.0.1:8765", {"origin": "https://evil.example"}),
        ("127.0.0.1:8765", {"origin": "http://127.0.0.1.evil.example"}),
        ("127.0.0.1:8765", {"origin": "null"}),
        ("rebound.example:8765", {}),
        ("192.168.1.20:8765", {"origin": "http://192.168.1.20:8765"}),
        ("[::1", {}),
    ],
)
async def test_stream_when_foreign_host_or_origin_then_closed_with_policy_violation(host, headers):
    node = FakeNode()

    sent = await _open_stream(node, host, headers)

    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]
    assert node.hub.viewers == 0
