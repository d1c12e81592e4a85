"""Live evaluation of a plan: each scenario WAITING -> TRIGGERED -> TRADABLE -> TARGET_HIT |
INVALIDATED, or MISSED, with the excursions since the trigger, plus the live auction context
(open, open type, VEF, 80% rule, acceptance at the composite's edges).

`PlanMonitor` is the incremental form (feed 1-minute bars or trades as they close);
`evaluate_plan` replays a `LiveState` through it. A triggered scenario becomes TRADABLE at its
first trade in the entry zone, with the targets no trade has reached since the RTH open; when
none of them is at least `trade.min_reward_risk` times the §5.6 stop distance away it is MISSED
(also at the close when the zone never traded). Only a tradable scenario's first target counts
as reached. Invalidation is watched from the trigger on (an 80%-rule scenario by §4.3's rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from orderflow_lib.auction.acceptance import AcceptanceKind, LevelAcceptance
from orderflow_lib.auction.eighty import EightyPercentRule, EightyState
from orderflow_lib.auction.open_location import OpenLocation, OpenReference, open_location
from orderflow_lib.auction.open_type import OpenStage, OpenTypeCall, OpenTypeTracker
from orderflow_lib.auction.tape import PeriodBuilder, PeriodSummary, Window, bar_path
from orderflow_lib.auction.vef import ValueExpectations, VefStatus
from orderflow_lib.core.config import Settings
from orderflow_lib.core.plain import plain_dict
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.market.events import BAR_DTYPE, TRADE_DTYPE
from orderflow_lib.plan.conditions import Condition, ConditionKind
from orderflow_lib.plan.kinds import Expectation, Family
from orderflow_lib.plan.trade import TradeRules, pick_targets, remaining_targets, structural_stop
from orderflow_lib.profiles.bars import volume_profile_from_bar_array
from orderflow_lib.profiles.volume import VolumeProfile

if TYPE_CHECKING:
    from orderflow_lib.plan.model import Plan, Scenario

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class ScenarioState(StrEnum):
    """Live status of a scenario."""

    WAITING = "WAITING"
    TRIGGERED = "TRIGGERED"
    TRADABLE = "TRADABLE"
    TARGET_HIT = "TARGET_HIT"
    INVALIDATED = "INVALIDATED"
    MISSED = "MISSED"

    @property
    def live(self) -> bool:
        """Triggered and not yet done, invalidated or missed."""
        return self in (ScenarioState.TRIGGERED, ScenarioState.TRADABLE)


@dataclass(frozen=True, slots=True)
class ScenarioStatus:
    """A scenario's status: trigger time and price, target hit times (one per target; a target
    dropped before the zone traded is never hit), when it was invalidated, the maximum
    favourable/adverse excursion (ticks, >= 0) since the trigger, and the tradable moment: its
    first zone trade (time and price), the targets left then, T1, and why it was missed."""

    id: str
    state: ScenarioState
    triggered_ns: int | None
    entry_tick: int | None
    target_hits_ns: tuple[int | None, ...]
    invalidated_ns: int | None
    mfe_ticks: int
    mae_ticks: int
    tradable_ns: int | None = None
    zone_tick: int | None = None
    zone_adverse_tick: int | None = None
    targets_left: tuple[int, ...] = ()
    target1_tick: int | None = None
    missed_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (no missed reason as None)."""
        return {**plain_dict(self), "missed_reason": self.missed_reason or None}


@dataclass(frozen=True, slots=True)
class LiveState:
    """The RTH session so far: 1-minute BAR_DTYPE bars or TRADE_DTYPE trades, known at `as_of_ns`."""

    as_of_ns: int
    bars: np.ndarray | None = None
    trades: np.ndarray | None = None


