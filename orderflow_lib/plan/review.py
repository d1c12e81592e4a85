"""Hypothesis review: after the close, grade a plan against what the day did. Which scenarios
triggered, hit a target or were invalidated, with maximum favourable and adverse excursion; the
day's facts (open, open type, value, inventory correction, 80% rule, VEF events); and over many
days, hit rates per scenario kind and per regime."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np

from orderflow_lib.auction.inventory import CorrectionStatus, inventory_correction
from orderflow_lib.auction.tape import prints_from_bars, prints_from_trades
from orderflow_lib.auction.vef import VefEvent
from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_HOUR
from orderflow_lib.plan.model import Plan
from orderflow_lib.plan.monitor import LiveState, PlanMonitor, ScenarioState
from orderflow_lib.plan.render import review_markdown
from orderflow_lib.profiles.bars import volume_profile_from_bar_array
from orderflow_lib.profiles.migration import Levels, ValueRelationship, relationship
from orderflow_lib.profiles.volume import VolumeProfile


class Outcome(StrEnum):
    """How a scenario ended the day."""

    NOT_TRIGGERED = "NOT_TRIGGERED"
    TARGET_HIT = "TARGET_HIT"
    INVALIDATED = "INVALIDATED"
    OPEN_AT_CLOSE = "OPEN_AT_CLOSE"


_OUTCOME = {
    ScenarioState.WAITING: Outcome.NOT_TRIGGERED,
    ScenarioState.TARGET_HIT: Outcome.TARGET_HIT,
    ScenarioState.INVALIDATED: Outcome.INVALIDATED,
    ScenarioState.TRIGGERED: Outcome.OPEN_AT_CLOSE,
}


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """One scenario's result for the day (ticks, UTC ns)."""

    id: str
    expectation: str
    family: str
    direction: int
    outcome: Outcome
    triggered_ns: int | None
    entry_tick: int | None
    target_hits_ns: tuple[int | None, ...]
    invalidated_ns: int | None
    mfe_ticks: int
    mae_ticks: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "id": self.id,
            "expectation": self.expectation,
            "family": self.family,
            "direction": self.direction,
            "outcome": str(self.outcome),
            "triggered_ns": self.triggered_ns,
            "entry_tick": self.entry_tick,
            "target_hits_ns": list(self.target_hits_ns),
            "invalidated_ns": self.invalidated_ns,
            "mfe_ticks": self.mfe_ticks,
            "mae_ticks": self.mae_ticks,
        }


@dataclass(frozen=True, slots=True)
class DayFacts:
    """What the RTH session did, in ticks."""

    open_tick: int | None
    high_tick: int | None
    low_tick: int | None
    close_tick: int | None
    ib: tuple[int, int] | None
    open_location: str | None
    open_type: str | None
    dva: Levels | None
    vs_prior_dva: ValueRelationship | None
    vs_cva: ValueRelationship | None
    inventory_correction: str
    inventory_corrected_ns: int | None
    eighty_state: str | None
    eighty_events: tuple[tuple[int, str, str], ...]
    vef_events: tuple[VefEvent, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "open_tick": self.open_tick,
            "high_tick": self.high_tick,
            "low_tick": self.low_tick,
            "close_tick": self.close_tick,
            "ib": None if self.ib is None else list(self.ib),
            "open_location": self.open_location,
            "open_type": self.open_type,
            "dva": None
            if self.dva is None
            else {
                "val_ticks": self.dva.val_ticks,
                "poc_ticks": self.dva.poc_ticks,
                "vah_ticks": self.dva.vah_ticks,
            },
            "vs_prior_dva": None if self.vs_prior_dva is None else self.vs_prior_dva.to_dict(),
            "vs_cva": None if self.vs_cva is None else self.vs_cva.to_dict(),
            "inventory_correction": {
                "status": self.inventory_correction,
                "at": self.inventory_corrected_ns,
            },
            "eighty": {"state": self.eighty_state, "events": [list(e) for e in self.eighty_events]},
            "vef_events": [e.to_dict() for e in self.vef_events],
        }


