"""What both dashboards share: the price header, the no-node banner, the connection flag and events."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cached_property
from typing import Any

import ipywidgets as w

from orderflow_lib.ui.bokeh_live import LiveBokeh
from orderflow_lib.ui.html import STYLE
from orderflow_lib.ui.panels_context import banner_html, header_html, problem_html
from orderflow_lib.ui.panels_ops import lights_html
from orderflow_lib.ui.snapshot import Snapshot
from orderflow_lib.ui.widgets import HtmlPanel

EVENT_KEEP = 50


class DashboardView(ABC):
    """Base of a dashboard: subclasses lay out `panels` and draw a snapshot in `render`."""

    name = "dashboard"

    def __init__(self, node_url: str) -> None:
        self.node_url = node_url
        self.connected = False
        self.snapshot: Snapshot | None = None
        self.events: list[dict[str, Any]] = []
        self.charts: list[LiveBokeh] = []
        self.style = w.HTML(STYLE)
        self.style.add_class("of-style")
        self.style.layout.display = "none"
        self.banner = w.HTML(banner_html(True, node_url))
        self.banner.add_class("of-banner-box")
        self.banner.layout.display = "none"
        self.header = HtmlPanel("", "header")
        self._first_view: list[Callable[[], None]] = []
        self.viewed = False
        self.header.widget._view_count = 0
        self.header.widget.observe(self._header_view_count, names="_view_count")

    def on_first_view(self, callback: Callable[[], None]) -> None:
        """Call `callback` once when a browser first shows the page (at once if it already has)."""
        if self.viewed:
            callback()
        else:
            self._first_view.append(callback)

    def _header_view_count(self, change: dict[str, Any]) -> None:
        if (change.get("new") or 0) > 0:
            self._mark_viewed()

    def _mark_viewed(self) -> None:
        if self.viewed:
            return
        self.viewed = True
        for callback in self._first_view:
            callback()
        self._first_view.clear()

    @cached_property
    def widget(self) -> w.Widget:
        """The whole page as one widget to display (built once)."""
        for chart in self.charts:
            chart.on_first_view(self._mark_viewed)
        box = w.VBox([self.style, self.banner, self.header.widget, *self.panels()])
        box.add_class("of-dashboard")
        box.add_class(f"of-{self.name}")
        return box

    @abstractmethod
    def panels(self) -> list[w.Widget]:
        """The rows below the header."""

    @abstractmethod
    def render(self, snapshot: Snapshot, events: list[dict[str, Any]]) -> None:
        """Draw a snapshot (and the events that came with it) in the panels below the header."""

    def show_state(self, snapshot: Snapshot | None, events: list[dict[str, Any]]) -> None:
        """Show one state message: a new snapshot (None: unchanged) and its events."""
        self.connected = True
        self.banner.value = banner_html(True, self.node_url)
        self.banner.layout.display = "none"
        self.events = [*self.events, *events][-EVENT_KEEP:]
        if snapshot is not None:
            self.snapshot = snapshot
        if self.snapshot is None:
            return
        self.header.show(header_html(self.snapshot, True, lights_html(self.snapshot, True)))
        self.render(self.snapshot, events)

    def show_problem(self, message: str) -> None:
        """Say that the page could not draw the node's state (the next good state clears it)."""
        self.banner.value = problem_html(message)
        self.banner.layout.display = None

    def show_disconnected(self, reason: str) -> None:
        """Say that no node answers and how to start one; keep the last picture greyed by the banner."""
        self.connected = False
        self.banner.value = banner_html(False, self.node_url, reason)
        self.banner.layout.display = None
        snapshot = self.snapshot or {}
        self.header.show(header_html(snapshot, False, lights_html(snapshot, False)))
