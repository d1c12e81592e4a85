"""Markdown documents of a plan and of its review, in the words a trader would use (prices in
points, times in New York). The internal codes stay in the plan and review data."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from orderflow_lib.core.timeconv import ns_to_ny
from orderflow_lib.plan.trade import SKIP_WORDS, SkipReason
from orderflow_lib.profiles.ladder import price_of

if TYPE_CHECKING:
    from orderflow_lib.auction.vef import VefEvent
    from orderflow_lib.plan.model import Plan, Scenario
    from orderflow_lib.plan.review import Review, ScenarioOutcome
    from orderflow_lib.profiles.migration import ValueRelationship

_REGIME = {
    "TREND_UP": "trend up",
    "TREND_DOWN": "trend down",
    "BALANCE": "balance",
    "BREAKOUT_PENDING": "breakout may be coming",
    "UNKNOWN": "no call",
}
_CONFIDENCE = {"HIGH": "high", "MED": "medium", "LOW": "low"}
_CHARACTER = {
    "MIGRATING_UP": "moving up day after day",
    "MIGRATING_DOWN": "moving down day after day",
    "FAILED_UP": "a move up that failed",
    "FAILED_DOWN": "a move down that failed",
    "CONTRACTING": "getting narrower",
    "EXPANDING": "getting wider",
    "SIDEWAYS": "going sideways",
    "UNKNOWN": "too few days to tell",
}
_SHAPE = {
    "B": "two distributions (B shape)",
    "THIN": "thin, one-way trend",
    "P": "P shape (buyers or short covering)",
    "b": "b shape (long liquidation)",
    "D": "balanced (D shape)",
}
_RELATION = {
    "HIGHER": "entirely above it",
    "LOWER": "entirely below it",
    "OVERLAP_HIGHER": "overlapping it, higher",
    "OVERLAP_LOWER": "overlapping it, lower",
    "INSIDE": "inside it",
    "OUTSIDE": "wider on both sides",
    "UNCHANGED": "about the same",
}
_INVENTORY = {
    "FULL_LONG": "all long",
    "NET_LONG": "mostly long",
    "FULL_SHORT": "all short",
    "NET_SHORT": "mostly short",
    "NEUTRAL": "balanced",
}
_OPEN_LOCATION = {
    "AT_VAH": (
        "at the top of the prior value area",
        "if price holds above it, treat it as an open above value; if it is pushed back, expect "
        "a move across value to the VAL",
    ),
    "AT_VAL": (
        "at the bottom of the prior value area",
        "if price holds below it, treat it as an open below value; if it is pushed back, expect "
        "a move across value to the VAH",
    ),
    "INSIDE_VALUE": (
        "inside the prior value area",
        "balance: the least risk and the least opportunity, the day likely stays inside the prior "
        "range, fade the edges; a drive out of value in the first half-hour can start a breakout",
    ),
    "ABOVE_VALUE_IN_RANGE": (
        "above the prior value area but inside the prior range",
        "the market is testing higher prices; if they are accepted, expect the prior high and "
        "beyond; if price falls back into value for two half-hours, the 80% rule points to the VAL",
    ),
    "BELOW_VALUE_IN_RANGE": (
        "below the prior value area but inside the prior range",
        "the market is testing lower prices; if they are accepted, expect the prior low and "
        "beyond; if price climbs back into value for two half-hours, the 80% rule points to the VAH",
    ),
    "ABOVE_RANGE": (
        "above the prior range",
        "out of balance, the most risk and the most opportunity; if the gap is not filled in the "
        "first hour a trend may start; if it is rejected, expect the gap to fill, then value",
    ),
    "BELOW_RANGE": (
        "below the prior range",
        "out of balance, the most risk and the most opportunity; if the gap is not filled in the "
        "first hour a trend may start; if it is rejected, expect the gap to fill, then value",
    ),
}
_EIGHTY = {
    "IDLE": "not set up",
    "OUTSIDE": "price outside value",
    "ARMED": "one half-hour back inside value",
    "TRIGGERED": "triggered after two half-hours inside value",
    "DONE": "done, the far edge was reached",
    "FAILED": "failed",
    "EXPIRED": "ran out of time",
    "SKIPPED": "skipped, the value area is too narrow",
}
_REF_SOURCE = {
    "STACKED": "a level where several past value areas line up",
    "ARCHIVE": "an older value-area level",
    "MEASURED": "the value area's height measured from its edge",
}
_LEVEL_NAMES = {
    "upside_ref": "next balance area above",
    "downside_ref": "next balance area below",
    "naked_poc": "untested POC",
    "stacked": "stacked value level",
}
_LEVEL_PREFIX = {
    "prior": "prior",
    "on": "overnight",
    "cva": "composite",
    "cva_incl": "composite",
    "dva": "today's",
    "ib": "IB",
}
_LEVEL_SUFFIX = {"vah": "VAH", "val": "VAL", "poc": "POC", "vwap": "VWAP", "mid": "middle"}
_OPEN_TYPE = {
    "OD": "an open drive {way}: one way from the bell",
    "OTD": "an open test drive {way}: a test the other way, then a drive {way}",
    "ORR": "an open rejection reverse {way}",
}
_OPEN_AUCTION = {
    "OA_IN_RANGE": "an open auction inside the prior range: two-sided trade",
    "OA_OUT_OF_RANGE": "an open auction outside the prior range: two-sided trade",
    "OA": "an open auction: two-sided trade",
}
_INVENTORY_FIX = {
    "CORRECTED": "the expected correction came",
    "NOT_CORRECTED": "the expected correction did not come",
    "PENDING": "the expected correction had not come yet",
    "NOT_APPLICABLE": "nothing to correct",
}
_DAY_GRADE = {
    "NO_TRADABLE": "no scenario reached its entry zone",
    "NO_TRADE": "no trade taken",
    "WON": "every trade won",
    "LOST": "every trade lost",
    "MIXED": "some trades won, some lost",
}
_OUTCOME = {"WIN": "won", "LOSS": "lost", "SCRATCH": "scratch"}
_EXIT = {
    "stop": "stopped out",
    "target": "target hit",
    "invalidation": "out when the idea was proved wrong",
    "time": "out flat before the close",
    "close": "still open at the last trade",
}


def _px(tick: int | None, tick_size: float) -> str:
    return "n/a" if tick is None else f"{price_of(tick, tick_size):.2f}"


def _px_exact(value: Fraction, tick_size: float) -> str:
    return f"{float(value) * tick_size:.3f}".rstrip("0").rstrip(".")


def _ny(ts_ns: int | None) -> str:
    return "-" if ts_ns is None else ns_to_ny(ts_ns).strftime("%H:%M")


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ticks(shift: float) -> str:
    """'79 ticks higher', '30 ticks lower' or 'level'."""
    if shift == 0:
        return "level"
    return f"{abs(shift):g} ticks {'higher' if shift > 0 else 'lower'}"


def _relation(rel: ValueRelationship) -> str:
    return (
        f"{_RELATION.get(str(rel.relation), str(rel.relation))}, {float(rel.overlap_pct):.0%} "
        f"overlap, POC {_ticks(rel.poc_shift_ticks)}"
    )


def _expectation(expectation: str, direction: int) -> str:
    """A scenario's kind as a trader names it: 'buy the pullback after a breakout'."""
    long = direction > 0
    return {
        "BVP": "buy the pullback after a breakout" if long else "sell the bounce after a breakdown",
        "EIGHTY": "80% rule: across the prior value area",
        "RTV": "return to value after a failed breakout",
        "ROTATE": "rotation: fade the edge of value",
        "DRIVE": f"go with the opening drive {'up' if long else 'down'}",
    }.get(expectation, expectation.lower())


