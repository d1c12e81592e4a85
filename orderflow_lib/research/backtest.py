"""Backtests on the node's own decision path: each trade date runs the engine's TradingLoop (the
pipeline, the day's plan from the full context, the strategies, the safety manager, the paper
broker) on a replay clock, exactly as `orderflow run --replay` does, walk-forward: a day's
composites come only from the days before it. Days fan out over Dask (or a local pool) and come
back as compact results; `backtest_totals` turns them into the trader's figures.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Protocol

import numpy as np

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.engine.context import PriorSession
from orderflow_lib.engine.loop import LoopSource, TradingLoop
from orderflow_lib.engine.plan_strategy import PlanStrategy
from orderflow_lib.engine.trading import TradingSession
from orderflow_lib.engine.warmup import freeze_start_up_objects, warm_up
from orderflow_lib.execution.paper import PaperBroker
from orderflow_lib.market.calendar import default_calendar
from orderflow_lib.market.events import BAR_DTYPE, KIND_TRADE, TRADE_DTYPE
from orderflow_lib.plan.review import TakenTrade, review_plan
from orderflow_lib.research.parallel import map_days

BATCH = 4_096
"""Events per batch, as the replay feed hands them to the node at full speed."""
BACKTEST_KEY = "backtest-" + "k" * 32
"""The safety key of a backtest's in-memory gate (no operator calls it)."""


class BacktestSource(Protocol):
    """Where a backtest reads its days: the events of one trade date and the RTH sessions of the
    days before it (walk-forward)."""

    @property
    def feed_source(self) -> str:
        """The source name the loop trades under (synthetic or replay)."""
        ...

    def events(self, day: date) -> np.ndarray:
        """MARKET_EVENT_DTYPE events of the trade date's Globex session."""
        ...

    def priors(self, day: date) -> list[PriorSession]:
        """Completed RTH sessions strictly before `day`, oldest first."""
        ...

    def day_size(self, day: date) -> int:
        """How big the day is (bytes of its file; 0 when unknown), to start big days first."""
        ...


@dataclass
class DayResult:
    """One trade date, compact enough to come back from a worker: the plan's headline, scenario
    grades, entries and skips by reason, round trips, signals, orders and the run's size;
    `kinds` maps each scenario id to its kind (expectation: RTV, BVP, ROTATE, EIGHTY, DRIVE)."""

    trade_date: date
    regime: str | None
    bias: str | None
    grades: dict[str, int]
    entries: int
    skips: dict[str, int]
    trips: list[dict[str, Any]]
    signals: list[tuple[Any, ...]]
    statuses: list[dict[str, Any]]
    orders: list[tuple[Any, ...]]
    events: int
    seconds: float
    journal: list[dict[str, Any]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def pnl_gbp(self) -> float:
        """The day's P&L in GBP from its closed round trips."""
        return sum(t["pnl_gbp"] or 0.0 for t in self.trips)

    @property
    def r(self) -> float:
        """The day's R from its closed round trips."""
        return sum(t["r_multiple"] or 0.0 for t in self.trips)


def run_day(
    events: np.ndarray,
    priors: Sequence[PriorSession],
    settings: Settings,
    *,
    source: str = "replay",
    dom_metrics: bool = True,
) -> DayResult:
    """One trade date through the node's trading loop with the paper broker (DOM metrics on, as
    the node runs them); its result. Inside a running event loop (a notebook kernel) the day
    runs on a thread of its own."""
    job = _run_day(events, list(priors), settings, source, dom_metrics)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(job)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, job).result()


