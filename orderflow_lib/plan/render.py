"""Markdown documents of a plan and of its review (prices in points, times in New York)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from orderflow_lib.auction.open_location import OPEN_EXPECTATIONS, OpenLocation
from orderflow_lib.core.timeconv import ns_to_ny
from orderflow_lib.profiles.ladder import price_of

if TYPE_CHECKING:
    from orderflow_lib.plan.model import Plan, Scenario
    from orderflow_lib.plan.review import Review


def _px(tick: int | None, tick_size: float) -> str:
    return "n/a" if tick is None else f"{price_of(tick, tick_size):.2f}"


def _px_exact(value: Fraction, tick_size: float) -> str:
    return f"{float(value) * tick_size:.3f}".rstrip("0").rstrip(".")


def _ny(ts_ns: int | None) -> str:
    return "-" if ts_ns is None else ns_to_ny(ts_ns).strftime("%H:%M")


def _scenario(s: Scenario, ts: float) -> list[str]:
    way = "long" if s.direction > 0 else "short"
    return [
        f"### {s.id} · {s.expectation} · {s.family} · {way} · confidence {s.confidence}",
        f"- **If** {s.condition.describe(ts)}",
        f"- **Entry zone** {_px(s.entry_zone[0], ts)}–{_px(s.entry_zone[1], ts)}",
        f"- **Targets** {', '.join(_px(t, ts) for t in s.targets) or 'none'}",
        f"- **Invalidation** {s.invalidation.describe(ts)}",
        *([f"- {s.notes}"] if s.notes else []),
        "",
    ]


def plan_markdown(plan: Plan) -> str:
    """The plan: headline, context, key levels, scenarios and data notes."""
    ts = plan.tick_size
    out = [
        f"# Pre-market plan: ES {plan.trade_date.isoformat()} ({plan.contract})",
        "",
        f"**Regime** {plan.regime} · **bias** {plan.bias} · **confidence** {plan.confidence} · "
        f"**CVA character** {plan.character}",
        "",
        "Why: " + "; ".join(plan.reasons),
        "",
        "## Context",
    ]
    if plan.cva is not None:
        c = plan.cva
        out.append(
            f"- Composite (regime reference): {c.label}: VAL {_px(c.val_ticks, ts)} · POC "
            f"{_px(c.poc_ticks, ts)} · VAH {_px(c.vah_ticks, ts)}, range {_px(c.low_tick, ts)}–"
            f"{_px(c.high_tick, ts)}, shape {c.shape}"
        )
    if plan.cva_incl_prior is not None and plan.cva_incl_prior is not plan.cva:
        c = plan.cva_incl_prior
        out.append(
            f"- Composite incl. prior day: {c.label}: VAL {_px(c.val_ticks, ts)} · POC "
            f"{_px(c.poc_ticks, ts)} · VAH {_px(c.vah_ticks, ts)}"
        )
    if plan.prior is not None:
        p = plan.prior
        settle = "settlement" if p.settlement_tick is not None else "settlement n/a, last RTH trade"
        out.append(
            f"- Prior session {p.date.isoformat()}: VAL {_px(p.val_ticks, ts)} · POC {_px(p.poc_ticks, ts)}"
            f" · VAH {_px(p.vah_ticks, ts)}; high {_px(p.high_tick, ts)}, low {_px(p.low_tick, ts)}, "
            f"close {_px(p.close_tick, ts)} ({settle} {_px(p.settlement_or_close, ts)}); VWAP "
            f"{p.vwap_ticks * ts:.2f}, sigma {p.sigma_ticks * ts:.2f}"
        )
    if plan.relationship is not None:
        r = plan.relationship
        out.append(
            f"- Prior DVA against the composite: {r.relation}, overlap {float(r.overlap_pct):.1%}, POC "
            f"shift {r.poc_shift_ticks:+d} ticks, midpoint shift {float(r.mid_shift_ticks):+g} ticks"
        )
    if plan.overnight is not None:
        o = plan.overnight
        ratio = "n/a" if o.on_range_ratio is None else f"{float(o.on_range_ratio):.2f}x the median"
        out.append(
            f"- Overnight: high {_px(o.high_tick, ts)}, low {_px(o.low_tick, ts)}, mid "
            f"{_px_exact(o.mid, ts)}, POC {_px(o.poc_tick, ts)}, VWAP {o.vwap_ticks * ts:.2f}; range "
            f"{o.range_ticks * ts:.2f} ({ratio}); inventory {o.label} (inv {float(o.inv):+.2f} around "
            f"{_px(o.ref_tick, ts)})"
        )
    if plan.last_price_tick is not None:
        line = f"- Last pre-open price {_px(plan.last_price_tick, ts)}"
        if plan.expected_open_location is not None:
            loc = OpenLocation(plan.expected_open_location)
            line += f": open location would be {loc} ({OPEN_EXPECTATIONS[loc]})"
        out.append(line)
    if plan.overnight_eighty is not None:
        e = plan.overnight_eighty
        detail = (
            " (target traded overnight: complete)"
            if e["complete"]
            else f" (on_80_pending: first RTH objective {_px(e['target_tick'], ts)})"
            if e["pending"]
            else ""
        )
        out.append(f"- Overnight 80% rule on the prior value: {e['state']}{detail}")
    if plan.line_in_sand is not None:
        out.append(f"- Line in the sand: {_px(plan.line_in_sand, ts)}")
    if plan.upside_ref is not None and plan.downside_ref is not None:
        out.append(
            f"- Breakout references: upside {_px(plan.upside_ref.tick, ts)} ({plan.upside_ref.source}), "
            f"downside {_px(plan.downside_ref.tick, ts)} ({plan.downside_ref.source})"
        )
    if plan.dva_measured_move is not None:
        up, down = plan.dva_measured_move
        out.append(f"- Prior DVA measured move: up {_px(up, ts)}, down {_px(down, ts)}")
    if plan.open_scale_ticks is not None:
        out.append(
            f"- Open-type scale S (median A-period range): {float(plan.open_scale_ticks) * ts:.2f}"
        )
    if plan.poor_extremes:
        out.append(
            "- Prior poor extremes: "
            + ", ".join(f"{side} {_px(t, ts)}" for side, t in plan.poor_extremes)
        )
    if plan.single_prints:
        out.append(
            "- Prior single prints: "
            + ", ".join(f"{_px(a, ts)}–{_px(b, ts)}" for a, b in plan.single_prints)
        )
    out += ["", "## Key levels", "", "| Level | Price | Source |", "|---|---:|---|"]
    out += [f"| {k.name} | {_px(k.tick, ts)} | {k.source} |" for k in plan.key_levels]
    out += ["", "## Scenarios", ""]
    if not plan.scenarios:
        out += ["No scenarios: levels only (regime UNKNOWN, family NONE).", ""]
    for s in plan.scenarios:
        out += _scenario(s, ts)
    if plan.scenarios:
        out += [
            "Once a scenario's targets are done, VEF7 applies: the day's main objective is done.",
            "",
        ]
    if plan.notes:
        out += ["## Data notes", "", *[f"- {n}" for n in plan.notes], ""]
    return "\n".join(out)


def review_markdown(review: Review) -> str:
    """The review: grade, what the day did, and each scenario's outcome."""
    plan = review.plan
    ts = plan.tick_size
    f = review.facts
    score = (
        "n/a" if review.score is None else f"{review.score.numerator}/{review.score.denominator}"
    )
    out = [
        f"# Review: ES {review.trade_date.isoformat()} ({review.contract})",
        "",
        f"**Grade** {review.grade} · score {score} · plan {review.regime}/{review.bias}/"
        f"{review.confidence} · bias verdict {review.bias_verdict}",
        "",
        "## What happened",
        f"- Open {_px(f.open_tick, ts)}: {f.open_location or 'n/a'} (plan expected "
        f"{plan.expected_open_location or 'n/a'}); open type {f.open_type or 'n/a'}",
        f"- Range {_px(f.low_tick, ts)}–{_px(f.high_tick, ts)}, close {_px(f.close_tick, ts)}; IB "
        + ("n/a" if f.ib is None else f"{_px(f.ib[0], ts)}–{_px(f.ib[1], ts)}"),
    ]
    if f.dva is not None:
        out.append(
            f"- Day's value: VAL {_px(f.dva.val_ticks, ts)} · POC {_px(f.dva.poc_ticks, ts)} · VAH "
            f"{_px(f.dva.vah_ticks, ts)}"
        )
    for name, rel in (("prior DVA", f.vs_prior_dva), ("plan composite", f.vs_cva)):
        if rel is not None:
            out.append(
                f"- Against the {name}: {rel.relation}, overlap {float(rel.overlap_pct):.1%}, POC shift "
                f"{rel.poc_shift_ticks:+d} ticks"
            )
    corrected = (
        f" at {_ny(f.inventory_corrected_ns)} ET" if f.inventory_corrected_ns is not None else ""
    )
    label = "n/a" if plan.overnight is None else plan.overnight.label
    out.append(f"- Overnight inventory {label}: {f.inventory_correction}{corrected}")
    if f.eighty_state is not None:
        steps = "; ".join(f"{_ny(t)} {state}" for t, state, _ in f.eighty_events) or "no setup"
        out.append(f"- 80% rule on the prior value: {f.eighty_state} ({steps})")
    if f.vef_events:
        out.append(
            "- Value expectations: "
            + "; ".join(f"{_ny(e.ts_ns)} {e.code} {e.text}" for e in f.vef_events)
        )
    out += [
        "",
        "## Scenarios",
        "",
        "| Scenario | If | Outcome | Triggered | Entry | Target hits | Invalidated | MFE | MAE |",
        "|---|---|---|---|---:|---|---|---:|---:|",
    ]
    for o in review.outcomes:
        s = plan.scenario(o.id)
        hits = ", ".join(_ny(h) for h in o.target_hits_ns)
        out.append(
            f"| {o.id} {o.expectation} {'long' if o.direction > 0 else 'short'} | "
            f"{s.condition.describe(ts)} | {o.outcome} | {_ny(o.triggered_ns)} | "
            f"{_px(o.entry_tick, ts)} | {hits} | {_ny(o.invalidated_ns)} | {o.mfe_ticks} | {o.mae_ticks} |"
        )
    if not review.outcomes:
        out.append("| - | - | no scenarios | - | - | - | - | - | - |")
    out += [
        "",
        "MFE/MAE in ticks from the trigger price to the first target, the invalidation or the close.",
        "",
    ]
    return "\n".join(out)
