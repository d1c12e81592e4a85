"""Strategies ROTATIONAL, DIRECTIONAL_BULLISH and DIRECTIONAL_BEARISH and the engine that runs the
active one (spec §5.6, §6): at each closed decision bar, a tradable scenario whose entry zone holds
the close, in a direction the active family trades, is scored (static, dynamic, order-flow count
at the level); an entry becomes a §5.6 bracket (structural stop, reward:risk target, size) or a
journalled skip. One entry per scenario per day; no entry in the last minutes of RTH; after a
directional scenario's target (VEF7) no new directional entries."""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from typing import Any

from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.flow.rhythm import RhythmCondition as Rhythm
from orderflow_lib.flow.signals import Signal
from orderflow_lib.plan.kinds import Family
from orderflow_lib.plan.model import Plan, Scenario
from orderflow_lib.plan.monitor import PlanMonitor, ScenarioState
from orderflow_lib.plan.trade import SKIP_WORDS, Bracket, TradeRules, bracket_for, remaining_targets
from orderflow_lib.strategy.family import select_family
from orderflow_lib.strategy.intents import JournalEntry, TradeIntent
from orderflow_lib.strategy.scoring import dynamic_score, orderflow_score, score_entry

_KEEP_SIGNALS_NS = 60 * NS_PER_MINUTE
DIRECTIONS: dict[Family, frozenset[int]] = {
    Family.ROTATIONAL: frozenset({1, -1}),
    Family.DIRECTIONAL_BULLISH: frozenset({1}),
    Family.DIRECTIONAL_BEARISH: frozenset({-1}),
    Family.NONE: frozenset(),
}
"""The directions each family trades (§5.6 family agreement is by direction)."""
FAMILY_WORDS: dict[Family, str] = {
    Family.ROTATIONAL: "rotation (both ways)",
    Family.DIRECTIONAL_BULLISH: "an up trend (longs only)",
    Family.DIRECTIONAL_BEARISH: "a down trend (shorts only)",
    Family.NONE: "no trading family (levels only)",
}
"""Each family as a trader would say it."""


