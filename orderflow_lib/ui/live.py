"""The live loop: attaches a dashboard to a node's state stream once a browser shows the page.

Runs as asyncio tasks on the kernel's own loop (Bokeh documents are not thread-safe). A receiver
task reads the node's WebSocket and keeps only the newest snapshot plus every event; a drawing
task draws whatever is newest when it is free. So a slow kernel skips snapshots instead of
building a backlog, and signals are never lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from orderflow_lib.node.client import NodeClient
from orderflow_lib.ui.snapshot import Snapshot

log = logging.getLogger(__name__)


class View(Protocol):
    """What the live loop needs from a dashboard view."""

    def on_first_view(self, callback: Any) -> None:
        """Call back once a browser shows the view."""

    def show_state(self, snapshot: Snapshot | None, events: list[dict[str, Any]]) -> None:
        """Draw a state message."""

    def show_disconnected(self, reason: str) -> None:
        """Say that no node answers."""

    def show_problem(self, message: str) -> None:
        """Say that a state message could not be drawn."""


class _Pending:
    """The newest undrawn state: at most one snapshot, every event, or a disconnection."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.events: list[dict[str, Any]] = []
        self.disconnected: str | None = None
        self.wake = asyncio.Event()

    def state(self, message: dict[str, Any]) -> None:
        if message.get("snapshot") is not None:
            self.snapshot = message["snapshot"]
        self.events.extend(message.get("events") or [])
        self.disconnected = None
        self.wake.set()

    def lost(self, reason: str) -> None:
        self.disconnected = reason
        self.wake.set()

    def take(self) -> tuple[Snapshot | None, list[dict[str, Any]], str | None]:
        taken = (self.snapshot, self.events, self.disconnected)
        self.snapshot, self.events, self.disconnected = None, [], None
        self.wake.clear()
        return taken


class LiveLoop:
    """Feeds a view from a node: streams from `begin()` (or the first browser view) until stopped."""

    def __init__(self, view: View, client: NodeClient, reconnect_s: float = 1.0) -> None:
        self.view = view
        self.client = client
        self.reconnect_s = reconnect_s
        self.drawn = 0
        self._pending = _Pending()
        self._begun = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        view.on_first_view(self.begin)

    @property
    def running(self) -> bool:
        """True while the loop's tasks are alive."""
        return any(not t.done() for t in self._tasks)

    def start(self) -> None:
        """Start the tasks on the running event loop (a notebook cell returns at once); they wait for `begin`."""
        if self.running:
            return
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._receive()), loop.create_task(self._draw())]

    def begin(self) -> None:
        """Start streaming now (a page was requested), without waiting for the first view."""
        self._begun.set()

    def stop(self) -> None:
        """Stop streaming (the watchdog calls this when the page is gone)."""
        for task in self._tasks:
            task.cancel()

    async def _receive(self) -> None:
        await self._begun.wait()
        async for message in self.client.stream(self.reconnect_s):
            if message.get("type") == "disconnected":
                self._pending.lost(str(message.get("reason") or "node unavailable"))
            elif message.get("type") == "state":
                self._pending.state(message)

    async def _draw(self) -> None:
        while True:
            await self._pending.wake.wait()
            snapshot, events, disconnected = self._pending.take()
            try:
                if disconnected is not None:
                    self.view.show_disconnected(disconnected)
                else:
                    self.view.show_state(snapshot, events)
                    self.drawn += 1
            except Exception as exc:
                log.exception("could not draw a state message")
                self.view.show_problem(f"{exc.__class__.__name__}: {exc}")
            await asyncio.sleep(0)
