"""Weighting of evidence (spec §6): static context, dynamic value and order flow, each scored 0,
1/2 or 1, combined by the normalised weights and compared exactly with the entry threshold.

An entry needs s_static = 1 (price in a scenario's entry zone with the active family agreeing):
order flow alone can never raise one (without the static gate the score is at most 0.30).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from orderflow_lib.core.config import WeightSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.flow.rhythm import RhythmCondition as Rhythm
from orderflow_lib.flow.signals import Signal, SignalKind
from orderflow_lib.plan.kinds import Family

HALF = Fraction(1, 2)
_SCORES = (Fraction(0), HALF, Fraction(1))
CONFIRMING = {
    1: frozenset(
        {SignalKind.BID_ABSORPTION, SignalKind.STACKED_BUY_IMBALANCE, SignalKind.BULLISH_DIVERGENCE}
    ),
    -1: frozenset(
        {
            SignalKind.ASK_ABSORPTION,
            SignalKind.STACKED_SELL_IMBALANCE,
            SignalKind.BEARISH_DIVERGENCE,
        }
    ),
}
"""Order-flow events that confirm a long (+1) or a short (-1) at a level (spec §6)."""


@dataclass(frozen=True, slots=True)
class EntryScore:
    """The three component scores, the weighted score and whether it is an entry."""

    s_static: Fraction
    s_dynamic: Fraction
    s_orderflow: Fraction
    score: Fraction
    entry: bool


def _component(value: Fraction | float | int, name: str) -> Fraction:
    f = exact(value) if not isinstance(value, Fraction) else value
    if f not in _SCORES:
        raise ValueError(f"{name} must be 0, 1/2 or 1, was {value}")
    return f


def score_entry(
    s_static: Fraction | float | int,
    s_dynamic: Fraction | float | int,
    s_orderflow: Fraction | float | int,
    weights: WeightSettings | None = None,
) -> EntryScore:
    """score = (w_s s_s + w_d s_d + w_o s_o) / (w_s + w_d + w_o); entry when s_static = 1 and
    score >= entry_threshold, all exact (0.9 fires at exactly 9/10)."""
    w = weights or WeightSettings()
    ss = _component(s_static, "s_static")
    sd = _component(s_dynamic, "s_dynamic")
    so = _component(s_orderflow, "s_orderflow")
    ws, wd, wo = exact(w.static), exact(w.dynamic), exact(w.orderflow)
    total = ws + wd + wo
    if total == 0:
        raise ValueError("weights.static + weights.dynamic + weights.orderflow must be > 0, was 0")
    score = (ws * ss + wd * sd + wo * so) / total
    return EntryScore(ss, sd, so, score, ss == 1 and score >= exact(w.entry_threshold))


def dynamic_score(
    direction: int, family: Family, rhythm: Rhythm | None, dpoc_shift_ticks: int
) -> Fraction:
    """s_dynamic: VWAP rhythm and developing value for a trade in `direction`.

    Directional trades: rhythm imbalanced their way (or a rising dPOC for a long) counts in
    favour, imbalanced or a reversal against them counts against. Rotational fades: a BALANCED
    rhythm is in favour, a BREAKOUT or an imbalance against the fade is against.
    """
    votes = 0
    way = {Rhythm.IMBALANCED_UP: 1, Rhythm.IMBALANCED_DOWN: -1}.get(rhythm, 0) if rhythm else 0
    if family == Family.ROTATIONAL:
        if rhythm == Rhythm.BALANCED:
            votes += 1
        elif rhythm == Rhythm.BREAKOUT or way == -direction:
            votes -= 1
    else:
        if way:
            votes += 1 if way == direction else -1
        elif rhythm == Rhythm.REVERSAL:
            votes -= 1
        if dpoc_shift_ticks:
            votes += 1 if (dpoc_shift_ticks > 0) == (direction > 0) else -1
    return Fraction(1) if votes > 0 else Fraction(0) if votes < 0 else HALF


def orderflow_score(
    direction: int,
    signals: Iterable[Signal],
    zone: tuple[int, int],
    now_ns: int,
    lookback_ns: int,
    level_ticks: int = 4,
) -> tuple[Fraction, int, int]:
    """(s_orderflow, confirming, opposing): over the last `lookback_ns`, count the events within
    `level_ticks` of the entry zone that confirm the trade's direction and that oppose it; 1 when
    more confirm, 0 when more oppose, else 1/2 (spec §6, v3)."""
    low, high = zone[0] - level_ticks, zone[1] + level_ticks
    confirming = opposing = 0
    for sig in signals:
        if not now_ns - lookback_ns <= sig.ts_ns <= now_ns or not low <= sig.price_ticks <= high:
            continue
        if sig.kind in CONFIRMING[direction]:
            confirming += 1
        elif sig.kind in CONFIRMING[-direction]:
            opposing += 1
    if confirming > opposing:
        return Fraction(1), confirming, opposing
    if opposing > confirming:
        return Fraction(0), confirming, opposing
    return HALF, confirming, opposing