class StrategyEngine:
    """Runs the plan's scenarios through the active family over closed 1-minute bars and
    order-flow signals; `journal` holds every entry taken or skipped."""

    def __init__(
        self,
        plan: Plan,
        settings: Settings | None = None,
        *,
        instrument: str = "MES",
    ) -> None:
        self.plan = plan
        self.settings = settings or Settings()
        self.instrument = instrument
        self.monitor = PlanMonitor(plan, self.settings)
        self.rules = TradeRules.from_settings(self.settings, plan.open_scale_ticks)
        self.family_call = select_family(
            plan.regime, unknown_family=self.settings.plan.unknown_family
        )
        self.rhythm: Rhythm | None = None
        self._signals: deque[Signal] = deque()
        self._done: set[str] = set()
        self._last_code: dict[str, str] = {}
        self.intents: list[TradeIntent] = []
        self.journal: list[JournalEntry] = []
        self._journal_sent = 0

    @property
    def entered(self) -> frozenset[str]:
        """Ids of the scenarios entered today (one entry per scenario per day)."""
        return frozenset(self._done)

    def on_signal(self, signal: Signal) -> None:
        """An order-flow signal (confirmations are only read at the entry zone)."""
        self._signals.append(signal)

    def take_journal(self) -> list[JournalEntry]:
        """Journal entries added since the last call."""
        new = self.journal[self._journal_sent :]
        self._journal_sent = len(self.journal)
        return new

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
        usd_gbp: Fraction | None = None,
        can_enter: bool = True,
    ) -> list[TradeIntent]:
        """A closed 1-minute bar (opening at ts_ns), the VWAP rhythm after it and the broker's
        USD->GBP rate; returns new entries (none unless `can_enter`: flat, nothing working)."""
        self.monitor.on_bar(ts_ns, open_tick, high_tick, low_tick, close_tick, volume)
        if rhythm is not None:
            self.rhythm = rhythm
        now = ts_ns + NS_PER_MINUTE
        while self._signals and self._signals[0].ts_ns < now - _KEEP_SIGNALS_NS:
            self._signals.popleft()
        step = self.settings.plan.family_bar_min * NS_PER_MINUTE
        if (now - self.plan.rth_open_ns) % step == 0:
            self._refresh_family()
        last_entry = (
            self.plan.rth_close_ns - self.settings.trade.no_entry_before_close_min * NS_PER_MINUTE
        )
        if now > last_entry:
            return []
        return self._entries(now, close_tick, usd_gbp, can_enter)

    def _note(
        self, now_ns: int, scenario: Scenario, code: str, text: str, numbers: dict[str, Any]
    ) -> None:
        """Journal a skip once per scenario until its reason changes."""
        if self._last_code.get(scenario.id) == code:
            return
        self._last_code[scenario.id] = code
        self.journal.append(JournalEntry(now_ns, scenario.id, False, code, text, numbers))

    def _entries(
        self, now_ns: int, price_tick: int, usd_gbp: Fraction | None, can_enter: bool
    ) -> list[TradeIntent]:
        family = self.family_call.family
        out = []
        statuses = self.monitor.statuses()
        for scenario, status in zip(self.plan.scenarios, statuses, strict=True):
            low, high = scenario.entry_zone
            if (
                scenario.id in self._done
                or status.state != ScenarioState.TRADABLE
                or not low <= price_tick <= high
            ):
                continue
            d = scenario.direction
            side = "long" if d > 0 else "short"
            if d not in DIRECTIONS.get(family, frozenset()):
                self._note(
                    now_ns,
                    scenario,
                    "FAMILY_DISAGREES",
                    f"the market is in {FAMILY_WORDS[family]} ({self.family_call.reason}), "
                    f"which does not trade {side}",
                    {"E": price_tick, "family": str(family)},
                )
                continue
            if family != Family.ROTATIONAL and self.monitor.targets_done:
                self._note(
                    now_ns,
                    scenario,
                    "VEF7",
                    "the day's directional target was already reached: no new directional entry",
                    {"E": price_tick},
                )
                continue
            intent = self._score(now_ns, scenario, price_tick, usd_gbp, can_enter)
            if intent is not None:
                out.append(intent)
        self.intents.extend(out)
        return out

    def _score(
        self,
        now_ns: int,
        scenario: Scenario,
        price_tick: int,
        usd_gbp: Fraction | None,
        can_enter: bool,
    ) -> TradeIntent | None:
        """Score one candidate at the close; an entry becomes a bracket or a journalled skip."""
        w = self.settings.weights
        d = scenario.direction
        dpocs = [x for x in self.monitor.dpoc_ticks if x is not None]
        shift = dpocs[-1] - dpocs[-2] if len(dpocs) >= 2 else 0
        dyn = dynamic_score(d, scenario.family, self.rhythm, shift)
        of, confirming, opposing = orderflow_score(
            d,
            self._signals,
            scenario.entry_zone,
            now_ns,
            w.of_lookback_min * NS_PER_MINUTE,
            self.settings.trade.of_level_ticks,
        )
        score = score_entry(1, dyn, of, w)
        numbers: dict[str, Any] = {
            "E": price_tick,
            "s_static": "1",
            "s_dynamic": str(dyn),
            "s_orderflow": str(of),
            "confirming": confirming,
            "opposing": opposing,
            "score": str(score.score),
        }
        if not score.entry:
            self._note(
                now_ns,
                scenario,
                "SCORE",
                f"score {float(score.score):.2f} is below {w.entry_threshold} (dynamic {dyn}, "
                f"order flow {of}: {confirming} confirming, {opposing} opposing)",
                numbers,
            )
            return None
        if not can_enter:
            self._note(now_ns, scenario, "BUSY", "a position or its orders are still open", numbers)
            return None
        m = self.monitor
        assert m.high_tick is not None and m.low_tick is not None
        targets = remaining_targets(d, scenario.targets, m.high_tick, m.low_tick)
        adverse = m.tracker(scenario.id).adverse_extreme()
        made = bracket_for(
            d,
            price_tick,
            scenario.entry_zone,
            price_tick if adverse is None else adverse,
            targets,
            self.rules,
            usd_gbp,
        )
        if not isinstance(made, Bracket):
            numbers.update(made.numbers)
            self._note(
                now_ns,
                scenario,
                str(made.reason),
                f"{SKIP_WORDS[made.reason]}: {made.detail}",
                numbers,
            )
            return None
        self._done.add(scenario.id)
        numbers.update(made.numbers())
        reason = (
            f"{scenario.id} {scenario.expectation} {'long' if d > 0 else 'short'}: "
            f"{scenario.condition.describe(self.plan.tick_size)} happened and price is back in the "
            f"entry zone; {FAMILY_WORDS[self.family_call.family]} ({self.family_call.reason}); "
            f"score {float(score.score):.2f}; risk {made.risk_ticks} ticks for "
            f"{float(made.reward_risk):.1f} R to the first target"
        )
        self.journal.append(JournalEntry(now_ns, scenario.id, True, "ENTRY", reason, numbers))
        return TradeIntent(
            signal_id=f"{self.plan.trade_date:%Y%m%d}:{scenario.id}",
            action="BUY" if d > 0 else "SELL",
            quantity=made.quantity,
            strategy=str(scenario.family)[:32],
            reason=reason,
            price_ticks=price_tick,
            stop_ticks=made.stop_tick,
            targets=tuple(made.split()),
            scenario_id=scenario.id,
            setup=str(scenario.expectation),
            journal=numbers,
        )
