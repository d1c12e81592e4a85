"""Pure HTML for the decision panels: order-flow signals, the day's hypothesis, system status and gate."""

from __future__ import annotations

from typing import Any

from orderflow_lib.ui.html import (
    AMBER,
    GREEN,
    GREY,
    RED,
    attrs,
    bias_word,
    direction_word,
    esc,
    fmt_money,
    fmt_price,
    fmt_time,
    lamp,
    light_colour,
)
from orderflow_lib.ui.snapshot import Snapshot

SIGNAL_KEEP = 50

_STATUS_COLOURS = {
    "WAITING": GREY,
    "IDLE": GREY,
    "ARMED": AMBER,
    "TRIGGERED": "#2b7bd6",
    "ACTIVE": "#2b7bd6",
    "DONE": GREEN,
    "TARGET_HIT": GREEN,
    "FAILED": RED,
    "INVALIDATED": RED,
}


def merge_signals(
    known: list[dict[str, Any]], incoming: list[dict[str, Any]], keep: int = SIGNAL_KEEP
) -> list[dict[str, Any]]:
    """Signals from snapshots and events merged by id, oldest first, at most `keep`.

    A signal event is `{"kind": "signal", ...signal fields}`, so its own `kind` may read "signal":
    that never overwrites the signal's real kind (ABSORPTION, ...) known from a snapshot; an
    event carrying `signal_kind` gives the kind itself.
    """
    by_id: dict[str, dict[str, Any]] = {}
    for signal in [*known, *incoming]:
        key = str(signal.get("id") or f"{signal.get('ts_ns')}:{signal.get('price')}")
        fields = {
            k: v for k, v in signal.items() if k != "seq" and not (k == "kind" and v == "signal")
        }
        if "signal_kind" in fields:
            fields["kind"] = fields.pop("signal_kind")
        merged = {**by_id.pop(key, {}), **fields}
        merged.setdefault("kind", "SIGNAL")
        by_id[key] = merged
    ordered = sorted(by_id.values(), key=lambda s: int(s.get("ts_ns") or 0))
    return ordered[-keep:]


def signal_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The signal events among a state message's events."""
    return [
        e
        for e in events
        if "signal" in (e.get("kind"), e.get("event")) or ("strength" in e and "direction" in e)
    ]


def signals_html(signals: list[dict[str, Any]], rows: int = 14) -> str:
    """The newest signals first: time, kind, direction, price, strength and where relative to value."""
    if not signals:
        return '<div class="of-muted" data-signals="0">no signals yet</div>'
    body = []
    for signal in reversed(signals[-rows:]):
        direction = direction_word(signal.get("direction"))
        side_class = "of-buy" if direction == "BUY" else "of-sell" if direction == "SELL" else ""
        strength = float(signal.get("strength") or 0.0)
        width = max(0.0, min(1.0, strength)) * 100
        arrow = "▲" if direction == "BUY" else "▼" if direction == "SELL" else "•"
        row_attrs = attrs(
            signal_id=signal.get("id") or "", kind=signal.get("kind") or "", direction=direction
        )
        body.append(
            f"<tr {row_attrs}><td>{fmt_time(signal.get('ts_ns'))}</td>"
            f'<td style="white-space:normal"><span class="{side_class}" title="{direction}">'
            f"{arrow}</span> <b>{esc(_words(signal.get('kind')))}</b></td>"
            f'<td class="of-num">{fmt_price(signal.get("price"))}</td>'
            f'<td style="min-width:70px"><div style="display:flex;gap:4px;align-items:center">'
            f'<div class="of-bar" style="flex:1"><span style="width:{width:.0f}%;'
            f'background:#2b7bd6"></span></div><span class="of-num">{_strength(strength)}</span>'
            "</div></td>"
            f'<td style="white-space:normal;font-size:11px">'
            f"{esc(_words(signal.get('where')) or '—')}</td></tr>"
        )
    return (
        f'<table class="of-table" data-signals="{len(signals)}"><tr><th>time</th><th>signal</th>'
        "<th>price</th><th>strength</th><th>where</th></tr>" + "".join(body) + "</table>"
    )


def _words(code: Any) -> str:
    """An engine code as words (AT_ON_HIGH -> AT ON HIGH), so narrow columns can wrap it."""
    return "" if code is None else str(code).replace("_", " ")


