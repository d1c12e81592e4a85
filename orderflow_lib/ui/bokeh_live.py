"""Bokeh inside Voila: load BokehJS once, go live on the first browser view, send deltas.

The three fixes of dashboard.md live here. (1) BokehJS is published once, inline, as a single
`application/javascript` output (bokeh's `output_notebook` publishes it twice). (2) A `LiveBokeh`
holds back its model's document patches from build time and, on the first browser view, sends
the whole current document once and then lets patches through; until then Python-side changes
are kept and never sent (so a view never joins in the middle of a three-part patch). (3) Sources get fresh lists per column (see `columns.py`) and `apply_delta`
sends `patch`/`stream` instead of replacing `.data`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bokeh.embed.bundle import bundle_for_objs_and_resources
from bokeh.models import ColumnDataSource, LayoutDOM, Range1d
from bokeh.resources import Resources
from IPython.display import publish_display_data
from jupyter_bokeh import BokehModel

from orderflow_lib.ui.deltas import Delta, SourceMirror

BOKEH_COMPONENTS: list[Literal["bokeh", "bokeh-widgets"]] = ["bokeh"]
"""BokehJS core only: the dashboards' charts use no Bokeh widget model (a `Div` would need
"bokeh-widgets"), and the page is 0.4 MB lighter to load and run."""


def bokehjs_script() -> str:
    """BokehJS (the BOKEH_COMPONENTS) as one script that defines `window.Bokeh` when run."""
    resources = Resources(mode="inline", components=list(BOKEH_COMPONENTS))
    bundle = bundle_for_objs_and_resources(None, resources)
    return "(function(){\n" + "\n".join(bundle.js_raw) + "\n}).call(window);"


def load_bokehjs() -> None:
    """Publish BokehJS once as a notebook output; run before any chart is displayed."""
    publish_display_data({"application/javascript": bokehjs_script()})


BROWSER_DATA_EVENTS = frozenset({"ColumnsStreamed", "ColumnsPatched", "ColumnDataChanged"})
"""Data events a browser sends back. BokehJS echoes every stream and patch it receives; applied
again in the kernel they append rows twice or roll them over twice, so the kernel's source drifts
from what the dashboard sent and its next patch lands on the wrong rows (or past the end)."""


class _HeldBokehModel(BokehModel):
    """A BokehModel that drops document patches until `live` (its whole document goes at once then)
    and never takes chart data from the browser: data flows from the kernel to the page only."""

    live = False

    def _document_patched(self, event: Any) -> None:
        if self.live:
            super()._document_patched(event)

    def _sync_model(self, model: BokehModel, content: dict[str, Any], buffers: list[Any]) -> None:
        if content.get("kind") in BROWSER_DATA_EVENTS or content.get("attr") == "data":
            return
        super()._sync_model(model, content, buffers)


class LiveBokeh:
    """A Bokeh layout wrapped as an ipywidget that streams changes only once a browser shows it."""

    def __init__(self, layout: LayoutDOM, css_class: str) -> None:
        self.layout = layout
        self.widget = _HeldBokehModel(layout)
        self.widget.add_class(css_class)
        self.viewed = False
        self._on_first_view: list[Callable[[], None]] = []
        self.widget._view_count = 0
        self.widget.observe(self._view_count_changed, names="_view_count")

    def on_first_view(self, callback: Callable[[], None]) -> None:
        """Call `callback` once when a browser first shows the chart (at once if it already has)."""
        if self.viewed:
            callback()
        else:
            self._on_first_view.append(callback)

    def go_live(self) -> None:
        """Send the whole current document to the browser and stream every later change."""
        if self.viewed:
            return
        self.viewed = True
        self.widget.live = True
        self.widget.update_from_model(self.layout)
        for callback in self._on_first_view:
            callback()
        self._on_first_view.clear()

    def _view_count_changed(self, change: dict[str, Any]) -> None:
        if (change.get("new") or 0) > 0:
            self.go_live()


class LiveSource:
    """A ColumnDataSource fed from successive column dicts through a `SourceMirror`."""

    def __init__(self, key: str, columns: dict[str, list[Any]], name: str | None = None) -> None:
        self.mirror = SourceMirror(key)
        self.mirror.update(columns)
        self.source = ColumnDataSource(data=self.mirror.columns, name=name)

    def update(self, columns: dict[str, list[Any]]) -> Delta:
        """Bring the source to `columns` with the smallest patch/stream/replace; returns the delta.
        A source that no longer holds what the mirror remembers (a failed update) is replaced whole."""
        if not self.mirror.holds(self.source.data.get(self.mirror.key, [])):
            self.mirror.forget()
        delta = self.mirror.update(columns)
        try:
            apply_delta(self.source, delta)
        except Exception:
            self.mirror.forget()
            raise
        return delta


def apply_delta(source: ColumnDataSource, delta: Delta) -> None:
    """Apply a delta to a ColumnDataSource: replace, or patch old rows then stream new ones."""
    if delta.replace is not None:
        source.data = {name: list(values) for name, values in delta.replace.items()}
        return
    if delta.patches:
        source.patch({name: list(changes) for name, changes in delta.patches.items()})
    if delta.stream is not None:
        source.stream(
            {name: list(values) for name, values in delta.stream.items()}, rollover=delta.rollover
        )


class LiveRange:
    """A Range1d moved only when a new window differs (each move is one message to the browser)."""

    def __init__(self, start: float = 0.0, end: float = 1.0) -> None:
        self.window = (start, end)
        self.range = Range1d(start=start, end=end)

    def show(self, window: tuple[float, float] | None) -> bool:
        """Move to `window` (None: stay); True when it moved."""
        if window is None or window == self.window:
            return False
        self.window = window
        self.range.update(start=window[0], end=window[1])
        return True
