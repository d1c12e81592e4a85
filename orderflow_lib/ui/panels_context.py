"""Pure HTML for the context panels: price header, regime traffic light, pressure gauges, node banner."""

from __future__ import annotations

import math
from typing import Any

from orderflow_lib.ui.html import (
    AMBER,
    GREEN,
    GREY,
    RED,
    attrs,
    bias_word,
    esc,
    fmt_int,
    fmt_price,
    fmt_signed,
    lamp,
)
from orderflow_lib.ui.snapshot import Snapshot, as_float, dig

REGIME_LAMPS: tuple[tuple[str, str], ...] = (
    ("TREND_UP", GREEN),
    ("BREAKOUT_PENDING", AMBER),
    ("BALANCE", "#2b7bd6"),
    ("TREND_DOWN", RED),
)


def header_html(snapshot: Snapshot, connected: bool) -> str:
    """Instrument, last price, bid/ask, volume, value relationship and the node connection light."""
    price = snapshot.get("price") or {}
    instrument = snapshot.get("instrument") or {}
    last = price.get("last")
    node_colour = GREEN if connected else RED
    return (
        f'<div class="of-header" {attrs(last=fmt_price(last), volume=price.get("volume") or 0, ts_ns=snapshot.get("ts_ns") or 0)}>'
        f"<span><b>{esc(instrument.get('display') or '—')}</b> "
        f'<span class="of-muted">{esc(instrument.get("contract") or "")} · trades '
        f"{esc(instrument.get('execute') or '—')}</span></span>"
        f'<span class="of-last" data-role="last-price">{fmt_price(last)}</span>'
        f'<span class="of-num">bid {fmt_price(price.get("bid"))} × {fmt_int(price.get("bid_size"))}'
        f" · ask {fmt_price(price.get('ask'))} × {fmt_int(price.get('ask_size'))}</span>"
        f'<span class="of-num">vol {fmt_int(price.get("volume"))}</span>'
        f"<span>value vs CVA: <b>{esc(dig(snapshot, 'value', 'relationship') or '—')}</b></span>"
        f'<span class="of-muted">{esc(snapshot.get("source") or "—")} · {esc(snapshot.get("trade_date") or "—")}</span>'
        f'<span title="node connection">{lamp(node_colour)} node</span>'
        "</div>"
    )


def regime_html(snapshot: Snapshot) -> str:
    """The regime as a traffic light (the active lamp lit), with its confidence, bias and reasons."""
    regime = snapshot.get("regime") or {}
    name = str(regime.get("regime") or "UNKNOWN").upper()
    confidence = str(regime.get("confidence") or "—").upper()
    lamps = "".join(
        f'<span title="{esc(label)}" {attrs(lamp=label, lit=str(label == name).lower())}>'
        f"{lamp(colour, 22, label == name)}</span>"
        for label, colour in REGIME_LAMPS
    )
    reasons = "".join(f"<li>{esc(r)}</li>" for r in regime.get("reasons") or [])
    colour = dict(REGIME_LAMPS).get(name, GREY)
    return (
        f'<div class="of-traffic" {attrs(regime=name, confidence=confidence)}>'
        f'<div class="of-traffic-box">{lamps}</div>'
        f'<div><div style="font-size:18px;font-weight:700;color:{colour}" data-role="regime-name">'
        f"{esc(name.replace('_', ' '))}</div>"
        f"<div>confidence <b>{esc(confidence)}</b> · bias <b>{esc(bias_word(regime.get('bias')))}</b></div>"
        f'<ul style="margin:4px 0 0 16px;padding:0">{reasons}</ul></div></div>'
    )


def gauge_svg(value: float, label: str, low: float = -1.0, high: float = 1.0) -> str:
    """A half-dial from sell (red, left) to buy (green, right) with a needle at `value`."""
    known = not math.isnan(value)
    clamped = min(max(value, low), high) if known else 0.0
    fraction = (clamped - low) / (high - low)
    angle = math.pi * (1.0 - fraction)
    x, y = 60 + 44 * math.cos(angle), 58 - 44 * math.sin(angle)
    needle = (
        f'<line x1="60" y1="58" x2="{x:.1f}" y2="{y:.1f}" stroke="#222" stroke-width="3" '
        'stroke-linecap="round"/>'
        if known
        else ""
    )
    text = f"{value:+.2f}" if known else "—"
    return (
        f'<svg width="120" height="78" viewBox="0 0 120 78" {attrs(gauge=label, value=text)}>'
        '<path d="M10 58 A50 50 0 0 1 60 8" fill="none" stroke="#d73027" stroke-width="10"/>'
        '<path d="M60 8 A50 50 0 0 1 110 58" fill="none" stroke="#1a9850" stroke-width="10"/>'
        f'{needle}<circle cx="60" cy="58" r="4" fill="#222"/>'
        f'<text x="60" y="76" text-anchor="middle" font-size="12" font-weight="700">{text}</text>'
        "</svg>"
    )


def pressure_html(snapshot: Snapshot) -> str:
    """Buy/sell pressure from the tape and cumulative-delta strength as gauges, with their numbers."""
    pressure: dict[str, Any] = snapshot.get("pressure") or {}
    tape = as_float(pressure.get("tape"))
    cd_strength = as_float(pressure.get("cd_strength"))
    return (
        '<div class="of-gauges">'
        f'<div><div class="of-muted">tape pressure</div>{gauge_svg(tape, "tape")}</div>'
        f'<div><div class="of-muted">CD strength</div>{gauge_svg(cd_strength, "cd_strength")}</div>'
        '<table class="of-table" style="width:auto">'
        f'<tr><td>large-lot delta</td><td class="of-num">{fmt_signed(pressure.get("large_lot_delta"))}</td></tr>'
        f'<tr><td>cumulative delta</td><td class="of-num">{fmt_signed(pressure.get("cd"))}</td></tr>'
        f'<tr><td>intensity</td><td class="of-num">{_intensity(pressure.get("intensity"))}</td></tr>'
        "</table></div>"
    )


def _intensity(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1f}×"


def banner_html(connected: bool, node_url: str, reason: str = "") -> str:
    """Nothing while the node is connected; otherwise says so and how to start one."""
    if connected:
        return f"<div {attrs(connected='true')}></div>"
    return (
        f'<div class="of-banner" {attrs(connected="false")}>'
        f"<b>No node is running at {esc(node_url)}.</b> Start one with <code>make demo</code> "
        "(synthetic market, paper broker) or <code>orderflow run</code>; this page reconnects by "
        f'itself when it appears.<div class="of-muted" style="font-size:11px">{esc(reason)}</div></div>'
    )


def problem_html(message: str) -> str:
    """A warning that the page could not draw what the node sent (shown until a state draws)."""
    return (
        f'<div class="of-banner" {attrs(connected="true", problem="true")}>'
        f"<b>This page could not draw the node's latest state.</b> The values shown may be stale."
        f'<div class="of-muted" style="font-size:11px">{esc(message)}</div></div>'
    )
