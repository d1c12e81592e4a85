"""If/then scenarios for a regime (spec §5.5): which conditions to watch, what to expect, where to
enter, what to aim for and what proves the idea wrong.

TREND_UP: S1 BVP long on acceptance above the prior VAH (targets: the prior DVA's measured move,
then the upside reference); S2 the 80% rule back through the prior DVA when the pre-open price is
outside it; S3 RTV through the line in the sand (the CVA edge nearest the pre-open price) with LOW
confidence because it fights the bias. TREND_DOWN mirrors it. BALANCE and BREAKOUT_PENDING: rotate
off the CVA edges on rejection, or BVP on acceptance beyond them. UNKNOWN: none with the default
`plan.unknown_family = NONE` (levels only), the balance set with ROTATIONAL.
"""

from __future__ import annotations

from collections.abc import Iterable

from orderflow_lib.auction.levels import SessionLevels
from orderflow_lib.auction.regime import Bias, Confidence, Regime
from orderflow_lib.core.config import ES_TICK_SIZE
from orderflow_lib.plan.conditions import (
    Condition,
    accept_above,
    accept_below,
    enter_value_from,
    reject_at,
)
from orderflow_lib.plan.kinds import Expectation, Family
from orderflow_lib.plan.model import CompositeLevels, Scenario
from orderflow_lib.profiles.ladder import price_of

ENTRY_ZONE_TICKS = 8
"""Depth of an entry zone (2.00 points), as in the §5.5 example's 5012.00-5010.00 pullback zone."""


_SIDE = {1: "above", -1: "below"}
_EDGE = {1: "top", -1: "bottom"}


def _family(direction: int) -> Family:
    return Family.DIRECTIONAL_BULLISH if direction > 0 else Family.DIRECTIONAL_BEARISH


def _zone(edge: int, value_side: int, depth: int) -> tuple[int, int]:
    """Entry zone: the `depth` ticks on the value side of an edge (-1 below a VAH, +1 above a VAL),
    as in the §5.5 example's pullback to 5012.00-5010.00 under the broken prior VAH."""
    low, high = sorted((edge, edge + value_side * depth))
    return low, high


def _targets(
    direction: int, zone: tuple[int, int], candidates: Iterable[int | None]
) -> tuple[int, ...]:
    """Distinct targets beyond the zone in the trade's direction, nearest first."""
    far = zone[1] if direction > 0 else zone[0]
    found = {t for t in candidates if t is not None and (t - far) * direction > 0}
    return tuple(sorted(found, key=lambda t: (t - far) * direction))


def _confidence(direction: int, bias: Bias, base: Confidence) -> str:
    return str(Confidence.LOW) if bias.direction and direction != bias.direction else str(base)


def _p(tick: int, tick_size: float) -> str:
    return f"{price_of(tick, tick_size):.2f}"


def _trend(
    up: int,
    prior: SessionLevels,
    cva: CompositeLevels,
    bias: Bias,
    confidence: Confidence,
    refs: dict[int, int | None],
    last_price: int | None,
    line: int | None,
    depth: int,
    tick_size: float,
) -> list[Scenario]:
    """TREND_UP (up=+1) or TREND_DOWN (up=-1) scenarios."""
    height = prior.vah_ticks - prior.val_ticks
    near_edge = prior.vah_ticks if up > 0 else prior.val_ticks
    far_edge = prior.val_ticks if up > 0 else prior.vah_ticks
    measured = near_edge + up * height
    accept_out: Condition = accept_above(near_edge) if up > 0 else accept_below(near_edge)
    accept_back: Condition = accept_below(far_edge) if up > 0 else accept_above(far_edge)
    zone = _zone(near_edge, -up, depth)
    out = [
        Scenario(
            "S1",
            accept_out,
            Expectation.BVP,
            _family(up),
            up,
            zone,
            _targets(up, zone, (measured, refs[up])),
            accept_back,
            _confidence(up, bias, confidence),
            f"Once price holds {_SIDE[up]} the prior session's value area, "
            f"{'buyers' if up > 0 else 'sellers'} are in control: join them on the first "
            f"{'pullback' if up > 0 else 'bounce'} to its {_EDGE[up]} edge "
            f"{_p(near_edge, tick_size)}. First target {_p(measured, tick_size)} is that value "
            f"area's height measured {'up' if up > 0 else 'down'} from the edge.",
        )
    ]
    if last_price is not None and not prior.val_ticks <= last_price <= prior.vah_ticks:
        side = 1 if last_price > prior.vah_ticks else -1
        entry_edge = prior.vah_ticks if side > 0 else prior.val_ticks
        target_edge = prior.val_ticks if side > 0 else prior.vah_ticks
        beyond = [
            t
            for t in (cva.vah_ticks, cva.poc_ticks, cva.val_ticks)
            if (t - target_edge) * -side > 0
        ]
        next_level = (
            min(beyond, key=lambda t: abs(t - target_edge))
            if beyond
            else target_edge - side * height
        )
        zone80 = _zone(entry_edge, -side, depth)
        out.append(
            Scenario(
                f"S{len(out) + 1}",
                enter_value_from(side, prior.val_ticks, prior.vah_ticks),
                Expectation.EIGHTY,
                Family.ROTATIONAL,
                -side,
                zone80,
                _targets(-side, zone80, (target_edge, next_level)),
                accept_above(entry_edge) if side > 0 else accept_below(entry_edge),
                _confidence(-side, bias, confidence),
                f"Price is {_SIDE[side]} the prior session's value area before the open. If it "
                "comes back inside and stays two half-hours, the 80% rule says it usually "
                f"crosses to the other side, {_p(target_edge, tick_size)}.",
            )
        )
    if line is not None:
        d = -1 if line == cva.vah_ticks else 1
        far = cva.val_ticks if d < 0 else cva.vah_ticks
        zone_rtv = _zone(line, -d, depth)
        out.append(
            Scenario(
                f"S{len(out) + 1}",
                accept_below(line) if d < 0 else accept_above(line),
                Expectation.RTV,
                _family(d),
                d,
                zone_rtv,
                _targets(d, zone_rtv, (cva.poc_ticks, far)),
                accept_above(line) if d < 0 else accept_below(line),
                _confidence(d, bias, confidence),
                f"Failed breakout: price {'rises' if d > 0 else 'falls'} back {_SIDE[d]} "
                f"{_p(line, tick_size)}, the edge of the {cva.days_included}-day value area "
                "nearest the last price before the open (the line in the sand). Expect a return "
                "to value: its POC, then the far edge."
                + (
                    f" This goes against the {str(bias).lower()} bias, so confidence is low."
                    if bias.direction and d != bias.direction
                    else ""
                ),
            )
        )
    return out


