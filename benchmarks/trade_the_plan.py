"""Trade the plan (spec §5.6, §5.7): what the plan and the strategies would have traded, day by
day and in total, with the trade-management invariants checked on every entry.

Synthetic run: consecutive synthetic ES days go, in order, through ONE trading node (plan,
strategy engine, safety gate, paper broker with 1 tick of slippage and 0.79 GBP per USD, default
settings); its history port gives each day the sessions before it (at least 7 days of warm-up
history before the first measured day). Each day is graded by the review (§5.7) with the node's
round trips as the trades taken and the journal's last skip reason per scenario. The baseline,
measured in the same run, is the same days through the node with no strategy: the ratio is the
cost of trading the plan.

Lean run: the Lean week's 1-minute bars become four trades a bar with quotes at the trade
(`feeds.bars`) and go through the same node, graded and checked the same way; each day's history
is the Lean days before it.

Invariants (a FAIL prints the entry and the exit status is 1): the stop distance R lies between
max(trade.min_stop_ticks, ceil(A/5)) and §5.6's max stop, and the broker's stop is the journal's S;
reward:risk to T1 is at least trade.min_reward_risk; a protective stop works at the broker from
the entry fill until flat (only an exit may cancel it); no entry order passes while the gate is
fenced or halted; no entry of a directional family after a directional scenario's first target
(VEF7).

Run: .venv/bin/python benchmarks/trade_the_plan.py [--synthetic N] [--seed S] [--scale X] [--lean]
(with neither --synthetic nor --lean both runs go, the synthetic one over 20 days).

Data for the Lean run: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0; see
../shared/data/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.fractions import exact
from orderflow_lib.engine.context import PriorSession, SessionContext, priors_from_synthetic
from orderflow_lib.engine.loop import HistorySource
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.feeds.base import FeedItem
from orderflow_lib.feeds.events import FeedInfo
from orderflow_lib.feeds.synthetic import session_events
from orderflow_lib.market.calendar import SessionCalendar, default_calendar
from orderflow_lib.market.synthetic import SyntheticSession, generate_sessions
from orderflow_lib.node.node import Node
from orderflow_lib.node.stream import StateHub
from orderflow_lib.node.summary import paper_broker_factory
from orderflow_lib.plan.kinds import Family
from orderflow_lib.plan.model import Plan
from orderflow_lib.plan.monitor import ScenarioState, ScenarioStatus
from orderflow_lib.plan.review import Outcome, Review, TakenTrade, review_plan
from orderflow_lib.plan.trade import TradeRules
from orderflow_lib.research.backtest import trades_of
from orderflow_lib.research.backtest_sources import LeanDays
from orderflow_lib.risk.records import OrderAction, OrderRecord, OrderType, TradingState

ROOT = Path(__file__).resolve().parents[1]
LEAN = ROOT / ".." / "shared" / "data" / "lean-es-2013" / "minute"
LEAN_WEEK = (date(2013, 10, 7), date(2013, 10, 14))
START = date(2026, 10, 1)
DAYS = 20
WARMUP_DAYS = 7
BATCH = 4096
KEY = "benchmark-key-" + "p" * 30
PROTECTIVE = "a protective stop works at the broker from the entry fill until flat"
GATE = "no entry order sent while the gate is fenced or halted"
VEF7 = "no entry by a directional family after VEF7 (a directional scenario's T1)"
KEPT = frozenset({"session", "journal", "trade", "order", "fill", "exit"})
FINAL = frozenset({"FILLED", "CANCELLED", "REJECTED"})
GRADE_HEADS = {
    Outcome.NO_TRIGGER: "no-trig",
    Outcome.MISSED: "missed",
    Outcome.NOT_TAKEN: "not-tkn",
    Outcome.WIN: "win",
    Outcome.LOSS: "loss",
    Outcome.SCRATCH: "scratch",
}


# ---- what a day did ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TradeResult:
    """One closed trade: its scenario, R multiple (None without a stop) and P&L in GBP."""

    scenario_id: str
    r_multiple: float | None
    pnl_gbp: float


@dataclass
class DayResult:
    """One trade date: plan headline, scenarios by review grade, entries, skips and trades;
    `skips` is None where the path does not report them."""

    trade_date: date
    regime: str
    bias: str
    grades: Counter[str] = field(default_factory=Counter)
    entries: int = 0
    skips: Counter[str] | None = field(default_factory=Counter)
    denied: Counter[str] = field(default_factory=Counter)
    trades: list[TradeResult] = field(default_factory=list)
    hypothetical: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class EntryFacts:
    """An entry taken, with what the invariants need; the node path also observes the broker's
    stop, the gate and the active family at the entry, and when VEF7 came."""

    trade_date: date
    scenario_id: str
    direction: int
    ts_ns: int
    entry_tick: int
    stop_tick: int
    target1_tick: int
    rules: TradeRules
    usd_gbp: Fraction
    broker_stop_tick: int | None = None
    gate: str = ""
    order_sent: bool = False
    family: str = ""
    vef7_ns: int | None = None

    def label(self) -> str:
        """The entry in a few words for a FAIL line."""
        side = "long" if self.direction > 0 else "short"
        return (
            f"{self.trade_date} {self.scenario_id} {side} E {self.entry_tick} S {self.stop_tick} "
            f"T1 {self.target1_tick}"
        )


@dataclass
class Check:
    """One invariant: how many cases were checked and the failures with their details."""

    name: str
    checked: int = 0
    failures: list[str] = field(default_factory=list)
    not_applicable: str = ""

    def lines(self) -> list[str]:
        """PASS/FAIL line, then one line per failure."""
        if self.not_applicable:
            return [f"  n/a   {self.name}: {self.not_applicable}"]
        word = "FAIL" if self.failures else "PASS"
        ok = self.checked - len(self.failures)
        held = f"{ok} of {self.checked} hold" if self.checked else "no case to check"
        head = f"  {word}  {self.name}: {held}"
        return [head, *(f"          {f}" for f in self.failures)]


# ---- the synthetic market through the node -----------------------------------------------------


@dataclass(frozen=True)
class DayPlan:
    """A day's plan and its scenarios' final statuses from the engine's own monitor."""

    plan: Plan
    statuses: tuple[ScenarioStatus, ...]


