"""Pre-market regime (spec §5.2): TREND_UP, TREND_DOWN, BREAKOUT_PENDING, BALANCE or UNKNOWN from
the prior day's DVA against the composite that excludes it, the composites' migration character
and the overnight range. Every rule that fired is listed in `reasons`; the first one wins."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from orderflow_lib.core.config import MigrationSettings, RegimeSettings
from orderflow_lib.core.fractions import exact
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
    """The regime with its bias, confidence, the reasons that fired and the value relationship."""

    regime: Regime
    bias: Bias
    confidence: Confidence
    reasons: tuple[str, ...]
    relationship: ValueRelationship | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "regime": str(self.regime),
            "bias": str(self.bias),
            "confidence": str(self.confidence),
            "reasons": list(self.reasons),
            "relationship": None if self.relationship is None else self.relationship.to_dict(),
        }


def _sign_bias(mid_shift: Fraction) -> Bias:
    if mid_shift > 0:
        return Bias.BULLISH
    if mid_shift < 0:
        return Bias.BEARISH
    return Bias.NEUTRAL


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
    if prior_dva is None or cva is None or days_included < s.min_days:
        why = (
            "no prior DVA"
            if prior_dva is None or cva is None
            else (f"composite has {days_included} sessions < regime.min_days {s.min_days}")
        )
        return RegimeCall(Regime.UNKNOWN, Bias.NEUTRAL, Confidence.LOW, (f"rule 1: {why}",), None)
    rel = relationship(prior_dva, cva, tol)
    fired: list[tuple[Regime, Bias, Confidence, str]] = []
    if rel.relation == "HIGHER":
        fired.append(
            (Regime.TREND_UP, Bias.BULLISH, Confidence.HIGH, "rule 2: DVA higher than the CVA")
        )
    if rel.relation == "OVERLAP_HIGHER" and character == "MIGRATING_UP":
        fired.append(
            (
                Regime.TREND_UP,
                Bias.BULLISH,
                Confidence.MED,
                "rule 2: DVA overlapping higher and composites MIGRATING_UP",
            )
        )
    if rel.relation == "LOWER":
        fired.append(
            (Regime.TREND_DOWN, Bias.BEARISH, Confidence.HIGH, "rule 3: DVA lower than the CVA")
        )
    if rel.relation == "OVERLAP_LOWER" and character == "MIGRATING_DOWN":
        fired.append(
            (
                Regime.TREND_DOWN,
                Bias.BEARISH,
                Confidence.MED,
                "rule 3: DVA overlapping lower and composites MIGRATING_DOWN",
            )
        )
    narrow_on = on_range_ratio is not None and on_range_ratio < exact(s.narrow_on_ratio)
    narrow_va = rel.relation == "INSIDE" and width_ticks(prior_dva) <= exact(
        s.narrow_va_ratio
    ) * width_ticks(cva)
    if narrow_on:
        fired.append(
            (
                Regime.BREAKOUT_PENDING,
                Bias.NEUTRAL,
                Confidence.MED,
                f"rule 4: ON range ratio {float(on_range_ratio or 0):.2f} < {s.narrow_on_ratio}",
            )
        )
    if narrow_va:
        fired.append(
            (
                Regime.BREAKOUT_PENDING,
                Bias.NEUTRAL,
                Confidence.MED,
                "rule 4: DVA inside and at most half the CVA's width",
            )
        )
    if character == "CONTRACTING":
        fired.append(
            (
                Regime.BREAKOUT_PENDING,
                Bias.NEUTRAL,
                Confidence.MED,
                "rule 4: composites CONTRACTING",
            )
        )
    if rel.overlap_pct >= exact(s.balance_overlap) or rel.relation in (
        "INSIDE",
        "UNCHANGED",
        "OUTSIDE",
    ):
        fired.append(
            (
                Regime.BALANCE,
                Bias.NEUTRAL,
                Confidence.MED,
                f"rule 5: {rel.relation}, overlap {float(rel.overlap_pct):.1%}",
            )
        )
    if not fired:
        fired.append(
            (
                Regime.BALANCE,
                _sign_bias(rel.mid_shift_ticks),
                Confidence.LOW,
                f"rule 6: {rel.relation}, overlap {float(rel.overlap_pct):.1%}, midpoint "
                f"shift {float(rel.mid_shift_ticks):+g} ticks",
            )
        )
    regime, bias, confidence, _ = fired[0]
    reasons = [why for *_, why in fired]
    if prior_short and confidence == Confidence.HIGH:
        confidence = Confidence.MED
        reasons.append("prior session was short: confidence capped at MED")
    return RegimeCall(regime, bias, confidence, tuple(reasons), rel)