async def _run_day(
    events: np.ndarray,
    priors: list[PriorSession],
    settings: Settings,
    source: str,
    dom_metrics: bool,
) -> DayResult:
    started = time.perf_counter()
    clock = ReplayClock(int(events["ts_ns"][0]) if len(events) else 0)
    published: list[dict[str, Any]] = []
    broker = PaperBroker(
        clock, slippage_ticks=settings.paper.slippage_ticks, gbp_per_usd=settings.paper.usd_gbp
    )
    trading = await TradingSession.open(
        source=source,
        settings=settings,
        clock=clock,
        auth_key=BACKTEST_KEY,
        broker=broker,
        safety=None,
        publish=published.append,
        sink=None,
    )

    async def history(trade_date: date, contract: str, source_name: str) -> list[PriorSession]:
        return [p for p in priors if p.date < trade_date]

    plan = PlanStrategy(settings)
    signals: list[tuple[Any, ...]] = []
    loop = TradingLoop(
        settings,
        default_calendar(),
        clock,
        LoopSource(source),
        strategies=[plan],
        history=history,
        publish=published.append,
        dom_metrics=dom_metrics,
        on_signal=lambda s: signals.append(
            (s.signal.ts_ns, str(s.signal.kind), s.signal.direction, s.signal.price_ticks)
        ),
    )
    loop.trading = trading
    for k in range(0, len(events), BATCH):
        await loop.process(events[k : k + BATCH])
    await loop.end_session(complete=True)
    await trading.close()
    return _result(events, plan, trading, loop, published, signals, settings, started)


def _result(
    events: np.ndarray,
    plan: PlanStrategy,
    trading: TradingSession,
    loop: TradingLoop,
    published: list[dict[str, Any]],
    signals: list[tuple[Any, ...]],
    settings: Settings,
    started: float,
) -> DayResult:
    journal = [e for e in published if e["kind"] == "journal"]
    trips = [t for t in trading.round_trips.trips if t.closed]
    rate = None if trading.account is None else trading.account.gbp_per_usd
    trade_date = loop.shown.spec.trade_date if loop.shown is not None else date.min
    grades: dict[str, int] = {}
    if plan.plan is not None:
        grades = _grades(plan, events, trips, journal, settings)
    orders = [
        (o.order_type.value, o.action.value, o.quantity, o.price_ticks, o.status.value)
        for o in trading.manager.orders()
    ]
    return DayResult(
        trade_date=trade_date,
        regime=None if plan.plan is None else plan.plan.regime,
        bias=None if plan.plan is None else plan.plan.bias,
        grades=grades,
        entries=sum(1 for j in journal if j["taken"]),
        skips=dict(Counter(j["code"] for j in journal if not j["taken"])),
        trips=[t.to_dict(trading.tick_value_usd, rate) for t in trips],
        signals=signals,
        statuses=plan.statuses(),
        orders=orders,
        events=len(events),
        seconds=time.perf_counter() - started,
        journal=journal,
        kinds={} if plan.plan is None else {s.id: str(s.expectation) for s in plan.plan.scenarios},
    )


def _grades(
    plan: PlanStrategy,
    events: np.ndarray,
    trips: Sequence[Any],
    journal: list[dict[str, Any]],
    settings: Settings,
) -> dict[str, int]:
    """Scenarios by §5.7 grade, the trades taken and the engine's last skip reason included."""
    assert plan.plan is not None
    taken = [
        TakenTrade(
            t.scenario_id,
            t.direction,
            round(t.entry_ticks),
            t.stop_ticks if t.stop_ticks is not None else round(t.entry_ticks),
            round(t.exit_ticks),
            t.quantity,
        )
        for t in trips
    ]
    skipped = {j["scenario_id"]: j["text"] for j in journal if not j["taken"]}
    review = review_plan(
        plan.plan,
        bars=minute_bars(trades_of(events)),
        settings=settings,
        taken=taken,
        not_taken=skipped,
    )
    return dict(Counter(str(o.outcome) for o in review.outcomes))


def minute_bars(trades: np.ndarray) -> np.ndarray:
    """1-minute BAR_DTYPE bars of time-ordered trades (minutes without a trade have no bar): the
    bars the strategy saw, which the review grades on."""
    if len(trades) == 0:
        return np.empty(0, dtype=BAR_DTYPE)
    minute = trades["ts_ns"] // NS_PER_MINUTE
    starts = np.flatnonzero(np.r_[True, minute[1:] != minute[:-1]])
    price = trades["price_ticks"]
    out = np.empty(len(starts), dtype=BAR_DTYPE)
    out["ts_ns"] = minute[starts] * NS_PER_MINUTE
    out["open_ticks"] = price[starts]
    out["high_ticks"] = np.maximum.reduceat(price, starts)
    out["low_ticks"] = np.minimum.reduceat(price, starts)
    out["close_ticks"] = price[np.r_[starts[1:], len(price)] - 1]
    out["volume"] = np.add.reduceat(trades["size"], starts)
    return out