@dataclass(frozen=True, slots=True)
class Review:
    """The graded plan of one trade date. `grade`: HIT (every triggered scenario reached its
    first target), MISS (none did), MIXED, or NO_TRIGGER; `score` = targets hit / triggered;
    `bias_verdict`: CORRECT / WRONG / MIXED against the day's value migration."""

    trade_date: dt.date
    contract: str
    regime: str
    bias: str
    confidence: str
    outcomes: tuple[ScenarioOutcome, ...]
    facts: DayFacts
    grade: str
    score: Fraction | None
    bias_verdict: str
    plan: Plan

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the store (payload) and the dashboard."""
        return {
            "kind": "review",
            "trade_date": self.trade_date.isoformat(),
            "contract": self.contract,
            "regime": self.regime,
            "bias": self.bias,
            "confidence": self.confidence,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "facts": self.facts.to_dict(),
            "grade": self.grade,
            "score": None if self.score is None else float(self.score),
            "bias_verdict": self.bias_verdict,
        }

    def to_markdown(self) -> str:
        """The review as a Markdown document."""
        return review_markdown(self)


def _grade(outcomes: Iterable[ScenarioOutcome]) -> tuple[str, Fraction | None]:
    triggered = [o for o in outcomes if o.outcome != Outcome.NOT_TRIGGERED]
    if not triggered:
        return "NO_TRIGGER", None
    hits = sum(o.outcome == Outcome.TARGET_HIT for o in triggered)
    score = Fraction(hits, len(triggered))
    return ("HIT" if score == 1 else "MISS" if score == 0 else "MIXED"), score


def _bias_verdict(bias: str, migration: int | None) -> str:
    direction = {"BULLISH": 1, "BEARISH": -1}.get(bias, 0)
    if migration is None:
        return "UNKNOWN"
    if direction == migration:
        return "CORRECT"
    if direction and migration and direction != migration:
        return "WRONG"
    return "MIXED"


def _profile(
    bars: np.ndarray | None, trades: np.ndarray | None, start: int, end: int, tick_size: float
) -> VolumeProfile:
    if bars is not None:
        return volume_profile_from_bar_array(bars, start_ns=start, end_ns=end, tick_size=tick_size)
    assert trades is not None
    return VolumeProfile.from_trade_array(trades, start_ns=start, end_ns=end, tick_size=tick_size)


def review_plan(
    plan: Plan,
    *,
    bars: np.ndarray | None = None,
    trades: np.ndarray | None = None,
    settings: Settings | None = None,
) -> Review:
    """Grade `plan` against the trade date's RTH 1-minute bars (BAR_DTYPE) or trades (TRADE_DTYPE)."""
    if (bars is None) == (trades is None):
        raise ValueError("review_plan needs exactly one of bars or trades")
    s = settings or Settings()
    monitor = PlanMonitor(plan, s)
    monitor.feed(LiveState(plan.rth_close_ns, bars=bars, trades=trades))
    outcomes = []
    for scenario, status in zip(plan.scenarios, monitor.statuses(), strict=True):
        outcomes.append(
            ScenarioOutcome(
                scenario.id,
                str(scenario.expectation),
                str(scenario.family),
                scenario.direction,
                _OUTCOME[status.state],
                status.triggered_ns,
                status.entry_tick,
                status.target_hits_ns,
                status.invalidated_ns,
                status.mfe_ticks,
                status.mae_ticks,
            )
        )
    profile = _profile(bars, trades, plan.rth_open_ns, plan.rth_close_ns, plan.tick_size)
    va = profile.value_area()
    dva = None if va is None else Levels(va.val_ticks, va.vah_ticks, va.poc_ticks)
    tol = s.migration.edge_tol_ticks
    vs_prior = None if dva is None or plan.prior is None else relationship(dva, plan.prior, tol)
    vs_cva = None if dva is None or plan.cva is None else relationship(dva, plan.cva, tol)
    if bars is not None:
        prints = prints_from_bars(bars)
    else:
        assert trades is not None
        prints = prints_from_trades(trades)
    correction, corrected_at = _correction(plan, prints, s)
    periods = monitor.period_summaries
    ib_periods = [p for p in periods if p.start_ns < plan.rth_open_ns + NS_PER_HOUR]
    ib = (
        (min(p.low_tick for p in ib_periods), max(p.high_tick for p in ib_periods))
        if ib_periods
        else None
    )
    facts = DayFacts(
        open_tick=monitor.open_tick,
        high_tick=monitor.high_tick,
        low_tick=monitor.low_tick,
        close_tick=monitor.last_tick,
        ib=ib,
        open_location=None if monitor.open_location is None else str(monitor.open_location),
        open_type=None if monitor.open_call is None else monitor.open_call.label,
        dva=dva,
        vs_prior_dva=vs_prior,
        vs_cva=vs_cva,
        inventory_correction=str(correction),
        inventory_corrected_ns=corrected_at,
        eighty_state=None if monitor.eighty is None else str(monitor.eighty.state),
        eighty_events=()
        if monitor.eighty is None
        else tuple((e.ts_ns, str(e.state), e.reason) for e in monitor.eighty.events),
        vef_events=() if monitor.vef is None else tuple(monitor.vef.events),
    )
    grade, score = _grade(outcomes)
    migration = None if vs_prior is None else vs_prior.migration_bias
    return Review(
        plan.trade_date,
        plan.contract,
        plan.regime,
        plan.bias,
        plan.confidence,
        tuple(outcomes),
        facts,
        grade,
        score,
        _bias_verdict(plan.bias, migration),
        plan,
    )