def _stop_idea(s: Scenario, ts: float) -> str:
    """Where §5.6 puts the stop: a buffer beyond the zone or the visit's worst price."""
    low, high = s.entry_zone
    if s.expectation == "EIGHTY":
        visit = "the two half-hours that brought it back inside"
    else:
        visit = "the pullback" if s.direction > 0 else "the bounce"
    if s.direction > 0:
        return f"stop a little below {_px(low, ts)}, or below the low of {visit} if that is lower"
    return f"stop a little above {_px(high, ts)}, or above the high of {visit} if that is higher"


def scenario_sentence(s: Scenario, ts: float) -> str:
    """The scenario as one if/then sentence: trigger, entry zone, stop, targets, what proves it
    wrong."""
    low, high = s.entry_zone
    targets = " then ".join(_px(t, ts) for t in s.targets)
    aim = f"; targets {targets}" if targets else "; no target"
    return (
        f"If {s.condition.describe(ts)}, {'buy' if s.direction > 0 else 'sell'} between "
        f"{_px(low, ts)} and {_px(high, ts)}; {_stop_idea(s, ts)}{aim}. "
        f"Wrong if {s.invalidation.describe(ts)}."
    )


def _scenario(s: Scenario, ts: float) -> list[str]:
    return [
        f"### {s.id} · {_first_up(_expectation(str(s.expectation), s.direction))} · "
        f"{'long' if s.direction > 0 else 'short'} · "
        f"{_CONFIDENCE.get(s.confidence, s.confidence)} confidence",
        "",
        scenario_sentence(s, ts),
        "",
        *([s.notes, ""] if s.notes else []),
    ]


