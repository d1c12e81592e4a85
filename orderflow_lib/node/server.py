"""uvicorn for the node's FastAPI app, inside the node's own event loop, on 127.0.0.1.

The node handles SIGTERM and Ctrl-C itself (to flush and disconnect in order), so the server is
told not to install signal handlers. Port 0 picks a free port; `port` tells which.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from orderflow_lib.core.errors import OrderFlowError


class NodeServerError(OrderFlowError):
    """The HTTP server could not start (port in use, bad address)."""


class _Server(uvicorn.Server):
    """uvicorn.Server that leaves signal handling to the node."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class NodeServer:
    """Serves `app` until `stop`."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off", access_log=False
        )
        self.host = host
        self._requested_port = port
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        """http://host:port of the running server."""
        if self.port is None:
            raise NodeServerError("the node server is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self, timeout_s: float = 10.0) -> int:
        """Start listening; the port. NodeServerError when it cannot start in `timeout_s`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise NodeServerError(
                f"cannot listen on {self.host}:{self._requested_port}: {exc.strerror or exc}; "
                "choose another port (--port N, or settings node.port)"
            ) from exc
        port = int(sock.getsockname()[1])
        self.port = port
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not self._server.started:
            if self._task.done():
                error = self._task.exception() if not self._task.cancelled() else None
                raise NodeServerError(f"node server on {self.host} did not start: {error!r}")
            if loop.time() > deadline:
                raise NodeServerError(f"node server on {self.host} did not start in {timeout_s} s")
            await asyncio.sleep(0.01)
        return port

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Close connections and stop listening (forced after `timeout_s`)."""
        if self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        except TimeoutError:
            self._server.force_exit = True
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, timeout_s)
        self._task = None
