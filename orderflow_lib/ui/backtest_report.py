"""The backtest report: one self-contained HTML page (BokehJS inlined, so it opens offline) with
the totals in words, the equity curve by trade and by day, the R distribution, the hit rate by
scenario kind and by regime, and the per-day table.

The column dicts and the HTML pieces are built by small pure functions, tested without a browser.
Codes (regimes, scenario kinds, grades, skip reasons) are shown in the words of `wording`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bokeh.core.templates import get_env
from bokeh.embed import file_html
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, Range1d
from bokeh.plotting import figure
from bokeh.resources import INLINE
from bokeh.themes import built_in_themes

from orderflow_lib.research.backtest import DayResult, Totals
from orderflow_lib.ui.html import GREEN, RED, esc, fmt_money
from orderflow_lib.ui.notebook_plots import HEIGHT, PALETTE, WIDTH
from orderflow_lib.ui.wording import (
    counts_words,
    grade_words,
    regime_words,
    setup_kind_words,
    setup_name,
    side_words,
    skip_words,
)

R_BIN = 0.5
"""Width of the R histogram's bins (R multiples)."""
UNKNOWN = "unknown"
"""The label of a trade whose scenario kind or day's regime is not known."""

EQUITY_BY_TRADE = "Running P&L by trade (GBP)"
EQUITY_BY_DAY = "P&L by day: the day (bars) and running (line), GBP"
R_DISTRIBUTION = "R multiple of each trade"
HIT_BY_KIND = "Hit rate by scenario kind (share of trades won)"
HIT_BY_REGIME = "Hit rate by regime (share of trades won)"

PAGE = get_env().from_string(
    """{% extends "file.html.jinja" %}
{% block preamble %}<style>
html, body { background: #15191c; color: #e0e0e0; }
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 14px; line-height: 1.45; }
main { padding: 16px 24px; }
h1 { font-size: 20px; margin: 0 0 8px 0; }
h2 { font-size: 15px; margin: 20px 0 6px 0; color: #b0b0b0; }
p { margin: 4px 0; }
.of-empty { color: #f5a623; font-weight: 600; }
table { border-collapse: collapse; }
th { text-align: left; color: #b0b0b0; font-weight: 600; border-bottom: 1px solid #3a3f44;
  padding: 3px 10px 3px 0; }
td { padding: 3px 10px 3px 0; border-bottom: 1px solid #262b30; white-space: nowrap; }
td.of-num { text-align: right; font-variant-numeric: tabular-nums; }
.of-win { color: #66bd63; } .of-loss { color: #f46d43; }
</style>{% endblock %}
{% block contents %}<main>
{{ header }}
{{ super() }}
<h2>Day by day</h2>
{{ table }}
</main>{% endblock %}
"""
)


def _trips(results: Sequence[DayResult]) -> list[tuple[DayResult, dict[str, Any]]]:
    """Every closed round trip with its day, in the order they were traded."""
    return [(r, t) for r in results for t in r.trips]


def _pnl(trip: dict[str, Any]) -> float:
    return float(trip["pnl_gbp"] or 0.0)


def equity_by_trade_columns(results: Sequence[DayResult]) -> dict[str, Any]:
    """Columns for the running P&L after each trade (trade 0 is the start, at zero): trade
    number, day, scenario (its id and setup in words), the trade's P&L and the running P&L."""
    trips = _trips(results)
    pnl = [_pnl(t) for _, t in trips]
    return {
        "trade": list(range(len(trips) + 1)),
        "day": ["start"] + [r.trade_date.isoformat() for r, _ in trips],
        "scenario": ["-"] + [_scenario_words(r, t) for r, t in trips],
        "pnl": [0.0, *pnl],
        "equity": [float(v) for v in np.cumsum([0.0, *pnl])],
    }


def equity_by_day_columns(results: Sequence[DayResult]) -> dict[str, Any]:
    """Columns for the day's P&L (coloured: loss red, win green) and the running P&L at each
    day's end; days without trades included."""
    pnl = [r.pnl_gbp for r in results]
    return {
        "day": [r.trade_date.isoformat() for r in results],
        "pnl": pnl,
        "equity": [float(v) for v in np.cumsum(pnl)],
        "colour": [RED if p < 0 else GREEN for p in pnl],
    }


def r_histogram_columns(results: Sequence[DayResult], bin_r: float = R_BIN) -> dict[str, Any]:
    """Columns for the R histogram: bin edges (R), trades per bin and a colour (loss red, win green)."""
    rs = [float(t["r_multiple"]) for _, t in _trips(results) if t["r_multiple"] is not None]
    if not rs:
        return {"left": [], "right": [], "trades": [], "colour": []}
    low = math.floor(min(rs) / bin_r) * bin_r
    high = (math.floor(max(rs) / bin_r) + 1) * bin_r
    counts, edges = np.histogram(rs, bins=np.arange(low, high + bin_r / 2, bin_r))
    lefts = [float(e) for e in edges[:-1]]
    return {
        "left": lefts,
        "right": [float(e) for e in edges[1:]],
        "trades": [int(c) for c in counts],
        "colour": [RED if left < 0 else GREEN for left in lefts],
    }