class _Watch:
    """Evaluates one condition on the data after it was created; `triggered_ns` once it holds."""

    def __init__(self, cond: Condition, monitor: PlanMonitor) -> None:
        self.cond = cond
        self.monitor = monitor
        self.triggered_ns: int | None = None
        self.parts = [_Watch(p, monitor) for p in cond.parts]
        self.level: LevelAcceptance | None = None
        self.rule: EightyPercentRule | None = None
        s = monitor.settings
        k = cond.kind
        if k in (ConditionKind.ACCEPT_ABOVE, ConditionKind.ACCEPT_BELOW, ConditionKind.REJECT_AT):
            assert cond.level_tick is not None
            home = -cond.side if k == ConditionKind.REJECT_AT else None
            self.level = LevelAcceptance(cond.level_tick, s.acceptance, home_side=home)
        elif k == ConditionKind.ENTER_VALUE_FROM:
            assert cond.val_ticks is not None and cond.vah_ticks is not None
            self.rule = EightyPercentRule(cond.val_ticks, cond.vah_ticks, s.eighty)
        elif k == ConditionKind.INVENTORY and monitor.open_tick is not None:
            self._inventory(monitor.last_ts)
        elif k == ConditionKind.OPEN_TYPE and monitor.open_call is not None:
            self.on_open_call(monitor.open_call)

    def _inventory(self, ts_ns: int) -> None:
        label = None if self.monitor.plan.overnight is None else self.monitor.plan.overnight.label
        if label == self.cond.label:
            self.triggered_ns = ts_ns

    def _combine(self) -> None:
        times = [w.triggered_ns for w in self.parts]
        if self.cond.kind == ConditionKind.AND and all(t is not None for t in times):
            self.triggered_ns = max(t for t in times if t is not None)
        elif self.cond.kind == ConditionKind.OR and any(t is not None for t in times):
            self.triggered_ns = min(t for t in times if t is not None)

    def _check_level(self) -> None:
        assert self.level is not None
        kind = (
            AcceptanceKind.REJECTED
            if self.cond.kind == ConditionKind.REJECT_AT
            else AcceptanceKind.ACCEPTED
        )
        event = self.level.first(kind, self.cond.side)
        if event is not None:
            self.triggered_ns = event.ts_ns

    def _check_rule(self) -> None:
        assert self.rule is not None
        if self.rule.triggered_ns is not None and self.rule.side == self.cond.side:
            self.triggered_ns = self.rule.triggered_ns

    def on_print(self, ts_ns: int, tick: int, first_in_period: bool, first_rth: bool) -> None:
        if self.triggered_ns is not None:
            return
        for w in self.parts:
            w.on_print(ts_ns, tick, first_in_period, first_rth)
        if self.parts:
            self._combine()
        elif self.level is not None:
            self.level.on_print(ts_ns, tick)
            self._check_level()
        elif self.rule is not None:
            self.rule.on_print(ts_ns, tick, first_in_period=first_in_period)
            self._check_rule()
        elif self.cond.kind == ConditionKind.INVENTORY and first_rth:
            self._inventory(ts_ns)

    def on_period_end(self, p: PeriodSummary, dpoc: int | None) -> None:
        if self.triggered_ns is not None:
            return
        for w in self.parts:
            w.on_period_end(p, dpoc)
        if self.parts:
            self._combine()
        elif self.level is not None:
            self.level.on_period_end(p)
            if dpoc is not None:
                self.level.on_dpoc(p.end_ns, dpoc)
            self._check_level()
        elif self.rule is not None:
            self.rule.on_period_end(p)
            self._check_rule()

    def on_open_call(self, call: OpenTypeCall) -> None:
        if self.triggered_ns is not None:
            return
        for w in self.parts:
            w.on_open_call(call)
        if self.parts:
            self._combine()
        elif (
            self.cond.kind == ConditionKind.OPEN_TYPE
            and str(call.open_type) == self.cond.label
            and self.cond.side in (0, call.direction)
        ):
            self.triggered_ns = call.as_of_ns


