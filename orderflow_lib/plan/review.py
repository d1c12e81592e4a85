"""Hypothesis review (spec §5.7): after the close, grade each scenario by what a trader could
have done. NO_TRIGGER, MISSED (the zone never traded after the trigger, or no target was left at
the minimum reward:risk), NOT_TAKEN (tradable, no entry; with the engine's reason), WIN / LOSS /
SCRATCH for a trade taken (with its R multiple); for every tradable scenario the hypothetical
§5.6 bracket; the bias verdict from price and value direction; the day's facts; and over many
days, hit rates per scenario kind and per regime."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np

from orderflow_lib.auction.inventory import CorrectionStatus, inventory_correction
from orderflow_lib.auction.tape import prints_from_bars, prints_from_trades
from orderflow_lib.auction.vef import VefEvent
from orderflow_lib.core.config import Settings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.plain import plain_dict
from orderflow_lib.core.timeconv import NS_PER_HOUR, NS_PER_MINUTE
from orderflow_lib.plan.fills import bar_path_for_position
from orderflow_lib.plan.hypothetical import BracketRun, r_multiple, run_bracket
from orderflow_lib.plan.model import Plan, Scenario
from orderflow_lib.plan.monitor import LiveState, PlanMonitor, ScenarioState, ScenarioStatus
from orderflow_lib.plan.render import review_markdown
from orderflow_lib.plan.trade import Bracket, TradeRules, bracket_for
from orderflow_lib.profiles.bars import volume_profile_from_bar_array
from orderflow_lib.profiles.migration import Levels, ValueRelationship, relationship
from orderflow_lib.profiles.volume import VolumeProfile


class Outcome(StrEnum):
    """A scenario's grade for the day (§5.7)."""

    NO_TRIGGER = "NO_TRIGGER"
    MISSED = "MISSED"
    NOT_TAKEN = "NOT_TAKEN"
    WIN = "WIN"
    LOSS = "LOSS"
    SCRATCH = "SCRATCH"

    @property
    def traded(self) -> bool:
        """A trade result (WIN, LOSS or SCRATCH)."""
        return self in (Outcome.WIN, Outcome.LOSS, Outcome.SCRATCH)


@dataclass(frozen=True, slots=True)
class TakenTrade:
    """A trade the engine took for a scenario: entry fill, initial stop and exit (ticks)."""

    scenario_id: str
    direction: int
    fill_tick: int
    stop_tick: int
    exit_tick: int
    quantity: int = 1

    @property
    def r_multiple(self) -> Fraction:
        """Result over the risk, both from the entry fill."""
        return r_multiple(self.direction, self.fill_tick, self.stop_tick, self.exit_tick)


def trade_grade(move_ticks: Fraction | int, scratch_ticks: int) -> Outcome:
    """SCRATCH when the result from the fill is within scratch_ticks, else WIN or LOSS by its sign."""
    move = Fraction(move_ticks)
    if abs(move) <= scratch_ticks:
        return Outcome.SCRATCH
    return Outcome.WIN if move > 0 else Outcome.LOSS