def _level_name(name: str) -> str:
    """'prior_vwap+2sd' as 'prior VWAP +2 SD', 'on_high' as 'overnight high'."""
    if name in _LEVEL_NAMES:
        return _LEVEL_NAMES[name]
    match = re.fullmatch(r"(.*?)([+-]\d+(?:\.\d+)?)sd", name)
    base, band = (match.group(1), f" {match.group(2)} SD") if match else (name, "")
    head, _, tail = base.rpartition("_")
    tail_words = _LEVEL_SUFFIX.get(tail, tail)
    words = f"{_LEVEL_PREFIX.get(head, head)} {tail_words}" if head else tail_words
    return words + band


def _level_source(source: str) -> str:
    if source in _REF_SOURCE:
        return _REF_SOURCE[source]
    return re.sub(r"^ON ", "overnight ", source)


def _headline(regime: str, bias: str, confidence: str) -> str:
    return (
        f"{_REGIME.get(regime, regime)}, {bias.lower()} bias, "
        f"{_CONFIDENCE.get(confidence, confidence)} confidence"
    )


def _context(plan: Plan) -> list[str]:
    ts = plan.tick_size
    out = []
    if plan.cva is not None:
        c = plan.cva
        shape = f"; {_SHAPE[c.shape]}" if c.shape in _SHAPE else ""
        out.append(
            f"- Composite value area used for the call, {c.label}: "
            f"VAL {_px(c.val_ticks, ts)} · POC {_px(c.poc_ticks, ts)} · VAH {_px(c.vah_ticks, ts)}; "
            f"range {_px(c.low_tick, ts)}–{_px(c.high_tick, ts)}{shape}"
        )
    if plan.cva_incl_prior is not None and plan.cva_incl_prior is not plan.cva:
        c = plan.cva_incl_prior
        out.append(
            f"- Composite value area with the prior session, {c.label}: VAL {_px(c.val_ticks, ts)} · POC "
            f"{_px(c.poc_ticks, ts)} · VAH {_px(c.vah_ticks, ts)}"
        )
    if plan.prior is not None:
        p = plan.prior
        settle = (
            f"settlement {_px(p.settlement_tick, ts)}"
            if p.settlement_tick is not None
            else "no settlement price in the data, so the last trade stands in for it"
        )
        out.append(
            f"- Prior session {p.date.isoformat()}: VAL {_px(p.val_ticks, ts)} · POC "
            f"{_px(p.poc_ticks, ts)} · VAH {_px(p.vah_ticks, ts)}; high {_px(p.high_tick, ts)}, "
            f"low {_px(p.low_tick, ts)}, close {_px(p.close_tick, ts)} ({settle}); VWAP "
            f"{p.vwap_ticks * ts:.2f}, one standard deviation {p.sigma_ticks * ts:.2f}"
        )
    if plan.relationship is not None and plan.cva is not None:
        out.append(
            f"- Prior session's value against the {plan.cva.days_included}-day value area: "
            f"{_relation(plan.relationship)}, middle {_ticks(float(plan.relationship.mid_shift_ticks))}"
        )
    if plan.overnight is not None:
        o = plan.overnight
        usual = (
            "" if o.on_range_ratio is None else f", {float(o.on_range_ratio):.0%} of its usual size"
        )
        out.append(
            f"- Overnight: high {_px(o.high_tick, ts)}, low {_px(o.low_tick, ts)}, middle "
            f"{_px_exact(o.mid, ts)}, POC {_px(o.poc_tick, ts)}, VWAP {o.vwap_ticks * ts:.2f}; range "
            f"{o.range_ticks * ts:.2f}{usual}; overnight traders are "
            f"{_INVENTORY.get(o.label, o.label)} against {_px(o.ref_tick, ts)} "
            f"(inventory {float(o.inv):+.2f})"
        )
    if plan.last_price_tick is not None:
        line = f"- Last price before the open {_px(plan.last_price_tick, ts)}"
        if plan.expected_open_location in _OPEN_LOCATION:
            where, expect = _OPEN_LOCATION[plan.expected_open_location]
            line += f", which would open {where}. {_first_up(expect)}"
        out.append(line)
    if plan.overnight_eighty is not None:
        e = plan.overnight_eighty
        detail = (
            ": its target traded overnight, nothing left to do"
            if e["complete"]
            else f": still live, first target after the open {_px(e['target_tick'], ts)}"
            if e["pending"]
            else ""
        )
        out.append(
            f"- 80% rule on the prior value area overnight: "
            f"{_EIGHTY.get(e['state'], e['state'])}{detail}"
        )
    if plan.line_in_sand is not None:
        area = "composite" if plan.cva is None else f"{plan.cva.days_included}-day"
        out.append(
            f"- Line in the sand: {_px(plan.line_in_sand, ts)}, the edge of the {area} value area "
            "nearest the last price before the open"
        )
    if plan.upside_ref is not None and plan.downside_ref is not None:
        up, down = plan.upside_ref, plan.downside_ref
        out.append(
            f"- Next balance areas if value breaks out: above {_px(up.tick, ts)} "
            f"({_level_source(up.source)}), below {_px(down.tick, ts)} "
            f"({_level_source(down.source)})"
        )
    if plan.dva_measured_move is not None:
        up_tick, down_tick = plan.dva_measured_move
        out.append(
            "- Prior session's value area height measured from its edges: up "
            f"{_px(up_tick, ts)}, down {_px(down_tick, ts)}"
        )
    if plan.open_scale_ticks is not None:
        out.append(
            "- Usual range of the first half-hour (median): "
            f"{float(plan.open_scale_ticks) * ts:.2f} points"
        )
    if plan.poor_extremes:
        out.append(
            "- Prior poor highs and lows, likely to be revisited: "
            + ", ".join(f"{side} {_px(t, ts)}" for side, t in plan.poor_extremes)
        )
    if plan.single_prints:
        out.append(
            "- Prior single prints (fast moves, often revisited): "
            + ", ".join(f"{_px(a, ts)}–{_px(b, ts)}" for a, b in plan.single_prints)
        )
    return out


