"""The day's plan and the family strategies (`orderflow_lib.plan`, `orderflow_lib.strategy`) as
the node's Strategy and PlanTracker, plus the exits of the trades they open (spec §5.6).

At the first bar that ends at or after the RTH open the plan is built from the session context
(composites, prior day), the overnight profile and the last pre-open price; from then on every
RTH bar goes to the strategy engine (which evaluates the plan's scenarios) with the VWAP rhythm
and the broker's USD->GBP rate, and every order-flow signal is offered as a confirmation. An entry
becomes bracket orders (stop and targets held at the broker); the strategy itself only exits on
the scenario's invalidation (unless price is already beyond the stop, which the stop handles) and
`trade.flat_before_close_min` minutes before the RTH close.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from orderflow_lib.auction.inventory import overnight_inventory, profile_vwap
from orderflow_lib.auction.levels import SessionLevels
from orderflow_lib.core.config import Settings
from orderflow_lib.core.fractions import exact
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.engine.context import PriorSession, SessionContext
from orderflow_lib.engine.view import Decision
from orderflow_lib.flow.rhythm import VwapRhythm
from orderflow_lib.market.events import ticks_to_price
from orderflow_lib.plan.build import PlanContext, build_plan
from orderflow_lib.plan.model import CompositeLevels, Plan
from orderflow_lib.plan.monitor import ScenarioState
from orderflow_lib.profiles.value_area import ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile
from orderflow_lib.strategy.engine import StrategyEngine
from orderflow_lib.strategy.intents import TradeIntent

log = logging.getLogger(__name__)
ID_MAX: Final = 64
STATE_WORDS: Final = {
    ScenarioState.WAITING: "waiting",
    ScenarioState.TRIGGERED: "triggered",
    ScenarioState.TRADABLE: "tradable",
    ScenarioState.TARGET_HIT: "done",
    ScenarioState.INVALIDATED: "invalidated",
    ScenarioState.MISSED: "missed",
}
"""A scenario's live state as the Command Center shows it ("in trade" comes from the trade)."""


@dataclass(slots=True)
class _OpenTrade:
    intent: TradeIntent
    exit_sent: bool = False


def _state_word(
    state: ScenarioState, scenario_id: str, in_trade: str | None, entered: frozenset[str]
) -> str:
    """The scenario's state as the Command Center shows it: "in trade" while its trade is open,
    "done" once that trade has closed (one entry per scenario per day), else the monitor's."""
    if scenario_id == in_trade:
        return "in trade"
    if scenario_id in entered:
        return traded_state_word(state)
    return STATE_WORDS[state]


def traded_state_word(state: ScenarioState) -> str:
    """The state of a scenario whose trade has closed: "done" while the monitor still has it
    live (one entry per scenario per day), else the monitor's (target hit, invalidated)."""
    return "done" if state.live else STATE_WORDS[state]


def prior_levels(prior: PriorSession, rules: ValueAreaRules) -> SessionLevels | None:
    """The prior RTH session as the plan's SessionLevels (VWAP and sigma from its profile)."""
    value = prior.profile.value_area(rules=rules)
    if value is None:
        return None
    vwap, sigma = profile_vwap(prior.profile)
    return SessionLevels(
        date=prior.date,
        open_tick=prior.open_ticks,
        high_tick=prior.high_ticks,
        low_tick=prior.low_ticks,
        close_tick=prior.close_ticks,
        val_ticks=value.val_ticks,
        poc_ticks=value.poc_ticks,
        vah_ticks=value.vah_ticks,
        vwap_ticks=vwap,
        sigma_ticks=sigma,
        short=prior.short,
    )