def _scenario_words(day: DayResult, trip: dict[str, Any]) -> str:
    """The scenario's id and setup in words ("S1: return to value (long)"); the id alone when its
    kind is not known."""
    scenario = str(trip["scenario_id"])
    kind = day.kinds.get(scenario)
    return scenario if kind is None else f"{scenario}: {setup_name(kind, trip.get('direction'))}"


def scenario_kind(day: DayResult, trip: dict[str, Any]) -> str:
    """The kind of the trip's scenario (its expectation) in words, or UNKNOWN."""
    kind = day.kinds.get(str(trip["scenario_id"]))
    return UNKNOWN if kind is None else setup_kind_words(kind)


def day_regime(day: DayResult, trip: dict[str, Any]) -> str:
    """The regime of the trip's day in words, or UNKNOWN when the day had no plan."""
    return UNKNOWN if day.regime is None else regime_words(day.regime)


def hit_rate_columns(
    results: Sequence[DayResult], group: Callable[[DayResult, dict[str, Any]], str]
) -> dict[str, Any]:
    """Columns for a hit-rate chart: each group (sorted), its trades, wins and share won."""
    trades: dict[str, int] = {}
    wins: dict[str, int] = {}
    for day, trip in _trips(results):
        key = group(day, trip)
        trades[key] = trades.get(key, 0) + 1
        wins[key] = wins.get(key, 0) + (_pnl(trip) > 0)
    names = sorted(trades)
    return {
        "group": names,
        "trades": [trades[n] for n in names],
        "wins": [wins[n] for n in names],
        "rate": [wins[n] / trades[n] for n in names],
        "label": [f"{wins[n]} of {trades[n]}" for n in names],
    }


def _figure(**options: Any) -> Any:
    """A Bokeh figure without the logo (options passed through: bokeh's stubs omit its keywords)."""
    fig = figure(toolbar_location="right", **options)
    fig.toolbar.logo = None
    return fig


def equity_by_trade_figure(results: Sequence[DayResult]) -> Any:
    """The running P&L after each closed trade."""
    source = ColumnDataSource(equity_by_trade_columns(results))
    fig = _figure(width=WIDTH, height=HEIGHT, title=EQUITY_BY_TRADE)
    fig.line(x="trade", y="equity", line_width=2, color=PALETTE[0], source=source)
    fig.scatter(x="trade", y="equity", size=5, color=PALETTE[0], source=source)
    fig.xaxis.ticker.min_interval = 1
    fig.add_tools(
        HoverTool(
            tooltips=[
                ("trade", "@trade"),
                ("day", "@day"),
                ("scenario", "@scenario"),
                ("P&L GBP", "@pnl{0.00}"),
                ("running GBP", "@equity{0.00}"),
            ]
        )
    )
    fig.xaxis.axis_label = "trade number"
    fig.yaxis.axis_label = "GBP"
    return fig


def equity_by_day_figure(results: Sequence[DayResult]) -> Any:
    """Each trade date's P&L as a bar and the running P&L at its end as a line."""
    data = equity_by_day_columns(results)
    source = ColumnDataSource(data)
    fig = _figure(
        x_range=FactorRange(*data["day"]), width=WIDTH, height=HEIGHT, title=EQUITY_BY_DAY
    )
    fig.vbar(x="day", top="pnl", width=0.6, color="colour", alpha=0.6, source=source)
    fig.line(x="day", y="equity", line_width=2, color=PALETTE[1], source=source)
    fig.scatter(x="day", y="equity", size=6, color=PALETTE[1], source=source)
    fig.add_tools(
        HoverTool(
            tooltips=[
                ("day", "@day"),
                ("day's P&L GBP", "@pnl{0.00}"),
                ("running GBP", "@equity{0.00}"),
            ]
        )
    )
    fig.xaxis.major_label_orientation = 0.8
    fig.yaxis.axis_label = "GBP"
    return fig


def r_distribution_figure(results: Sequence[DayResult]) -> Any:
    """How many trades ended at each R multiple (bins of R_BIN)."""
    source = ColumnDataSource(r_histogram_columns(results))
    fig = _figure(width=WIDTH, height=HEIGHT, title=R_DISTRIBUTION)
    fig.quad(
        left="left", right="right", bottom=0, top="trades", color="colour", alpha=0.8, source=source
    )
    fig.add_tools(HoverTool(tooltips=[("R", "@left{0.0} to @right{0.0}"), ("trades", "@trades")]))
    fig.xaxis.axis_label = "R multiple"
    fig.yaxis.axis_label = "trades"
    return fig


