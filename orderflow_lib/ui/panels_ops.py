"""Pure HTML for the decision panels: order-flow signals, connection lights, the gate and the activity log."""

from __future__ import annotations

import math
from typing import Any

from orderflow_lib.ui.columns import level_columns
from orderflow_lib.ui.html import (
    AMBER,
    GREEN,
    GREY,
    RED,
    attrs,
    direction_word,
    esc,
    fmt_money,
    fmt_price,
    fmt_time,
    lamp,
    light_colour,
)
from orderflow_lib.ui.snapshot import Snapshot, as_float, tick_size
from orderflow_lib.ui.strength import score
from orderflow_lib.ui.wording import level_name, level_words, plain, signal_words, words

SIGNAL_KEEP = 50


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


def nearest_level(price: Any, snapshot: Snapshot) -> str:
    """Where a price sits: "at VWAP", "1.25 above the 5-day value low" (the nearest known level)."""
    target = as_float(price)
    if math.isnan(target):
        return ""
    levels = level_columns(snapshot, bands=())
    known = [
        (abs(p - target), p, n)
        for n, p in zip(levels["name"], levels["price"], strict=True)
        if not math.isnan(p)
    ]
    if not known:
        return ""
    _, level, name = min(known)
    named = level_name(name)
    gap = target - level
    if abs(gap) <= tick_size(snapshot):
        return f"at {named}"
    return f"{abs(gap):.2f} {'above' if gap > 0 else 'below'} {named}"


def signals_html(signals: list[dict[str, Any]], snapshot: Snapshot, rows: int = 9) -> str:
    """The newest signals first: time, what in words, strength on one 0-1 scale, and where."""
    if not signals:
        return '<div class="of-muted" data-signals="0">No order-flow signals yet.</div>'
    body = []
    for signal in reversed(signals[-rows:]):
        direction = direction_word(signal.get("direction"))
        side_class = "of-buy" if direction == "BUY" else "of-sell" if direction == "SELL" else ""
        strength = score(signal.get("kind"), signal.get("strength"))
        arrow = "▲" if direction == "BUY" else "▼" if direction == "SELL" else "•"
        where = level_words(signal.get("where")) or nearest_level(signal.get("price"), snapshot)
        row_attrs = attrs(
            signal_id=signal.get("id") or "",
            kind=signal.get("kind") or "",
            direction=direction,
            score=f"{strength:.2f}",
        )
        body.append(
            f"<tr {row_attrs}><td>{fmt_time(signal.get('ts_ns'))}</td>"
            f'<td><span class="{side_class}">{arrow}</span> {esc(signal_words(signal.get("kind")))}'
            f' <span class="of-muted">{fmt_price(signal.get("price"))}</span></td>'
            f'<td><div class="of-bar" title="{strength:.2f}"><span style="width:{strength * 100:.0f}%"></span></div></td>'
            f'<td class="of-where">{esc(where or "—")}</td></tr>'
        )
    return (
        f'<table class="of-table of-signal-table" data-signals="{len(signals)}"><tr><th>time</th>'
        "<th>signal · price</th><th>strength</th><th>where</th></tr>" + "".join(body) + "</table>"
    )


def connection_lights(snapshot: Snapshot, node_connected: bool) -> list[tuple[str, str, str]]:
    """(name, state word, colour) for what is really connected: which broker, which feed, the store, the node.

    The paper broker and the synthetic or replay feed are named as such; "IB" only appears when
    the node trades live through Interactive Brokers.
    """
    connections = snapshot.get("connections") or {}
    source = str(snapshot.get("source") or "").lower()
    live = source == "live"
    broker = connections.get("broker")
    feed = connections.get("feed")
    feed_name = {"synthetic": "synthetic market", "replay": "replay", "live": "IB market data"}.get(
        source, "market data"
    )
    broker_word = "connected" if broker == "connected" else words(broker) or "unknown"
    return [
        ("IB broker" if live else "paper broker", broker_word, light_colour(broker)),
        (
            feed_name,
            "live" if feed in ("synthetic", "replay", "live") else words(feed) or "unknown",
            light_colour(feed),
        ),
        (
            "store",
            words(connections.get("store")) or "unknown",
            light_colour(connections.get("store")),
        ),
        ("node", "connected" if node_connected else "lost", GREEN if node_connected else RED),
    ]


def lights_html(snapshot: Snapshot, node_connected: bool) -> str:
    """The connection lights in one line."""
    return "".join(
        f'<span class="of-light" {attrs(connection=name, status=word)} title="{esc(name)}: {esc(word)}">'
        f"{lamp(colour, 9)} {esc(name)}</span>"
        for name, word, colour in connection_lights(snapshot, node_connected)
    )


