"""One dashboard in a notebook: its view, the live loop to the node and the Voila watchdog.

A dashboard notebook is three calls: `load_bokehjs()`, `app = command_center_app()` (the
cell's value displays the page), `app.start()` (returns at once; streaming begins when a browser
asks for the page, or first shows it outside Voila, and stops when the watchdog finds it gone).
Each factory imports only its own view, so a kernel loads no more than its page needs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import TYPE_CHECKING

import websockets

from orderflow_lib.node.client import NodeClient
from orderflow_lib.ui.commands import send
from orderflow_lib.ui.live import LiveLoop
from orderflow_lib.ui.serve import DEFAULT_NODE_URL, NODE_URL_ENV
from orderflow_lib.ui.watchdog import (
    KernelWatchdog,
    mark_ready,
    own_kernel_id,
    under_voila,
    voila_kernel_url,
    wait_for_page_request,
)

if TYPE_CHECKING:
    import ipywidgets as w

    from orderflow_lib.ui.view_base import DashboardView

log = logging.getLogger(__name__)


def node_url_from_env() -> str:
    """The node address from ORDERFLOW_NODE_URL, else the node's default address."""
    return os.environ.get(NODE_URL_ENV) or DEFAULT_NODE_URL


class DashboardApp:
    """A view attached to a node; `widget` is the page, `start()` begins the live updates."""

    def __init__(self, view: DashboardView, client: NodeClient, reconnect_s: float = 1.0) -> None:
        self.view = view
        self.client = client
        self.loop = LiveLoop(view, client, reconnect_s=reconnect_s)
        self.watchdog: KernelWatchdog | None = None
        self.begun = False
        self._watchdog_grace_s = 20.0
        self._request_task: asyncio.Task[None] | None = None

    @property
    def widget(self) -> w.Widget:
        """The page."""
        return self.view.widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def start(self, watchdog_grace_s: float = 20.0) -> None:
        """Stream once Voila hands this kernel to a page request, or else on the first browser view.

        Under Voila the watchdog is armed when streaming begins, so a page that never connects
        (or has closed) stops the stream after `watchdog_grace_s`.
        """
        self.loop.start()
        self._watchdog_grace_s = watchdog_grace_s
        self.view.on_first_view(self._begin)
        if under_voila():
            self._request_task = asyncio.get_running_loop().create_task(self._begin_on_request())
            mark_ready()

    async def _begin_on_request(self) -> None:
        try:
            await wait_for_page_request()
        except (OSError, TimeoutError, websockets.WebSocketException):
            log.warning("could not learn when the page is requested; streaming on first view")
            return
        self._begin()

    def _begin(self) -> None:
        if self.begun:
            return
        self.begun = True
        self.loop.begin()
        kernel_url = voila_kernel_url(own_kernel_id())
        if kernel_url is not None:
            self.watchdog = KernelWatchdog(kernel_url, self.stop, grace_s=self._watchdog_grace_s)
            self.watchdog.start()

    def stop(self) -> None:
        """Stop streaming."""
        self.loop.stop()


def command_center_app(node_url: str | None = None, reconnect_s: float = 1.0) -> DashboardApp:
    """The F1 Command Center attached to the node at `node_url` (default: from the environment)."""
    from orderflow_lib.ui.command_center import CommandCenter

    url = node_url or node_url_from_env()
    client = NodeClient(url)
    view = CommandCenter(url, functools.partial(send, client))
    return DashboardApp(view, client, reconnect_s)


def classic_app(node_url: str | None = None, reconnect_s: float = 1.0) -> DashboardApp:
    """The classic dashboard attached to the node at `node_url` (default: from the environment)."""
    from orderflow_lib.ui.classic import ClassicView

    url = node_url or node_url_from_env()
    return DashboardApp(ClassicView(url), NodeClient(url), reconnect_s)
