"""Named setup days: RTH scripts that play one trading setup against a reference value area.

Each setup returns its `PriceScript` and a dict of key facts (the levels used, and the minutes
after 09:30 New York and bid ticks of the important waypoints) for tests to assert against. The
layouts fit a full RTH session (waypoints up to minute 330); 30-minute periods are A = 0-30,
B = 30-60, C = 60-90. A value area too narrow for a layout is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow_lib.market.synthetic.script import MIN_DEVIATION_TICKS, PriceScript
from orderflow_lib.market.synthetic.windows import SyntheticMarketError

ZONE_TICKS = 8
"""Entry zone depth (spec §10 `plan.zone_ticks`)."""
OUTSIDE_TICKS = 4
"""How far outside value a setup opens (spec `eighty.min_outside_ticks` is 1)."""
STOP_THROUGH_TICKS = 6
"""How far below the zone a stop-first day trades: past any stop of spec §5.6 for that zone."""

SetupDay = tuple[PriceScript, dict[str, int]]


@dataclass(frozen=True, slots=True)
class PriorLevels:
    """The reference value area and range in ticks: the prior RTH day's, or a composite's."""

    val_ticks: int
    poc_ticks: int
    vah_ticks: int
    high_ticks: int
    low_ticks: int

    def __post_init__(self) -> None:
        levels = (self.low_ticks, self.val_ticks, self.poc_ticks, self.vah_ticks, self.high_ticks)
        if list(levels) != sorted(levels):
            raise SyntheticMarketError(
                f"levels must satisfy low <= val <= poc <= vah <= high, were {levels}"
            )

    @property
    def width_ticks(self) -> int:
        """VAH - VAL."""
        return self.vah_ticks - self.val_ticks

    def facts(self) -> dict[str, int]:
        """The levels as setup facts."""
        return {
            "val_ticks": self.val_ticks,
            "poc_ticks": self.poc_ticks,
            "vah_ticks": self.vah_ticks,
            "prior_high_ticks": self.high_ticks,
            "prior_low_ticks": self.low_ticks,
        }


def eighty_percent_day(
    prior: PriorLevels,
    *,
    from_above: bool = True,
    outside_ticks: int = OUTSIDE_TICKS,
    zone_ticks: int = ZONE_TICKS,
    max_deviation_ticks: int = MIN_DEVIATION_TICKS,
) -> SetupDay:
    """The 80% rule (spec §4.3): open outside value, A and B print inside (trigger 10:30), a
    pullback into the entry zone, then the traverse to the far edge by 13:00.

    From above the zone is `[VAH - zone_ticks, VAH]` and the target VAL; from below, mirrored.
    """
    dev = max_deviation_ticks
    _check_zone(zone_ticks, dev)
    if outside_ticks < 1:
        raise SyntheticMarketError(f"outside_ticks must be >= 1, was {outside_ticks}")
    side = 1 if from_above else -1
    edge = prior.vah_ticks if from_above else prior.val_ticks
    far = prior.val_ticks if from_above else prior.vah_ticks
    dip = zone_ticks + dev + 4
    _require_width(prior, dip + dev + 1, "eighty_percent_day")

    def at(outside: int) -> int:
        return edge + side * outside

    entry = at(-(zone_ticks // 2))
    waypoints = (
        (0, at(outside_ticks)),
        (6, at(outside_ticks + 2)),  # the A period's outside extreme
        (18, entry),  # A prints inside
        (45, at(-dip)),  # B prints inside, beyond the zone
        (60, at(-(dip - 2))),  # trigger at the end of B
        (80, entry),  # pullback into the zone
        (210, far),
        (240, far - side * 4),
        (330, far + side * 6),
    )
    zone = sorted((edge, edge - side * zone_ticks))
    facts = prior.facts() | {
        "open_ticks": at(outside_ticks),
        "outside_extreme_ticks": at(outside_ticks + 2),
        "a_inside_minute": 18,
        "a_inside_ticks": entry,
        "b_inside_minute": 45,
        "b_inside_ticks": at(-dip),
        "trigger_minute": 60,
        "entry_minute": 80,
        "entry_ticks": entry,
        "zone_low_ticks": zone[0],
        "zone_high_ticks": zone[1],
        "target_minute": 210,
        "target_ticks": far,
    }
    return PriceScript(waypoints, dev), facts


def acceptance_pullback_day(
    prior: PriorLevels,
    *,
    zone_ticks: int = ZONE_TICKS,
    max_deviation_ticks: int = MIN_DEVIATION_TICKS,
) -> SetupDay:
    """BVP (spec §5.5 S1): open just inside VAH, break out, acceptance above VAH in B and C (§5.4),
    a pullback into `[VAH - zone_ticks, VAH]`, then the rally to the DVA measured move."""
    dev = max_deviation_ticks
    measured_move = prior.vah_ticks + prior.width_ticks
    _require_width(prior, 2 * dev + 11, "acceptance_pullback_day")
    waypoints, facts = _accepted_above(prior, zone_ticks, dev)
    waypoints += ((240, measured_move), (270, measured_move + 4), (330, measured_move - 6))
    facts |= {"target_minute": 240, "target_ticks": measured_move}
    return PriceScript(waypoints, dev), facts


def stop_first_day(
    prior: PriorLevels,
    *,
    zone_ticks: int = ZONE_TICKS,
    stop_through_ticks: int = STOP_THROUGH_TICKS,
    max_deviation_ticks: int = MIN_DEVIATION_TICKS,
) -> SetupDay:
    """The acceptance-pullback day whose long fails: after the zone entry, price falls to
    `stop_through_ticks` below the zone low (through a protective stop) and never reaches a target."""
    dev = max_deviation_ticks
    if stop_through_ticks < 1:
        raise SyntheticMarketError(f"stop_through_ticks must be >= 1, was {stop_through_ticks}")
    _require_width(prior, 2 * dev + 11, "stop_first_day")
    waypoints, facts = _accepted_above(prior, zone_ticks, dev)
    stop = facts["zone_low_ticks"] - stop_through_ticks
    waypoints += ((150, stop), (210, stop - 4), (330, facts["zone_low_ticks"] - 2))
    facts |= {"stop_minute": 150, "stop_ticks": stop}
    return PriceScript(waypoints, dev), facts


def failed_breakout_day(
    prior: PriorLevels,
    *,
    outside_ticks: int = OUTSIDE_TICKS,
    zone_ticks: int = ZONE_TICKS,
    max_deviation_ticks: int = MIN_DEVIATION_TICKS,
) -> SetupDay:
    """RTV (spec §5.5 S3): open above the VAH edge, fail, acceptance back below it in B and C, a
    pullback into `[VAH, VAH + zone_ticks]` (the short zone after ACCEPT_BELOW, §5.6), then POC and
    the far edge VAL."""
    dev = max_deviation_ticks
    _check_zone(zone_ticks, dev)
    if outside_ticks < 1:
        raise SyntheticMarketError(f"outside_ticks must be >= 1, was {outside_ticks}")
    vah = prior.vah_ticks
    below = dev + 3
    _require_width(prior, below + dev + 7, "failed_breakout_day")
    entry = vah + zone_ticks // 2
    waypoints = (
        (0, vah + outside_ticks),
        (10, vah + outside_ticks + 4),  # the failed high
        (25, vah - below),
        (45, vah - below - 6),  # B and C stay below VAH: acceptance below
        (60, vah - below - 1),
        (75, vah - below - 5),
        (90, vah - below),
        (110, entry),  # pullback into the zone
        (180, prior.poc_ticks),
        (250, prior.val_ticks),
        (280, prior.val_ticks - 4),
        (330, prior.val_ticks + 4),
    )
    facts = prior.facts() | {
        "edge_ticks": vah,
        "open_ticks": vah + outside_ticks,
        "fail_high_minute": 10,
        "fail_high_ticks": vah + outside_ticks + 4,
        "accept_start_minute": 30,
        "accepted_minute": 90,
        "entry_minute": 110,
        "entry_ticks": entry,
        "zone_low_ticks": vah,
        "zone_high_ticks": vah + zone_ticks,
        "poc_minute": 180,
        "target_minute": 250,
        "target_ticks": prior.val_ticks,
    }
    return PriceScript(waypoints, dev), facts


def _accepted_above(
    prior: PriorLevels, zone_ticks: int, dev: int
) -> tuple[tuple[tuple[int, int], ...], dict[str, int]]:
    """Waypoints and facts up to the zone entry of a day accepted above VAH (B and C print at
    least `dev + 4` ticks above it) that pulls back into `[VAH - zone_ticks, VAH]`."""
    _check_zone(zone_ticks, dev)
    vah = prior.vah_ticks
    above = dev + 4
    entry = vah - zone_ticks // 2
    waypoints = (
        (0, vah - 3),
        (15, vah + above),  # the break above VAH
        (30, vah + above + 2),
        (45, vah + above + 6),
        (60, vah + above + 1),
        (75, vah + above + 5),
        (90, vah + above),  # accepted after B and C
        (120, entry),  # pullback into the zone
    )
    facts = prior.facts() | {
        "open_ticks": vah - 3,
        "break_minute": 15,
        "accept_start_minute": 30,
        "accepted_minute": 90,
        "entry_minute": 120,
        "entry_ticks": entry,
        "zone_low_ticks": vah - zone_ticks,
        "zone_high_ticks": vah,
        "measured_move_ticks": vah + prior.width_ticks,
    }
    return waypoints, facts


def _check_zone(zone_ticks: int, dev: int) -> None:
    """The zone must hold a waypoint at its middle with the whole noise band around it."""
    if zone_ticks // 2 + dev >= zone_ticks:
        raise SyntheticMarketError(
            f"zone_ticks must exceed 2 x max_deviation_ticks ({dev}), was {zone_ticks}"
        )


def _require_width(prior: PriorLevels, needed: int, setup: str) -> None:
    if prior.width_ticks < needed:
        raise SyntheticMarketError(
            f"{setup} needs a value area at least {needed} ticks wide, was {prior.width_ticks} "
            f"({prior.val_ticks}-{prior.vah_ticks})"
        )
