"""Strategies ROTATIONAL, DIRECTIONAL_BULLISH and DIRECTIONAL_BEARISH and the engine that runs the
active one: context (plan, live auction state, family) decides what to look for; order flow only
times the entry through the §6 score. One intent per scenario per day; after the day's primary
target (VEF7) no new directional entries."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.flow.rhythm import Condition as Rhythm
from orderflow_lib.flow.signals import Signal
from orderflow_lib.plan.conditions import ConditionKind
from orderflow_lib.plan.kinds import Family
from orderflow_lib.plan.model import Plan, Scenario
from orderflow_lib.plan.monitor import PlanMonitor, ScenarioState, ScenarioStatus
from orderflow_lib.strategy.family import select_family
from orderflow_lib.strategy.intents import TradeIntent, signal_id
from orderflow_lib.strategy.scoring import dynamic_score, orderflow_score, score_entry

_KEEP_SIGNALS_NS = 60 * NS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class FamilyStrategy:
    """The strategy of one family: the triggered, still-live scenarios of that family whose entry
    zone holds the price. ROTATIONAL takes both directions; the directional ones one each."""

    family: Family

    def candidates(
        self, plan: Plan, statuses: list[ScenarioStatus], price_tick: int
    ) -> list[tuple[Scenario, ScenarioStatus]]:
        """(scenario, status) pairs ready for an entry at `price_tick`."""
        out = []
        for scenario, status in zip(plan.scenarios, statuses, strict=True):
            if scenario.family != self.family or status.state != ScenarioState.TRIGGERED:
                continue
            low, high = scenario.entry_zone
            if low <= price_tick <= high:
                out.append((scenario, status))
        return out


ROTATIONAL = FamilyStrategy(Family.ROTATIONAL)
DIRECTIONAL_BULLISH = FamilyStrategy(Family.DIRECTIONAL_BULLISH)
DIRECTIONAL_BEARISH = FamilyStrategy(Family.DIRECTIONAL_BEARISH)
STRATEGIES = {s.family: s for s in (ROTATIONAL, DIRECTIONAL_BULLISH, DIRECTIONAL_BEARISH)}


def stop_tick(scenario: Scenario, entry_tick: int, tol_ticks: int) -> int:
    """The hard stop: `tol_ticks` beyond the invalidation level (acceptance's tolerance), or beyond
    the entry zone when the invalidation has no level; always behind the entry."""
    d = scenario.direction
    inv = scenario.invalidation
    low, high = scenario.entry_zone
    level_kinds = (ConditionKind.ACCEPT_ABOVE, ConditionKind.ACCEPT_BELOW, ConditionKind.REJECT_AT)
    if inv.kind in level_kinds and inv.level_tick is not None:
        stop = inv.level_tick - d * tol_ticks
    else:
        stop = (low if d > 0 else high) - d * (high - low + tol_ticks)
    if (entry_tick - stop) * d <= 0:
        stop = entry_tick - d * max(tol_ticks, 1)
    return stop


class StrategyEngine:
    """Runs the active family's strategy over closed 1-minute bars and order-flow signals."""

    def __init__(
        self,
        plan: Plan,
        settings: Settings | None = None,
        *,
        instrument: str = "MES",
        quantity: int = 1,
    ) -> None:
        if quantity < 1:
            raise ValueError(f"quantity must be >= 1 contract, was {quantity}")
        self.plan = plan
        self.settings = settings or Settings()
        self.instrument = instrument
        self.quantity = quantity
        self.monitor = PlanMonitor(plan, self.settings)
        self.family_call = select_family(
            plan.regime, unknown_family=self.settings.plan.unknown_family
        )
        self.rhythm: Rhythm | None = None
        self._signals: deque[Signal] = deque()
        self._done: set[str] = set()
        self.intents: list[TradeIntent] = []

    def on_signal(self, signal: Signal) -> None:
        """An order-flow signal (confirmations are only read at the entry zone)."""
        self._signals.append(signal)

    def _refresh_family(self) -> None:
        vef = self.monitor.vef
        self.family_call = select_family(
            self.plan.regime,
            vef=None if vef is None else vef.status(),
            vef_events=() if vef is None else tuple(vef.events),
            open_call=self.monitor.open_call,
            rhythm=self.rhythm,
            unknown_family=self.settings.plan.unknown_family,
        )

    def on_bar(
        self,
        ts_ns: int,
        open_tick: int,
        high_tick: int,
        low_tick: int,
        close_tick: int,
        volume: int,
        *,
        rhythm: Rhythm | None = None,
    ) -> list[TradeIntent]:
        """A closed 1-minute bar (opening at ts_ns) and the VWAP rhythm after it; returns new intents."""
        self.monitor.on_bar(ts_ns, open_tick, high_tick, low_tick, close_tick, volume)
        if rhythm is not None:
            self.rhythm = rhythm
        now = ts_ns + NS_PER_MINUTE
        while self._signals and self._signals[0].ts_ns < now - _KEEP_SIGNALS_NS:
            self._signals.popleft()
        step = self.settings.plan.family_bar_min * NS_PER_MINUTE
        if (now - self.plan.rth_open_ns) % step == 0:
            self._refresh_family()
        return self._entries(now, close_tick)

    def _entries(self, now_ns: int, price_tick: int) -> list[TradeIntent]:
        strategy = STRATEGIES.get(self.family_call.family)
        if strategy is None:
            return []
        directional = strategy.family != Family.ROTATIONAL
        if directional and self.monitor.targets_done:
            return []
        w = self.settings.weights
        dpocs = [x for x in self.monitor.dpoc_ticks if x is not None]
        shift = dpocs[-1] - dpocs[-2] if len(dpocs) >= 2 else 0
        out = []
        for scenario, status in strategy.candidates(self.plan, self.monitor.statuses(), price_tick):
            if scenario.id in self._done:
                continue
            d = scenario.direction
            dyn = dynamic_score(d, scenario.family, self.rhythm, shift)
            of, sig = orderflow_score(
                d, self._signals, scenario.entry_zone, now_ns, w.of_lookback_min * NS_PER_MINUTE
            )
            score = score_entry(1, dyn, of, w)
            target = next((t for t in scenario.targets if (t - price_tick) * d > 0), None)
            if not score.entry or target is None:
                continue
            self._done.add(scenario.id)
            reason = (
                f"{scenario.id} {scenario.expectation}: {scenario.condition.describe(self.plan.tick_size)}"
                f" triggered; price in the entry zone; family {self.family_call.family} ({self.family_call.reason});"
                f" score {score.score} (static 1, dynamic {dyn}, order flow {of})"
            )
            intent = TradeIntent(
                signal_id=signal_id(sig)
                if sig is not None
                else f"{scenario.id}@{status.triggered_ns}",
                ts_ns=now_ns,
                instrument=self.instrument,
                side=d,
                quantity=self.quantity,
                entry_tick=price_tick,
                stop_tick=stop_tick(
                    scenario, price_tick, self.settings.acceptance.accept_tol_ticks
                ),
                target_tick=target,
                entry_reason=reason,
                scenario_id=scenario.id,
                family=str(scenario.family),
                setup=str(scenario.expectation),
                regime=self.plan.regime,
                score=score.score,
            )
            out.append(intent)
        self.intents.extend(out)
        return out
