"""Bokeh figures for both dashboards, each drawn from `LiveSource`s that the views keep current."""

from __future__ import annotations

from typing import Any

from bokeh.models import (
    CustomJS,
    FixedTicker,
    HoverTool,
    LinearColorMapper,
    Range1d,
)
from bokeh.models.annotations import Title
from bokeh.models.annotations.html.labels import HTMLLabelSet
from bokeh.plotting import figure

from orderflow_lib.ui.bokeh_live import LiveSource
from orderflow_lib.ui.columns import (
    CANDLE_WIDTH_MS,
    FOOTPRINT_WIDTH_MS,
    LADDER_GROUPS,
)
from orderflow_lib.ui.ladder import EDGES_PX, column_centres

DIVERGING = (
    "#a50026",
    "#d73027",
    "#f46d43",
    "#fdae61",
    "#fee08b",
    "#6e7681",
    "#d9ef8b",
    "#a6d96a",
    "#66bd63",
    "#1a9850",
    "#006837",
)

_TOOLS = "pan,wheel_zoom,box_zoom,reset,save"

BACKGROUND = "#0d1117"
AXIS_COLOUR = "#8b949e"
GRID_COLOUR = "#21262d"
LABEL_FONT = "11px"


def _figure(**options: Any) -> figure:
    """A Bokeh figure (options passed through: bokeh's stubs do not list figure's keywords)."""
    return figure(**options)


def _html_labels(**options: Any) -> HTMLLabelSet:
    """Labels drawn as HTML (crisp, and each one a DOM element that browser tests can measure)."""
    return HTMLLabelSet(**options)


def _quiet(fig: figure) -> None:
    """Dark trading-screen styling: no logo, no outline, muted axes and grid."""
    fig.toolbar.logo = None
    fig.outline_line_color = None
    fig.min_border_left = 4
    fig.min_border_right = 4
    fig.min_border_top = 4
    fig.background_fill_color = BACKGROUND
    fig.border_fill_color = BACKGROUND
    for axis in fig.axis:
        axis.axis_line_color = GRID_COLOUR
        axis.major_tick_line_color = GRID_COLOUR
        axis.minor_tick_line_color = None
        axis.major_label_text_color = AXIS_COLOUR
        axis.major_label_text_font_size = "11px"
    for grid in fig.grid:
        grid.grid_line_color = GRID_COLOUR
    if isinstance(fig.title, Title):
        fig.title.text_color = AXIS_COLOUR
        fig.title.text_font_size = "12px"


def _time_figure(
    title: str, name: str, y_range: Range1d, x_range: Range1d, height: int, width: int
) -> figure:
    """A quiet datetime-axis figure: the setup shared by the candle and footprint charts."""
    fig = _figure(
        width=width,
        height=height,
        x_axis_type="datetime",
        x_range=x_range,
        y_range=y_range,
        tools=_TOOLS,
        title=title,
        name=name,
    )
    _quiet(fig)
    return fig


def _side_labels(fig: figure, labels: LiveSource) -> None:
    """Price lines with their labels stacked at the left edge (ladder.side_label_columns)."""
    fig.hspan(
        y="price", source=labels.source, line_color="colour", line_width=1.5, line_dash="dashed"
    )
    fig.add_layout(
        _html_labels(
            x=4,
            y="label_y",
            x_units="screen",
            text="text",
            source=labels.source,
            text_font_size=LABEL_FONT,
            text_font_style="bold",
            text_color="colour",
            text_align="left",
            text_baseline="middle",
            background_fill_color=BACKGROUND,
            background_fill_alpha=0.85,
            name="side-labels",
        )
    )


DESIGN_WINDOW_PX = {"width": 1280, "height": 800}
"""Window size the dashboards are laid out for (1280x800 without scrolling)."""
_GROW_WITH_WINDOW = """
const fit = () => {
  const room = axis === 'width' ? window.innerWidth : window.innerHeight;
  const want = Math.round(base + share * Math.max(0, room - design));
  if (fig[prop] !== want) fig[prop] = want;
};
const key = '__of_fits_' + prop;
if (!fig[key]) {
  fig[key] = true;
  window.addEventListener('resize', fit);
}
fit();
"""


def grow_with_window(fig: figure, share: float = 1.0, prop: str = "height") -> None:
    """Let `fig` grow in the browser by `share` of the window's size beyond DESIGN_WINDOW_PX
    (and shrink back when the window does): a bigger screen gets bigger charts, not empty space.
    `prop` is the size to change: "height", "width", or "frame_height" for a fixed frame."""
    axis = "width" if prop.endswith("width") else "height"
    fig.js_on_change(
        "inner_height",
        CustomJS(
            args={
                "fig": fig,
                "base": getattr(fig, prop),
                "share": share,
                "design": DESIGN_WINDOW_PX[axis],
                "axis": axis,
                "prop": prop,
            },
            code=_GROW_WITH_WINDOW,
        ),
    )


