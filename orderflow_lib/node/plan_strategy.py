"""The day's plan and the family strategies (`orderflow_lib.plan`, `orderflow_lib.strategy`) as
the node's Strategy and PlanTracker, plus the exits of the trades they open.

At the first bar that ends at or after the RTH open the plan is built from the session context
(composites, prior day), the overnight profile and the last pre-open price; from then on every
RTH bar goes to the strategy engine (which evaluates the plan's scenarios) with the VWAP rhythm,
and every order-flow signal is offered as a confirmation. An entry's stop and target are watched
on each closed bar; open positions are flattened `flatten_minutes` before the RTH close.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from orderflow_lib.auction.inventory import overnight_inventory, profile_vwap
from orderflow_lib.auction.levels import SessionLevels
from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.flow.rhythm import VwapRhythm
from orderflow_lib.market.events import ticks_to_price
from orderflow_lib.node.context import PriorSession, SessionContext
from orderflow_lib.node.strategy import TradeIdea
from orderflow_lib.node.view import Decision
from orderflow_lib.plan.build import PlanContext, build_plan
from orderflow_lib.plan.model import CompositeLevels, Plan
from orderflow_lib.profiles.value_area import ValueAreaRules
from orderflow_lib.profiles.volume import VolumeProfile
from orderflow_lib.risk.records import OrderAction
from orderflow_lib.strategy.engine import StrategyEngine
from orderflow_lib.strategy.intents import TradeIntent

log = logging.getLogger(__name__)
FLATTEN_MINUTES: Final = 5
ID_MAX: Final = 64


@dataclass(frozen=True, slots=True)
class _OpenTrade:
    intent: TradeIntent
    idea_id: str


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

    def __init__(
        self, settings: Settings, *, quantity: int = 1, flatten_minutes: int = FLATTEN_MINUTES
    ) -> None:
        self.settings = settings
        self.quantity = quantity
        self.flatten_ns = flatten_minutes * NS_PER_MINUTE
        self.context: SessionContext | None = None
        self.plan: Plan | None = None
        self.engine: StrategyEngine | None = None
        self._rhythm = self._new_rhythm()
        self._open: _OpenTrade | None = None

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

    def on_decision(self, decision: Decision) -> Sequence[TradeIdea]:
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
            self.engine = StrategyEngine(
                self.plan,
                self.settings,
                instrument=self.settings.instrument.execute,
                quantity=self.quantity,
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
        intents = self.engine.on_bar(
            candle.start_ns,
            candle.open_ticks,
            candle.high_ticks,
            candle.low_ticks,
            candle.close_ticks,
            candle.volume,
            rhythm=reading.condition,
        )
        ideas = self._exits(decision, rth_close)
        if decision.position == 0 and not ideas and candle.end_ns < rth_close - self.flatten_ns:
            for intent in intents[:1]:
                idea_id = f"{view.source}:{intent.signal_id}"[:ID_MAX]
                self._open = _OpenTrade(intent, idea_id)
                ideas.append(
                    TradeIdea(
                        signal_id=idea_id,
                        action=OrderAction.BUY if intent.side > 0 else OrderAction.SELL,
                        quantity=intent.quantity,
                        strategy=intent.family[:32],
                        reason=intent.entry_reason,
                        price_ticks=intent.entry_tick,
                    )
                )
        return ideas

    def _exits(self, decision: Decision, rth_close: int) -> list[TradeIdea]:
        """A closing order when the bar reached the stop or target, or near the RTH close."""
        position = decision.position
        candle = decision.candle
        assert candle is not None
        if position == 0:
            self._open = None
            return []
        trade = self._open
        why = None
        if candle.end_ns >= rth_close - self.flatten_ns:
            why = "flatten before the RTH close"
        elif trade is not None:
            t = trade.intent
            if (t.side > 0 and candle.low_ticks <= t.stop_tick) or (
                t.side < 0 and candle.high_ticks >= t.stop_tick
            ):
                why = f"stop {ticks_to_price(t.stop_tick, self.settings.instrument.tick_size)} reached"
            elif (t.side > 0 and candle.high_ticks >= t.target_tick) or (
                t.side < 0 and candle.low_ticks <= t.target_tick
            ):
                why = f"target {ticks_to_price(t.target_tick, self.settings.instrument.tick_size)} reached"
        if why is None:
            return []
        base = (
            trade.idea_id if trade is not None else f"{decision.view.source}:flat@{candle.start_ns}"
        )
        return [
            TradeIdea(
                signal_id=f"{base}"[: ID_MAX - 5] + ":exit",
                action=OrderAction.SELL if position > 0 else OrderAction.BUY,
                quantity=abs(position),
                strategy="exit",
                reason=why,
                price_ticks=candle.close_ticks,
            )
        ]

    # ---- PlanTracker ----------------------------------------------------------------------

    def statuses(self) -> list[dict[str, Any]]:
        """Each scenario's live status (plain dicts), empty before the plan exists."""
        if self.engine is None:
            return []
        return [s.to_dict() for s in self.engine.monitor.statuses()]

    def snapshot(self) -> dict[str, Any] | None:
        """The plan in the snapshot's shape, or None before the RTH open."""
        plan, engine = self.plan, self.engine
        if plan is None or engine is None:
            return None
        tick = plan.tick_size
        bias = {"BULLISH": 1, "BEARISH": -1}.get(plan.bias, 0)
        scenarios = []
        for scenario, status in zip(plan.scenarios, engine.monitor.statuses(), strict=True):
            scenarios.append(
                {
                    "id": scenario.id,
                    "name": f"{scenario.expectation} {'long' if scenario.direction > 0 else 'short'}",
                    "family": str(scenario.family),
                    "status": str(status.state),
                    "trigger": scenario.condition.describe(tick),
                    "target": ", ".join(f"{ticks_to_price(t, tick):.2f}" for t in scenario.targets),
                    "invalidation": scenario.invalidation.describe(tick),
                }
            )
        return {
            "trade_date": plan.trade_date.isoformat(),
            "bias": bias,
            "regime": plan.regime,
            "scenarios": scenarios,
        }
