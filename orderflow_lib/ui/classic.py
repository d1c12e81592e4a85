"""The classic dashboard: time & sales, candles with VWAP bands and value area, footprint, profile, DOM."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from bokeh.layouts import column

from orderflow_lib.ui.bokeh_live import LiveBokeh, LiveRange, LiveSource
from orderflow_lib.ui.charts import (
    candle_figure,
    delta_mapper,
    footprint_figure,
    grow_with_window,
    profile_figure,
)
from orderflow_lib.ui.columns import (
    Columns,
    candle_columns,
    colour_scale,
    footprint_columns,
    last_price_columns,
    level_columns,
    mark_columns,
    profile_columns,
    zone_columns,
)
from orderflow_lib.ui.ladder import side_label_columns
from orderflow_lib.ui.nytime import NS_PER_MINUTE
from orderflow_lib.ui.panels_classic import dom_html, tape_html
from orderflow_lib.ui.ranges import follow_window, price_window, time_window, volume_window
from orderflow_lib.ui.snapshot import Snapshot, tick_size
from orderflow_lib.ui.view_base import DashboardView
from orderflow_lib.ui.widgets import HtmlPanel

_EMPTY: Snapshot = {}
BAR_MS = NS_PER_MINUTE / 1e6
FOOTPRINT_BARS = 10
CANDLE_HEIGHT = 330
FOOTPRINT_HEIGHT = 390
PROFILE_HEIGHT = 330
TAPE_ROWS = 30
"""Fewest trades the tape shows."""
MAX_TAPE_ROWS = 50
"""Most trades the tape shows (the node sends its last 50)."""
TAPE_ROW_PX = 19
TAPE_HEAD_PX = 60
"""A tape row's height, and the panel's title, column names and padding, in pixels."""
CHART_WIDTH_SHARE = 0.9
"""Share of a window's width beyond 1280 px that goes to the candles and the footprint (the rest
to the tape), so a wide screen shows wider bars and readable footprint cells."""
CANDLE_FRAME_PX = CANDLE_HEIGHT - 60
"""Approximate plotting height of the candle chart (title and time axis take the rest)."""
PROFILE_FRAME_PX = PROFILE_HEIGHT - 60
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


def candle_label_columns(
    snapshot: Snapshot, window: tuple[float, float] | None, frame_px: float
) -> Columns:
    """The candle chart's level labels and the last price, stacked at its left edge."""
    levels = candle_level_columns(snapshot)
    marks = mark_columns(snapshot)
    rows = {
        "name": [*levels["name"], *marks["name"][:1]],
        "price": [*levels["price"], *marks["price"][:1]],
        "label": [*levels["name"], *marks["label"][:1]],
        "colour": [*levels["colour"], *marks["colour"][:1]],
    }
    return side_label_columns(rows, window, frame_px)


def profile_label_columns(
    snapshot: Snapshot, window: tuple[float, float] | None, frame_px: float
) -> Columns:
    """The profile's labels: last price, entry, stop and targets, stacked at its left edge."""
    return side_label_columns(mark_columns(snapshot), window, frame_px)