def trades_of(events: np.ndarray) -> np.ndarray:
    """The trades of an event array as TRADE_DTYPE."""
    t = events[events["kind"] == KIND_TRADE]
    out = np.empty(len(t), dtype=TRADE_DTYPE)
    for name in ("ts_ns", "price_ticks", "size", "side"):
        out[name] = t[name]
    return out


def backtest_task(task: tuple[BacktestSource, date, Settings]) -> DayResult:
    """Worker: one day of a source, walk-forward."""
    source, day, settings = task
    return run_day(source.events(day), source.priors(day), settings, source=source.feed_source)


def prepare_worker(settings: Settings) -> None:
    """Get a worker process ready for backtest days, as the node gets ready at start-up: load the
    compiled kernels and calendar tables the loop uses, then keep the start-up heap out of the
    garbage collector's full passes."""
    warm_up(settings, default_calendar(), dom_metrics=True, exchange_side=True)
    freeze_start_up_objects()


def run_backtest(
    source: BacktestSource,
    days: Sequence[date],
    settings: Settings,
    *,
    client: Any = None,
    workers: int | None = 1,
    progress: bool = True,
) -> list[DayResult]:
    """Every day of `days` through the trading loop, in parallel on Dask or a local pool when
    asked (each worker prepared once, the biggest days first); results in date order."""
    tasks = [(source, d, settings) for d in days]
    return map_days(
        backtest_task,
        tasks,
        client=client,
        workers=workers,
        progress=progress,
        desc="backtest",
        events_of=lambda result: result.events,
        cost_of=lambda task: source.day_size(task[1]),
        prepare=partial(prepare_worker, settings),
    )


@dataclass(frozen=True, slots=True)
class Totals:
    """The trader's figures over a run: trades, win rate, average R, expectancy (GBP per trade),
    profit factor, maximum drawdown (GBP, on the running P&L by trade), Sharpe over every day of
    the range (days without trades count as zero; annualised with 252 days)."""

    days: int
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    average_r: float | None
    expectancy_gbp: float | None
    profit_factor: float | None
    max_drawdown_gbp: float
    sharpe: float | None
    pnl_gbp: float
    grades: dict[str, int]
    skips: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {name: getattr(self, name) for name in self.__slots__}


def backtest_totals(results: Sequence[DayResult]) -> Totals:
    """The run's figures (see Totals)."""
    trips = [t for r in results for t in r.trips]
    pnl = [t["pnl_gbp"] or 0.0 for t in trips]
    wins = sum(1 for p in pnl if p > 0)
    losses = sum(1 for p in pnl if p < 0)
    gains, pains = sum(p for p in pnl if p > 0), -sum(p for p in pnl if p < 0)
    rs = [t["r_multiple"] for t in trips if t["r_multiple"] is not None]
    running = np.cumsum([0.0, *pnl])
    drawdown = float((np.maximum.accumulate(running) - running).max()) if len(running) else 0.0
    daily = np.array([r.pnl_gbp for r in results], dtype=float)
    sharpe = None
    if len(daily) > 1 and daily.std(ddof=1) > 0:
        sharpe = float(daily.mean() / daily.std(ddof=1) * math.sqrt(252))
    grades: Counter[str] = Counter()
    skips: Counter[str] = Counter()
    for r in results:
        grades.update(r.grades)
        skips.update(r.skips)
    return Totals(
        days=len(results),
        trades=len(trips),
        wins=wins,
        losses=losses,
        win_rate=None if wins + losses == 0 else wins / (wins + losses),
        average_r=None if not rs else float(np.mean(rs)),
        expectancy_gbp=None if not pnl else float(np.mean(pnl)),
        profit_factor=None if pains == 0 else gains / pains,
        max_drawdown_gbp=drawdown,
        sharpe=sharpe,
        pnl_gbp=float(sum(pnl)),
        grades=dict(grades),
        skips=dict(skips),
    )