GATE_WORDS = {
    "ACTIVE": "Orders allowed",
    "REDUCING": "Only orders that reduce the position",
    "HALTED": "Trading halted",
}


def gate_word(state: Any) -> str:
    """The gate's state as the Orders panel says it ("Orders allowed", "Trading halted", ...)."""
    return GATE_WORDS.get(str(state or "").upper(), "Not known yet")


def gate_html(snapshot: Snapshot) -> str:
    """Whether orders may go out now and, when not, why (fence, breaker, not ready)."""
    gate = snapshot.get("gate") or {}
    state = str(gate.get("state") or "UNKNOWN").upper()
    colour = {"ACTIVE": GREEN, "REDUCING": AMBER, "HALTED": RED}.get(state, GREY)
    word = gate_word(state)
    reasons = [plain(r) for r in gate.get("reasons") or []]
    if gate.get("fence_active"):
        reasons.insert(0, f"Fence on: {plain(gate.get('fence_reason')) or 'no reason given'}")
    if gate.get("breaker_tripped"):
        reasons.insert(0, "The daily loss limit was hit")
    if gate.get("ready") is False:
        reasons.insert(0, "The node is not ready yet")
    items = "".join(f"<li>{esc(r)}</li>" for r in dict.fromkeys(reasons))
    return (
        f"<div {attrs(gate_state=state, fence_active=str(bool(gate.get('fence_active'))).lower())}>"
        f'{lamp(colour, 12)} <b class="of-gate-word">{esc(word)}</b>'
        + (f'<ul class="of-reasons">{items}</ul>' if items else "")
        + "</div>"
    )


def _price_of_ticks(value: Any, snapshot: Snapshot) -> str:
    ticks = as_float(value)
    return fmt_price(None if math.isnan(ticks) else ticks * tick_size(snapshot))


def event_words(event: dict[str, Any], snapshot: Snapshot) -> str:
    """One order, fill, trade, exit, stop or journal event as a short sentence."""
    kind = event.get("kind")
    if kind == "journal":
        verb = "Took" if event.get("taken") else "Skipped"
        scenario = str(event.get("scenario_id") or "")
        text = str(event.get("text") or "")
        if scenario and text.startswith(f"{scenario} "):
            text = text[len(scenario) + 1 :]
        return f"{verb} {scenario or 'a setup'}: {plain(text)}"
    if kind == "fill":
        action = "Bought" if str(event.get("action")).upper() == "BUY" else "Sold"
        return f"{action} {event.get('quantity')} {event.get('instrument') or ''} at {fmt_price(event.get('price'))}"
    if kind == "order":
        return f"Order {str(event.get('status') or '').lower()}" + (
            f": {plain(event.get('reason'))}" if event.get("reason") else ""
        )
    if kind == "trade":
        pnl = event.get("pnl_gbp")
        return (
            f"Closed {_price_of_ticks(event.get('entry_ticks'), snapshot)} → "
            f"{_price_of_ticks(event.get('exit_ticks'), snapshot)} ({words(event.get('exit')) or 'exit'}): "
            f"{fmt_money(pnl, '£')}"
        )
    if kind == "exit":
        return f"Exiting: {plain(event.get('reason'))}"
    if kind == "stop_moved":
        return f"Stop moved to {fmt_price(event.get('price') or event.get('stop'))}"
    if kind == "gate":
        return gate_word(event.get("state")) + (
            f": {plain(event.get('reason'))}" if event.get("reason") else ""
        )
    return plain(kind)


ACTIVITY_KINDS = ("journal", "order", "fill", "trade", "exit", "stop_moved", "gate")


def activity_html(events: list[dict[str, Any]], snapshot: Snapshot, rows: int = 6) -> str:
    """The newest decisions, orders, fills and closed trades in plain words."""
    shown = [e for e in events if e.get("kind") in ACTIVITY_KINDS][-rows:]
    if not shown:
        return '<div class="of-muted" data-activity="0">No orders yet today.</div>'
    lines = "".join(
        f'<li {attrs(event=e.get("kind") or "")} title="{esc(event_words(e, snapshot))}">'
        f"<span class=of-muted>{fmt_time(e.get('ts_ns') or e.get('exit_ts_ns'))}</span> "
        f"{esc(event_words(e, snapshot))}</li>"
        for e in reversed(shown)
    )
    return f'<ul class="of-activity" data-activity="{len(shown)}">{lines}</ul>'