def _correction(plan: Plan, prints: np.ndarray, s: Settings) -> tuple[CorrectionStatus, int | None]:
    on = plan.overnight
    if on is None:
        return CorrectionStatus.NOT_APPLICABLE, None
    direction = {"FULL_LONG": 1, "NET_LONG": 1, "FULL_SHORT": -1, "NET_SHORT": -1}.get(on.label, 0)
    which: str = s.inventory.completion_target
    targets = {"on_mid": on.mid, "on_vwap": Fraction(on.vwap_ticks)}
    target = targets.get(which, Fraction(on.ref_tick))
    return inventory_correction(
        direction,
        target,
        prints,
        plan.rth_open_ns,
        plan.rth_close_ns,
        s.inventory.completion_window_min,
    )


@dataclass(frozen=True, slots=True)
class HitRate:
    """Counts of one group of scenarios over many reviews; `hit_rate` = target hits / triggered."""

    key: str
    scenarios: int
    triggered: int
    target_hit: int
    invalidated: int
    open_at_close: int

    @property
    def hit_rate(self) -> Fraction | None:
        """Target hits over triggered scenarios, exact; None when none triggered."""
        return None if self.triggered == 0 else Fraction(self.target_hit, self.triggered)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        rate = self.hit_rate
        return {
            "key": self.key,
            "scenarios": self.scenarios,
            "triggered": self.triggered,
            "target_hit": self.target_hit,
            "invalidated": self.invalidated,
            "open_at_close": self.open_at_close,
            "hit_rate": None if rate is None else float(rate),
        }


def hit_rates(reviews: Iterable[Review]) -> dict[str, dict[str, HitRate]]:
    """Hit rates per scenario kind (`by_expectation`) and per pre-market regime (`by_regime`)."""
    groups: dict[str, dict[str, list[Outcome]]] = {"by_expectation": {}, "by_regime": {}}
    for review in reviews:
        for o in review.outcomes:
            groups["by_expectation"].setdefault(o.expectation, []).append(o.outcome)
            groups["by_regime"].setdefault(review.regime, []).append(o.outcome)
    result: dict[str, dict[str, HitRate]] = {}
    for name, by_key in groups.items():
        result[name] = {
            key: HitRate(
                key,
                len(found),
                sum(x != Outcome.NOT_TRIGGERED for x in found),
                sum(x == Outcome.TARGET_HIT for x in found),
                sum(x == Outcome.INVALIDATED for x in found),
                sum(x == Outcome.OPEN_AT_CLOSE for x in found),
            )
            for key, found in sorted(by_key.items())
        }
    return result