class RecordingPlanStrategy(PlanStrategy):
    """The node's PlanStrategy, keeping each day's plan and final statuses before the next
    session resets the engine."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.days: dict[date, DayPlan] = {}

    def start_session(self, context: SessionContext) -> None:
        """Keep the finished day, then start the new one."""
        self.keep_day()
        super().start_session(context)

    def keep_day(self) -> None:
        """Store the current day's plan and statuses (also called once the feed has ended)."""
        if self.plan is not None and self.engine is not None:
            statuses = tuple(self.engine.monitor.statuses())
            self.days[self.plan.trade_date] = DayPlan(self.plan, statuses)


class EventLog(StateHub):
    """The node's state hub, also keeping the trading events in order; each entry taken is
    stamped with the gate's state and the active family at the moment it was journalled."""

    def __init__(self, strategy: RecordingPlanStrategy) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self.node: Node | None = None
        self._strategy = strategy

    def publish_event(self, event: dict[str, Any]) -> None:
        """Keep the event (stamped when it is an entry taken) and publish it."""
        if event["kind"] in KEPT:
            if event["kind"] == "journal" and event["taken"]:
                event = {**event, **self._entry_context()}
            self.events.append(event)
        super().publish_event(event)

    def _entry_context(self) -> dict[str, Any]:
        node, engine = self.node, self._strategy.engine
        assert node is not None and node.trading is not None and engine is not None
        status = node.trading.manager.status()
        blocked = status.fence_active or status.breaker_tripped
        gate = "FENCED" if blocked else str(status.effective_state)
        return {"gate": gate, "family": str(engine.family_call.family)}


@dataclass(frozen=True)
class BenchDay:
    """One trade date of a run: its events (the node's input) and its trades (the review's)."""

    trade_date: date
    events: np.ndarray
    trades: np.ndarray


def synthetic_day(session: SyntheticSession) -> BenchDay:
    """A synthetic session as a bench day."""
    return BenchDay(session.trade_date, session_events(session), session.trades)