class _ScenarioTracker:
    def __init__(self, scenario: Scenario, monitor: PlanMonitor) -> None:
        self.scenario = scenario
        self.monitor = monitor
        self.state = ScenarioState.WAITING
        self.trigger = _Watch(scenario.condition, monitor)
        self.invalid: _Watch | None = None
        self.triggered_ns: int | None = None
        self.entry_tick: int | None = None
        self.hits: list[int | None] = [None] * len(scenario.targets)
        self.invalidated_ns: int | None = None
        self.mfe = 0
        self.mae = 0
        self.visit_extreme: int | None = None
        self.tradable_ns: int | None = None
        self.zone_tick: int | None = None
        self.zone_adverse: int | None = None
        self.targets_left: tuple[int, ...] = ()
        self.t1: int | None = None
        self.missed_reason = ""

    @property
    def eighty(self) -> EightyPercentRule | None:
        """The 80% rule that triggered an EIGHTY scenario (its §4.3 invalidation applies)."""
        if self.scenario.expectation != Expectation.EIGHTY:
            return None
        return self.trigger.rule

    def adverse_extreme(self) -> int | None:
        """X of §5.6: the adverse extreme of the current zone visit (for EIGHTY the trigger
        periods' entry-side extreme)."""
        rule = self.eighty
        if rule is not None and rule.invalidation_tick is not None:
            return rule.invalidation_tick
        return self.visit_extreme

    def _track_visit(self, tick: int) -> None:
        low, high = self.scenario.entry_zone
        d = self.scenario.direction
        if (d > 0 and tick > high) or (d < 0 and tick < low):
            self.visit_extreme = None
        elif self.visit_extreme is None or (tick - self.visit_extreme) * d < 0:
            self.visit_extreme = tick

    def _after_trigger_input(self) -> None:
        if self.state == ScenarioState.WAITING and self.trigger.triggered_ns is not None:
            self.state = ScenarioState.TRIGGERED
            self.triggered_ns = self.trigger.triggered_ns
            self.entry_tick = self.monitor.last_tick
            if self.eighty is None:
                self.invalid = _Watch(self.scenario.invalidation, self.monitor)

    def _after_invalid_input(self, ts_ns: int) -> None:
        if not self.state.live:
            return
        rule = self.eighty
        if rule is not None:
            if rule.state == EightyState.FAILED:
                self.state = ScenarioState.INVALIDATED
                self.invalidated_ns = rule.events[-1].ts_ns if rule.events else ts_ns
            return
        invalid = self.invalid
        if invalid is not None and invalid.triggered_ns is not None:
            self.state = ScenarioState.INVALIDATED
            self.invalidated_ns = invalid.triggered_ns

    def _become_tradable(self, ts_ns: int, tick: int) -> None:
        """The first zone trade after the trigger: keep the targets no trade has reached, and
        miss the scenario when none is min_reward_risk x R away (§5.6)."""
        m = self.monitor
        d = self.scenario.direction
        assert m.high_tick is not None and m.low_tick is not None
        self.tradable_ns, self.zone_tick = ts_ns, tick
        self.targets_left = tuple(
            remaining_targets(d, self.scenario.targets, m.high_tick, m.low_tick)
        )
        adverse = self.adverse_extreme()
        self.zone_adverse = tick if adverse is None else adverse
        _, risk = structural_stop(d, self.scenario.entry_zone, self.zone_adverse, tick, m.rules)
        picked = pick_targets(d, tick, risk, self.targets_left, m.rules.min_reward_risk)
        if picked is None:
            self.state = ScenarioState.MISSED
            self.missed_reason = (
                "every target was already reached before price came back to the entry zone"
                if not self.targets_left
                else f"no target left at least {m.rules.min_reward_risk} x the {risk}-tick stop away"
            )
            return
        self.state = ScenarioState.TRADABLE
        self.t1 = picked[0]

    def on_print(self, ts_ns: int, tick: int, first_in_period: bool, first_rth: bool) -> None:
        self._track_visit(tick)
        if self.state == ScenarioState.WAITING:
            self.trigger.on_print(ts_ns, tick, first_in_period, first_rth)
            self._after_trigger_input()
            return
        if not self.state.live:
            return
        d = self.scenario.direction
        assert self.entry_tick is not None
        move = (tick - self.entry_tick) * d
        self.mfe = max(self.mfe, move)
        self.mae = max(self.mae, -move)
        low, high = self.scenario.entry_zone
        if self.state == ScenarioState.TRIGGERED and low <= tick <= high:
            self._become_tradable(ts_ns, tick)
        elif self.state == ScenarioState.TRADABLE:
            for k, target in enumerate(self.scenario.targets):
                if (
                    target in self.targets_left
                    and self.hits[k] is None
                    and (tick - target) * d >= 0
                ):
                    self.hits[k] = ts_ns
                    if target == self.t1:
                        self.state = ScenarioState.TARGET_HIT
        if not self.state.live:
            return
        rule = self.eighty
        if rule is not None:
            rule.on_print(ts_ns, tick, first_in_period=first_in_period)
        elif self.invalid is not None:
            self.invalid.on_print(ts_ns, tick, first_in_period, first_rth)
        self._after_invalid_input(ts_ns)

    def on_period_end(self, p: PeriodSummary, dpoc: int | None) -> None:
        if self.state == ScenarioState.WAITING:
            self.trigger.on_period_end(p, dpoc)
            self._after_trigger_input()
        elif self.state.live:
            rule = self.eighty
            if rule is not None:
                rule.on_period_end(p)
            elif self.invalid is not None:
                self.invalid.on_period_end(p, dpoc)
            self._after_invalid_input(p.end_ns)

    def on_open_call(self, call: OpenTypeCall) -> None:
        if self.state == ScenarioState.WAITING:
            self.trigger.on_open_call(call)
            self._after_trigger_input()
        elif self.state.live and self.invalid is not None:
            self.invalid.on_open_call(call)
            self._after_invalid_input(call.as_of_ns)

    def close(self) -> None:
        """The RTH close: a scenario whose zone never traded after its trigger was missed."""
        if self.state == ScenarioState.TRIGGERED:
            self.state = ScenarioState.MISSED
            self.missed_reason = "price never came back to the entry zone after the trigger"

    def status(self) -> ScenarioStatus:
        return ScenarioStatus(
            self.scenario.id,
            self.state,
            self.triggered_ns,
            self.entry_tick,
            tuple(self.hits),
            self.invalidated_ns,
            self.mfe,
            self.mae,
            self.tradable_ns,
            self.zone_tick,
            self.zone_adverse,
            self.targets_left,
            self.t1,
            self.missed_reason,
        )


