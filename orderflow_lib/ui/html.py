"""Small pure helpers for the dashboards' HTML panels: escaping, numbers, times, lights, the style sheet."""

from __future__ import annotations

import html
import math
from typing import Any

from orderflow_lib.ui.nytime import ns_to_ny

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
body, .jp-Notebook, .jp-Cell, .jp-OutputArea, .jp-OutputArea-output, .jp-RenderedHTMLCommon,
#rendered_cells, .voila-root, main { background: #0b0e13 !important; color: #d0d7de; }
body { margin: 0; overflow: hidden; }
.jp-Notebook, #rendered_cells { padding: 0 !important; margin: 0 !important; }
.jp-Cell, .jp-OutputArea-output, .jp-OutputArea-child { padding: 0 !important; margin: 0 !important; }
.jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
.of-dashboard { position: fixed !important; top: 0; left: 0; z-index: 10; padding: 4px 6px;
  box-sizing: border-box; width: 100vw; height: 100vh; overflow: hidden; gap: 4px;
  background: #0b0e13; }
.of-root { font-family: "Inter", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 12px;
  color: #d0d7de; line-height: 1.3; }
.of-card { border: 1px solid #232a33; border-radius: 4px; padding: 5px 8px; background: #11161d;
  box-sizing: border-box; width: auto; margin: 0; overflow: hidden; }
.of-card .widget-html-content { width: 100%; }
.of-card h3 { margin: 0 0 4px 0; font-size: 11px; letter-spacing: .08em; text-transform: uppercase;
  color: #7d8590; font-weight: 600; }
.of-lamp { display: inline-block; border-radius: 50%; vertical-align: middle;
  box-shadow: 0 0 4px rgba(0,0,0,.6); }
.of-header { display: flex; gap: 16px; align-items: baseline; flex-wrap: nowrap; white-space: nowrap;
  overflow: hidden; }
.of-header > span { flex: 0 0 auto; }
.of-header .of-lights { margin-left: auto; display: flex; gap: 10px; }
.of-last { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; color: #f0f6fc; }
.of-bid-c { color: #58a6ff; } .of-ask-c { color: #ff7b72; }
.of-muted { color: #7d8590; }
.of-num { font-variant-numeric: tabular-nums; text-align: right; }
.of-table { border-collapse: collapse; width: 100%; table-layout: auto; }
.of-table th { text-align: left; font-weight: 600; color: #7d8590; border-bottom: 1px solid #232a33;
  padding: 1px 4px; font-size: 11px; }
.of-table td { padding: 1px 4px; border-bottom: 1px solid #1a2029; white-space: nowrap; }
.of-buy { color: #3fb950; } .of-sell { color: #ff7b72; }
.of-row-buy { background: rgba(63,185,80,.10); } .of-row-sell { background: rgba(255,123,114,.10); }
.of-large td { font-weight: 700; }
.of-banner { padding: 6px 10px; border-radius: 4px; background: #3d1418; color: #ffdcd7;
  border: 1px solid #8e1519; }
.of-banner code { background: #0b0e13; padding: 1px 4px; border-radius: 3px; }
.of-traffic { display: flex; gap: 8px; align-items: center; }
.of-traffic-box { background: #05070a; border-radius: 8px; padding: 4px; display: flex; gap: 4px; }
.of-regime-line { font-size: 15px; font-weight: 700; color: #f0f6fc; }
.of-reasons { margin: 2px 0 4px 14px; padding: 0; color: #adbac7; }
.of-scenario { border-top: 1px solid #232a33; padding: 4px 0; }
.of-if { color: #adbac7; white-space: normal; }
.of-state { display: inline-block; min-width: 58px; text-align: center; padding: 0 5px; border-radius: 3px;
  font-size: 11px; font-weight: 700; text-transform: uppercase; }
.of-st-wait { background: #30363d; color: #adbac7; } .of-st-trig { background: #1f4f8a; color: #cae3ff; }
.of-st-go { background: #9e6a03; color: #fff3d1; } .of-st-live { background: #1a7f37; color: #dafbe1; }
.of-st-done { background: #2d333b; color: #7ee787; } .of-st-off { background: #2d333b; color: #7d8590;
  text-decoration: line-through; }
.of-pos-line { font-size: 14px; margin-bottom: 2px; }
.of-day { margin-top: 4px; font-size: 13px; }
.of-gauges { display: flex; gap: 6px; align-items: center; }
.of-bar { height: 7px; background: #21262d; border-radius: 3px; overflow: hidden; min-width: 44px; }
.of-bar > span { display: block; height: 100%; background: #58a6ff; }
.of-where { white-space: normal !important; font-size: 11px; color: #adbac7; line-height: 1.15; }
.of-signal-table td { height: 26px; }
.of-activity { margin: 2px 0 0 14px; padding: 0; }
.of-activity li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.of-light { margin-left: 8px; font-size: 11px; color: #adbac7; }
.of-gate-word { font-size: 13px; }
.of-controls { gap: 2px; }
.of-command-row { gap: 4px; align-items: center; }
.of-controls .widget-button { height: 24px; line-height: 24px; font-size: 12px; background: #21262d;
  color: #d0d7de; border: 1px solid #30363d; border-radius: 3px; padding: 0 8px; }
.of-controls .of-cmd-halt { background: #6e1b1b; border-color: #b62324; color: #ffdcd7; }
.of-controls .of-cmd-flatten { background: #5a3b00; border-color: #9e6a03; color: #fff3d1; }
.of-controls input { background: #0b0e13 !important; color: #d0d7de !important;
  border: 1px solid #30363d !important; height: 24px; }
.of-answer { font-size: 12px; min-height: 16px; }
.of-dom td.of-bid { text-align: right; color: #58a6ff; }
.of-dom td.of-ask { text-align: left; color: #ff7b72; }
.of-dom td.of-px { text-align: center; color: #f0f6fc; }
.widget-html, .widget-html-content { margin: 0 !important; }
.of-tape { width: 100%; }
.of-dom td { padding: 0 4px; line-height: 15px; }
.widget-box, .widget-hbox, .widget-vbox { overflow: hidden; }
</style>
"""