class DaysFeed:
    """Each day's events in batches, day by day; `busy_s` is the time the node spent on the
    batches."""

    def __init__(self, days: Sequence[BenchDay], source: str = "synthetic") -> None:
        self.info = FeedInfo(source, "", description=f"{source} days")
        self.state = "idle"
        self.busy_s = 0.0
        self.events = 0
        self._days = days

    async def items(self) -> AsyncIterator[FeedItem]:
        """Batches of BATCH events, day after day."""
        self.state = "replaying"
        for day in self._days:
            events = day.events
            self.events += events.shape[0]
            for start in range(0, events.shape[0], BATCH):
                began = time.perf_counter()
                yield events[start : start + BATCH]
                self.busy_s += time.perf_counter() - began
        self.state = "ended"

    async def close(self) -> None:
        """Nothing to release."""
        self.state = "closed"


def synthetic_chain(
    start: date, days: int, seed: int, scale: float, calendar: SessionCalendar
) -> tuple[list[SyntheticSession], list[SyntheticSession]]:
    """(warm-up sessions, measured sessions): WARMUP_DAYS trade dates before `start`, then `days`."""
    before = [d for d in calendar.trade_dates(start - timedelta(days=30), start) if d < start]
    after = calendar.trade_dates(start, start + timedelta(days=3 * days + 10))[:days]
    chain = generate_sessions(before[-WARMUP_DAYS], after[-1], seed, calendar=calendar, scale=scale)
    return chain[:WARMUP_DAYS], chain[WARMUP_DAYS:]


def history_of(sessions: Sequence[SyntheticSession], calendar: SessionCalendar) -> HistorySource:
    """The node's history port: the chain's RTH sessions before each trade date."""
    priors = priors_from_synthetic(sessions, calendar)

    async def history(trade_date: date, contract: str, source: str) -> list[PriorSession]:
        return [p for p in priors if p.date < trade_date]

    return history


def run_node(
    days: Sequence[BenchDay],
    history: HistorySource,
    settings: Settings,
    strategy: RecordingPlanStrategy | None,
    source: str = "synthetic",
) -> tuple[Node, DaysFeed, EventLog | None]:
    """The days through one node at full speed, with the plan strategy or with none."""
    clock = ReplayClock()
    feed = DaysFeed(days, source)
    log = None if strategy is None else EventLog(strategy)
    node = Node(
        settings,
        feed,
        auth_key=KEY,
        broker_factory=paper_broker_factory(
            clock,
            slippage_ticks=settings.paper.slippage_ticks,
            gbp_per_usd=settings.paper.usd_gbp,
        ),
        strategies=[] if strategy is None else [strategy],
        plan=strategy,
        clock=clock,
        hub=log,
        history=history,
        record_sources=(),
    )
    if log is not None:
        log.node = node
    asyncio.run(node.run())
    if strategy is not None:
        strategy.keep_day()
    return node, feed, log


def events_by_day(events: Sequence[dict[str, Any]]) -> dict[date, list[dict[str, Any]]]:
    """The kept events grouped by the session they were published in."""
    out: dict[date, list[dict[str, Any]]] = {}
    day: date | None = None
    for event in events:
        if event["kind"] == "session":
            day = date.fromisoformat(event["trade_date"])
            out.setdefault(day, [])
        elif day is not None:
            out[day].append(event)
    return out


