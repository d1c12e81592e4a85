"""The notebooks' Bokeh charts: pure column builders and figures built from research tables,
serialised without a browser."""

from __future__ import annotations

from datetime import date

import pandas as pd
from bokeh.embed import json_item
from bokeh.models import ColumnDataSource

from orderflow_lib.ui.notebook_plots import (
    equity_curve_figure,
    forward_return_columns,
    forward_returns_figure,
    hit_rate_figure,
    level_columns,
    location_columns,
    migration_columns,
    plan_levels_figure,
    rate_columns,
    rate_over_time_figure,
    signal_location_figure,
    stacked_levels_figure,
    value_area_columns,
    value_areas_figure,
    value_migration_figure,
    volume_by_day_figure,
)

D1, D2 = date(2024, 5, 20), date(2024, 5, 21)


def sources(fig: object) -> list[dict[str, list[object]]]:
    return [
        dict(r.data_source.data)
        for r in fig.renderers  # type: ignore[attr-defined]
        if isinstance(r.data_source, ColumnDataSource)
    ]


def test_value_area_columns_when_a_day_has_no_value_then_dropped() -> None:
    days = pd.DataFrame(
        {"trade_date": [D1, D2], "val": [1.0, float("nan")], "poc": [2.0, 1.0], "vah": [3.0, 1.0]}
    )

    assert value_area_columns(days, "val", "poc", "vah") == {
        "day": ["2024-05-20"],
        "val": [1.0],
        "poc": [2.0],
        "vah": [3.0],
    }


def test_import_charts_when_days_table_then_one_factor_per_day() -> None:
    days = pd.DataFrame(
        {
            "trade_date": [D1, D2],
            "rth_volume": [10, 20],
            "eth_volume": [1, 2],
            "val": [1.0, 2.0],
            "poc": [1.5, 2.5],
            "vah": [2.0, 3.0],
        }
    )

    volume = volume_by_day_figure(days)
    values = value_areas_figure(days)

    assert list(volume.x_range.factors) == ["2024-05-20", "2024-05-21"]
    assert sources(volume)[0]["rth"] == [10, 20]
    assert sources(values)[0]["vah"] == [2.0, 3.0]
    json_item(volume)
    json_item(values)


def test_migration_chart_when_relations_then_coloured_by_relation() -> None:
    migration = pd.DataFrame(
        {
            "trade_date": [D1],
            "dva_val": [1.0],
            "dva_poc": [2.0],
            "dva_vah": [3.0],
            "cva_val": [0.0],
            "cva_poc": [1.0],
            "cva_vah": [2.0],
            "relation": ["OVERLAP_HIGHER"],
            "character": ["SIDEWAYS"],
        }
    )

    columns = migration_columns(migration)

    assert columns["colour"] == ["#98df8a"] and columns["day"] == ["2024-05-20"]
    json_item(value_migration_figure(migration))


def test_level_and_stack_charts_when_levels_then_groups_share_colours() -> None:
    levels = pd.DataFrame(
        {"name": ["a", "b", "c"], "price": [3.0, 2.0, 1.0], "group": ["cva", "on", "cva"]}
    )
    stacked = pd.DataFrame(
        {"price": [1.0], "strength": [0.5], "types": ["POC"], "distinct_sessions": [5]}
    )

    columns = level_columns(levels)

    assert columns["colour"][0] == columns["colour"][2] != columns["colour"][1]
    json_item(plan_levels_figure(levels, line_in_sand=2.0))
    json_item(stacked_levels_figure(stacked))


def test_rate_charts_when_rate_missing_then_drawn_as_zero() -> None:
    table = pd.DataFrame(
        {"hit_rate": [0.5, float("nan")], "triggered": [2, 0]}, index=["BVP", "RTV"]
    )
    over_time = pd.DataFrame({"trade_date": [D1, D2], "hit_rate": [1.0, 0.5]})

    assert rate_columns(table, "hit_rate", "triggered") == {
        "category": ["BVP", "RTV"],
        "rate": [0.5, 0.0],
        "count": [2, 0],
    }
    json_item(hit_rate_figure(table))
    json_item(rate_over_time_figure(over_time))


def test_signal_charts_when_study_tables_then_every_location_and_horizon() -> None:
    crosstab = pd.DataFrame({"IN_VALUE": [2], "ABOVE_VALUE": [1]}, index=["BUY_PRESSURE"])
    by_kind = pd.DataFrame({"mean_fwd_1m": [1.5], "mean_fwd_5m": [float("nan")]}, index=["X"])

    assert location_columns(crosstab)["BELOW_VALUE"] == [0]
    assert forward_return_columns(by_kind, [1, 5])["factor"] == [("X", "1m"), ("X", "5m")]
    assert forward_return_columns(by_kind, [1, 5])["mean"] == [1.5, 0.0]
    json_item(signal_location_figure(crosstab))
    json_item(forward_returns_figure(by_kind, [1, 5]))


def test_equity_curve_when_daily_pnl_then_cumulative() -> None:
    daily = pd.DataFrame({"trade_date": [D1, D2], "pnl": [10.0, -4.0]})

    fig = equity_curve_figure(daily)

    assert sources(fig)[0]["equity"] == [10.0, 6.0]