def session_plan(
    context: SessionContext,
    decision: Decision,
    overnight: VolumeProfile,
    settings: Settings,
    rth_open_ns: int,
    rth_close_ns: int,
) -> Plan:
    """The plan of the context's trade date as of `decision` (the last pre-open bar)."""
    rules = ValueAreaRules.from_settings(settings.profile)
    prior = None if context.prior is None else prior_levels(context.prior, rules)
    inventory = None
    if not overnight.is_empty and prior is not None:
        inventory = overnight_inventory(
            overnight, prior.settlement_or_close, settings=settings.inventory
        )
    ctx = PlanContext(
        trade_date=context.trade_date,
        contract=context.contract,
        rth_open_ns=rth_open_ns,
        rth_close_ns=rth_close_ns,
        prior=prior,
        prior_short=prior is not None and prior.short,
        cva=None
        if context.cva_ex_prior is None
        else CompositeLevels.from_cva(context.cva_ex_prior),
        cva_incl_prior=None if context.cva is None else CompositeLevels.from_cva(context.cva),
        character=context.character,
        overnight=inventory,
        last_price_tick=decision.view.last_ticks,
        as_of_ns=decision.view.ts_ns,
        tick_size=settings.instrument.tick_size,
    )
    return build_plan(ctx, settings)


