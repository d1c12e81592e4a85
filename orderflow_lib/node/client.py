"""Python client for a running node: the dashboard's only way in (HTTP control + WebSocket state stream)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import websockets

AUTH_HEADER = "x-safety-auth-key"


class NodeUnavailableError(ConnectionError):
    """No node answers at the address; start one with `orderflow run` or `orderflow demo`."""


class NodeClient:
    """Reads a node's state and sends it authenticated safety commands."""

    def __init__(self, base_url: str = "http://127.0.0.1:8765", timeout_s: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s

    @property
    def ws_url(self) -> str:
        """WebSocket address of the state stream."""
        return "ws" + self.base_url.removeprefix("http") + "/ws/state"

    async def _request(
        self, method: str, path: str, *, key: str | None = None, body: Any = None
    ) -> httpx.Response:
        headers = {AUTH_HEADER: key} if key is not None else {}
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as http:
                return await http.request(method, self.base_url + path, headers=headers, json=body)
        except httpx.TransportError as exc:
            raise NodeUnavailableError(
                f"no node at {self.base_url} ({exc.__class__.__name__}); start one with "
                "`orderflow demo` or `orderflow run`"
            ) from exc

    async def health(self) -> dict[str, Any]:
        """The node's health answer."""
        response = await self._request("GET", "/api/health")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def state(self) -> dict[str, Any]:
        """The newest full snapshot with its sequence number."""
        response = await self._request("GET", "/api/state")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def safety_status(self) -> dict[str, Any]:
        """The safety manager's status and its list of violations."""
        response = await self._request("GET", "/api/safety/status")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def deactivate_fence(
        self, key: str, reason: str = "lifted from dashboard"
    ) -> httpx.Response:
        """Ask the node to lift the trading fence; the answer says whether it did and why not."""
        return await self._request(
            "POST", "/api/safety/fence/deactivate", key=key, body={"reason": reason}
        )

    async def force_sync(self, key: str) -> httpx.Response:
        """Ask the node to reset its positions from the broker's."""
        return await self._request("POST", "/api/position/force-sync", key=key, body={})

    async def stream(self, reconnect_s: float = 1.0) -> AsyncIterator[dict[str, Any]]:
        """Yield state messages for ever, reconnecting when the node goes away and comes back.

        When no node is reachable it yields `{"type": "disconnected", "reason": ...}` once per
        attempt, so a screen can say so.
        """
        while True:
            try:
                async with websockets.connect(self.ws_url, open_timeout=self._timeout_s) as ws:
                    async for raw in ws:
                        yield json.loads(raw)
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                yield {"type": "disconnected", "reason": f"no node at {self.base_url}: {exc}"}
            await asyncio.sleep(reconnect_s)