def _strength(value: float) -> str:
    """Strengths are 0..1 scores for most detectors and counts or ratios for some: show the number."""
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def plan_html(snapshot: Snapshot) -> str:
    """The day's hypothesis: regime and bias, then each scenario with its live status."""
    plan = snapshot.get("plan")
    if not plan:
        return '<div class="of-muted" data-plan="none">no plan for this session yet</div>'
    rows = []
    for scenario in plan.get("scenarios") or []:
        status = str(scenario.get("status") or "WAITING").upper()
        colour = _STATUS_COLOURS.get(status, GREY)
        rows.append(
            f"<tr {attrs(scenario_id=scenario.get('id') or '', status=status)}>"
            f"<td><b>{esc(scenario.get('id'))}</b></td>"
            f'<td>{esc(scenario.get("name"))}<div class="of-muted">{esc(scenario.get("family"))}</div></td>'
            f'<td><span class="of-badge" style="background:{colour}">{esc(status)}</span></td>'
            f"<td>if {esc(scenario.get('trigger'))}<br>→ {esc(scenario.get('target'))}"
            f'<br><span class="of-muted">invalid: {esc(scenario.get("invalidation"))}</span></td></tr>'
        )
    return (
        f'<div data-plan="{esc(plan.get("trade_date") or "")}">'
        f"<div>regime <b>{esc(plan.get('regime') or '—')}</b> · bias "
        f"<b>{esc(bias_word(plan.get('bias')))}</b></div>"
        '<table class="of-table"><tr><th>id</th><th>scenario</th><th>status</th><th>if / then</th></tr>'
        + "".join(rows)
        + "</table></div>"
    )


def status_html(snapshot: Snapshot, node_connected: bool) -> str:
    """Account (GBP), daily P&L, position and connection lights for IB, feed, store and node."""
    account = snapshot.get("account") or {}
    position = snapshot.get("position") or {}
    connections = snapshot.get("connections") or {}
    qty = int(position.get("qty") or 0)
    avg = fmt_price(position.get("avg_price")) if qty else "—"
    lights = [
        ("IB", connections.get("broker")),
        ("feed", connections.get("feed")),
        ("store", connections.get("store")),
        ("node", "connected" if node_connected else "disconnected"),
    ]
    light_html = " ".join(
        f"<span {attrs(connection=name, status=value or 'unknown')}>{lamp(light_colour(value))} "
        f"{esc(name)} <span class='of-muted'>{esc(value or '—')}</span></span>"
        for name, value in lights
    )
    daily = position.get("daily_pnl_gbp")
    pnl_class = "of-buy" if (daily or 0) > 0 else "of-sell" if (daily or 0) < 0 else ""
    return (
        '<table class="of-table">'
        f'<tr><td>balance</td><td class="of-num" data-role="balance">{fmt_money(account.get("balance_gbp"), "£")}</td></tr>'
        f'<tr><td>daily P&amp;L</td><td class="of-num {pnl_class}">{fmt_money(daily, "£")}</td></tr>'
        f'<tr><td>position</td><td class="of-num">{qty:+d} {esc(position.get("instrument") or "")} @ {avg}</td></tr>'
        f'<tr><td>unrealized / realized</td><td class="of-num">{fmt_money(position.get("unrealized_usd"), "$")}'
        f" / {fmt_money(position.get('realized_usd'), '$')}</td></tr>"
        f'</table><div style="margin-top:6px;display:flex;gap:12px;flex-wrap:wrap">{light_html}</div>'
    )


def gate_html(snapshot: Snapshot) -> str:
    """Whether orders may go out now and, when not, why (fence, breaker, not ready)."""
    gate = snapshot.get("gate") or {}
    state = str(gate.get("state") or "UNKNOWN").upper()
    colour = {"ACTIVE": GREEN, "REDUCING": AMBER, "HALTED": RED}.get(state, GREY)
    reasons = list(gate.get("reasons") or [])
    if gate.get("fence_active"):
        reasons.insert(0, f"fence active: {gate.get('fence_reason') or 'no reason given'}")
    if gate.get("breaker_tripped"):
        reasons.insert(0, "drawdown breaker tripped")
    if gate.get("ready") is False:
        reasons.insert(0, "not ready")
    items = "".join(f"<li>{esc(r)}</li>" for r in dict.fromkeys(reasons))
    fence = "active" if gate.get("fence_active") else "off"
    return (
        f"<div {attrs(gate_state=state, fence_active=str(bool(gate.get('fence_active'))).lower())}>"
        f'{lamp(colour, 16)} <b style="font-size:16px">{esc(state)}</b>'
        f' <span class="of-muted">ready {_yes_no(gate.get("ready"))} · fence {fence}'
        f" · breaker {'tripped' if gate.get('breaker_tripped') else 'ok'}</span>"
        + (f'<ul style="margin:4px 0 0 16px;padding:0">{items}</ul>' if items else "")
        + "</div>"
    )


def _yes_no(value: Any) -> str:
    return "—" if value is None else "yes" if value else "no"


def activity_html(events: list[dict[str, Any]], rows: int = 5) -> str:
    """The newest order, fill and gate events in plain words."""
    if not events:
        return ""
    lines = []
    for event in reversed(events[-rows:]):
        kind = event.get("kind")
        if kind == "gate":
            text = f"gate {event.get('state')}: {event.get('reason') or ''}"
        elif kind == "order":
            text = f"order {event.get('order_id')} {event.get('status')}"
        else:
            detail = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("kind", "seq"))
            text = f"{kind} {detail}"
        lines.append(f"<li {attrs(event=kind or '')}>{esc(text)}</li>")
    return f'<ul class="of-muted" style="margin:4px 0 0 16px;padding:0">{"".join(lines)}</ul>'
