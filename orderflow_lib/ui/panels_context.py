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
    esc,
    fmt_int,
    fmt_price,
    fmt_signed,
    fmt_time,
    lamp,
)
from orderflow_lib.ui.snapshot import Snapshot, as_float, as_list, dig
from orderflow_lib.ui.wording import confidence_words, regime_words, relationship_words

REGIME_LAMPS: tuple[tuple[str, str], ...] = (
    ("TREND_UP", GREEN),
    ("BREAKOUT_PENDING", AMBER),
    ("BALANCE", "#2b7bd6"),
    ("TREND_DOWN", RED),
)


def top_of_book(snapshot: Snapshot) -> tuple[Any, Any, Any, Any]:
    """(bid, bid size, ask, ask size) from the DOM when the snapshot has one, else from the quote.

    The DOM and the quote can be a few events apart; taking both from the DOM makes the header
    agree with the book shown beside it at the same moment.
    """
    bids = as_list(dig(snapshot, "dom", "bids"))
    asks = as_list(dig(snapshot, "dom", "asks"))
    price = snapshot.get("price") or {}
    if bids and asks:
        best_bid = max(bids, key=lambda level: float(level[0]))
        best_ask = min(asks, key=lambda level: float(level[0]))
        return best_bid[0], best_bid[1], best_ask[0], best_ask[1]
    return price.get("bid"), price.get("bid_size"), price.get("ask"), price.get("ask_size")


def value_vs_cva(snapshot: Snapshot) -> str:
    """Today's value against the 5-day value in words; from the price itself before today's value exists."""
    said = relationship_words(dig(snapshot, "value", "relationship"))
    if said:
        return said
    val = as_float(dig(snapshot, "value", "cva", "val"))
    vah = as_float(dig(snapshot, "value", "cva", "vah"))
    last = as_float(dig(snapshot, "price", "last"))
    if math.isnan(val) or math.isnan(vah):
        return "no 5-day value yet"
    if math.isnan(last):
        return "waiting for a price"
    if last > vah:
        return f"price {last - vah:.2f} above the 5-day value"
    if last < val:
        return f"price {val - last:.2f} below the 5-day value"
    return "price inside the 5-day value"


def header_html(snapshot: Snapshot, connected: bool, lights: str = "") -> str:
    """Instrument, last price, top of book, volume, value vs CVA, clock and the connection lights."""
    price = snapshot.get("price") or {}
    instrument = snapshot.get("instrument") or {}
    last = price.get("last")
    bid, bid_size, ask, ask_size = top_of_book(snapshot)
    node_light = (
        ""
        if lights
        else f'<span title="node connection">{lamp(GREEN if connected else RED, 9)} node</span>'
    )
    return (
        f'<div class="of-header" {attrs(last=fmt_price(last), volume=price.get("volume") or 0, ts_ns=snapshot.get("ts_ns") or 0)}>'
        f"<span class=of-sym><b>{esc(instrument.get('display') or '—')}</b> "
        f'<span class="of-muted">{esc(instrument.get("contract") or "")} · trades '
        f"{esc(instrument.get('execute') or '—')}</span></span>"
        f'<span class="of-last" data-role="last-price">{fmt_price(last)}</span>'
        f'<span class="of-num" {attrs(bid=fmt_price(bid), bid_size=bid_size if bid_size is not None else "", ask=fmt_price(ask), ask_size=ask_size if ask_size is not None else "")}>'
        f'<span class="of-bid-c">{fmt_price(bid)} × {fmt_int(bid_size)}</span> / '
        f'<span class="of-ask-c">{fmt_price(ask)} × {fmt_int(ask_size)}</span></span>'
        f'<span class="of-num of-muted">vol {fmt_int(price.get("volume"))}</span>'
        f'<span data-role="value-vs-cva">value vs CVA: <b>{esc(value_vs_cva(snapshot))}</b></span>'
        f'<span class="of-muted">{fmt_time(snapshot.get("ts_ns"))} NY · {esc(snapshot.get("trade_date") or "—")}</span>'
        f'<span class="of-lights">{lights}{node_light}</span>'
        "</div>"
    )