def plan_markdown(plan: Plan) -> str:
    """The plan: the call and why, context, key levels, scenarios and data notes."""
    ts = plan.tick_size
    out = [
        f"# Pre-market plan: ES {plan.trade_date.isoformat()} ({plan.contract})",
        "",
        f"**The call: {_headline(plan.regime, plan.bias, plan.confidence)}.** Recent value "
        f"areas: {_CHARACTER.get(plan.character, plan.character.lower())}.",
        "",
        "Why:",
        *[f"- {r}" for r in plan.reasons],
        "",
        "## Context",
        *_context(plan),
        "",
        "## Key levels",
        "",
        "| Level | Price | From |",
        "|---|---:|---|",
        *[
            f"| {_level_name(k.name)} | {_px(k.tick, ts)} | {_level_source(k.source)} |"
            for k in plan.key_levels
        ],
        "",
        "## Scenarios",
        "",
    ]
    if not plan.scenarios:
        out += ["No trade ideas today: too little history to call the day, so levels only.", ""]
    for s in plan.scenarios:
        out += _scenario(s, ts)
    if plan.scenarios:
        out += [
            "Once a scenario reaches its targets, the day's main move is probably done: "
            "do not chase more.",
            "",
        ]
    if plan.notes:
        out += ["## Data notes", "", *[f"- {n}" for n in plan.notes], ""]
    return "\n".join(out)


