"""Bokeh charts for the analyst notebooks: stored days, value migration, stacked levels, plan
levels, hit rates, signal locations and forward returns, and an equity curve.

Each chart takes the DataFrame a research function returns and gives back a Bokeh figure (show it
with `bokeh.plotting.show`); the column dicts are built by small pure functions, so the charts are
tested without a browser. `setup_notebook` loads BokehJS inline (no CDN, and the executed notebook
and its HTML copy stay self-contained).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from bokeh.io import output_notebook
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, Range1d
from bokeh.models.annotations import Label, Span
from bokeh.plotting import figure
from bokeh.resources import Resources

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
RELATION_COLOURS = {
    "HIGHER": "#2ca02c",
    "OVERLAP_HIGHER": "#98df8a",
    "LOWER": "#d62728",
    "OVERLAP_LOWER": "#ff9896",
    "INSIDE": "#1f77b4",
    "OUTSIDE": "#9467bd",
    "UNCHANGED": "#7f7f7f",
}
LOCATION_COLOURS = {
    "ABOVE_VALUE": "#2ca02c",
    "IN_VALUE": "#1f77b4",
    "BELOW_VALUE": "#d62728",
    "NO_VALUE": "#c7c7c7",
}
WIDTH = 900
HEIGHT = 320


def _figure(**options: Any) -> Any:
    """A Bokeh figure (one place for the options every notebook chart shares)."""
    return figure(toolbar_location="right", **options)


def setup_notebook() -> None:
    """Load BokehJS (core and widgets) inline into the notebook, without the banner."""
    output_notebook(
        resources=Resources(mode="inline", components=["bokeh", "bokeh-widgets"]), hide_banner=True
    )


def _day_labels(values: pd.Series) -> list[str]:
    return [pd.Timestamp(v).date().isoformat() for v in values]


def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=float)]


def value_area_columns(frame: pd.DataFrame, val: str, poc: str, vah: str) -> dict[str, Any]:
    """Columns for daily value-area bars: day label, VAL, POC, VAH (rows without a VA dropped)."""
    known = frame.dropna(subset=[val, poc, vah])
    return {
        "day": _day_labels(known["trade_date"]),
        "val": _floats(known[val]),
        "poc": _floats(known[poc]),
        "vah": _floats(known[vah]),
    }


def volume_by_day_figure(days: pd.DataFrame, title: str = "Volume stored per trade date") -> Any:
    """Stacked RTH and overnight volume per trade date (an import's `days` table)."""
    data: dict[str, Any] = {
        "day": _day_labels(days["trade_date"]),
        "rth": [int(v) for v in days["rth_volume"]],
        "eth": [int(v) for v in days["eth_volume"]],
    }
    fig = _figure(
        x_range=FactorRange(*data["day"]),
        width=WIDTH,
        height=HEIGHT,
        title=title,
    )
    fig.vbar_stack(
        ["rth", "eth"],
        x="day",
        width=0.7,
        color=[PALETTE[0], PALETTE[7]],
        source=ColumnDataSource(data),
        legend_label=["RTH", "overnight"],
    )
    fig.xaxis.major_label_orientation = 0.8
    fig.yaxis.axis_label = "contracts"
    fig.legend.location = "top_left"
    return fig


def value_areas_figure(
    frame: pd.DataFrame,
    *,
    val: str = "val",
    poc: str = "poc",
    vah: str = "vah",
    title: str = "RTH value area per trade date",
) -> Any:
    """Each day's value area as a bar from VAL to VAH with its POC marked."""
    data = value_area_columns(frame, val, poc, vah)
    fig = _figure(x_range=FactorRange(*data["day"]), width=WIDTH, height=HEIGHT, title=title)
    source = ColumnDataSource(data)
    fig.vbar(
        x="day", bottom="val", top="vah", width=0.5, color=PALETTE[0], alpha=0.5, source=source
    )
    fig.scatter(x="day", y="poc", size=9, marker="dash", color="black", source=source)
    fig.add_tools(
        HoverTool(tooltips=[("day", "@day"), ("VAH", "@vah"), ("POC", "@poc"), ("VAL", "@val")])
    )
    fig.xaxis.major_label_orientation = 0.8
    fig.yaxis.axis_label = "price"
    return fig


def migration_columns(migration: pd.DataFrame) -> dict[str, Any]:
    """Columns for the migration chart: day, DVA and CVA edges and POCs, relation and colour."""
    return {
        "day": _day_labels(migration["trade_date"]),
        "dva_val": _floats(migration["dva_val"]),
        "dva_poc": _floats(migration["dva_poc"]),
        "dva_vah": _floats(migration["dva_vah"]),
        "cva_val": _floats(migration["cva_val"]),
        "cva_poc": _floats(migration["cva_poc"]),
        "cva_vah": _floats(migration["cva_vah"]),
        "relation": [str(r) for r in migration["relation"]],
        "colour": [RELATION_COLOURS.get(str(r), PALETTE[7]) for r in migration["relation"]],
        "character": [str(c) for c in migration["character"]],
    }


def value_migration_figure(
    migration: pd.DataFrame, title: str = "Value migration: DVA vs CVA"
) -> Any:
    """Each session's value area (coloured by its relationship) over the composite that served it."""
    data = migration_columns(migration)
    source = ColumnDataSource(data)
    fig = _figure(x_range=FactorRange(*data["day"]), width=WIDTH, height=HEIGHT + 80, title=title)
    fig.vbar(
        x="day",
        bottom="cva_val",
        top="cva_vah",
        width=0.9,
        color=PALETTE[7],
        alpha=0.25,
        legend_label="CVA",
        source=source,
    )
    fig.vbar(
        x="day",
        bottom="dva_val",
        top="dva_vah",
        width=0.4,
        color="colour",
        alpha=0.8,
        source=source,
    )
    fig.scatter(x="day", y="cva_poc", marker="dash", size=22, color=PALETTE[7], source=source)
    fig.scatter(x="day", y="dva_poc", marker="circle", size=6, color="black", source=source)
    fig.add_tools(
        HoverTool(
            tooltips=[
                ("day", "@day"),
                ("relation", "@relation"),
                ("character", "@character"),
                ("DVA", "@dva_val – @dva_vah (POC @dva_poc)"),
                ("CVA", "@cva_val – @cva_vah (POC @cva_poc)"),
            ]
        )
    )
    fig.xaxis.major_label_orientation = 0.8
    fig.yaxis.axis_label = "price"
    fig.legend.location = "top_left"
    return fig


def stacked_levels_figure(stacked: pd.DataFrame, title: str = "Stacked archive levels") -> Any:
    """Each stacked level as a horizontal bar at its price, as long as its strength."""
    data: dict[str, Any] = {
        "price": _floats(stacked["price"]),
        "strength": _floats(stacked["strength"]),
        "types": [str(t) for t in stacked["types"]],
        "sessions": [int(n) for n in stacked["distinct_sessions"]],
    }
    fig = _figure(
        width=WIDTH // 2, height=HEIGHT + 80, title=title, x_range=Range1d(start=0, end=1.05)
    )
    fig.hbar(
        y="price",
        left=0,
        right="strength",
        height=0.5,
        color=PALETTE[4],
        source=ColumnDataSource(data),
    )
    fig.add_tools(
        HoverTool(tooltips=[("price", "@price"), ("types", "@types"), ("sessions", "@sessions")])
    )
    fig.xaxis.axis_label = "strength"
    fig.yaxis.axis_label = "price"
    return fig


def level_columns(levels: pd.DataFrame) -> dict[str, Any]:
    """Columns for the plan levels chart: name, price, group and colour per level."""
    groups = sorted({str(g) for g in levels["group"]})
    colour = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    return {
        "name": [str(n) for n in levels["name"]],
        "price": _floats(levels["price"]),
        "group": [str(g) for g in levels["group"]],
        "colour": [colour[str(g)] for g in levels["group"]],
    }


def plan_levels_figure(
    levels: pd.DataFrame, *, line_in_sand: float | None = None, title: str = "Key levels"
) -> Any:
    """The plan's key levels as labelled horizontal lines (line in the sand dashed, if given)."""
    data = level_columns(levels)
    fig = _figure(
        width=WIDTH // 2 + 100, height=HEIGHT * 2, title=title, x_range=Range1d(start=0, end=1)
    )
    source = ColumnDataSource(data)
    fig.segment(x0=0, x1=0.55, y0="price", y1="price", color="colour", line_width=2, source=source)
    fig.text(
        x=0.57, y="price", text="name", text_font_size="9pt", text_baseline="middle", source=source
    )
    if line_in_sand is not None:
        fig.add_layout(
            Span(location=line_in_sand, dimension="width", line_dash="dashed", line_color="black")
        )
        fig.add_layout(Label(x=0.01, y=line_in_sand, text="line in the sand", text_font_size="8pt"))
    fig.xaxis.visible = False
    fig.yaxis.axis_label = "price"
    fig.add_tools(
        HoverTool(tooltips=[("level", "@name"), ("price", "@price"), ("group", "@group")])
    )
    return fig


def rate_columns(table: pd.DataFrame, rate: str, count: str) -> dict[str, Any]:
    """Columns for a rate chart: category (the index), rate in [0, 1] and its count."""
    return {
        "category": [str(i) for i in table.index],
        "rate": [0.0 if pd.isna(v) else float(v) for v in table[rate]],
        "count": [int(n) for n in table[count]],
    }


def hit_rate_figure(
    table: pd.DataFrame,
    *,
    rate: str = "hit_rate",
    count: str = "triggered",
    title: str = "Hit rate",
) -> Any:
    """Hit rate per category (the table's index) with the number of cases on hover."""
    data = rate_columns(table, rate, count)
    fig = _figure(
        x_range=FactorRange(*data["category"]) if data["category"] else FactorRange(),
        y_range=Range1d(start=0, end=1),
        width=WIDTH // 2,
        height=HEIGHT,
        title=title,
    )
    fig.vbar(x="category", top="rate", width=0.7, color=PALETTE[2], source=ColumnDataSource(data))
    fig.add_tools(
        HoverTool(tooltips=[("", "@category"), ("rate", "@rate{0.00}"), ("cases", "@count")])
    )
    fig.xaxis.major_label_orientation = 0.8
    return fig


def rate_over_time_figure(
    series: pd.DataFrame,
    *,
    date: str = "trade_date",
    rate: str = "hit_rate",
    title: str = "Hit rate over time",
) -> Any:
    """A rate (e.g. the cumulative hit rate) against the trade date."""
    data: dict[str, Any] = {
        "day": pd.to_datetime(series[date]).tolist(),
        "rate": _floats(series[rate]),
    }
    fig = _figure(
        x_axis_type="datetime",
        y_range=Range1d(start=0, end=1),
        width=WIDTH,
        height=HEIGHT,
        title=title,
    )
    source = ColumnDataSource(data)
    fig.line(x="day", y="rate", line_width=2, color=PALETTE[0], source=source)
    fig.scatter(x="day", y="rate", size=5, color=PALETTE[0], source=source)
    return fig


def location_columns(crosstab: pd.DataFrame) -> dict[str, Any]:
    """Columns for the signal-location chart: kind plus one count column per location."""
    data: dict[str, Any] = {"kind": [str(k) for k in crosstab.index]}
    for location in LOCATION_COLOURS:
        column = crosstab[location] if location in crosstab.columns else [0] * len(crosstab)
        data[location] = [int(v) for v in column]
    return data


def signal_location_figure(
    crosstab: pd.DataFrame, title: str = "Where signals fired relative to value"
) -> Any:
    """Stacked counts per signal kind: above, inside and below the developing value area."""
    data = location_columns(crosstab)
    locations = list(LOCATION_COLOURS)
    fig = _figure(
        y_range=FactorRange(*data["kind"]) if data["kind"] else FactorRange(),
        width=WIDTH,
        height=max(HEIGHT, 24 * len(data["kind"]) + 80),
        title=title,
    )
    fig.hbar_stack(
        locations,
        y="kind",
        height=0.7,
        color=[LOCATION_COLOURS[x] for x in locations],
        source=ColumnDataSource(data),
        legend_label=locations,
    )
    fig.legend.location = "bottom_right"
    fig.xaxis.axis_label = "signals"
    return fig


def forward_return_columns(by_kind: pd.DataFrame, horizons_min: Sequence[int]) -> dict[str, Any]:
    """Columns for the forward-return chart: (kind, horizon) factors and mean signed return."""
    factors: list[tuple[str, str]] = []
    means: list[float] = []
    for kind, row in by_kind.iterrows():
        for minutes in horizons_min:
            factors.append((str(kind), f"{minutes}m"))
            value = row[f"mean_fwd_{minutes}m"]
            means.append(0.0 if pd.isna(value) else float(value))
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(horizons_min))]
    return {
        "factor": factors,
        "mean": means,
        "colour": [colours[i % len(horizons_min)] for i in range(len(factors))],
    }


