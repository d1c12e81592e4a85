"""The classic dashboard: time & sales, candles with VWAP bands and value area, footprint, profile, DOM."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from bokeh.layouts import column

from orderflow_lib.ui.bokeh_live import LiveBokeh, LiveRange, LiveSource
from orderflow_lib.ui.charts import candle_figure, delta_mapper, footprint_figure, profile_figure
from orderflow_lib.ui.columns import (
    candle_columns,
    colour_scale,
    footprint_columns,
    last_price_columns,
    level_columns,
    profile_columns,
    zone_columns,
)
from orderflow_lib.ui.panels_classic import dom_html, tape_html
from orderflow_lib.ui.ranges import follow_window, price_window
from orderflow_lib.ui.snapshot import Snapshot, tick_size
from orderflow_lib.ui.view_base import DashboardView
from orderflow_lib.ui.widgets import HtmlPanel

_EMPTY: Snapshot = {}
CANDLE_LEVELS = ("CVA VAH", "CVA VAL", "DVA VAH", "DVA POC", "DVA VAL", "VWAP")


def candle_level_columns(snapshot: Snapshot) -> dict[str, list[Any]]:
    """The levels drawn across the candle chart: VWAP with its bands and the value-area edges."""
    levels = level_columns(snapshot)
    keep = [
        i
        for i, name in enumerate(levels["name"])
        if name in CANDLE_LEVELS or name.startswith("VWAP ")
    ]
    return {key: [values[i] for i in keep] for key, values in levels.items()}


class ClassicView(DashboardView):
    """The classic order-flow screen; feed it with `show_state` / `show_disconnected`."""

    name = "classic"

    def __init__(self, node_url: str, chart_width: int = 820) -> None:
        super().__init__(node_url)
        self.chart_width = chart_width
        self.tape = HtmlPanel("Time & sales", "tape")
        self.dom = HtmlPanel("DOM", "dom")
        tick = tick_size(_EMPTY)
        self.candles = LiveSource("ts_ns", candle_columns(_EMPTY), name="candles")
        self.candle_levels = LiveSource("name", candle_level_columns(_EMPTY))
        self.levels = LiveSource("name", level_columns(_EMPTY))
        self.last = LiveSource("name", last_price_columns(_EMPTY))
        # A Bokeh model belongs to one document, so each chart widget has its own last-price source.
        self.profile_last = LiveSource("name", last_price_columns(_EMPTY))
        self.zones = LiveSource("name", zone_columns(_EMPTY))
        self.profile = LiveSource("price", profile_columns({"profile": None}), name="profile")
        self.cells = LiveSource("key", footprint_columns(_EMPTY), name="footprint")
        self.mapper = delta_mapper()
        self.candle_range = LiveRange()
        self.footprint_range = LiveRange()
        self.profile_range = LiveRange()
        charts = column(
            candle_figure(
                self.candles,
                self.candle_levels,
                self.last,
                self.candle_range.range,
                width=chart_width,
            ),
            footprint_figure(
                self.cells, self.mapper, tick, self.footprint_range.range, width=chart_width
            ),
            name="classic-charts",
        )
        self.main_charts = LiveBokeh(charts, "of-classic-charts")
        profile = profile_figure(
            self.levels,
            self.profile_last,
            self.zones,
            self.profile,
            tick,
            self.profile_range.range,
            height=520,
            width=300,
        )
        self.profile_chart = LiveBokeh(profile, "of-classic-profile")
        self.charts = [self.main_charts, self.profile_chart]

    def panels(self) -> list[w.Widget]:
        """Tape on the left, candles and footprint in the middle, profile and DOM on the right."""
        tape = w.Box([self.tape.widget], layout=w.Layout(width="330px"))
        middle = w.Box(
            [self.main_charts.widget], layout=w.Layout(width=f"{self.chart_width + 20}px")
        )
        right = w.VBox([self.profile_chart.widget, self.dom.widget], layout=w.Layout(width="320px"))
        return [
            w.HBox([tape, middle, right], layout=w.Layout(width="100%", align_items="flex-start"))
        ]

    def render(self, snapshot: Snapshot, events: list[dict[str, Any]]) -> None:
        """Draw the snapshot: charts through deltas, tape and DOM as HTML."""
        tick = tick_size(snapshot)
        last = last_price_columns(snapshot)
        self.last.update(last)
        self.profile_last.update(last)
        self.tape.show(tape_html(snapshot))
        self.dom.show(dom_html(snapshot))
        candles = candle_columns(snapshot)
        candle_levels = candle_level_columns(snapshot)
        self.candles.update(candles)
        self.candle_levels.update(candle_levels)
        self.candle_range.show(
            price_window(
                candles["low"] + candles["high"] + last["price"], candle_levels["price"], tick
            )
        )
        levels = level_columns(snapshot)
        profile = profile_columns(snapshot)
        self.levels.update(levels)
        self.zones.update(zone_columns(snapshot))
        self.profile.update(profile)
        self.profile_range.show(
            price_window(profile["price"] + last["price"], levels["price"], tick)
        )
        cells = footprint_columns(snapshot)
        self.cells.update(cells)
        bound = colour_scale(cells["delta"])
        if self.mapper.high != bound:
            self.mapper.update(low=-bound, high=bound)
        start, end = self.footprint_range.window
        self.footprint_range.show(follow_window(start, end, last["price"][0], tick))
