"""Small pure helpers for the dashboards' HTML panels: escaping, numbers, times, lights, the style sheet."""

from __future__ import annotations

import html
import math
from typing import Any

from orderflow_lib.core.timeconv import ns_to_ny

GREEN = "#1a9850"
AMBER = "#f5a623"
RED = "#d73027"
GREY = "#9e9e9e"

_GOOD = {"connected", "ok", "ready", "live", "synthetic", "replay", "up", "active", "true"}
_WARN = {"connecting", "degraded", "reconnecting", "stale", "delayed", "reducing", "paper"}


def esc(value: Any) -> str:
    """Text escaped for HTML content and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def attrs(**data: Any) -> str:
    """`data-*` attributes (underscores become dashes) for machine-readable selectors and probes."""
    return " ".join(f'data-{k.replace("_", "-")}="{esc(v)}"' for k, v in data.items())


def light_colour(status: Any) -> str:
    """Traffic-light colour for a connection or service status word (unknown or missing: grey)."""
    if status is None:
        return GREY
    word = str(status).strip().lower()
    if word in _GOOD:
        return GREEN
    if word in _WARN:
        return AMBER
    return RED


def lamp(colour: str, size_px: int = 12, lit: bool = True) -> str:
    """A round lamp; dimmed when not lit."""
    opacity = "1" if lit else "0.18"
    return (
        f'<span class="of-lamp" style="background:{colour};opacity:{opacity};'
        f'width:{size_px}px;height:{size_px}px"></span>'
    )


def fmt_price(value: Any) -> str:
    """A price in index points with two decimals, or an em dash when unknown."""
    if value is None or isinstance(value, bool):
        return "—"
    number = float(value)
    return "—" if math.isnan(number) else f"{number:.2f}"


def fmt_int(value: Any) -> str:
    """An integer with thousands separators, or an em dash."""
    return "—" if value is None else f"{int(value):,}"


def fmt_signed(value: Any, decimals: int = 0) -> str:
    """A number with an explicit sign (+12, -3.40), or an em dash."""
    if value is None:
        return "—"
    number = float(value)
    return f"{number:+,.{decimals}f}"


def fmt_money(value: Any, symbol: str) -> str:
    """An amount of money with its currency symbol and sign, or an em dash."""
    if value is None:
        return "—"
    number = float(value)
    sign = "-" if number < 0 else ""
    return f"{sign}{symbol}{abs(number):,.2f}"


def fmt_time(ts_ns: Any) -> str:
    """New York wall-clock time HH:MM:SS of an event, or an em dash."""
    if not ts_ns:
        return "—"
    return ns_to_ny(int(ts_ns)).strftime("%H:%M:%S")


def direction_word(direction: Any) -> str:
    """BUY / SELL / FLAT for +1 / -1 / 0 (also accepts words)."""
    if isinstance(direction, str):
        return direction.upper()
    if direction is None:
        return "FLAT"
    return "BUY" if direction > 0 else "SELL" if direction < 0 else "FLAT"


def bias_word(bias: Any) -> str:
    """BULLISH / BEARISH / NEUTRAL for +1 / -1 / 0 (also accepts words)."""
    if isinstance(bias, str):
        return bias.upper()
    if bias is None:
        return "NEUTRAL"
    return "BULLISH" if bias > 0 else "BEARISH" if bias < 0 else "NEUTRAL"


STYLE = """
<style>
.of-root { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 13px; color: #1d1d1f; line-height: 1.35; }
.of-card { border: 1px solid #d9d9de; border-radius: 8px; padding: 8px 10px; background: #fff;
  box-sizing: border-box; width: auto; margin: 3px; }
.of-card .widget-html-content { width: 100%; }
.of-card h3 { margin: 0 0 6px 0; font-size: 12px; letter-spacing: .06em; text-transform: uppercase;
  color: #5f6368; }
.of-lamp { display: inline-block; border-radius: 50%; vertical-align: middle;
  box-shadow: 0 0 2px rgba(0,0,0,.4); }
.of-header { display: flex; gap: 18px; align-items: baseline; flex-wrap: wrap; }
.of-last { font-size: 28px; font-weight: 700; font-variant-numeric: tabular-nums; }
.of-muted { color: #6b6b70; }
.of-num { font-variant-numeric: tabular-nums; text-align: right; }
.of-table { border-collapse: collapse; width: 100%; }
.of-table th { text-align: left; font-weight: 600; color: #5f6368; border-bottom: 1px solid #e3e3e8;
  padding: 2px 4px; font-size: 11px; }
.of-table td { padding: 2px 4px; border-bottom: 1px solid #f1f1f4; white-space: nowrap; }
.of-buy { color: #1a9850; } .of-sell { color: #d73027; }
.of-row-buy { background: rgba(26,152,80,.10); } .of-row-sell { background: rgba(215,48,39,.10); }
.of-large td { font-weight: 700; }
.of-badge { display: inline-block; padding: 1px 6px; border-radius: 10px; font-size: 11px;
  font-weight: 600; color: #fff; }
.of-banner { padding: 10px 14px; border-radius: 8px; background: #fdecea; color: #611a15;
  border: 1px solid #f5c2c0; }
.of-banner code { background: #fff; padding: 1px 4px; border-radius: 4px; }
.of-traffic { display: flex; gap: 10px; align-items: flex-start; }
.of-traffic-box { background: #222; border-radius: 10px; padding: 6px; display: flex;
  flex-direction: column; gap: 6px; }
.of-gauges { display: flex; gap: 8px; flex-wrap: wrap; }
.of-bar { height: 8px; background: #e8e8ed; border-radius: 4px; overflow: hidden; }
.of-bar > span { display: block; height: 100%; }
.of-dom td.of-bid { text-align: right; color: #1f5fbf; }
.of-dom td.of-ask { text-align: left; color: #b3261e; }
.of-dom td.of-px { text-align: center; font-weight: 600; }
.of-fence-result { margin-top: 4px; }
</style>
"""
