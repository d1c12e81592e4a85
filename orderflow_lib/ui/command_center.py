"""The F1 Command Center: the day's plan and the trade on the left, value in the middle, flow on the right.

Left: the plan (regime, bias, each if/then scenario with its live state) and the position with
its entry, stop, targets and closed trades. Centre: the value ladder over the session profile.
Right: order-flow signals, pressure, the gate with the lift-fence / flatten / halt commands and
the day's activity. Built to fit 1280x800 without scrolling and to use 1920x1080.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as w

from orderflow_lib.ui.bokeh_live import LiveBokeh, LiveRange, LiveSource
from orderflow_lib.ui.charts import value_ladder
from orderflow_lib.ui.columns import level_columns, mark_columns, profile_columns, zone_columns
from orderflow_lib.ui.ladder import ladder_label_columns, ladder_zone_columns, with_marks
from orderflow_lib.ui.panels_context import pressure_html
from orderflow_lib.ui.panels_ops import (
    ACTIVITY_KINDS,
    activity_html,
    gate_html,
    merge_signals,
    signal_events,
    signals_html,
)
from orderflow_lib.ui.panels_plan import plan_html, position_html
from orderflow_lib.ui.ranges import price_window, volume_window
from orderflow_lib.ui.snapshot import Snapshot, as_float, as_list, dig, tick_size
from orderflow_lib.ui.view_base import DashboardView
from orderflow_lib.ui.widgets import Command, ControlPanel, HtmlPanel

_EMPTY: Snapshot = {}
ACTIVITY_KEEP = 30
LADDER_FRAME_PX = 690
"""Height of the ladder's plotting area in a window 800 px high (the page fits 1280x800); a taller
window grows it in the browser (charts.value_ladder), which only spreads the stacked labels."""
SIGNAL_ROWS = 9
ACTIVITY_ROWS = 6
"""Signals and order-activity lines shown in a window 800 px high."""
SIGNAL_ROW_PX = 30
ACTIVITY_ROW_PX = 16
"""A signal row's and an activity line's height in pixels: a taller window (a taller ladder)
shares its extra height between the two lists."""


def _ladder_rows(snapshot: Snapshot, window: tuple[float, float] | None) -> dict[str, list[Any]]:
    levels = with_marks(level_columns(snapshot), mark_columns(snapshot))
    last = as_float(dig(snapshot, "price", "last"))
    return ladder_label_columns(levels, window, LADDER_FRAME_PX, last)


class CommandCenter(DashboardView):
    """The F1 Command Center view; feed it with `show_state` / `show_disconnected`."""

    name = "command-center"

    def __init__(self, node_url: str, command: Command) -> None:
        super().__init__(node_url)
        self.plan = HtmlPanel("Today's plan", "hypothesis")
        self.position = HtmlPanel("Position", "position")
        self.signals = HtmlPanel("Order flow", "signals")
        self.pressure = HtmlPanel("Who is pushing", "pressure")
        self.gate = HtmlPanel("Orders", "gate", card=False)
        self.activity = HtmlPanel("", "activity", card=False)
        self.controls = ControlPanel(command)
        self.signal_list: list[dict[str, Any]] = []
        self.activity_events: list[dict[str, Any]] = []
        self.window: tuple[float, float] | None = None
        self.labels = LiveSource("name", _ladder_rows(_EMPTY, None), name="ladder-labels")
        self.marks = LiveSource("name", mark_columns(_EMPTY))
        self.zones = LiveSource("name", ladder_zone_columns(zone_columns(_EMPTY)))
        self.profile = LiveSource("price", profile_columns({"profile": None}), name="profile")
        self.price_range = LiveRange()
        self.volume_range = LiveRange()
        layout = value_ladder(
            self.labels,
            self.marks,
            self.zones,
            self.profile,
            tick_size(_EMPTY),
            self.price_range.range,
            self.volume_range.range,
            LADDER_FRAME_PX,
        )
        self.ladder_figure = layout
        self.ladder = LiveBokeh(layout, "of-value-ladder-chart")
        self.charts = [self.ladder]

    def panels(self) -> list[w.Widget]:
        """Plan and position on the left, the ladder in the centre, flow and orders on the right."""
        left = w.VBox(
            [self.plan.widget, self.position.widget],
            layout=w.Layout(flex="1 1 280px", min_width="280px", max_width="440px", grid_gap="4px"),
        )
        centre = w.Box([self.ladder.widget], layout=w.Layout(flex="0 0 auto"))
        centre.add_class("of-card")
        orders = w.VBox([self.gate.widget, self.controls.widget, self.activity.widget])
        orders.add_class("of-card")
        orders.add_class("of-orders")
        right = w.VBox(
            [self.signals.widget, self.pressure.widget, orders],
            layout=w.Layout(flex="1 1 380px", min_width="380px", grid_gap="4px"),
        )
        row = w.HBox([left, centre, right], layout=w.Layout(width="100%", grid_gap="4px"))
        row.add_class("of-main")
        return [row]

    def render(self, snapshot: Snapshot, events: list[dict[str, Any]]) -> None:
        """Draw the snapshot: the ladder through deltas, panels only where their HTML changed."""
        marks = mark_columns(snapshot)
        levels = level_columns(snapshot)
        profile = profile_columns(snapshot)
        core = profile["price"] + [p for p in marks["price"] if not math.isnan(p)]
        window = price_window(core, levels["price"], tick_size(snapshot))
        if window is not None:
            self.window = window
            self.price_range.show(window)
        self.volume_range.show(volume_window([float(v) for v in profile["volume"]]))
        self.labels.update(_ladder_rows(snapshot, self.window))
        self.marks.update(marks)
        self.zones.update(ladder_zone_columns(zone_columns(snapshot)))
        self.profile.update(profile)
        self.signal_list = merge_signals(
            self.signal_list, [*as_list(snapshot.get("signals")), *signal_events(events)]
        )
        signal_rows, activity_rows = self.list_rows()
        self.signals.show(signals_html(self.signal_list, snapshot, signal_rows))
        self.pressure.show(pressure_html(snapshot))
        self.plan.show(plan_html(snapshot))
        self.position.show(position_html(snapshot))
        self.gate.show(gate_html(snapshot))
        self.activity_events = [
            *self.activity_events,
            *(e for e in events if e.get("kind") in ACTIVITY_KINDS),
        ][-ACTIVITY_KEEP:]
        self.activity.show(activity_html(self.activity_events, snapshot, activity_rows))

    def list_rows(self) -> tuple[int, int]:
        """Signal rows and activity lines that fit: the ladder's extra height (the browser reports
        it after fitting the ladder to the window) goes half to each list."""
        extra = max(0, (self.ladder_figure.frame_height or LADDER_FRAME_PX) - LADDER_FRAME_PX)
        return (
            SIGNAL_ROWS + extra // 2 // SIGNAL_ROW_PX,
            ACTIVITY_ROWS + extra // 2 // ACTIVITY_ROW_PX,
        )
