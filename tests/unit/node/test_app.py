"""The node's HTTP face: health, state, and the control API of the current source (503 before
one exists), served through the ASGI app without a network."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from node_support import KEY

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.node.app import create_app
from orderflow_lib.node.client import NodeClient, NodeUnavailableError
from orderflow_lib.node.control_api import create_control_app
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.trading import TradingSession


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
        store=None,
        publish=lambda e: None,
        persister=None,
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