class ClassicView(DashboardView):
    """The classic order-flow screen; feed it with `show_state` / `show_disconnected`."""

    name = "classic"

    def __init__(self, node_url: str, chart_width: int = 600) -> None:
        super().__init__(node_url)
        self.chart_width = chart_width
        self.tape = HtmlPanel("Time & sales", "tape")
        self.dom = HtmlPanel("Book", "dom")
        tick = tick_size(_EMPTY)
        self.candles = LiveSource("ts_ns", candle_columns(_EMPTY), name="candles")
        self.candle_labels = LiveSource("name", candle_label_columns(_EMPTY, None, CANDLE_FRAME_PX))
        self.levels = LiveSource("name", level_columns(_EMPTY))
        self.profile_labels = LiveSource(
            "name", profile_label_columns(_EMPTY, None, PROFILE_FRAME_PX)
        )
        self.zones = LiveSource("name", zone_columns(_EMPTY))
        self.profile = LiveSource("price", profile_columns({"profile": None}), name="profile")
        self.cells = LiveSource("key", footprint_columns(_EMPTY), name="footprint")
        self.mapper = delta_mapper()
        self.candle_range = LiveRange()
        self.candle_time = LiveRange()
        self.footprint_range = LiveRange()
        self.footprint_time = LiveRange()
        self.profile_range = LiveRange()
        self.volume_range = LiveRange()
        candles = candle_figure(
            self.candles,
            self.candle_labels,
            self.candle_range.range,
            self.candle_time.range,
            height=CANDLE_HEIGHT,
            width=chart_width,
        )
        footprint = footprint_figure(
            self.cells,
            self.mapper,
            tick,
            self.footprint_range.range,
            self.footprint_time.range,
            height=FOOTPRINT_HEIGHT,
            width=chart_width,
        )
        self.middle_figures = (candles, footprint)
        for chart in self.middle_figures:
            grow_with_window(chart, share=0.5)
            grow_with_window(chart, share=CHART_WIDTH_SHARE, prop="width")
        charts = column(candles, footprint, name="classic-charts")
        self.main_charts = LiveBokeh(charts, "of-classic-charts")
        profile = profile_figure(
            self.levels,
            self.profile_labels,
            self.zones,
            self.profile,
            tick,
            self.profile_range.range,
            self.volume_range.range,
            height=PROFILE_HEIGHT,
            width=320,
        )
        grow_with_window(profile)
        self.profile_chart = LiveBokeh(profile, "of-classic-profile")
        self.charts = [self.main_charts, self.profile_chart]

    def panels(self) -> list[w.Widget]:
        """Tape on the left, candles and footprint in the middle, profile and book on the right."""
        tape = w.Box([self.tape.widget], layout=w.Layout(flex="1 1 260px", min_width="250px"))
        middle = w.Box([self.main_charts.widget], layout=w.Layout(flex="0 0 auto"))
        middle.add_class("of-card")
        right = w.VBox(
            [self.profile_chart.widget, self.dom.widget],
            layout=w.Layout(flex="0 0 330px", grid_gap="4px"),
        )
        row = w.HBox([tape, middle, right], layout=w.Layout(width="100%", grid_gap="4px"))
        row.add_class("of-main")
        return [row]

    def tape_rows(self) -> int:
        """As many trades as the tape panel holds: it is as tall as the candles and the footprint,
        whose heights the browser reports after fitting them to the window."""
        height = sum(fig.height or 0 for fig in self.middle_figures)
        return max(TAPE_ROWS, min(MAX_TAPE_ROWS, (height - TAPE_HEAD_PX) // TAPE_ROW_PX))

    def render(self, snapshot: Snapshot, events: list[dict[str, Any]]) -> None:
        """Draw the snapshot: charts through deltas (ranges first), tape and book as HTML."""
        tick = tick_size(snapshot)
        last = last_price_columns(snapshot)
        self.tape.show(tape_html(snapshot, self.tape_rows()))
        self.dom.show(dom_html(snapshot))
        candles = candle_columns(snapshot)
        candle_levels = candle_level_columns(snapshot)
        self.candle_range.show(
            price_window(
                candles["low"] + candles["high"] + last["price"], candle_levels["price"], tick
            )
        )
        self.candle_time.show(time_window(candles["time"], BAR_MS))
        self.candles.update(candles)
        self.candle_labels.update(
            candle_label_columns(snapshot, self._shown(self.candle_range), CANDLE_FRAME_PX)
        )
        levels = level_columns(snapshot)
        profile = profile_columns(snapshot)
        self.profile_range.show(
            price_window(profile["price"] + last["price"], levels["price"], tick)
        )
        self.volume_range.show(volume_window([float(v) for v in profile["volume"]]))
        self.levels.update(levels)
        self.zones.update(zone_columns(snapshot))
        self.profile.update(profile)
        self.profile_labels.update(
            profile_label_columns(snapshot, self._shown(self.profile_range), PROFILE_FRAME_PX)
        )
        cells = footprint_columns(snapshot)
        bound = colour_scale(cells["delta"])
        if self.mapper.high != bound:
            self.mapper.update(low=-bound, high=bound)
        start, end = self.footprint_range.window
        self.footprint_range.show(follow_window(start, end, last["price"][0], tick, half_ticks=12))
        self.footprint_time.show(
            time_window(cells["time"], BAR_MS, ahead_bars=1.0, min_bars=FOOTPRINT_BARS)
        )
        self.cells.update(cells)

    @staticmethod
    def _shown(price_range: LiveRange) -> tuple[float, float] | None:
        """The range's window once it has been set from data (None before)."""
        return None if price_range.window == (0.0, 1.0) else price_range.window
