"""Pre-market regime (spec §5.2): TREND_UP, TREND_DOWN, BREAKOUT_PENDING, BALANCE or UNKNOWN from
the prior day's DVA against the composite that excludes it, the composites' migration character
and the overnight range. Every rule that fired is listed in `reasons` as a sentence a trader would
say, with its rule number in `rules`; the first one wins."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from orderflow_lib.core.config import MigrationSettings, RegimeSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.plain import plain, plain_dict
from orderflow_lib.profiles.migration import (
    ValueLevels,
    ValueRelationship,
    relationship,
    width_ticks,
)


class Regime(StrEnum):
    """Pre-market regime."""

    TREND_UP = "TREND_UP"
    TREND_DOWN = "TREND_DOWN"
    BREAKOUT_PENDING = "BREAKOUT_PENDING"
    BALANCE = "BALANCE"
    UNKNOWN = "UNKNOWN"


class Bias(StrEnum):
    """Directional bias of the day."""

    BULLISH = "BULLISH"
    BEARISH = "BEARISH"
    NEUTRAL = "NEUTRAL"

    @property
    def direction(self) -> int:
        """+1, -1 or 0."""
        return {"BULLISH": 1, "BEARISH": -1}.get(str(self), 0)


class Confidence(StrEnum):
    """Confidence of a call, ordered LOW < MED < HIGH."""

    HIGH = "HIGH"
    MED = "MED"
    LOW = "LOW"

    @property
    def rank(self) -> int:
        """0 for LOW, 1 for MED, 2 for HIGH."""
        return {"LOW": 0, "MED": 1, "HIGH": 2}[str(self)]


@dataclass(frozen=True, slots=True)
class RegimeCall:
    """The regime with its bias, confidence, the reasons that fired (plain sentences for the
    trader), the spec §5.2 rule number of each fired rule (same order, the winner first) and the
    value relationship."""

    regime: Regime
    bias: Bias
    confidence: Confidence
    reasons: tuple[str, ...]
    relationship: ValueRelationship | None
    rules: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (the relationship last)."""
        return {
            **plain_dict(self, skip=("relationship",)),
            "relationship": plain(self.relationship),
        }


def _sign_bias(mid_shift: Fraction) -> Bias:
    if mid_shift > 0:
        return Bias.BULLISH
    if mid_shift < 0:
        return Bias.BEARISH
    return Bias.NEUTRAL


_LEAN = {
    Bias.BULLISH: "leaning bullish",
    Bias.BEARISH: "leaning bearish",
    Bias.NEUTRAL: "no lean either way",
}

_BALANCE_SENTENCE = {
    "INSIDE": "The prior session's value stayed inside the {cva}",
    "UNCHANGED": "The prior session's value matched the {cva}",
    "OUTSIDE": "The prior session's value spread past both edges of the {cva}",
}


