"""Trade management arithmetic of spec §5.6: structural stop, reward:risk target, size.

Pure and exact: distances are whole ticks, thresholds exact fractions. `bracket_for` turns an
entry price, the scenario's zone and targets and the adverse extreme of the current zone visit
into a `Bracket` (stop, T1, T2, quantity) or a `Skip` with its reason and numbers, so that the
live strategy, the paper broker and the review's hypothetical bracket use one rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from orderflow_lib.core.config import Settings
from orderflow_lib.core.fractions import exact


class SkipReason(StrEnum):
    """Why §5.6 takes no trade at an entry signal."""

    STOP_TOO_WIDE = "STOP_TOO_WIDE"
    REWARD_TOO_SMALL = "REWARD_TOO_SMALL"
    RISK_TOO_LARGE = "RISK_TOO_LARGE"
    NO_FX_RATE = "NO_FX_RATE"


SKIP_WORDS = {
    SkipReason.STOP_TOO_WIDE: "the stop would be too far away",
    SkipReason.REWARD_TOO_SMALL: "no target is far enough for the risk",
    SkipReason.RISK_TOO_LARGE: "even one contract risks more than allowed",
    SkipReason.NO_FX_RATE: "no USD to GBP rate is known yet",
}
"""Each skip reason as a trader would say it."""


@dataclass(frozen=True, slots=True)
class TradeRules:
    """The §5.6 settings in exact form: scale A (ticks), stop buffer and limits, reward:risk, size."""

    scale_ticks: Fraction
    stop_buffer_ticks: int
    min_stop_ticks: int
    max_stop_scale: Fraction
    min_reward_risk: Fraction
    max_contracts: int
    max_risk_gbp: Fraction
    tick_value_usd: Fraction

    @classmethod
    def from_settings(cls, settings: Settings, scale_ticks: Fraction | None) -> TradeRules:
        """The rules for a day whose open-type scale A is `scale_ticks` (None: the default)."""
        t = settings.trade
        execute = settings.instrument.execute
        return cls(
            scale_ticks=Fraction(t.default_scale_ticks) if scale_ticks is None else scale_ticks,
            stop_buffer_ticks=t.stop_buffer_ticks,
            min_stop_ticks=t.min_stop_ticks,
            max_stop_scale=exact(t.max_stop_scale),
            min_reward_risk=exact(t.min_reward_risk),
            max_contracts=t.max_contracts,
            max_risk_gbp=exact(t.max_risk_gbp),
            tick_value_usd=exact(settings.instrument.tick_value[execute]),
        )

    @property
    def buffer_ticks(self) -> int:
        """buf = max(stop_buffer_ticks, ceil(A / 12))."""
        return max(self.stop_buffer_ticks, math.ceil(self.scale_ticks / 12))

    @property
    def floor_stop_ticks(self) -> int:
        """The least stop distance: max(min_stop_ticks, ceil(A / 5))."""
        return max(self.min_stop_ticks, math.ceil(self.scale_ticks / 5))

    def max_stop_ticks(self, usd_gbp: Fraction) -> int:
        """max_stop = min(ceil(A x max_stop_scale), floor(max_risk_gbp / (tick value x USD->GBP)))."""
        by_risk = math.floor(self.max_risk_gbp / (self.tick_value_usd * usd_gbp))
        return min(math.ceil(self.scale_ticks * self.max_stop_scale), by_risk)


@dataclass(frozen=True, slots=True)
class Bracket:
    """A trade to place: market entry near `entry_tick`, protective stop, T1 (and T2), size."""

    direction: int
    entry_tick: int
    stop_tick: int
    risk_ticks: int
    target1_tick: int
    target2_tick: int | None
    quantity: int
    risk_gbp: Fraction

    @property
    def reward_risk(self) -> Fraction:
        """Reward to T1 over risk, from the decision price."""
        return Fraction((self.target1_tick - self.entry_tick) * self.direction, self.risk_ticks)

    def split(self) -> list[tuple[int, int]]:
        """(quantity, target) per bracket: one bracket, or ceil(qty/2) to T1 and the rest to T2."""
        if self.quantity < 2:
            return [(self.quantity, self.target1_tick)]
        first = math.ceil(self.quantity / 2)
        second = self.target2_tick if self.target2_tick is not None else self.target1_tick
        return [(first, self.target1_tick), (self.quantity - first, second)]

    def numbers(self) -> dict[str, Any]:
        """The journal's numbers: E, S, R, T1, T2, qty, reward:risk, risk in GBP."""
        return {
            "E": self.entry_tick,
            "S": self.stop_tick,
            "R": self.risk_ticks,
            "T1": self.target1_tick,
            "T2": self.target2_tick,
            "qty": self.quantity,
            "reward_risk": str(self.reward_risk),
            "risk_gbp": str(self.risk_gbp),
        }