class PlanMonitor:
    """Incremental live state of a plan's trade date; feed RTH 1-minute bars or trades in order."""

    def __init__(self, plan: Plan, settings: Settings | None = None) -> None:
        self.plan = plan
        self.settings = settings or Settings()
        step = plan.period_minutes * NS_PER_MINUTE
        starts = range(plan.rth_open_ns, plan.rth_close_ns, step)
        self.periods = [
            Window(LETTERS[k], start, min(start + step, plan.rth_close_ns))
            for k, start in enumerate(starts)
        ]
        self._builder = PeriodBuilder(self.periods)
        self.a_end_ns = plan.rth_open_ns + self.settings.open.a_minutes * NS_PER_MINUTE
        self.open_tick: int | None = None
        self.open_location: OpenLocation | None = None
        self.open_call: OpenTypeCall | None = None
        self.last_tick: int | None = None
        self.last_ts = plan.rth_open_ns
        self.high_tick: int | None = None
        self.low_tick: int | None = None
        self.period_summaries: list[PeriodSummary] = []
        self.dpoc_ticks: list[int | None] = []
        self._bars: list[tuple[int, int, int, int, int, int]] = []
        self._trades: list[tuple[int, int, int]] = []
        self._opener: OpenTypeTracker | None = None
        self.eighty: EightyPercentRule | None = None
        if plan.prior is not None:
            pr = plan.prior
            self.eighty = EightyPercentRule(pr.val_ticks, pr.vah_ticks, self.settings.eighty)
        self.vef: ValueExpectations | None = None
        cva = plan.cva
        if cva is not None:
            self.vef = ValueExpectations(
                cva.val_ticks,
                cva.poc_ticks,
                cva.vah_ticks,
                range_low=cva.low_tick,
                range_high=cva.high_tick,
                upside_ref=None if plan.upside_ref is None else plan.upside_ref.tick,
                downside_ref=None if plan.downside_ref is None else plan.downside_ref.tick,
                settings=self.settings.vef,
                acceptance=self.settings.acceptance,
            )
        self.rules = TradeRules.from_settings(self.settings, plan.open_scale_ticks)
        self.trackers = [_ScenarioTracker(s, self) for s in plan.scenarios]
        self.closed = False

    # ----------------------------------------------------------------- inputs
    def on_bar(
        self,
        ts_ns: int,
        open_tick: int,
        high_tick: int,
        low_tick: int,
        close_tick: int,
        volume: int,
    ) -> None:
        """A closed 1-minute bar (opening at ts_ns): four prints and its volume for the profile."""
        self.advance(ts_ns)
        if not self.plan.rth_open_ns <= ts_ns < self.plan.rth_close_ns:
            return
        self._bars.append((ts_ns, open_tick, high_tick, low_tick, close_tick, volume))
        for tick in bar_path(open_tick, high_tick, low_tick, close_tick):
            self._print(ts_ns, tick)

    def on_trade(self, ts_ns: int, tick: int, size: int) -> None:
        """A trade."""
        self.advance(ts_ns)
        if not self.plan.rth_open_ns <= ts_ns < self.plan.rth_close_ns:
            return
        self._trades.append((ts_ns, tick, size))
        self._print(ts_ns, tick)

    def advance(self, ts_ns: int) -> None:
        """Let time pass: close the periods that ended at or before ts_ns (and the session at
        the RTH close)."""
        for p in self._builder.advance(ts_ns):
            self._period_end(p)
        if self.open_call is None and self._opener is not None and ts_ns >= self.a_end_ns:
            self._finalise_open()
        if ts_ns >= self.plan.rth_close_ns and not self.closed:
            self.closed = True
            if self.eighty is not None:
                self.eighty.expire(self.plan.rth_close_ns)
            for tracker in self.trackers:
                tracker.close()

    def close(self) -> None:
        """The RTH close: remaining periods end, the 80% rule expires, a scenario whose zone
        never traded after its trigger is missed."""
        self.advance(self.plan.rth_close_ns)

    # ----------------------------------------------------------------- internals
    def _print(self, ts_ns: int, tick: int) -> None:
        for p in self._builder.on_print(ts_ns, tick):
            self._period_end(p)
        first_in_period = self._builder.first_in_period
        first_rth = self.open_tick is None
        if first_rth:
            self._start(tick)
        self.last_tick, self.last_ts = tick, ts_ns
        self.high_tick = tick if self.high_tick is None else max(self.high_tick, tick)
        self.low_tick = tick if self.low_tick is None else min(self.low_tick, tick)
        if self._opener is not None:
            self._opener.on_print(ts_ns, tick)
        if self.eighty is not None:
            self.eighty.on_print(ts_ns, tick, first_in_period=first_in_period)
        if self.vef is not None:
            self.vef.on_print(ts_ns, tick)
        for tracker in self.trackers:
            tracker.on_print(ts_ns, tick, first_in_period, first_rth)

    def _start(self, open_tick: int) -> None:
        self.open_tick = open_tick
        pr = self.plan.prior
        if pr is not None:
            ref = OpenReference(pr.val_ticks, pr.vah_ticks, pr.low_tick, pr.high_tick)
            self.open_location = open_location(open_tick, ref, self.settings.open)
        self._opener = OpenTypeTracker(
            self.plan.rth_open_ns,
            refs=self.plan.open_refs,
            scale_ticks=self.plan.open_scale_ticks,
            location=self.open_location,
            settings=self.settings.open,
        )

    def _dpoc(self, end_ns: int) -> int | None:
        if self._bars:
            bars = np.array([b for b in self._bars if b[0] < end_ns], dtype=BAR_DTYPE)
            profile = volume_profile_from_bar_array(bars, tick_size=self.plan.tick_size)
            return profile.poc_ticks
        if self._trades:
            trades = [t for t in self._trades if t[0] < end_ns]
            profile = VolumeProfile.from_ticks(
                [t[1] for t in trades], [t[2] for t in trades], tick_size=self.plan.tick_size
            )
            return profile.poc_ticks
        return None

    def _period_end(self, p: PeriodSummary) -> None:
        dpoc = self._dpoc(p.end_ns)
        self.period_summaries.append(p)
        self.dpoc_ticks.append(dpoc)
        if self.eighty is not None:
            self.eighty.on_period_end(p)
        if self.vef is not None:
            self.vef.on_period_end(p, dpoc)
        for tracker in self.trackers:
            tracker.on_period_end(p, dpoc)
        if self.open_call is None and self._opener is not None and p.end_ns >= self.a_end_ns:
            self._finalise_open()

    def _finalise_open(self) -> None:
        assert self._opener is not None
        call = self._opener.call(self.a_end_ns)
        if call.stage != OpenStage.FINAL:
            return
        self.open_call = call
        for tracker in self.trackers:
            tracker.on_open_call(call)

    # ----------------------------------------------------------------- views
    def open_type_now(self, as_of_ns: int) -> OpenTypeCall | None:
        """The open-type call at as_of (provisional before minute 30), None before the open."""
        if self.open_call is not None:
            return self.open_call
        return None if self._opener is None else self._opener.call(as_of_ns)

    def vef_status(self) -> VefStatus | None:
        """The value expectations in force, None without a composite."""
        return None if self.vef is None else self.vef.status()

    def statuses(self) -> list[ScenarioStatus]:
        """Every scenario's status, in plan order."""
        return [t.status() for t in self.trackers]

    @property
    def targets_done(self) -> bool:
        """VEF7 for the plan: a tradable directional scenario reached its first target."""
        return any(
            t.state == ScenarioState.TARGET_HIT and t.scenario.family != Family.ROTATIONAL
            for t in self.trackers
        )

    def tracker(self, scenario_id: str) -> _ScenarioTracker:
        """The live tracker of one scenario."""
        return next(t for t in self.trackers if t.scenario.id == scenario_id)

    @property
    def eighty_state(self) -> EightyState | None:
        """The prior-day 80% rule state, None without a prior session."""
        return None if self.eighty is None else self.eighty.state

    def feed(self, live: LiveState) -> None:
        """Feed everything in `live` known before its as_of, then let time pass to as_of."""
        check_live_state(live)
        if live.bars is not None:
            bars = live.bars[np.argsort(live.bars["ts_ns"], kind="stable")]
            for b in bars[bars["ts_ns"] + NS_PER_MINUTE <= live.as_of_ns].tolist():
                self.on_bar(*(int(x) for x in b))
        if live.trades is not None:
            trades = live.trades[np.argsort(live.trades["ts_ns"], kind="stable")]
            trades = trades[trades["ts_ns"] < live.as_of_ns]
            for ts, tick, size in zip(
                trades["ts_ns"].tolist(),
                trades["price_ticks"].tolist(),
                trades["size"].tolist(),
                strict=True,
            ):
                self.on_trade(ts, tick, size)
        self.advance(live.as_of_ns)
        if live.as_of_ns >= self.plan.rth_close_ns:
            self.close()


def evaluate_plan(
    plan: Plan, live: LiveState, settings: Settings | None = None
) -> list[ScenarioStatus]:
    """Replay `live` through a fresh monitor and return every scenario's status."""
    monitor = PlanMonitor(plan, settings)
    monitor.feed(live)
    return monitor.statuses()


def check_live_state(live: LiveState) -> None:
    """Refuse a LiveState whose arrays are not BAR_DTYPE / TRADE_DTYPE records."""
    for name, arr, dtype in (("bars", live.bars, BAR_DTYPE), ("trades", live.trades, TRADE_DTYPE)):
        if arr is not None and (
            arr.dtype.names is None or set(dtype.names or ()) - set(arr.dtype.names)
        ):
            raise ValueError(f"LiveState.{name} must be a {dtype} array, was {arr.dtype}")