@dataclass(frozen=True, slots=True)
class Hypothetical:
    """The §5.6 bracket of a tradable scenario from its first zone trade: the bracket and how it
    ran, or the §5.6 reason there would have been no trade."""

    bracket: Bracket | None
    run: BracketRun | None
    grade: Outcome | None
    skip: str
    numbers: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "bracket": None if self.bracket is None else self.bracket.numbers(),
            "run": None if self.run is None else self.run.to_dict(),
            "grade": None if self.grade is None else str(self.grade),
            "skip": self.skip or None,
            "numbers": self.numbers,
        }


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """One scenario's result for the day (ticks, UTC ns): its grade and why, the live status
    facts, the R multiple of the trade taken, and the hypothetical bracket when it was tradable."""

    id: str
    expectation: str
    family: str
    direction: int
    outcome: Outcome
    reason: str
    triggered_ns: int | None
    entry_tick: int | None
    tradable_ns: int | None
    zone_tick: int | None
    target_hits_ns: tuple[int | None, ...]
    invalidated_ns: int | None
    mfe_ticks: int
    mae_ticks: int
    r_multiple: Fraction | None
    hypothetical: Hypothetical | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (R as a float)."""
        return plain_dict(self, fraction=float)


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
    """The graded plan of one trade date (§5.7). Over tradable scenarios only: `score` = wins /
    (wins + losses) of the trades taken and `hypothetical_score` the same of the hypothetical
    brackets (None without any); `grade` NO_TRADABLE, NO_TRADE, WON, LOST or MIXED from the trades
    taken; `bias_verdict` RIGHT / WRONG / MIXED from the day's price and value direction."""

    trade_date: dt.date
    contract: str
    regime: str
    bias: str
    confidence: str
    outcomes: tuple[ScenarioOutcome, ...]
    facts: DayFacts
    grade: str
    score: Fraction | None
    hypothetical_score: Fraction | None
    bias_verdict: str
    price_direction: int
    value_direction: int
    plan: Plan

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the store (payload) and the dashboard (scores as floats)."""
        return {"kind": "review", **plain_dict(self, fraction=float, skip=("plan",))}

    def to_markdown(self) -> str:
        """The review as a Markdown document."""
        return review_markdown(self)


def _win_rate(grades: Iterable[Outcome | None]) -> Fraction | None:
    found = [g for g in grades if g in (Outcome.WIN, Outcome.LOSS)]
    wins = sum(g == Outcome.WIN for g in found)
    return None if not found else Fraction(wins, len(found))


def _day_grade(outcomes: Sequence[ScenarioOutcome]) -> tuple[str, Fraction | None, Fraction | None]:
    """(grade, score of the trades taken, score of the hypothetical brackets) over tradable
    scenarios."""
    tradable = [o for o in outcomes if o.tradable_ns is not None and o.outcome != Outcome.MISSED]
    if not tradable:
        return "NO_TRADABLE", None, None
    hypothetical = _win_rate(o.hypothetical.grade for o in tradable if o.hypothetical)
    taken = [o.outcome for o in tradable if o.outcome.traded]
    score = _win_rate(taken)
    if not taken:
        return "NO_TRADE", None, hypothetical
    if all(g == Outcome.WIN for g in taken):
        return "WON", score, hypothetical
    if all(g == Outcome.LOSS for g in taken):
        return "LOST", score, hypothetical
    return "MIXED", score, hypothetical


_VALUE_DIRECTION = {"HIGHER": 1, "OVERLAP_HIGHER": 1, "LOWER": -1, "OVERLAP_LOWER": -1}


def bias_verdict(bias: str, price_direction: int, value_direction: int) -> str:
    """RIGHT when price and value direction both agree with the bias (NEUTRAL agrees with flat),
    WRONG when both oppose it, else MIXED."""
    want = {"BULLISH": 1, "BEARISH": -1}.get(bias, 0)

    def agrees(direction: int) -> bool:
        return direction == want

    def opposes(direction: int) -> bool:
        return direction != 0 and direction != want if want == 0 else direction == -want

    if agrees(price_direction) and agrees(value_direction):
        return "RIGHT"
    if opposes(price_direction) and opposes(value_direction):
        return "WRONG"
    return "MIXED"


def _profile(
    bars: np.ndarray | None, trades: np.ndarray | None, start: int, end: int, tick_size: float
) -> VolumeProfile:
    if bars is not None:
        return volume_profile_from_bar_array(bars, start_ns=start, end_ns=end, tick_size=tick_size)
    assert trades is not None
    return VolumeProfile.from_trade_array(trades, start_ns=start, end_ns=end, tick_size=tick_size)


def _prints_after(
    direction: int, after_ns: int, bars: np.ndarray | None, trades: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(times, ticks) from the first bar opening after `after_ns` (each read open, adverse,
    favourable, close for the position) or the first trade after it."""
    if trades is not None:
        p = prints_from_trades(trades)
        p = p[p["ts_ns"] > after_ns]
        return p["ts_ns"], p["price_ticks"]
    assert bars is not None
    b = np.sort(bars[bars["ts_ns"] > after_ns], order="ts_ns", kind="stable")
    ticks = [
        bar_path_for_position(direction, *(int(x) for x in row))
        for row in zip(
            b["open_ticks"], b["high_ticks"], b["low_ticks"], b["close_ticks"], strict=True
        )
    ]
    return np.repeat(b["ts_ns"], 4), np.array(ticks, dtype=np.int64).reshape(-1)


def _hypothetical(
    plan: Plan,
    scenario: Scenario,
    status: ScenarioStatus,
    bars: np.ndarray | None,
    trades: np.ndarray | None,
    s: Settings,
) -> Hypothetical:
    assert status.tradable_ns is not None and status.zone_tick is not None
    rules = TradeRules.from_settings(s, plan.open_scale_ticks)
    d = scenario.direction
    adverse = status.zone_adverse_tick if status.zone_adverse_tick is not None else status.zone_tick
    made = bracket_for(
        d,
        status.zone_tick,
        scenario.entry_zone,
        adverse,
        status.targets_left,
        rules,
        exact(s.paper.usd_gbp),
    )
    if not isinstance(made, Bracket):
        return Hypothetical(None, None, None, str(made.reason), made.numbers)
    times, ticks = _prints_after(d, status.tradable_ns, bars, trades)
    flat_ns = plan.rth_close_ns - s.trade.flat_before_close_min * NS_PER_MINUTE
    run = run_bracket(
        made,
        times,
        ticks,
        invalidated_ns=status.invalidated_ns,
        flat_ns=flat_ns,
        slippage_ticks=s.paper.slippage_ticks,
    )
    grade = (
        None
        if run is None
        else trade_grade(d * (run.exit_tick - run.fill_tick), s.review.scratch_ticks)
    )
    return Hypothetical(made, run, grade, "", made.numbers())