def classify_regime(
    prior_dva: ValueLevels | None,
    cva: ValueLevels | None,
    *,
    days_included: int,
    character: str = "UNKNOWN",
    on_range_ratio: Fraction | None = None,
    prior_short: bool = False,
    settings: RegimeSettings | None = None,
    edge_tol_ticks: int | None = None,
) -> RegimeCall:
    """Spec §5.2 rules 1-6 on DVA(D-1) against C = CVA(D-6..D-2) with `days_included` sessions.

    `on_range_ratio` is the ON range over its median (None when unknown: rule 4's ON test is
    then skipped). A short prior session caps the confidence at MED.
    """
    s = settings or RegimeSettings()
    tol = MigrationSettings().edge_tol_ticks if edge_tol_ticks is None else edge_tol_ticks
    if prior_dva is None or cva is None:
        why = (
            "No value area for the prior session or the composite yet: "
            "too little history to call the day"
        )
        return RegimeCall(Regime.UNKNOWN, Bias.NEUTRAL, Confidence.LOW, (why,), None, (1,))
    if days_included < s.min_days:
        why = (
            f"Only {days_included} sessions in the composite value area, {s.min_days} needed: "
            "too little history to call the day"
        )
        return RegimeCall(Regime.UNKNOWN, Bias.NEUTRAL, Confidence.LOW, (why,), None, (1,))
    rel = relationship(prior_dva, cva, tol)
    area = f"{days_included}-day value area"
    fired: list[tuple[int, Regime, Bias, Confidence, str]] = []
    if rel.relation == "HIGHER":
        fired.append(
            (
                2,
                Regime.TREND_UP,
                Bias.BULLISH,
                Confidence.HIGH,
                f"The prior session built its value entirely above the {area}: buyers in control",
            )
        )
    if rel.relation == "OVERLAP_HIGHER" and character == "MIGRATING_UP":
        fired.append(
            (
                2,
                Regime.TREND_UP,
                Bias.BULLISH,
                Confidence.MED,
                f"Price is building value above the {area} and value has been moving up day "
                "after day: buyers in control",
            )
        )
    if rel.relation == "LOWER":
        fired.append(
            (
                3,
                Regime.TREND_DOWN,
                Bias.BEARISH,
                Confidence.HIGH,
                f"The prior session built its value entirely below the {area}: sellers in control",
            )
        )
    if rel.relation == "OVERLAP_LOWER" and character == "MIGRATING_DOWN":
        fired.append(
            (
                3,
                Regime.TREND_DOWN,
                Bias.BEARISH,
                Confidence.MED,
                f"Price is building value below the {area} and value has been moving down day "
                "after day: sellers in control",
            )
        )
    narrow_on = on_range_ratio is not None and on_range_ratio < exact(s.narrow_on_ratio)
    narrow_va = rel.relation == "INSIDE" and width_ticks(prior_dva) <= exact(
        s.narrow_va_ratio
    ) * width_ticks(cva)
    if narrow_on:
        fired.append(
            (
                4,
                Regime.BREAKOUT_PENDING,
                Bias.NEUTRAL,
                Confidence.MED,
                f"The overnight range was only {float(on_range_ratio or 0):.0%} of its usual size: "
                "a breakout may be coming",
            )
        )
    if narrow_va:
        fired.append(
            (
                4,
                Regime.BREAKOUT_PENDING,
                Bias.NEUTRAL,
                Confidence.MED,
                f"The prior session's value was narrow, at most {s.narrow_va_ratio:.0%} as wide as "
                f"the {area} and inside it: a breakout may be coming",
            )
        )
    if character == "CONTRACTING":
        fired.append(
            (
                4,
                Regime.BREAKOUT_PENDING,
                Bias.NEUTRAL,
                Confidence.MED,
                "Value areas have been getting narrower day after day: a breakout may be coming",
            )
        )
    if rel.overlap_pct >= exact(s.balance_overlap) or rel.relation in _BALANCE_SENTENCE:
        where = _BALANCE_SENTENCE.get(
            str(rel.relation),
            f"The prior session's value overlapped the {{cva}} by {float(rel.overlap_pct):.0%}",
        ).format(cva=area)
        fired.append(
            (
                5,
                Regime.BALANCE,
                Bias.NEUTRAL,
                Confidence.MED,
                f"{where}: the market is in balance, buyers and sellers agree on price",
            )
        )
    if not fired:
        lean = _sign_bias(rel.mid_shift_ticks)
        shift = float(abs(rel.mid_shift_ticks))
        side = {Bias.BULLISH: "higher", Bias.BEARISH: "lower"}.get(lean)
        middle = (
            "its middle level with it" if side is None else f"its middle {shift:g} ticks {side}"
        )
        fired.append(
            (
                6,
                Regime.BALANCE,
                lean,
                Confidence.LOW,
                f"The prior session's value overlapped the {area} by only "
                f"{float(rel.overlap_pct):.0%}, {middle}: no clear trend, {_LEAN[lean]}",
            )
        )
    _, regime, bias, confidence, _ = fired[0]
    rules = tuple(rule for rule, *_ in fired)
    reasons = [why for *_, why in fired]
    if prior_short and confidence == Confidence.HIGH:
        confidence = Confidence.MED
        reasons.append("The prior session was short, so confidence is capped at medium")
    return RegimeCall(regime, bias, confidence, tuple(reasons), rel, rules)