class PlanStrategy:
    """Plan + strategy engine + exits, for one instrument (the executed one, MES by default)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.flat_ns = settings.trade.flat_before_close_min * NS_PER_MINUTE
        self.context: SessionContext | None = None
        self.plan: Plan | None = None
        self.engine: StrategyEngine | None = None
        self._rhythm = self._new_rhythm()
        self._open: _OpenTrade | None = None
        self._built: list[Plan] = []

    @property
    def name(self) -> str:
        """Label stored with the signals acted on."""
        return "plan"

    def _new_rhythm(self) -> VwapRhythm:
        v = self.settings.vwap
        return VwapRhythm(
            flat_slope_ticks_per_30m=v.flat_slope_ticks_per_30m,
            balanced_min_crosses_per_hour=v.balanced_min_crosses_per_hour,
            rhythm_lookback_min=v.rhythm_lookback_min,
        )

    def start_session(self, context: SessionContext) -> None:
        """A new trade date: no plan until the RTH open."""
        self.context = context
        self.plan = None
        self.engine = None
        self._rhythm = self._new_rhythm()
        self._open = None

    def take_plans(self) -> list[Plan]:
        """Plans built since the last call (one a trade date, at the open)."""
        built, self._built = self._built, []
        return built

    def take_journal(self) -> list[dict[str, Any]]:
        """The strategy's decisions (entries taken and skipped) since the last call."""
        if self.engine is None:
            return []
        return [j.to_dict() for j in self.engine.take_journal()]

    def on_decision(self, decision: Decision) -> Sequence[TradeIntent]:
        """Confirmations in, entries and exits out (only on closed RTH bars)."""
        if self.engine is not None:
            for s in decision.signals:
                self.engine.on_signal(s.signal)
        candle = decision.candle
        ctx = self.context
        if candle is None or ctx is None or ctx.rth_open_ns is None or ctx.rth_close_ns is None:
            return []
        rth_open, rth_close = ctx.rth_open_ns, ctx.rth_close_ns
        if self.plan is None and decision.overnight is not None:
            self.plan = session_plan(
                ctx, decision, decision.overnight, self.settings, rth_open, rth_close
            )
            self._built.append(self.plan)
            self.engine = StrategyEngine(
                self.plan, self.settings, instrument=self.settings.instrument.execute
            )
        if self.engine is None or not rth_open <= candle.start_ns < rth_close:
            return []
        view = decision.view
        reading = self._rhythm.on_bar(
            candle.end_ns,
            candle.close_ticks,
            candle.low_ticks,
            candle.high_ticks,
            view.vwap_ticks,
            view.sigma_ticks,
        )
        entries = self.engine.on_bar(
            candle.start_ns,
            candle.open_ticks,
            candle.high_ticks,
            candle.low_ticks,
            candle.close_ticks,
            candle.volume,
            rhythm=reading.condition,
            usd_gbp=None if decision.usd_gbp is None else exact(decision.usd_gbp),
            can_enter=decision.position == 0 and decision.working == 0,
        )
        intents = self._exits(decision, rth_close)
        for made in entries[:1]:
            entry = replace(made, signal_id=f"{view.source}:{made.signal_id}"[:ID_MAX])
            self._open = _OpenTrade(entry)
            intents.append(entry)
        return intents

    def _exits(self, decision: Decision, rth_close: int) -> list[TradeIntent]:
        """A race-free exit near the RTH close or on the scenario's invalidation."""
        position = decision.position
        candle = decision.candle
        assert candle is not None
        if position == 0:
            if decision.working == 0:
                self._open = None
            return []
        trade = self._open
        why = None
        if candle.end_ns >= rth_close - self.flat_ns:
            why = f"flat {self.settings.trade.flat_before_close_min} minutes before the close"
        elif trade is not None and self.engine is not None:
            t = trade.intent
            status = self.engine.monitor.tracker(t.scenario_id).status()
            beyond_stop = (
                t.stop_ticks is not None and (candle.close_ticks - t.stop_ticks) * t.side <= 0
            )
            if status.state == ScenarioState.INVALIDATED and not beyond_stop:
                why = f"scenario {t.scenario_id} was invalidated"
        if why is None or (trade is not None and trade.exit_sent):
            return []
        if trade is not None:
            trade.exit_sent = True
        base = (
            trade.intent.signal_id
            if trade is not None
            else f"{decision.view.source}:flat@{candle.start_ns}"
        )
        return [
            TradeIntent(
                signal_id=f"{base}"[: ID_MAX - 5] + ":exit",
                action="SELL" if position > 0 else "BUY",
                quantity=abs(position),
                strategy="exit",
                reason=why,
                price_ticks=candle.close_ticks,
                exit=True,
            )
        ]

    # ---- PlanTracker ----------------------------------------------------------------------

    def statuses(self) -> list[dict[str, Any]]:
        """Each scenario's live status (plain dicts), empty before the plan exists."""
        if self.engine is None:
            return []
        return [s.to_dict() for s in self.engine.monitor.statuses()]

    def snapshot(self) -> dict[str, Any] | None:
        """The plan in the snapshot's shape, or None before the RTH open: regime, bias, and each
        scenario with its live state in words and its if/then sentence."""
        plan, engine = self.plan, self.engine
        if plan is None or engine is None:
            return None
        tick = plan.tick_size
        bias = {"BULLISH": 1, "BEARISH": -1}.get(plan.bias, 0)
        in_trade = None if self._open is None else self._open.intent.scenario_id
        scenarios = []
        for scenario, status in zip(plan.scenarios, engine.monitor.statuses(), strict=True):
            low, high = scenario.entry_zone
            side = "long" if scenario.direction > 0 else "short"
            targets = " then ".join(f"{ticks_to_price(t, tick):.2f}" for t in scenario.targets)
            scenarios.append(
                {
                    "id": scenario.id,
                    "name": f"{scenario.expectation} {side}",
                    "kind": str(scenario.expectation),
                    "family": str(scenario.family),
                    "direction": scenario.direction,
                    "status": str(status.state),
                    "state": _state_word(status.state, scenario.id, in_trade, engine.entered),
                    "trigger": scenario.condition.describe(tick),
                    "zone": [ticks_to_price(low, tick), ticks_to_price(high, tick)],
                    "target": ", ".join(f"{ticks_to_price(t, tick):.2f}" for t in scenario.targets),
                    "invalidation": scenario.invalidation.describe(tick),
                    "plain": (
                        f"If {scenario.condition.describe(tick)}, "
                        f"{'buy' if scenario.direction > 0 else 'sell'} "
                        f"{ticks_to_price(low, tick):.2f}-{ticks_to_price(high, tick):.2f}"
                        + (f" for {targets}" if targets else "")
                        + f"; wrong if {scenario.invalidation.describe(tick)}"
                    ),
                    "missed_reason": status.missed_reason or None,
                }
            )
        return {
            "trade_date": plan.trade_date.isoformat(),
            "bias": bias,
            "bias_word": plan.bias,
            "confidence": plan.confidence,
            "regime": plan.regime,
            "reasons": list(plan.reasons),
            "scenarios": scenarios,
        }
