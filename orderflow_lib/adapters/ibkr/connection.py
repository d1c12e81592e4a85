"""The IB connection: connect from settings, reconnect with backoff, resubscribe after a reconnect,
and raise the fence at once when the socket drops, IB reports 1100 or the gateway stops answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from enum import StrEnum

from ib_async import IB

from orderflow_lib.adapters.ibkr.errors import (
    CONNECTIVITY_LOST,
    RESTORED_DATA_KEPT,
    RESTORED_DATA_LOST,
    IbkrConnectionError,
    IbkrErrorEvent,
    classify_error,
)
from orderflow_lib.core.clock import Clock, LiveClock
from orderflow_lib.core.config import IbSettings

log = logging.getLogger(__name__)
DEFAULT_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)

FenceCallback = Callable[[str], None]
Resubscriber = Callable[[bool], None]
"""Called after a reconnect (True: new socket, old subscriptions are gone) or a 1101 (False)."""


class ConnectionState(StrEnum):
    """Where the link to IB stands."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CONNECTIVITY_LOST = "connectivity_lost"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


class IbConnection:
    """Owns the ib_async `IB` client and keeps it connected.

    Fence callbacks get a reason string; they fire once per outage, synchronously from the event
    that revealed it (socket closed, error 1100, heartbeat timeout).
    """

    def __init__(
        self,
        settings: IbSettings | None = None,
        *,
        clock: Clock | None = None,
        backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
        heartbeat_s: float | None = None,
        ib: IB | None = None,
    ) -> None:
        self.settings = settings or IbSettings()
        if not backoff_s or any(d < 0 for d in backoff_s):
            raise ValueError(f"backoff_s must be non-empty and >= 0, was {list(backoff_s)}")
        if heartbeat_s is not None and heartbeat_s <= 0:
            raise ValueError(f"heartbeat_s must be > 0 or None, was {heartbeat_s}")
        self.clock = clock or LiveClock()
        self.backoff_s = [min(d, self.settings.reconnect_max_backoff_s) for d in backoff_s]
        self.heartbeat_s = heartbeat_s
        self.ib = ib or IB()
        self.ib.RaiseRequestErrors = True
        self.state = ConnectionState.DISCONNECTED
        self.account = self.settings.account
        self.fence_reasons: list[str] = []
        self._fence_listeners: list[FenceCallback] = []
        self._error_listeners: list[Callable[[IbkrErrorEvent], None]] = []
        self._state_listeners: list[Callable[[ConnectionState], None]] = []
        self._resubscribers: list[Resubscriber] = []
        self._fenced = False
        self._closing = False
        self._reconnect_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self.ib.disconnectedEvent += self._on_disconnected
        self.ib.errorEvent += self._on_error

    # --- listeners ---------------------------------------------------------------------------

    def add_fence_listener(self, callback: FenceCallback) -> None:
        """Call `callback(reason)` when the link is lost (the node wires this to the safety fence)."""
        self._fence_listeners.append(callback)

    def add_error_listener(self, callback: Callable[[IbkrErrorEvent], None]) -> None:
        """Call `callback(event)` for every IB error and system message."""
        self._error_listeners.append(callback)

    def add_state_listener(self, callback: Callable[[ConnectionState], None]) -> None:
        """Call `callback(state)` on every connection state change."""
        self._state_listeners.append(callback)

    def add_resubscriber(self, callback: Resubscriber) -> None:
        """Register a subscription owner to renew its requests after a reconnect or a 1101."""
        self._resubscribers.append(callback)

    # --- connect / disconnect ----------------------------------------------------------------

    def is_connected(self) -> bool:
        """Whether the API session is up."""
        return bool(self.ib.isConnected())

    async def connect(self) -> None:
        """Connect to host:port with the client id from settings; IbkrConnectionError on failure."""
        self._closing = False
        self._set_state(ConnectionState.CONNECTING)
        try:
            await self._connect_once()
        except IbkrConnectionError:
            self._set_state(ConnectionState.DISCONNECTED)
            raise
        self._fenced = False
        self._set_state(ConnectionState.CONNECTED)
        self._start_heartbeat()

    async def _connect_once(self) -> None:
        s = self.settings
        try:
            await self.ib.connectAsync(
                host=s.host,
                port=s.port,
                clientId=s.client_id,
                timeout=s.connect_timeout_s,
                account=s.account,
            )
        except (OSError, TimeoutError, ConnectionError) as exc:
            raise IbkrConnectionError(
                f"cannot connect to IB at {s.host}:{s.port} as client {s.client_id}: {exc!r}"
            ) from exc
        if not self.account:
            accounts = self.ib.managedAccounts()
            self.account = accounts[0] if accounts else ""

    async def close(self) -> None:
        """User-initiated disconnect: no fence, no reconnect."""
        self._closing = True
        for task in (self._reconnect_task, self._heartbeat_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._reconnect_task = self._heartbeat_task = None
        self.ib.disconnect()
        self._set_state(ConnectionState.CLOSED)

    async def wait_connected(self, timeout: float) -> None:
        """Return once connected; IbkrConnectionError after `timeout` seconds."""

        async def poll() -> None:
            while self.state != ConnectionState.CONNECTED:
                await asyncio.sleep(0.01)

        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError as exc:
            raise IbkrConnectionError(f"not connected within {timeout} s ({self.state})") from exc

    # --- faults ------------------------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state != self.state:
            self.state = state
            for callback in list(self._state_listeners):
                callback(state)

    def _fence(self, reason: str) -> None:
        if self._fenced:
            return
        self._fenced = True
        self.fence_reasons.append(reason)
        log.error("IB link lost, fence raised: %s", reason)
        for callback in list(self._fence_listeners):
            callback(reason)

    def _on_disconnected(self) -> None:
        if self._closing:
            return
        self._set_state(ConnectionState.DISCONNECTED)
        self._fence("connection to IB dropped")
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect_loop())

    def _on_error(self, req_id: int, code: int, message: str, _contract: object) -> None:
        event = IbkrErrorEvent(self.clock.now_ns(), req_id, code, message, classify_error(code))
        if code == CONNECTIVITY_LOST:
            self._set_state(ConnectionState.CONNECTIVITY_LOST)
            self._fence(f"IB error {code}: {message}")
        elif code in (RESTORED_DATA_LOST, RESTORED_DATA_KEPT):
            self._fenced = False
            self._set_state(ConnectionState.CONNECTED)
            if code == RESTORED_DATA_LOST:
                self._resubscribe(socket_reset=False)
        for callback in list(self._error_listeners):
            callback(event)

    def _resubscribe(self, socket_reset: bool) -> None:
        for callback in list(self._resubscribers):
            try:
                callback(socket_reset)
            except Exception:
                log.exception("resubscription failed")

    async def _reconnect_loop(self) -> None:
        attempt = 0
        while not self._closing:
            delay = self.backoff_s[min(attempt, len(self.backoff_s) - 1)]
            self._set_state(ConnectionState.RECONNECTING)
            await asyncio.sleep(delay)
            attempt += 1
            try:
                await self._connect_once()
            except IbkrConnectionError as exc:
                log.warning("reconnect attempt %d failed: %s", attempt, exc)
                continue
            self._fenced = False
            self._set_state(ConnectionState.CONNECTED)
            self._resubscribe(socket_reset=True)
            return

    def _start_heartbeat(self) -> None:
        if self.heartbeat_s is not None and (
            self._heartbeat_task is None or self._heartbeat_task.done()
        ):
            self._heartbeat_task = asyncio.get_running_loop().create_task(self._heartbeat_loop())

    async def _heartbeat_loop(
        self,
    ) -> None:
        interval = self.heartbeat_s or 1.0
        while not self._closing:
            await asyncio.sleep(interval)
            if self.state != ConnectionState.CONNECTED or not self.is_connected():
                continue
            try:
                await asyncio.wait_for(self.ib.reqCurrentTimeAsync(), interval)
            except (TimeoutError, ConnectionError):
                self._fence(f"IB gateway did not answer a heartbeat within {interval} s")
                self.ib.disconnect()