def _grade_scenario(
    status: ScenarioStatus,
    taken: Sequence[TakenTrade],
    not_taken_reason: str,
    s: Settings,
) -> tuple[Outcome, str, Fraction | None]:
    """(grade, reason, R of the trade taken)."""
    if status.state == ScenarioState.WAITING:
        return Outcome.NO_TRIGGER, "its condition was never met", None
    if status.tradable_ns is None:
        reason = status.missed_reason or "price never came back to the entry zone after the trigger"
        return Outcome.MISSED, reason, None
    if status.state == ScenarioState.MISSED:
        return Outcome.MISSED, status.missed_reason, None
    if taken:
        size = sum(t.quantity for t in taken)
        move = Fraction(
            sum(t.quantity * t.direction * (t.exit_tick - t.fill_tick) for t in taken), size
        )
        r = sum((t.quantity * t.r_multiple for t in taken), Fraction(0)) / size
        return trade_grade(move, s.review.scratch_ticks), f"{len(taken)} bracket(s) taken", r
    return Outcome.NOT_TAKEN, not_taken_reason or "no entry signal while it was tradable", None


def review_plan(
    plan: Plan,
    *,
    bars: np.ndarray | None = None,
    trades: np.ndarray | None = None,
    settings: Settings | None = None,
    taken: Sequence[TakenTrade] = (),
    not_taken: Mapping[str, str] | None = None,
) -> Review:
    """Grade `plan` against the trade date's RTH 1-minute bars (BAR_DTYPE) or trades
    (TRADE_DTYPE); `taken` are the trades the engine made, `not_taken` its last reason per
    scenario id for a tradable scenario it did not enter."""
    if (bars is None) == (trades is None):
        raise ValueError("review_plan needs exactly one of bars or trades")
    s = settings or Settings()
    monitor = PlanMonitor(plan, s)
    monitor.feed(LiveState(plan.rth_close_ns, bars=bars, trades=trades))
    reasons = not_taken or {}
    outcomes = []
    for scenario, status in zip(plan.scenarios, monitor.statuses(), strict=True):
        mine = [t for t in taken if t.scenario_id == scenario.id]
        grade, reason, r = _grade_scenario(status, mine, reasons.get(scenario.id, ""), s)
        hypothetical = (
            _hypothetical(plan, scenario, status, bars, trades, s)
            if status.tradable_ns is not None and status.state != ScenarioState.MISSED
            else None
        )
        outcomes.append(
            ScenarioOutcome(
                scenario.id,
                str(scenario.expectation),
                str(scenario.family),
                scenario.direction,
                grade,
                reason,
                status.triggered_ns,
                status.entry_tick,
                status.tradable_ns,
                status.zone_tick,
                status.target_hits_ns,
                status.invalidated_ns,
                status.mfe_ticks,
                status.mae_ticks,
                r,
                hypothetical,
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
    day_grade, score, hypothetical_score = _day_grade(outcomes)
    price_dir = 0
    if monitor.open_tick is not None and monitor.last_tick is not None:
        price_dir = (monitor.last_tick > monitor.open_tick) - (
            monitor.last_tick < monitor.open_tick
        )
    value_dir = 0 if vs_prior is None else _VALUE_DIRECTION.get(str(vs_prior.relation), 0)
    return Review(
        plan.trade_date,
        plan.contract,
        plan.regime,
        plan.bias,
        plan.confidence,
        tuple(outcomes),
        facts,
        day_grade,
        score,
        hypothetical_score,
        bias_verdict(plan.bias, price_dir, value_dir),
        price_dir,
        value_dir,
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
    """Counts of one group of scenarios over many reviews: triggered, tradable, missed, and the
    hypothetical brackets' wins and losses; `hit_rate` = wins / (wins + losses)."""

    key: str
    scenarios: int
    triggered: int
    tradable: int
    missed: int
    wins: int
    losses: int

    @property
    def hit_rate(self) -> Fraction | None:
        """Hypothetical bracket wins over wins and losses, exact; None without any."""
        decided = self.wins + self.losses
        return None if decided == 0 else Fraction(self.wins, decided)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with the hit rate as a float."""
        rate = self.hit_rate
        return {**plain_dict(self), "hit_rate": None if rate is None else float(rate)}


def _rate(key: str, found: Sequence[ScenarioOutcome]) -> HitRate:
    brackets = [o.hypothetical.grade for o in found if o.hypothetical is not None]
    return HitRate(
        key,
        len(found),
        sum(o.outcome != Outcome.NO_TRIGGER for o in found),
        sum(o.hypothetical is not None for o in found),
        sum(o.outcome == Outcome.MISSED for o in found),
        sum(g == Outcome.WIN for g in brackets),
        sum(g == Outcome.LOSS for g in brackets),
    )


def hit_rates(reviews: Iterable[Review]) -> dict[str, dict[str, HitRate]]:
    """Hit rates per scenario kind (`by_expectation`) and per pre-market regime (`by_regime`)."""
    groups: dict[str, dict[str, list[ScenarioOutcome]]] = {"by_expectation": {}, "by_regime": {}}
    for review in reviews:
        for o in review.outcomes:
            groups["by_expectation"].setdefault(o.expectation, []).append(o)
            groups["by_regime"].setdefault(review.regime, []).append(o)
    return {
        name: {key: _rate(key, found) for key, found in sorted(by_key.items())}
        for name, by_key in groups.items()
    }
