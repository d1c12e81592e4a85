"""The active strategy family (spec §5.3), recomputed on every closed `plan.family_bar_min` bar from
the pre-market regime, live acceptance at the composite (the VEF state) and the VWAP rhythm.

Precedence: UNKNOWN regime -> `plan.unknown_family`; value accepted or building beyond a CVA edge
(VEF3/4/6) -> directional that way; a failed breakout (accepted back inside) -> the reverse
direction when it fails the pre-market trend, else ROTATIONAL; a final open drive or open test
drive -> its direction; otherwise the regime's family, a directional one turned ROTATIONAL when
the VWAP rhythm reverses. Cumulative delta and footprint signals never change the family.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow_lib.auction.open_type import OpenType, OpenTypeCall
from orderflow_lib.auction.vef import VefEvent, VefStatus
from orderflow_lib.flow.rhythm import Condition as Rhythm
from orderflow_lib.plan.kinds import Family

_DIRECTIONAL = {1: Family.DIRECTIONAL_BULLISH, -1: Family.DIRECTIONAL_BEARISH}
_REGIME_FAMILY = {
    "TREND_UP": Family.DIRECTIONAL_BULLISH,
    "TREND_DOWN": Family.DIRECTIONAL_BEARISH,
    "BALANCE": Family.ROTATIONAL,
    "BREAKOUT_PENDING": Family.ROTATIONAL,
}


@dataclass(frozen=True, slots=True)
class FamilyCall:
    """The active family and the rule that chose it."""

    family: Family
    reason: str


def _failed_breakout(events: tuple[VefEvent, ...]) -> int:
    """The side (+1 up, -1 down) of the breakout that the latest value shift undid, or 0."""
    shifts = [e for e in events if e.code in ("VEF3", "VEF4", "VEF6")]
    if not shifts or shifts[-1].direction != 0:
        return 0
    for e in reversed(shifts[:-1]):
        if e.direction:
            return e.direction
    return 0


def select_family(
    regime: str,
    *,
    vef: VefStatus | None = None,
    vef_events: tuple[VefEvent, ...] = (),
    open_call: OpenTypeCall | None = None,
    rhythm: Rhythm | None = None,
    unknown_family: str = "NONE",
) -> FamilyCall:
    """The family for the current moment (see the module docstring for the order)."""
    if regime == "UNKNOWN":
        return FamilyCall(Family(unknown_family), "regime UNKNOWN")
    if vef is not None and vef.directional:
        return FamilyCall(_DIRECTIONAL[vef.directional], "value accepted beyond the composite")
    failed = _failed_breakout(vef_events)
    if failed:
        trend = {"TREND_UP": 1, "TREND_DOWN": -1}.get(regime, 0)
        if trend == failed:
            return FamilyCall(_DIRECTIONAL[-failed], "failed breakout against the trend: reverse")
        return FamilyCall(Family.ROTATIONAL, "failed breakout: back to rotation")
    drives = (OpenType.OPEN_DRIVE, OpenType.OPEN_TEST_DRIVE)
    if open_call is not None and open_call.open_type in drives and open_call.direction:
        return FamilyCall(_DIRECTIONAL[open_call.direction], f"open {open_call.label}")
    family = _REGIME_FAMILY.get(regime, Family.NONE)
    if family != Family.ROTATIONAL and rhythm == Rhythm.REVERSAL:
        return FamilyCall(Family.ROTATIONAL, "VWAP rhythm reversed")
    return FamilyCall(family, f"regime {regime}")