def regime_html(snapshot: Snapshot) -> str:
    """The regime as a traffic light (the active lamp lit), with its confidence, bias and reasons."""
    regime = snapshot.get("regime") or {}
    name = str(regime.get("regime") or "UNKNOWN").upper()
    confidence = str(regime.get("confidence") or "—").upper()
    lamps = "".join(
        f'<span title="{esc(regime_words(label))}" {attrs(lamp=label, lit=str(label == name).lower())}>'
        f"{lamp(colour, 14, label == name)}</span>"
        for label, colour in REGIME_LAMPS
    )
    colour = dict(REGIME_LAMPS).get(name, GREY)
    return (
        f'<div class="of-traffic" {attrs(regime=name, confidence=confidence)}>'
        f'<div class="of-traffic-box">{lamps}</div>'
        f'<div><div class="of-regime-line" style="color:{colour}" data-role="regime-name">'
        f"{esc(regime_words(name))}</div>"
        f'<div class="of-muted">{esc(confidence_words(confidence))} confidence</div></div></div>'
    )


def _signed(value: float) -> str:
    """+0.42 / -0.10, and 0.00 rather than -0.00."""
    return "0.00" if abs(value) < 0.005 else f"{value:+.2f}"


def gauge_svg(value: float, label: str, low: float = -1.0, high: float = 1.0) -> str:
    """A half-dial from sellers (red, left) to buyers (green, right) with a needle at `value`."""
    known = not math.isnan(value)
    clamped = min(max(value, low), high) if known else 0.0
    fraction = (clamped - low) / (high - low)
    angle = math.pi * (1.0 - fraction)
    x, y = 50 + 34 * math.cos(angle), 46 - 34 * math.sin(angle)
    needle = (
        f'<line x1="50" y1="46" x2="{x:.1f}" y2="{y:.1f}" stroke="#e6edf3" stroke-width="3" '
        'stroke-linecap="round"/>'
        if known
        else ""
    )
    text = _signed(value) if known else "—"
    return (
        f'<svg width="100" height="62" viewBox="0 0 100 62" {attrs(gauge=label, value=text)}>'
        '<path d="M10 46 A40 40 0 0 1 50 6" fill="none" stroke="#e5484d" stroke-width="8"/>'
        '<path d="M50 6 A40 40 0 0 1 90 46" fill="none" stroke="#26a65b" stroke-width="8"/>'
        f'{needle}<circle cx="50" cy="46" r="3" fill="#e6edf3"/>'
        f'<text x="50" y="60" text-anchor="middle" font-size="12" font-weight="700" fill="#e6edf3">{text}</text>'
        "</svg>"
    )


def pressure_html(snapshot: Snapshot) -> str:
    """Who is pushing: tape pressure and delta strength as gauges, with the delta numbers."""
    pressure: dict[str, Any] = snapshot.get("pressure") or {}
    tape = as_float(pressure.get("tape"))
    cd_strength = as_float(pressure.get("cd_strength"))
    return (
        '<div class="of-gauges">'
        f'<div><div class="of-muted">tape</div>{gauge_svg(tape, "tape")}</div>'
        f'<div><div class="of-muted">delta strength</div>{gauge_svg(cd_strength, "cd_strength")}</div>'
        '<table class="of-table" style="width:auto">'
        f'<tr><td>cumulative delta</td><td class="of-num">{fmt_signed(pressure.get("cd"))}</td></tr>'
        f'<tr><td>large-lot delta</td><td class="of-num">{fmt_signed(pressure.get("large_lot_delta"))}</td></tr>'
        f'<tr><td>pace</td><td class="of-num">{_intensity(pressure.get("intensity"))}</td></tr>'
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
