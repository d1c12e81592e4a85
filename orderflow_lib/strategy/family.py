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
from orderflow_lib.flow.rhythm import RhythmCondition as Rhythm
from orderflow_lib.plan.kinds import Family

_DIRECTIONAL = {1: Family.DIRECTIONAL_BULLISH, -1: Family.DIRECTIONAL_BEARISH}
_REGIME_FAMILY = {
    "TREND_UP": Family.DIRECTIONAL_BULLISH,
    "TREND_DOWN": Family.DIRECTIONAL_BEARISH,
    "BALANCE": Family.ROTATIONAL,
    "BREAKOUT_PENDING": Family.ROTATIONAL,
}
_FAMILY_WORDS = {
    Family.DIRECTIONAL_BULLISH: "trade with the buyers",
    Family.DIRECTIONAL_BEARISH: "trade with the sellers",
    Family.ROTATIONAL: "trade rotations inside value",
    Family.NONE: "levels only, no trades",
}
_REGIME_WORDS = {
    "TREND_UP": "the day is called trend up",
    "TREND_DOWN": "the day is called trend down",
    "BALANCE": "the day is called balance",
    "BREAKOUT_PENDING": "a breakout may be coming but has not started",
}
_SIDE = {1: "above", -1: "below"}
_DRIVES = {
    OpenType.OPEN_DRIVE: "the open drove {way} without looking back",
    OpenType.OPEN_TEST_DRIVE: "the open tested the other way, then drove {way}",
}


@dataclass(frozen=True, slots=True)
class FamilyCall:
    """The active family and why, as a clause a trader would say."""

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
        family = Family(unknown_family)
        return FamilyCall(family, f"too little history to call the day: {_FAMILY_WORDS[family]}")
    if vef is not None and vef.directional:
        family = _DIRECTIONAL[vef.directional]
        side = _SIDE[vef.directional]
        return FamilyCall(
            family,
            f"price is accepted {side} the composite value area: {_FAMILY_WORDS[family]}",
        )
    failed = _failed_breakout(vef_events)
    if failed:
        trend = {"TREND_UP": 1, "TREND_DOWN": -1}.get(regime, 0)
        broke = f"the breakout {_SIDE[failed]} value failed and price is back inside"
        if trend == failed:
            family = _DIRECTIONAL[-failed]
            return FamilyCall(
                family, f"{broke}: the trend has failed, reverse and {_FAMILY_WORDS[family]}"
            )
        return FamilyCall(Family.ROTATIONAL, f"{broke}: back to trading rotations inside value")
    if open_call is not None and open_call.open_type in _DRIVES and open_call.direction:
        family = _DIRECTIONAL[open_call.direction]
        way = "up" if open_call.direction > 0 else "down"
        opened = _DRIVES[open_call.open_type].format(way=way)
        return FamilyCall(family, f"{opened}: {_FAMILY_WORDS[family]}")
    family = _REGIME_FAMILY.get(regime, Family.NONE)
    if family != Family.ROTATIONAL and rhythm == Rhythm.REVERSAL:
        return FamilyCall(
            Family.ROTATIONAL,
            "price turned back through VWAP against the trend: trade rotations inside value",
        )
    call = _REGIME_WORDS.get(regime, "no call for the day")
    return FamilyCall(family, f"{call}: {_FAMILY_WORDS[family]}")
