"""The F1 Command Center: context first (regime, value ladder, profile), order flow as the trigger.

Left: the regime traffic light and the pressure gauges. Centre: the value ladder beside the
session volume profile. Right: order-flow signals, the day's hypothesis, system status, the
gate and the fence control.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from orderflow_lib.ui.bokeh_live import LiveBokeh, LiveRange, LiveSource
from orderflow_lib.ui.charts import value_ladder
from orderflow_lib.ui.columns import (
    last_price_columns,
    level_columns,
    profile_columns,
    zone_columns,
)
from orderflow_lib.ui.panels_context import pressure_html, regime_html
from orderflow_lib.ui.panels_ops import (
    activity_html,
    gate_html,
    merge_signals,
    plan_html,
    signal_events,
    signals_html,
    status_html,
)
from orderflow_lib.ui.ranges import price_window
from orderflow_lib.ui.snapshot import Snapshot, as_list, tick_size
from orderflow_lib.ui.view_base import DashboardView
from orderflow_lib.ui.widgets import Deactivate, FenceControl, HtmlPanel

_EMPTY: Snapshot = {}


class CommandCenter(DashboardView):
    """The F1 Command Center view; feed it with `show_state` / `show_disconnected`."""

    name = "command-center"

    def __init__(self, node_url: str, deactivate: Deactivate, chart_height: int = 620) -> None:
        super().__init__(node_url)
        self.regime = HtmlPanel("Market regime", "regime")
        self.pressure = HtmlPanel("Pressure", "pressure")
        self.signals = HtmlPanel("Order-flow signals", "signals")
        self.hypothesis = HtmlPanel("Daily hypothesis", "hypothesis")
        self.status = HtmlPanel("System status", "status")
        self.gate = HtmlPanel("Gate", "gate", card=False)
        self.fence = FenceControl(deactivate)
        self.signal_list: list[dict[str, Any]] = []
        self.levels = LiveSource("name", level_columns(_EMPTY))
        self.last = LiveSource("name", last_price_columns(_EMPTY))
        self.zones = LiveSource("name", zone_columns(_EMPTY))
        self.profile = LiveSource("price", profile_columns({"profile": None}), name="profile")
        self.price_range = LiveRange()
        layout = value_ladder(
            self.levels,
            self.last,
            self.zones,
            self.profile,
            tick_size(_EMPTY),
            self.price_range.range,
            chart_height,
        )
        self.ladder = LiveBokeh(layout, "of-value-ladder-chart")
        self.charts = [self.ladder]

    def panels(self) -> list[w.Widget]:
        """Left context column, the ladder and profile in the centre, decisions on the right."""
        left = w.VBox([self.regime.widget, self.pressure.widget], layout=w.Layout(width="290px"))
        centre = w.Box([self.ladder.widget], layout=w.Layout(width="650px"))
        gate_box = w.VBox([self.gate.widget, self.fence.widget])
        gate_box.add_class("of-card")
        right = w.VBox(
            [self.signals.widget, self.hypothesis.widget, self.status.widget, gate_box],
            layout=w.Layout(flex="1 1 520px", min_width="420px"),
        )
        return [
            w.HBox([left, centre, right], layout=w.Layout(width="100%", align_items="flex-start"))
        ]

    def render(self, snapshot: Snapshot, events: list[dict[str, Any]]) -> None:
        """Draw the snapshot: charts through deltas, panels only where their HTML changed."""
        last = last_price_columns(snapshot)
        levels = level_columns(snapshot)
        profile = profile_columns(snapshot)
        self.last.update(last)
        self.levels.update(levels)
        self.zones.update(zone_columns(snapshot))
        self.profile.update(profile)
        self.price_range.show(
            price_window(profile["price"] + last["price"], levels["price"], tick_size(snapshot))
        )
        self.signal_list = merge_signals(
            self.signal_list, [*as_list(snapshot.get("signals")), *signal_events(events)]
        )
        self.signals.show(signals_html(self.signal_list))
        self.regime.show(regime_html(snapshot))
        self.pressure.show(pressure_html(snapshot))
        self.hypothesis.show(plan_html(snapshot))
        self.status.show(status_html(snapshot, node_connected=self.connected))
        activity = [e for e in self.events if e.get("kind") in ("order", "fill", "gate")]
        self.gate.show(gate_html(snapshot) + activity_html(activity))

    def show_disconnected(self, reason: str) -> None:
        """Banner plus a red node light in the status panel."""
        super().show_disconnected(reason)
        self.status.show(status_html(self.snapshot or {}, node_connected=False))
