"""Bokeh figures for both dashboards, each drawn from `LiveSource`s that the views keep current."""

from __future__ import annotations

from typing import Any

from bokeh.layouts import row
from bokeh.models import (
    DataRange1d,
    FixedTicker,
    HoverTool,
    LayoutDOM,
    LinearColorMapper,
    Range1d,
)
from bokeh.models.annotations import LabelSet
from bokeh.plotting import figure
from bokeh.transform import dodge

from orderflow_lib.ui.bokeh_live import LiveSource
from orderflow_lib.ui.columns import (
    CANDLE_WIDTH_MS,
    FOOTPRINT_WIDTH_MS,
    LADDER_GROUPS,
    LAST_COLOUR,
)

DIVERGING = (
    "#a50026",
    "#d73027",
    "#f46d43",
    "#fdae61",
    "#fee08b",
    "#f0f0f0",
    "#d9ef8b",
    "#a6d96a",
    "#66bd63",
    "#1a9850",
    "#006837",
)

_TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def _figure(**options: Any) -> figure:
    """A Bokeh figure (options passed through: bokeh's stubs do not list figure's keywords)."""
    return figure(**options)


def _quiet(fig: figure) -> None:
    fig.toolbar.logo = None
    fig.outline_line_color = None
    fig.min_border_left = 4
    fig.min_border_right = 4


def _time_figure(title: str, name: str, y_range: Range1d, height: int, width: int) -> figure:
    """A quiet datetime-axis figure: the setup shared by the candle and footprint charts."""
    fig = _figure(
        width=width,
        height=height,
        x_axis_type="datetime",
        y_range=y_range,
        tools=_TOOLS,
        title=title,
        name=name,
    )
    _quiet(fig)
    return fig


def value_ladder(
    levels: LiveSource,
    last: LiveSource,
    zones: LiveSource,
    profile: LiveSource,
    tick_size: float,
    y_range: Range1d,
    height: int = 600,
) -> LayoutDOM:
    """The value ladder (CVA, DVA, VWAP+bands, IB/ON, prior levels) beside the session profile."""
    ladder = _figure(
        width=300,
        height=height,
        y_range=y_range,
        x_range=Range1d(start=-0.5, end=len(LADDER_GROUPS) - 0.5),
        tools="",
        toolbar_location=None,
        title="value ladder",
        name="value-ladder",
    )
    _quiet(ladder)
    ladder.xaxis.ticker = FixedTicker(ticks=list(range(len(LADDER_GROUPS))))
    ladder.xaxis.major_label_overrides = {i: g for i, g in enumerate(LADDER_GROUPS)}
    ladder.xgrid.grid_line_color = None
    ladder.hspan(y="price", source=last.source, line_color=LAST_COLOUR, line_width=2)
    ladder.segment(
        x0=dodge("x", -0.45),
        x1=dodge("x", 0.45),
        y0="price",
        y1="price",
        source=levels.source,
        line_color="colour",
        line_dash="dash",
        line_width=2,
    )
    ladder.text(
        x=dodge("x", -0.45),
        y="price",
        text="label",
        source=levels.source,
        text_font_size="9px",
        text_baseline="bottom",
        text_color="colour",
    )
    ladder.add_layout(
        LabelSet(
            x=4,
            y="price",
            x_units="screen",
            text="label",
            source=last.source,
            text_font_size="11px",
            text_font_style="bold",
            text_baseline="top",
            background_fill_color="#ffffff",
            background_fill_alpha=0.85,
        )
    )
    prof = profile_figure(levels, last, zones, profile, tick_size, y_range, height=height)
    return row(ladder, prof, name="value-ladder-row")


def profile_figure(
    levels: LiveSource,
    last: LiveSource,
    zones: LiveSource,
    profile: LiveSource,
    tick_size: float,
    y_range: Range1d,
    height: int = 600,
    width: int = 330,
) -> figure:
    """The session volume profile with CVA/DVA/IB zones, reference lines and the last price."""
    fig = _figure(
        width=width,
        height=height,
        y_range=y_range,
        x_range=DataRange1d(start=0, range_padding=0.05),
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
        fill_color="#5b7fa6",
        line_color=None,
    )
    fig.hspan(
        y="price", source=levels.source, line_color="colour", line_dash="dash", line_alpha=0.45
    )
    fig.hspan(y="price", source=last.source, line_color=LAST_COLOUR, line_width=2)
    fig.add_tools(
        HoverTool(renderers=[bars], tooltips=[("price", "@price{0.00}"), ("volume", "@volume")])
    )
    fig.ygrid.grid_line_alpha = 0.3
    return fig


def candle_figure(
    candles: LiveSource,
    levels: LiveSource,
    last: LiveSource,
    y_range: Range1d,
    height: int = 420,
    width: int = 820,
) -> figure:
    """One-minute candles with VWAP and its bands, value-area lines and the last price."""
    fig = _time_figure(
        "1-minute candles · VWAP bands · value area", "candle-chart", y_range, height, width
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
    fig.hspan(y="price", source=levels.source, line_color="colour", line_dash="dash", line_width=1)
    fig.add_layout(
        LabelSet(
            x=4,
            y="price",
            x_units="screen",
            text="name",
            source=levels.source,
            text_font_size="9px",
            text_color="colour",
            text_baseline="bottom",
        )
    )
    fig.hspan(y="price", source=last.source, line_color=LAST_COLOUR, line_width=1.5)
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
    height: int = 520,
    width: int = 820,
) -> figure:
    """The footprint: per one-minute bar and price, "bid x ask" volume, shaded by delta."""
    fig = _time_figure(
        "footprint (bid x ask, shaded by delta) around the last price",
        "footprint-chart",
        y_range,
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
        line_color="#ffffff",
    )
    fig.text(
        x="time",
        y="price",
        text="text",
        source=cells.source,
        text_align="center",
        text_baseline="middle",
        text_font_size="9px",
    )
    return fig


def delta_mapper() -> LinearColorMapper:
    """Red (sellers) through grey to green (buyers); its range follows `colour_scale`."""
    return LinearColorMapper(palette=list(DIVERGING), low=-1.0, high=1.0)
