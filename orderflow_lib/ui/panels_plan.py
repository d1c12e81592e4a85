"""Pure HTML for the day's plan (regime, bias, if/then scenarios with live state) and the position."""

from __future__ import annotations

import math
from typing import Any

from orderflow_lib.ui.html import attrs, esc, fmt_money, fmt_price
from orderflow_lib.ui.snapshot import Snapshot, as_float, as_list, tick_size
from orderflow_lib.ui.wording import (
    bias_words,
    condition_words,
    confidence_words,
    plain,
    regime_words,
    setup_name,
)

STATE_CLASSES = {
    "waiting": "of-st-wait",
    "triggered": "of-st-trig",
    "tradable": "of-st-go",
    "in trade": "of-st-live",
    "done": "of-st-done",
    "invalidated": "of-st-off",
    "missed": "of-st-off",
}


def scenario_sentence(scenario: dict[str, Any]) -> str:
    """The scenario's if/then in words: "If price holds below 4490.75, sell 4490.75–4492.75 ..."."""
    side = "buy" if (scenario.get("direction") or 0) > 0 else "sell"
    zone = as_list(scenario.get("zone"))
    where = f" {fmt_price(zone[0])}–{fmt_price(zone[1])}" if len(zone) == 2 else ""
    targets = str(scenario.get("target") or "").replace(", ", " then ")
    sentence = f"If {condition_words(scenario.get('trigger')) or 'it sets up'}, {side}{where}"
    if targets:
        sentence += f", target {targets}"
    invalid = condition_words(scenario.get("invalidation"))
    return sentence + (f". Wrong if {invalid}." if invalid else ".")


def _scenario_html(scenario: dict[str, Any]) -> str:
    state = str(scenario.get("state") or "waiting").lower()
    missed = scenario.get("missed_reason")
    note = f'<div class="of-muted">{esc(plain(missed))}</div>' if missed else ""
    return (
        f'<div class="of-scenario" {attrs(scenario_id=scenario.get("id") or "", state=state)}>'
        f'<span class="of-state {STATE_CLASSES.get(state, "of-st-wait")}">{esc(state)}</span> '
        f"<b>{esc(setup_name(scenario.get('kind'), scenario.get('direction')))}</b>"
        f'<div class="of-if">{esc(scenario_sentence(scenario))}</div>{note}</div>'
    )


def plan_html(snapshot: Snapshot) -> str:
    """The day's plan: regime, bias and confidence, why, then each scenario with its live state."""
    plan = snapshot.get("plan")
    if not plan:
        regime = snapshot.get("regime") or {}
        return (
            f'<div data-plan="none"><div class="of-regime-line">{esc(regime_words(regime.get("regime")))}</div>'
            '<div class="of-muted">The plan is built at the cash open (09:30 New York).</div></div>'
        )
    reasons = "".join(f"<li>{esc(plain(r))}</li>" for r in as_list(plan.get("reasons"))[:2])
    scenarios = "".join(_scenario_html(s) for s in as_list(plan.get("scenarios")))
    return (
        f"<div {attrs(plan=plan.get('trade_date') or '', regime=plan.get('regime') or '')}>"
        f'<div class="of-regime-line">{esc(regime_words(plan.get("regime")))}'
        f' <span class="of-muted">· {esc(confidence_words(plan.get("confidence")))} confidence</span></div>'
        f"<div>Bias: <b>{esc(bias_words(plan.get('bias')))}</b></div>"
        f'<ul class="of-reasons">{reasons}</ul>'
        f'<div class="of-scenarios" data-scenarios="{len(as_list(plan.get("scenarios")))}">'
        f"{scenarios or '<div class=of-muted>No setups today.</div>'}</div></div>"
    )


def _trade_price(trade: dict[str, Any], key: str, tick: float) -> str:
    ticks = as_float(trade.get(key))
    return fmt_price(ticks * tick if not math.isnan(ticks) else None)


def _closed_html(trades: list[dict[str, Any]], tick: float, rows: int) -> str:
    if not trades:
        return '<div class="of-muted" data-trades="0">No closed trades yet.</div>'
    body = []
    for trade in reversed(trades[-rows:]):
        pnl = trade.get("pnl_gbp")
        side = "long" if (trade.get("direction") or 0) > 0 else "short"
        r = trade.get("r_multiple")
        css = "of-buy" if (pnl or 0) > 0 else "of-sell" if (pnl or 0) < 0 else ""
        body.append(
            f"<tr {attrs(trade=trade.get('scenario_id') or '', pnl_gbp=pnl if pnl is not None else '')}>"
            f'<td>{side}</td><td class="of-num">{_trade_price(trade, "entry_ticks", tick)} → '
            f"{_trade_price(trade, 'exit_ticks', tick)}</td>"
            f'<td class="of-num">{"—" if r is None else f"{float(r):+.1f}R"}</td>'
            f'<td class="of-num {css}">{fmt_money(pnl, "£")}</td></tr>'
        )
    return (
        f'<table class="of-table" data-trades="{len(trades)}"><tr><th>closed</th>'
        "<th>entry → exit</th><th>R</th><th>P&amp;L</th></tr>" + "".join(body) + "</table>"
    )


def position_html(snapshot: Snapshot, rows: int = 3) -> str:
    """The open position (side, size, entry, stop, targets, open P&L), then closed trades and the day's P&L."""
    position = snapshot.get("position") or {}
    qty = int(position.get("qty") or 0)
    daily = position.get("daily_pnl_gbp")
    daily_css = "of-buy" if (daily or 0) > 0 else "of-sell" if (daily or 0) < 0 else ""
    if qty:
        targets = " then ".join(fmt_price(t) for t in as_list(position.get("targets"))) or "—"
        side = "Long" if qty > 0 else "Short"
        unrealized = position.get("unrealized_usd")
        now = (
            f'<div class="of-open" {attrs(position=qty, entry=fmt_price(position.get("avg_price")), stop=fmt_price(position.get("stop")), target=targets)}>'
            f'<div class="of-pos-line"><b class="{"of-buy" if qty > 0 else "of-sell"}">{side} {abs(qty)} '
            f"{esc(position.get('instrument') or '')}</b> · open P&amp;L {fmt_money(unrealized, '$')}</div>"
            '<table class="of-table of-levels"><tr><th>entry</th><th>stop</th><th>target</th></tr>'
            f'<tr><td class="of-num">{fmt_price(position.get("avg_price"))}</td>'
            f'<td class="of-num of-sell">{fmt_price(position.get("stop"))}</td>'
            f'<td class="of-num of-buy">{esc(targets)}</td></tr></table></div>'
        )
    else:
        now = '<div class="of-open" data-position="0"><b>Flat</b> <span class="of-muted">· no open position</span></div>'
    trades = [t for t in as_list(position.get("trades")) if isinstance(t, dict)]
    return (
        f"{now}{_closed_html(trades, tick_size(snapshot), rows)}"
        f'<div class="of-day">Today: <b class="{daily_css}" data-role="daily-pnl">{fmt_money(daily, "£")}</b>'
        f' <span class="of-muted">· realized {fmt_money(position.get("realized_usd"), "$")}</span></div>'
    )