def _way(direction: int, moved: str, flat: str) -> str:
    return {1: f"{moved} up", -1: f"{moved} down"}.get(direction, flat)


def bias_sentence(verdict: str, bias: str, price_direction: int, value_direction: int) -> str:
    """The bias verdict as a trader says it: 'Right: price and value both went up, as the
    bullish bias expected'."""
    lean = bias.lower()
    want = {"BULLISH": "both to go up", "BEARISH": "both to go down"}.get(bias, "both to stay flat")
    if price_direction == value_direction:
        moves = f"price and value both {_way(price_direction, 'went', 'stayed flat')}"
    else:
        moves = (
            f"price {_way(price_direction, 'went', 'stayed flat')} "
            f"{'but' if verdict == 'MIXED' else 'and'} value "
            f"{_way(value_direction, 'moved', 'stayed in place')}"
        )
    if verdict == "RIGHT":
        return f"Right: {moves}, as the {lean} bias expected"
    if verdict == "WRONG":
        return f"Wrong: {moves}, against the {lean} bias"
    return f"Mixed: {moves}; the {lean} bias expected {want}"


def _outcome(o: ScenarioOutcome) -> str:
    """A scenario's grade in words: 'won, +1.20 R', 'not taken: <why>', 'missed: <why>'."""
    grade = str(o.outcome)
    if grade in _OUTCOME:
        r = "" if o.r_multiple is None else f", {float(o.r_multiple):+.2f} R"
        return f"{_OUTCOME[grade]}{r}"
    if grade == "NOT_TAKEN":
        return f"not taken: {o.reason}"
    if grade == "MISSED":
        return f"missed: {o.reason}"
    return "no trigger"


def bracket_words(h: Any, direction: int, ts: float) -> str:
    """One hypothetical bracket in words."""
    if h is None:
        return "-"
    if h.bracket is None:
        return f"no trade: {SKIP_WORDS[SkipReason(h.skip)]}"
    b = h.bracket
    plan = f"stop {_px(b.stop_tick, ts)}, target {_px(b.target1_tick, ts)}"
    if h.run is None:
        return f"{plan}; no trade came to fill it"
    way = "bought" if direction > 0 else "sold"
    return (
        f"{way} {_px(h.run.fill_tick, ts)}, {plan}; {_EXIT.get(h.run.exit_reason, h.run.exit_reason)} "
        f"at {_px(h.run.exit_tick, ts)}, {float(h.run.r_multiple):+.2f} R: "
        f"{_OUTCOME.get(str(h.grade), '-')}"
    )


def _open_type_words(label: str) -> str:
    kind, _, way = label.partition(" ")
    if kind in _OPEN_TYPE:
        return _OPEN_TYPE[kind].format(way=way)
    return _OPEN_AUCTION.get(label, "not clear")


def _vef_words(e: VefEvent) -> str:
    """One value-expectation event against the composite value area ('it'), in plain words (the
    code stays in the data)."""
    side = {1: "above", -1: "below"}.get(e.direction, "")
    moved = {
        "VEF1": f"back inside it from {'the top' if e.direction < 0 else 'the bottom'}, so expect "
        "the other side; take some profit at the POC",
        "VEF3": f"accepted {side} its whole range, so expect the next balance area {side}",
        "VEF4": f"accepted {side} it, so {'buy pullbacks' if e.direction > 0 else 'sell bounces'}",
        "VEF6": f"value building {side} it",
        "VEF7": "main target reached, the day's main move is done",
    }
    still = {
        "VEF1": "crossed it to the other side",
        "VEF4": "back inside it, balance again",
        "VEF5": "its POC held and value built around it, so watch both edges for a breakout",
    }
    return (moved if e.direction else still).get(e.code, e.text)