def hit_rate_figure(
    results: Sequence[DayResult], group: Callable[[DayResult, dict[str, Any]], str], title: str
) -> Any:
    """The share of trades won in each group, with the number of trades on hover."""
    data = hit_rate_columns(results, group)
    fig = _figure(
        x_range=FactorRange(*data["group"]),
        y_range=Range1d(start=0, end=1.15),
        width=WIDTH // 2,
        height=HEIGHT,
        title=title,
    )
    source = ColumnDataSource(data)
    fig.vbar(x="group", top="rate", width=0.7, color=PALETTE[2], source=source)
    fig.text(
        x="group",
        y="rate",
        text="label",
        text_align="center",
        text_baseline="bottom",
        text_font_size="9pt",
        text_color="#e0e0e0",
        y_offset=-2,
        source=source,
    )
    fig.add_tools(
        HoverTool(tooltips=[("", "@group"), ("won", "@wins of @trades"), ("hit rate", "@rate{0%}")])
    )
    fig.xaxis.major_label_orientation = 0.8
    fig.yaxis.axis_label = "share of trades won"
    return fig


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _gbp(value: float | None) -> str:
    return "n/a" if value is None else fmt_money(value, "£")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def header_html(results: Sequence[DayResult], totals: Totals) -> str:
    """The page's heading and the totals in plain words (a notice when nothing was traded)."""
    span = (
        f"{results[0].trade_date.isoformat()} to {results[-1].trade_date.isoformat()}"
        if results
        else "no trade dates"
    )
    win_rate = "n/a" if totals.win_rate is None else f"{totals.win_rate:.0%}"
    lines = [
        f"<h1>Backtest: {esc(span)}</h1>",
        f"<p>{_count(totals.days, 'day')}, {_count(totals.trades, 'trade')}: "
        f"{totals.wins} won, {totals.losses} lost (win rate {win_rate}). "
        f"Average R {_num(totals.average_r)}, expectancy {_gbp(totals.expectancy_gbp)} a trade, "
        f"profit factor {_num(totals.profit_factor)}.</p>",
        f"<p>P&amp;L {_gbp(totals.pnl_gbp)}, maximum drawdown {_gbp(totals.max_drawdown_gbp)}, "
        f"Sharpe over all {_count(totals.days, 'day')} {_num(totals.sharpe)}.</p>",
        f"<p>Scenarios by grade: {esc(counts_words(totals.grades, grade_words, 'none'))}.</p>",
        f"<p>Entries skipped by reason: {esc(counts_words(totals.skips, skip_words, 'none'))}.</p>",
    ]
    if totals.trades == 0:
        lines.append('<p class="of-empty">No trades in this run: the charts are empty.</p>')
    return "\n".join(lines)


def _cell(text: str, *, number: bool = False, sign: float = 0.0) -> str:
    classes = ["of-num"] if number else []
    if sign:
        classes.append("of-win" if sign > 0 else "of-loss")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{esc(text)}</td>"


def day_table_html(results: Sequence[DayResult]) -> str:
    """The per-day table: plan, scenarios by grade, entries, trades, R, P&L and skips by reason."""
    heads = ["day", "regime", "bias", "scenarios by grade", "entries", "trades", "R", "GBP"]
    rows = [
        "<tr>"
        + _cell(r.trade_date.isoformat())
        + _cell("-" if r.regime is None else regime_words(r.regime))
        + _cell("-" if r.bias is None else side_words(r.bias))
        + _cell(counts_words(r.grades, grade_words, "no plan"))
        + _cell(str(r.entries), number=True)
        + _cell(str(len(r.trips)), number=True)
        + _cell(f"{r.r:.2f}", number=True, sign=r.r)
        + _cell(_gbp(r.pnl_gbp), number=True, sign=r.pnl_gbp)
        + _cell(counts_words(r.skips, skip_words, "-"))
        + "</tr>"
        for r in results
    ]
    head = "".join(f"<th>{h}</th>" for h in [*heads, "skipped"])
    if not rows:
        rows = ['<tr><td colspan="9">no trade dates</td></tr>']
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_layout(results: Sequence[DayResult]) -> Any:
    """The report's charts: the two equity curves, the R distribution and the two hit rates."""
    return column(
        equity_by_trade_figure(results),
        equity_by_day_figure(results),
        r_distribution_figure(results),
        row(
            hit_rate_figure(results, scenario_kind, HIT_BY_KIND),
            hit_rate_figure(results, day_regime, HIT_BY_REGIME),
        ),
    )


def write_backtest_report(results: Sequence[DayResult], totals: Totals, path: Path) -> Path:
    """Write the run's report to `path` (folders created) as one HTML file that opens offline."""
    page = file_html(
        report_layout(results),
        resources=INLINE,
        title="OrderFlow backtest",
        template=PAGE,
        template_variables={
            "header": header_html(results, totals),
            "table": day_table_html(results),
        },
        theme=built_in_themes["dark_minimal"],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