def of_kind(events: Sequence[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Events of one kind."""
    return [e for e in events if e["kind"] == kind]


def node_review(
    day: DayPlan, session: BenchDay, events: list[dict[str, Any]], settings: Settings
) -> Review:
    """§5.7 on the day's trades, with the node's round trips taken and the last skip reasons."""
    taken = [
        TakenTrade(
            t["scenario_id"],
            t["direction"],
            round(t["entry_ticks"]),
            t["stop_ticks"],
            round(t["exit_ticks"]),
            t["quantity"],
        )
        for t in of_kind(events, "trade")
    ]
    not_taken = {j["scenario_id"]: j["code"] for j in of_kind(events, "journal") if not j["taken"]}
    return review_plan(
        day.plan, trades=session.trades, settings=settings, taken=taken, not_taken=not_taken
    )


def vef7_ns_of(day: DayPlan) -> int | None:
    """When a scenario of a directional family first reached its T1 (VEF7), by the engine's monitor."""
    hits = [
        status.target_hits_ns[scenario.targets.index(status.target1_tick)]
        for scenario, status in zip(day.plan.scenarios, day.statuses, strict=True)
        if scenario.family != Family.ROTATIONAL
        and status.state == ScenarioState.TARGET_HIT
        and status.target1_tick is not None
    ]
    return min((h for h in hits if h is not None), default=None)


def node_entries(
    day: DayPlan, events: list[dict[str, Any]], settings: Settings
) -> list[EntryFacts]:
    """The day's entries taken, with the broker's stop, the gate and the order's fate."""
    rules = TradeRules.from_settings(settings, day.plan.open_scale_ticks)
    stops = {t["scenario_id"]: t["stop_ticks"] for t in of_kind(events, "trade")}
    sent = {
        o["scenario_id"]: o["status"] == "SENT"
        for o in of_kind(events, "order")
        if o["status"] in ("SENT", "DENIED")
    }
    vef7_ns = vef7_ns_of(day)
    out = []
    for j in of_kind(events, "journal"):
        if not j["taken"]:
            continue
        n = j["numbers"]
        out.append(
            EntryFacts(
                day.plan.trade_date,
                j["scenario_id"],
                day.plan.scenario(j["scenario_id"]).direction,
                j["ts_ns"],
                n["E"],
                n["S"],
                n["T1"],
                rules,
                exact(settings.paper.usd_gbp),
                broker_stop_tick=stops.get(j["scenario_id"]),
                gate=j["gate"],
                order_sent=sent.get(j["scenario_id"], False),
                family=j["family"],
                vef7_ns=vef7_ns,
            )
        )
    return out


def hypothetical_grades(review: Review) -> Counter[str]:
    """The §5.7 hypothetical brackets of the tradable scenarios: grade, §5.6 skip, or NO_FILL."""
    out: Counter[str] = Counter()
    for o in review.outcomes:
        h = o.hypothetical
        if h is not None:
            out[h.skip or (str(h.grade) if h.grade is not None else "NO_FILL")] += 1
    return out


def node_day(
    session: BenchDay,
    day: DayPlan | None,
    events: list[dict[str, Any]],
    settings: Settings,
) -> DayResult:
    """One day's figures from the node's events and the review."""
    if day is None:
        return DayResult(session.trade_date, "no plan", "-")
    review = node_review(day, session, events, settings)
    journal = of_kind(events, "journal")
    return DayResult(
        session.trade_date,
        day.plan.regime,
        day.plan.bias,
        grades=Counter(str(o.outcome) for o in review.outcomes),
        entries=sum(j["taken"] for j in journal),
        skips=Counter(j["code"] for j in journal if not j["taken"]),
        denied=Counter(
            o["reason"] for o in of_kind(events, "order") if o.get("status") == "DENIED"
        ),
        trades=[
            TradeResult(t["scenario_id"], t["r_multiple"], t["pnl_gbp"])
            for t in of_kind(events, "trade")
        ],
        hypothetical=hypothetical_grades(review),
    )


# ---- invariants --------------------------------------------------------------------------------


def check_stop_distance(entries: Sequence[EntryFacts]) -> Check:
    """§5.6: floor <= R <= max stop, with R = d(E - S) from the journal; the broker's stop is S."""
    check = Check("stop distance R within [max(min_stop, ceil(A/5)), max stop], broker stop at S")
    for e in entries:
        check.checked += 1
        risk = e.direction * (e.entry_tick - e.stop_tick)
        floor, most = e.rules.floor_stop_ticks, e.rules.max_stop_ticks(e.usd_gbp)
        if not floor <= risk <= most:
            check.failures.append(f"{e.label()}: R {risk} outside [{floor}, {most}]")
        if e.broker_stop_tick is not None and e.broker_stop_tick != e.stop_tick:
            check.failures.append(f"{e.label()}: the broker's stop was {e.broker_stop_tick}")
    return check


def check_reward_risk(entries: Sequence[EntryFacts]) -> Check:
    """§5.6: d(T1 - E) >= min_reward_risk x R at the decision price."""
    check = Check("reward:risk to T1 at entry >= trade.min_reward_risk")
    for e in entries:
        check.checked += 1
        risk = e.direction * (e.entry_tick - e.stop_tick)
        reward = e.direction * (e.target1_tick - e.entry_tick)
        if reward < e.rules.min_reward_risk * risk:
            ratio = Fraction(reward, risk) if risk else "inf"
            check.failures.append(
                f"{e.label()}: {reward}/{risk} = {ratio} < {e.rules.min_reward_risk}"
            )
    return check


def check_gate(entries: Sequence[EntryFacts]) -> Check:
    """No entry order accepted while the gate was fenced, tripped, halted or reducing (the
    manager's status when the entry was journalled, just before it went to the gate)."""
    check = Check(GATE)
    for e in entries:
        if not e.order_sent:
            continue
        check.checked += 1
        if e.gate != str(TradingState.ACTIVE):
            check.failures.append(f"{e.label()}: sent while the gate was {e.gate}")
    return check


def check_vef7(entries: Sequence[EntryFacts]) -> Check:
    """No entry while a directional family is active once a directional scenario reached its T1
    (VEF7), by the times of the engine's own monitor."""
    check = Check(VEF7)
    for e in entries:
        if e.family == str(Family.ROTATIONAL):
            continue
        check.checked += 1
        if e.vef7_ns is not None and e.vef7_ns < e.ts_ns:
            check.failures.append(
                f"{e.label()}: family {e.family} entered at {e.ts_ns} ns, VEF7 since {e.vef7_ns} ns"
            )
    return check


@dataclass
class _Protection:
    """The walk of `check_protective_stop` over the order, fill and exit events, in order."""

    orders: dict[str, OrderRecord]
    check: Check
    day: str = ""
    position: int = 0
    filled: Counter[str] = field(default_factory=Counter)
    stops: set[str] = field(default_factory=set)
    gap: str = ""
    exit_seen: bool = False
    opening: bool = False
    reported: bool = False

    def on_event(self, event: dict[str, Any]) -> None:
        """Apply one event, then judge the position's protection."""
        kind = event["kind"]
        self.opening = False
        if kind == "session":
            self.day = event["trade_date"]
        elif kind == "order":
            self._on_status(event)
        elif kind == "fill":
            self._on_fill(event)
        elif kind == "exit" and self.gap:
            self.exit_seen = True
        self._judge(event)

    def _on_status(self, event: dict[str, Any]) -> None:
        record = self.orders.get(event["order_id"])
        if record is None or record.order_type is not OrderType.STOP or not record.parent_id:
            return
        if event["status"] == "SUBMITTED":
            self.stops.add(event["order_id"])
        elif event["status"] in FINAL:
            self.stops.discard(event["order_id"])

    def _on_fill(self, event: dict[str, Any]) -> None:
        before = self.position
        if before == 0:
            self.check.checked += 1
        self.position += OrderAction(event["action"]).sign * event["quantity"]
        self.filled[event["order_id"]] += event["quantity"]
        self.opening = abs(self.position) > abs(before)

    def _covered(self) -> int:
        """Contracts the working stops protect: released by their parent's fills, not yet filled."""
        return sum(
            min(self.orders[s].quantity, self.filled[self.orders[s].parent_id or ""])
            - self.filled[s]
            for s in self.stops
        )

    def _judge(self, event: dict[str, Any]) -> None:
        """Open a gap when the position loses its cover (an entry filled without its stop is a
        failure at once); a gap closes when the position is flat or covered again, and holds only
        if an exit was under way."""
        uncovered = self.position != 0 and self._covered() < abs(self.position)
        if uncovered and not self.gap:
            self.gap = f"{self.day}: position {self.position} unprotected from {_describe(event)}"
            self.exit_seen, self.reported = False, self.opening
            if self.opening:
                self.check.failures.append(f"{self.gap}: an entry filled with no stop working")
        elif not uncovered and self.gap:
            if not (self.exit_seen or self.reported):
                self.check.failures.append(f"{self.gap} until {_describe(event)}, with no exit")
            self.gap = ""


def check_protective_stop(
    events: Sequence[dict[str, Any]], orders: dict[str, OrderRecord]
) -> Check:
    """While a position is open the stops working at the broker must cover it: each entry's stop
    SUBMITTED before or with its fill, and only an exit (children cancelled, then its "exit"
    event, then the closing fill) may leave the position uncovered."""
    check = Check(PROTECTIVE)
    walk = _Protection(orders, check)
    for event in events:
        walk.on_event(event)
    return check


def _describe(event: dict[str, Any]) -> str:
    """An order, fill or exit event in a few words."""
    words = [event["kind"], event.get("order_id"), event.get("status"), event.get("reason")]
    return " ".join(str(w) for w in words if w)


def node_checks(
    entries: Sequence[EntryFacts], events: Sequence[dict[str, Any]], orders: dict[str, OrderRecord]
) -> list[Check]:
    """Every invariant over the node's entries and its order and fill events."""
    return [
        check_stop_distance(entries),
        check_reward_risk(entries),
        check_protective_stop(events, orders),
        check_gate(entries),
        check_vef7(entries),
    ]


def research_checks(entries: Sequence[EntryFacts]) -> list[Check]:
    """The invariants the research path can show (no broker, no gate, no journal)."""
    return [
        check_stop_distance(entries),
        check_reward_risk(entries),
        Check(PROTECTIVE, not_applicable="no broker on this path"),
        Check(GATE, not_applicable="no safety gate on this path"),
        Check(VEF7, not_applicable="this path does not report the active family at each entry"),
    ]


# ---- printing ----------------------------------------------------------------------------------


def counts(counter: Counter[str] | None) -> str:
    """'A 3, B 1' (most first), 'none' when empty, 'not reported' for None."""
    if counter is None:
        return "not reported"
    return ", ".join(f"{k} {v}" for k, v in counter.most_common()) or "none"


def print_days(days: Sequence[DayResult]) -> None:
    """One line per day, under a header and a legend."""
    grades = " ".join(f"{h:>7}" for h in GRADE_HEADS.values())
    print(
        "  per day: the plan's regime and bias, its scenarios by review grade (§5.7), entries "
        "taken, trades closed with their summed R and P&L, and the journal's skips by reason "
        "(one per scenario until its reason changes)"
    )
    print(
        f"  date        regime            bias     {grades}  entries trades      R   P&L GBP  "
        "skipped (by reason)"
    )
    for d in days:
        by_grade = " ".join(f"{d.grades.get(str(g), 0):>7}" for g in GRADE_HEADS)
        r = sum(t.r_multiple or 0.0 for t in d.trades)
        gbp = sum(t.pnl_gbp for t in d.trades)
        denied = f"; refused by the gate: {counts(d.denied)}" if d.denied else ""
        print(
            f"  {d.trade_date}  {d.regime:<17} {d.bias:<8} {by_grade}  {d.entries:>7} {len(d.trades):>6} "
            f"{r:>+6.2f} {gbp:>+9.2f}  {counts(d.skips)}{denied}"
        )


def max_drawdown(pnls: Sequence[float]) -> float:
    """Largest fall of the running P&L from its peak (starting at 0), trade by trade."""
    peak = running = worst = 0.0
    for pnl in pnls:
        running += pnl
        peak = max(peak, running)
        worst = max(worst, peak - running)
    return worst


def print_totals(days: Sequence[DayResult]) -> None:
    """Trades, win rate, average R, expectancy, profit factor, drawdown, grades, skips."""
    trades = [t for d in days for t in d.trades]
    pnls = [t.pnl_gbp for t in trades]
    grades: Counter[str] = sum((d.grades for d in days), Counter())
    skips = (
        None
        if any(d.skips is None for d in days)
        else sum((d.skips or Counter() for d in days), Counter())
    )
    denied: Counter[str] = sum((d.denied for d in days), Counter())
    hypothetical: Counter[str] = sum((d.hypothetical for d in days), Counter())
    print(f"  totals over {len(days)} days:")
    if trades:
        wins = sum(p > 0 for p in pnls)
        rs = [t.r_multiple for t in trades if t.r_multiple is not None]
        gains, losses = sum(p for p in pnls if p > 0), -sum(p for p in pnls if p < 0)
        factor = f"{gains / losses:.2f}" if losses else "n/a (no losing trade)"
        print(
            f"    {len(trades)} trades, win rate {wins / len(trades):.0%} ({wins} of {len(trades)}), "
            f"average R {sum(rs) / max(len(rs), 1):+.2f}, expectancy {sum(pnls) / len(trades):+.2f} GBP "
            f"per trade, total {sum(pnls):+.2f} GBP, profit factor {factor}, "
            f"maximum drawdown {max_drawdown(pnls):.2f} GBP"
        )
    else:
        print("    no trades")
    print(
        f"    scenarios by grade: {', '.join(f'{g} {grades.get(str(g), 0)}' for g in GRADE_HEADS)}"
    )
    print(
        f"    entries taken {sum(d.entries for d in days)}; skipped by reason: {counts(skips)}; "
        f"refused by the gate: {counts(denied)}"
    )
    print(
        f"    hypothetical §5.6 brackets of the tradable scenarios (§5.7): {counts(hypothetical)}"
    )


def print_checks(checks: Sequence[Check]) -> bool:
    """The invariants; True when none failed."""
    print("  invariants:")
    for check in checks:
        for line in check.lines():
            print(line)
    return not any(c.failures for c in checks)


# ---- the two runs ------------------------------------------------------------------------------


def bench_synthetic(days: int, seed: int, scale: float) -> bool:
    """The synthetic days through the node, per day and in total, against the bare node."""
    settings = Settings()
    calendar = default_calendar()
    began = time.perf_counter()
    warmup, measured = synthetic_chain(START, days, seed, scale, calendar)
    history = history_of([*warmup, *measured], calendar)
    print(
        f"\nsynthetic market: {len(measured)} days {measured[0].trade_date} .. {measured[-1].trade_date} "
        f"(seed {seed}, scale {scale}) after {len(warmup)} days of warm-up history, generated in "
        f"{time.perf_counter() - began:.1f} s"
    )
    print(
        "  path: the trading node (plan, strategy engine, safety gate, paper broker: "
        f"{settings.paper.slippage_ticks} tick slippage, {settings.paper.usd_gbp} GBP per USD), "
        f"default settings (entry threshold {settings.weights.entry_threshold})"
    )
    return trade_days([synthetic_day(s) for s in measured], history, settings, "synthetic")


def trade_days(
    days: Sequence[BenchDay], history: HistorySource, settings: Settings, source: str
) -> bool:
    """The days through the node with the plan strategy and without: per day, totals, speed
    against the bare node, and the invariants."""
    strategy = RecordingPlanStrategy(settings)
    node, feed, log = run_node(days, history, settings, strategy, source)
    assert log is not None and node.trading is not None
    _, bare, _ = run_node(days, history, settings, None, source)
    by_day = events_by_day(log.events)
    results, entries = [], []
    for session in days:
        day = strategy.days.get(session.trade_date)
        events = by_day.get(session.trade_date, [])
        results.append(node_day(session, day, events, settings))
        if day is not None:
            entries += node_entries(day, events, settings)
    print_days(results)
    print_totals(results)
    eps, bare_eps = feed.events / feed.busy_s, bare.events / bare.busy_s
    print(
        f"  speed: {feed.events:,} events in {feed.busy_s:.2f} s = {eps:,.0f} events/s trading the "
        f"plan; baseline, the same days through the node with no strategy: {bare_eps:,.0f} events/s; "
        f"trading the plan runs at {eps / bare_eps:.2f}x the baseline"
    )
    orders = {o.order_id: o for o in node.trading.manager.orders()}
    return print_checks(node_checks(entries, log.events, orders))


def bench_lean(settings: Settings) -> bool:
    """The Lean week through the node (its 1-minute bars become trades and quotes), per day and
    in total, against the bare node."""
    if not LEAN.exists():
        print(f"\nLean week: skipped, data missing: {LEAN}")
        return True
    source, dates = LeanDays.covering(LEAN, *LEAN_WEEK)
    days = []
    for d in dates:
        events = source.events(d)
        days.append(BenchDay(d, events, trades_of(events)))

    async def history(trade_date: date, contract: str, name: str) -> list[PriorSession]:
        return source.priors(trade_date)

    print(
        f"\nLean week {dates[0]} .. {dates[-1]} (ES 1-minute bars as four trades a bar, tick-test "
        "sides, quotes at the trade): the same trading node as above"
    )
    return trade_days(days, history, settings, "replay")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen runs (both by default); 1 when an invariant failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, metavar="N", help=f"synthetic days to trade (default {DAYS})"
    )
    parser.add_argument("--seed", type=int, default=7, help="synthetic market seed")
    parser.add_argument(
        "--scale", type=float, default=0.1, help="synthetic day size (1.0 = a full ES day)"
    )
    parser.add_argument("--lean", action="store_true", help="the Lean week on the research path")
    args = parser.parse_args(argv)
    if args.synthetic is not None and args.synthetic < 1:
        parser.error(f"--synthetic must be >= 1, was {args.synthetic}")
    both = args.synthetic is None and not args.lean
    ok = True
    if both or args.synthetic is not None:
        ok &= bench_synthetic(args.synthetic or DAYS, args.seed, args.scale)
    if both or args.lean:
        ok &= bench_lean(Settings())
    print("\nall invariants hold" if ok else "\nan invariant FAILED (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