def value_ladder(
    labels: LiveSource,
    marks: LiveSource,
    zones: LiveSource,
    profile: LiveSource,
    tick_size: float,
    y_range: Range1d,
    volume_range: Range1d,
    frame_height: int,
) -> figure:
    """The value ladder: a column each for CVA, DVA, VWAP, IB/ON, the prior day and the trade,
    over the session volume profile; labels come placed by ladder.py, so none overlap or get lost."""
    ladder = _figure(
        frame_width=EDGES_PX[-1],
        frame_height=frame_height,
        y_range=y_range,
        x_range=Range1d(start=0, end=EDGES_PX[-1]),
        x_axis_location="above",
        tools="",
        toolbar_location=None,
        name="value-ladder",
    )
    _quiet(ladder)
    ladder.extra_x_ranges = {"volume": volume_range}
    centres = column_centres()
    ladder.xaxis.ticker = FixedTicker(ticks=centres)
    ladder.xaxis.major_label_overrides = dict(zip(centres, LADDER_GROUPS, strict=True))
    ladder.xaxis.major_label_text_font_size = LABEL_FONT
    ladder.xaxis.major_label_text_font_style = "bold"
    ladder.xgrid.grid_line_color = None
    ladder.ygrid.grid_line_alpha = 0.4
    ladder.hbar(
        y="price",
        left=0,
        right="volume",
        height=tick_size * 0.9,
        source=profile.source,
        x_range_name="volume",
        fill_color="#2f81f7",
        fill_alpha=0.22,
        line_color=None,
    )
    ladder.quad(
        left="left",
        right="right",
        bottom="low",
        top="high",
        source=zones.source,
        fill_color="colour",
        fill_alpha="alpha",
        line_color=None,
    )
    ladder.vspan(x=list(EDGES_PX[1:-1]), line_color=GRID_COLOUR)
    ladder.hspan(
        y="price",
        source=marks.source,
        line_color="colour",
        line_width=1,
        line_alpha=0.55,
        line_dash="dashed",
    )
    ladder.segment(
        x0="tick_x0",
        x1="tick_x1",
        y0="price",
        y1="price",
        source=labels.source,
        line_color="colour",
        line_width=3,
    )
    ladder.segment(
        x0="tick_x1",
        x1="label_x",
        y0="price",
        y1="label_y",
        source=labels.source,
        line_color="colour",
        line_width=1,
        line_alpha=0.6,
    )
    ladder.add_layout(
        _html_labels(
            x="label_x",
            y="label_y",
            text="text",
            source=labels.source,
            text_font_size=LABEL_FONT,
            text_color="colour",
            text_align="left",
            text_baseline="middle",
            name="ladder-label-set",
        )
    )
    grow_with_window(ladder, prop="frame_height")
    return ladder


def profile_figure(
    levels: LiveSource,
    side: LiveSource,
    zones: LiveSource,
    profile: LiveSource,
    tick_size: float,
    y_range: Range1d,
    x_range: Range1d,
    height: int = 600,
    width: int = 330,
) -> figure:
    """The session volume profile with CVA/DVA/IB zones, reference lines and the last price."""
    fig = _figure(
        width=width,
        height=height,
        y_range=y_range,
        x_range=x_range,
        tools=_TOOLS,
        title="session volume profile",
        name="volume-profile",
    )
    _quiet(fig)
    fig.hstrip(
        y0="low",
        y1="high",
        source=zones.source,
        fill_color="colour",
        fill_alpha="alpha",
        line_color=None,
    )
    bars = fig.hbar(
        y="price",
        right="volume",
        height=tick_size * 0.9,
        source=profile.source,
        fill_color="#3b6ea5",
        line_color=None,
    )
    fig.hspan(
        y="price", source=levels.source, line_color="colour", line_dash="dash", line_alpha=0.45
    )
    _side_labels(fig, side)
    fig.add_tools(
        HoverTool(renderers=[bars], tooltips=[("price", "@price{0.00}"), ("volume", "@volume")])
    )
    return fig


def candle_figure(
    candles: LiveSource,
    labels: LiveSource,
    y_range: Range1d,
    x_range: Range1d,
    height: int = 420,
    width: int = 820,
) -> figure:
    """One-minute candles with VWAP and its bands, value-area lines and the last price."""
    fig = _time_figure(
        "1-minute candles · VWAP bands · value area",
        "candle-chart",
        y_range,
        x_range,
        height,
        width,
    )
    fig.segment(
        x0="time", x1="time", y0="low", y1="high", source=candles.source, line_color="colour"
    )
    bodies = fig.vbar(
        x="time",
        width=CANDLE_WIDTH_MS,
        bottom="body_low",
        top="body_high",
        source=candles.source,
        fill_color="colour",
        line_color="colour",
    )
    _side_labels(fig, labels)
    fig.add_tools(
        HoverTool(
            renderers=[bodies],
            tooltips=[
                ("time", "@time{%H:%M}"),
                ("o/h/l/c", "@open{0.00} @high{0.00} @low{0.00} @close{0.00}"),
                ("volume", "@volume"),
                ("delta", "@delta"),
            ],
            formatters={"@time": "datetime"},
        )
    )
    return fig


def footprint_figure(
    cells: LiveSource,
    mapper: LinearColorMapper,
    tick_size: float,
    y_range: Range1d,
    x_range: Range1d,
    height: int = 520,
    width: int = 820,
) -> figure:
    """The footprint: per one-minute bar and price, "bid x ask" volume, shaded by delta."""
    fig = _time_figure(
        "footprint (bid x ask, shaded by delta) around the last price",
        "footprint-chart",
        y_range,
        x_range,
        height,
        width,
    )
    fig.rect(
        x="time",
        y="price",
        width=FOOTPRINT_WIDTH_MS,
        height=tick_size * 0.96,
        source=cells.source,
        fill_color={"field": "delta", "transform": mapper},
        line_color=BACKGROUND,
    )
    fig.text(
        x="time",
        y="price",
        text="text",
        source=cells.source,
        text_align="center",
        text_baseline="middle",
        text_font_size="10px",
        text_color="#0d1117",
    )
    return fig


def delta_mapper() -> LinearColorMapper:
    """Red (sellers) through grey to green (buyers); its range follows `colour_scale`."""
    return LinearColorMapper(palette=list(DIVERGING), low=-1.0, high=1.0)