def _balance(
    cva: CompositeLevels,
    bias: Bias,
    confidence: Confidence,
    refs: dict[int, int | None],
    depth: int,
    breakout_first: bool,
    tick_size: float,
) -> list[Scenario]:
    """BALANCE / BREAKOUT_PENDING scenarios around the CVA edges."""
    height = cva.vah_ticks - cva.val_ticks
    rotations = []
    for side in (1, -1):
        edge = cva.vah_ticks if side > 0 else cva.val_ticks
        far = cva.val_ticks if side > 0 else cva.vah_ticks
        zone = _zone(edge, -side, depth)
        rotations.append(
            Scenario(
                "",
                reject_at(edge, side),
                Expectation.ROTATE,
                Family.ROTATIONAL,
                -side,
                zone,
                _targets(-side, zone, (cva.poc_ticks, far)),
                accept_above(edge) if side > 0 else accept_below(edge),
                _confidence(-side, bias, confidence),
                f"Rotation: when a poke {_SIDE[side]} the {_EDGE[side]} of the "
                f"{cva.days_included}-day value area at {_p(edge, tick_size)} is pushed back, "
                f"{'sell' if side > 0 else 'buy'} it and aim for the POC, then the far edge.",
            )
        )
    breakouts = []
    for side in (1, -1):
        edge = cva.vah_ticks if side > 0 else cva.val_ticks
        zone = _zone(edge, -side, depth)
        measured = edge + side * height
        breakouts.append(
            Scenario(
                "",
                accept_above(edge) if side > 0 else accept_below(edge),
                Expectation.BVP,
                _family(side),
                side,
                zone,
                _targets(side, zone, (refs[side], measured)),
                accept_below(edge) if side > 0 else accept_above(edge),
                _confidence(side, bias, confidence),
                f"Breakout of the {cva.days_included}-day value area: once price holds "
                f"{_SIDE[side]} {_p(edge, tick_size)}, "
                f"{'buy the pullback' if side > 0 else 'sell the bounce'} to that edge and aim "
                f"for the next balance area {_SIDE[side]}.",
            )
        )
    ordered = breakouts + rotations if breakout_first else rotations + breakouts
    return [
        Scenario(
            f"S{k + 1}",
            s.condition,
            s.expectation,
            s.family,
            s.direction,
            s.entry_zone,
            s.targets,
            s.invalidation,
            s.confidence,
            s.notes,
        )
        for k, s in enumerate(ordered)
    ]


def build_scenarios(
    *,
    regime: Regime,
    bias: Bias,
    confidence: Confidence,
    prior: SessionLevels | None,
    cva: CompositeLevels | None,
    upside_ref: int | None,
    downside_ref: int | None,
    last_price: int | None,
    line_in_sand: int | None,
    unknown_family: str = "NONE",
    depth_ticks: int = ENTRY_ZONE_TICKS,
    tick_size: float = ES_TICK_SIZE,
) -> tuple[Scenario, ...]:
    """The plan's scenarios for a regime (see the module docstring)."""
    refs = {1: upside_ref, -1: downside_ref}
    if cva is None:
        return ()
    if regime in (Regime.TREND_UP, Regime.TREND_DOWN) and prior is not None:
        up = 1 if regime == Regime.TREND_UP else -1
        return tuple(
            _trend(
                up,
                prior,
                cva,
                bias,
                confidence,
                refs,
                last_price,
                line_in_sand,
                depth_ticks,
                tick_size,
            )
        )
    if regime in (Regime.BALANCE, Regime.BREAKOUT_PENDING):
        first = regime == Regime.BREAKOUT_PENDING
        return tuple(_balance(cva, bias, confidence, refs, depth_ticks, first, tick_size))
    if regime == Regime.UNKNOWN and unknown_family == str(Family.ROTATIONAL):
        return tuple(_balance(cva, bias, Confidence.LOW, refs, depth_ticks, False, tick_size))
    return ()
