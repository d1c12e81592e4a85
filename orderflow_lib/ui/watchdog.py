"""The kernel's view of Voila: when its page is requested, and a watchdog for when the page is gone.

A preheated kernel runs the notebook before anyone asks for it; `wait_for_page_request` returns
when Voila hands it to a browser's request (at once for a kernel started by a request), so the
dashboard can start streaming two seconds before the browser's widgets appear.

A kernel that streams never looks idle to Voila's culler, so a leaked kernel would stream for
ever. The watchdog asks Voila (`GET /api/kernels/<own id>`) how many connections the kernel has;
after `grace_s` with none (or the kernel unknown to Voila) it calls `on_orphaned`, after which the
kernel idles and the culler shuts it down. Outside Voila (JupyterLab, papermill) neither applies.

`mark_ready` tells whoever started Voila that this kernel's dashboard is built (see `serve`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import websockets

from orderflow_lib.ui.serve import READY_DIR_ENV

log = logging.getLogger(__name__)

_KERNEL_FILE = re.compile(r"kernel-([0-9a-fA-F-]{36})\.json$")


def own_kernel_id(env: Mapping[str, str] | None = None) -> str | None:
    """This kernel's id (Voila sets VOILA_KERNEL_ID; else the connection file name), or None."""
    env = os.environ if env is None else env
    if env.get("VOILA_KERNEL_ID"):
        return env["VOILA_KERNEL_ID"]
    try:
        from ipykernel.connect import get_connection_file

        path = get_connection_file()
    except (ImportError, RuntimeError, AttributeError):
        return None
    match = _KERNEL_FILE.search(Path(path).name)
    return match.group(1) if match else None


def voila_kernel_url(kernel_id: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """Voila's REST address of this kernel, or None when not running under Voila."""
    env = os.environ if env is None else env
    port = env.get("VOILA_APP_PORT") or env.get("SERVER_PORT")
    if not kernel_id or not port:
        return None
    base = (env.get("VOILA_BASE_URL") or "/").rstrip("/")
    return f"http://127.0.0.1:{port}{base}/api/kernels/{kernel_id}"


def under_voila(env: Mapping[str, str] | None = None) -> bool:
    """True when this kernel was started by Voila."""
    env = os.environ if env is None else env
    return bool(env.get("VOILA_APP_PORT") or env.get("VOILA_PREHEAT"))


def mark_ready(env: Mapping[str, str] | None = None) -> Path | None:
    """Leave this kernel's marker in the folder named by ORDERFLOW_READY_DIR; its path, or None
    when that variable is not set or the kernel id is unknown."""
    env = os.environ if env is None else env
    folder = env.get(READY_DIR_ENV)
    kernel_id = own_kernel_id(env)
    if not folder or not kernel_id:
        return None
    marker = Path(folder) / kernel_id
    try:
        marker.touch()
    except OSError:
        log.warning("could not leave the ready marker %s", marker)
        return None
    return marker


async def wait_for_page_request(env: Mapping[str, str] | None = None) -> None:
    """Return once a browser has requested this kernel's page (at once unless preheated)."""
    env = os.environ if env is None else env
    if env.get("VOILA_PREHEAT") != "True":
        return
    port = env.get("VOILA_APP_PORT", "8866")
    base = env.get("VOILA_SERVER_URL") or "/"
    kernel_id = own_kernel_id(env)
    url = f"ws://127.0.0.1:{port}{base}voila/query/{kernel_id}"
    async with websockets.connect(url, open_timeout=10) as query:
        await query.recv()


class KernelWatchdog:
    """Polls Voila for this kernel's connections and calls `on_orphaned` once after `grace_s` alone."""

    def __init__(
        self,
        kernel_url: str,
        on_orphaned: Callable[[], None],
        grace_s: float = 20.0,
        poll_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.kernel_url = kernel_url
        self.on_orphaned = on_orphaned
        self.grace_s = grace_s
        self.poll_s = poll_s
        self.orphaned = False
        self._transport = transport
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling on the running event loop."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run())

    def stop(self) -> None:
        """Stop polling."""
        if self._task is not None:
            self._task.cancel()

    async def connections(self, http: httpx.AsyncClient) -> int:
        """How many pages Voila says are connected to this kernel (0 when it does not know it)."""
        try:
            response = await http.get(self.kernel_url)
        except httpx.TransportError:
            return 0
        if response.status_code != 200:
            return 0
        return int(response.json().get("connections") or 0)

    async def run(self) -> None:
        """Poll until the kernel has been alone for `grace_s`, then call `on_orphaned` once."""
        loop = asyncio.get_running_loop()
        alone_since: float | None = None
        async with httpx.AsyncClient(timeout=self.poll_s, transport=self._transport) as http:
            while True:
                if await self.connections(http) > 0:
                    alone_since = None
                else:
                    alone_since = alone_since if alone_since is not None else loop.time()
                    if loop.time() - alone_since >= self.grace_s:
                        log.info("no page connected for %.0f s: stopping the stream", self.grace_s)
                        self.orphaned = True
                        self.on_orphaned()
                        return
                await asyncio.sleep(self.poll_s)