def review_markdown(review: Review) -> str:
    """The review: how the day went against the plan, what happened and each scenario's result."""
    plan = review.plan
    ts = plan.tick_size
    f = review.facts
    area = "value area" if plan.cva is None else f"{plan.cva.days_included}-day value area"
    out = [
        f"# Review: ES {review.trade_date.isoformat()} ({review.contract})",
        "",
        f"**Result: {_DAY_GRADE.get(review.grade, review.grade)}.** Trades won: "
        f"{_rate(review.score, 'none taken')}. Hypothetical brackets won: "
        f"{_rate(review.hypothetical_score, 'none')}.",
        "",
        f"**Plan:** {_headline(review.regime, review.bias, review.confidence)}.",
        "",
        "**Bias:** "
        + bias_sentence(
            review.bias_verdict, review.bias, review.price_direction, review.value_direction
        )
        + ".",
        "",
        "## What happened",
    ]
    where = _OPEN_LOCATION.get(f.open_location or "", ("somewhere unknown", ""))[0]
    expected = (
        "as the plan expected"
        if f.open_location == plan.expected_open_location
        else "the plan expected "
        + _OPEN_LOCATION.get(plan.expected_open_location or "", ("no location", ""))[0]
    )
    out += [
        f"- Opened at {_px(f.open_tick, ts)}, {where} ({expected}); the open was "
        f"{_open_type_words(f.open_type or '')}",
        f"- Range {_px(f.low_tick, ts)}–{_px(f.high_tick, ts)}, close {_px(f.close_tick, ts)}; "
        "IB (first hour) " + ("n/a" if f.ib is None else f"{_px(f.ib[0], ts)}–{_px(f.ib[1], ts)}"),
    ]
    if f.dva is not None:
        out.append(
            f"- Day's value: VAL {_px(f.dva.val_ticks, ts)} · POC {_px(f.dva.poc_ticks, ts)} · VAH "
            f"{_px(f.dva.vah_ticks, ts)}"
        )
    for name, rel in (("the prior session's value", f.vs_prior_dva), (f"the {area}", f.vs_cva)):
        if rel is not None:
            out.append(f"- Against {name}: {_relation(rel)}")
    if plan.overnight is not None:
        corrected = (
            f" at {_ny(f.inventory_corrected_ns)} ET"
            if f.inventory_corrected_ns is not None
            else ""
        )
        out.append(
            f"- Overnight traders were {_INVENTORY.get(plan.overnight.label, plan.overnight.label)}: "
            f"{_INVENTORY_FIX.get(f.inventory_correction, f.inventory_correction)}{corrected}"
        )
    if f.eighty_state is not None:
        steps = (
            "; ".join(f"{_ny(t)} {_EIGHTY.get(state, state)}" for t, state, _ in f.eighty_events)
            or "never set up"
        )
        out.append(
            f"- 80% rule on the prior value area: {_EIGHTY.get(f.eighty_state, f.eighty_state)} "
            f"({steps})"
        )
    if f.vef_events:
        out.append(
            f"- Price against the {area}: "
            + "; ".join(f"{_ny(e.ts_ns)} {_vef_words(e)}" for e in f.vef_events)
        )
    out += [
        "",
        "## Scenarios",
        "",
        "| Scenario | If | Result | Triggered | Reached the entry zone | Hypothetical bracket | "
        "Best move | Worst move |",
        "|---|---|---|---|---|---|---:|---:|",
    ]
    for o in review.outcomes:
        s = plan.scenario(o.id)
        zone = "-" if o.tradable_ns is None else f"{_ny(o.tradable_ns)} at {_px(o.zone_tick, ts)}"
        out.append(
            f"| {o.id} {_expectation(o.expectation, o.direction)} "
            f"({'long' if o.direction > 0 else 'short'}) | {s.condition.describe(ts)} | "
            f"{_outcome(o)} | {_ny(o.triggered_ns)} | {zone} | "
            f"{bracket_words(o.hypothetical, o.direction, ts)} | {o.mfe_ticks} | {o.mae_ticks} |"
        )
    if not review.outcomes:
        out.append("| - | - | no scenarios | - | - | - | - | - |")
    out += [
        "",
        "Best and worst move: in ticks from the trigger price, until the first target, the point "
        "the idea was proved wrong, or the close. The hypothetical bracket is the trade the rules "
        "would have made: it buys or sells at the next trade after price first reached the entry "
        "zone.",
        "",
    ]
    return "\n".join(out)


def _rate(value: Any, none: str) -> str:
    return none if value is None else f"{value.numerator} of {value.denominator}"