@dataclass(frozen=True, slots=True)
class Skip:
    """No trade, with the §5.6 reason and the numbers it was decided on."""

    reason: SkipReason
    detail: str
    numbers: dict[str, Any]


def structural_stop(
    direction: int, zone: tuple[int, int], adverse_tick: int, entry_tick: int, rules: TradeRules
) -> tuple[int, int]:
    """(S, R): beyond the zone edge or the visit's adverse extreme by the buffer, moved out to the
    least stop distance when closer; R = d * (E - S)."""
    low, high = zone
    buf = rules.buffer_ticks
    stop = min(low, adverse_tick) - buf if direction > 0 else max(high, adverse_tick) + buf
    risk = direction * (entry_tick - stop)
    least = rules.floor_stop_ticks
    if risk < least:
        stop = entry_tick - direction * least
        risk = least
    return stop, risk


def remaining_targets(
    direction: int, targets: Sequence[int], high_tick: int, low_tick: int
) -> list[int]:
    """Targets not yet reached by any trade since the RTH open (high/low so far), nearest first."""
    reached = high_tick if direction > 0 else low_tick
    return sorted(
        (t for t in targets if (t - reached) * direction > 0), key=lambda t: t * direction
    )


def pick_targets(
    direction: int, entry_tick: int, risk_ticks: int, targets: Sequence[int], min_rr: Fraction
) -> tuple[int, int | None] | None:
    """(T1, T2): the nearest target at least min_rr x R away and the next one beyond it; None
    when no target is far enough."""
    ordered = sorted(targets, key=lambda t: t * direction)
    far_enough = [t for t in ordered if (t - entry_tick) * direction >= min_rr * risk_ticks]
    if not far_enough:
        return None
    t1 = far_enough[0]
    beyond = [t for t in ordered if (t - t1) * direction > 0]
    return t1, (beyond[0] if beyond else None)


def bracket_for(
    direction: int,
    entry_tick: int,
    zone: tuple[int, int],
    adverse_tick: int,
    targets: Sequence[int],
    rules: TradeRules,
    usd_gbp: Fraction | None,
) -> Bracket | Skip:
    """The §5.6 bracket for an entry at `entry_tick`, or why there is none (checked in the spec's
    order: stop width, target, size). `targets` are the scenario's remaining targets."""
    stop, risk = structural_stop(direction, zone, adverse_tick, entry_tick, rules)
    numbers: dict[str, Any] = {"E": entry_tick, "S": stop, "R": risk, "X": adverse_tick}
    if usd_gbp is None:
        return Skip(SkipReason.NO_FX_RATE, "no USD to GBP rate from the broker yet", numbers)
    max_stop = rules.max_stop_ticks(usd_gbp)
    numbers["max_stop"] = max_stop
    if risk > max_stop:
        return Skip(
            SkipReason.STOP_TOO_WIDE,
            f"stop {risk} ticks away, more than the {max_stop}-tick limit",
            numbers,
        )
    picked = pick_targets(direction, entry_tick, risk, targets, rules.min_reward_risk)
    if picked is None:
        numbers["targets"] = list(targets)
        return Skip(
            SkipReason.REWARD_TOO_SMALL,
            f"no target at least {rules.min_reward_risk} x {risk} ticks away",
            numbers,
        )
    t1, t2 = picked
    numbers.update(T1=t1, T2=t2)
    per_contract_gbp = risk * rules.tick_value_usd * usd_gbp
    qty = min(rules.max_contracts, math.floor(rules.max_risk_gbp / per_contract_gbp))
    if qty < 1:
        numbers["risk_gbp"] = str(per_contract_gbp)
        return Skip(
            SkipReason.RISK_TOO_LARGE,
            f"one contract risks GBP {float(per_contract_gbp):.2f}, more than "
            f"GBP {float(rules.max_risk_gbp):.2f}",
            numbers,
        )
    return Bracket(direction, entry_tick, stop, risk, t1, t2, qty, qty * per_contract_gbp)