def forward_returns_figure(
    by_kind: pd.DataFrame,
    horizons_min: Sequence[int],
    title: str = "Mean forward return (ticks, signed)",
) -> Any:
    """Mean signed forward return per signal kind and horizon."""
    data = forward_return_columns(by_kind, horizons_min)
    fig = _figure(
        x_range=FactorRange(*data["factor"]) if data["factor"] else FactorRange(),
        width=WIDTH + 200,
        height=HEIGHT + 60,
        title=title,
    )
    fig.vbar(x="factor", top="mean", width=0.8, color="colour", source=ColumnDataSource(data))
    fig.xaxis.major_label_orientation = 1.2
    fig.yaxis.axis_label = "ticks"
    return fig


def equity_curve_figure(
    daily: pd.DataFrame,
    *,
    date: str = "trade_date",
    pnl: str = "pnl",
    title: str = "Cumulative P&L",
) -> Any:
    """Cumulative P&L over the trade dates of a daily P&L table."""
    data: dict[str, Any] = {
        "day": pd.to_datetime(daily[date]).tolist(),
        "equity": _floats(np.cumsum(np.asarray(daily[pnl], dtype=float))),
    }
    fig = _figure(x_axis_type="datetime", width=WIDTH, height=HEIGHT, title=title)
    fig.step(
        x="day",
        y="equity",
        mode="after",
        line_width=2,
        color=PALETTE[0],
        source=ColumnDataSource(data),
    )
    fig.yaxis.axis_label = pnl
    return fig
