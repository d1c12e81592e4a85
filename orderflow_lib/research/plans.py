"""Pre-market plans and their review over many days: build and store plans, grade the stored
plans against what each day did, and read hit rates per scenario kind and regime over time.

Plans and reviews are upserted one per trade date, contract and source, so rerunning a day
replaces its plan or review instead of adding another.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from orderflow_lib.core.clock import LiveClock
from orderflow_lib.core.config import Settings
from orderflow_lib.core.errors import DataError
from orderflow_lib.plan import Plan, build_plan, plan_context, review_plan
from orderflow_lib.research.daily import calendar_for
from orderflow_lib.research.parallel import map_days
from orderflow_lib.research.paths import research_settings
from orderflow_lib.research.sources import DaySource, MarketFiles
from orderflow_lib.store import PlanRecord, ReviewRecord, Store

OUTCOME_COLUMNS = [
    "trade_date",
    "regime",
    "bias",
    "confidence",
    "grade",
    "scenario",
    "expectation",
    "family",
    "direction",
    "outcome",
    "bracket",
    "mfe_ticks",
    "mae_ticks",
]
RATE_COLUMNS = ["scenarios", "triggered", "tradable", "missed", "wins", "losses", "hit_rate"]


def as_source(source: str | os.PathLike[str] | DaySource) -> DaySource:
    """A day source: a path becomes `MarketFiles` (resolved against the project root)."""
    if isinstance(source, str | os.PathLike):
        return MarketFiles.at(source)
    return source


def premarket_plan(
    trade_date: date, source: str | os.PathLike[str] | DaySource, settings: Settings | None = None
) -> Plan:
    """The plan of spec §5.5 for `trade_date` from the data before its RTH open."""
    s = research_settings(settings)
    data = as_source(source).market_data(trade_date, s)
    return build_plan(plan_context(data, trade_date, s, calendar=calendar_for(s)), s)


def plan_record(plan: Plan, source: str, created_ts_ns: int) -> PlanRecord:
    """The store's record of a plan: key fields plus the whole plan as payload."""
    return PlanRecord(
        trade_date=plan.trade_date,
        contract=plan.contract,
        source=source,
        regime=plan.regime,
        bias=plan.bias,
        confidence=plan.confidence,
        created_ts_ns=created_ts_ns,
        payload=plan.to_dict(),
    )


def store_plan(
    store: Store, plan: Plan, *, source: str = "replay", created_ts_ns: int | None = None
) -> PlanRecord:
    """Save (replace) the plan of its trade date under `source`; returns the stored record."""
    record = plan_record(
        plan, source, LiveClock().now_ns() if created_ts_ns is None else created_ts_ns
    )
    store.plans.save_plans([record])
    return record


def plan_levels(plan: Plan) -> pd.DataFrame:
    """The plan's key levels, highest first: name, price, group and where it came from."""
    rows = [
        {"name": k.name, "price": k.price(plan.tick_size), "group": k.group, "source": k.source}
        for k in plan.key_levels
    ]
    frame = pd.DataFrame(rows, columns=["name", "price", "group", "source"])
    return frame.sort_values(["price", "name"], ascending=[False, True], ignore_index=True)


def scenario_table(plan: Plan) -> pd.DataFrame:
    """One row per scenario: condition, expectation, family, direction, entry zone, targets and
    invalidation, with prices as decimals."""
    tick = plan.tick_size
    rows = [
        {
            "id": x.id,
            "if": x.condition.describe(tick),
            "expectation": str(x.expectation),
            "family": str(x.family),
            "direction": "long" if x.direction > 0 else "short",
            "entry_zone": f"{x.entry_zone[0] * tick:.2f}-{x.entry_zone[1] * tick:.2f}",
            "targets": ", ".join(f"{t * tick:.2f}" for t in x.targets),
            "invalidation": x.invalidation.describe(tick),
            "confidence": x.confidence,
        }
        for x in plan.scenarios
    ]
    columns = [
        "id",
        "if",
        "expectation",
        "family",
        "direction",
        "entry_zone",
        "targets",
        "invalidation",
        "confidence",
    ]
    return pd.DataFrame(rows, columns=columns)


def rth_dates(start: date, end: date, settings: Settings | None = None) -> list[date]:
    """Trade dates with an RTH session in [start, end] (the days a plan can be built for)."""
    return [x.date for x in calendar_for(research_settings(settings)).rth_sessions(start, end)]


def plan_for_day(task: tuple[date, DaySource, Settings]) -> dict[str, Any]:
    """Worker: the plan of one trade date as its dict."""
    day, source, settings = task
    return premarket_plan(day, source, settings).to_dict()


def build_plans(
    store: Store,
    source: str | os.PathLike[str] | DaySource,
    days: Sequence[date],
    *,
    store_source: str = "replay",
    settings: Settings | None = None,
    client: Any = None,
    workers: int | None = 1,
    progress: bool = True,
) -> list[Plan]:
    """Build and store the plans of `days` (one task per day, see `map_days`), oldest first."""
    s = research_settings(settings)
    data = as_source(source)
    tasks = [(day, data, s) for day in sorted(set(days))]
    built = map_days(
        plan_for_day, tasks, client=client, workers=workers, progress=progress, desc="plans"
    )
    plans = [Plan.from_dict(d) for d in built]
    now = LiveClock().now_ns()
    store.plans.save_plans(plan_record(p, store_source, now) for p in plans)
    return plans


def review_for_day(task: tuple[dict[str, Any], DaySource, Settings]) -> dict[str, Any]:
    """Worker: one stored plan graded against its trade date's RTH session (the review's dict
    with `grade` and `score`)."""
    payload, source, settings = task
    plan = Plan.from_dict(payload)
    data = source.market_data(plan.trade_date, settings).window(plan.rth_open_ns, plan.rth_close_ns)
    if len(data) == 0:
        raise DataError(f"no RTH data on {plan.trade_date} to review its plan against")
    return review_plan(plan, bars=data.bars, trades=data.trades, settings=settings).to_dict()


def review_plans(
    store: Store,
    source: str | os.PathLike[str] | DaySource,
    contract: str,
    start: date,
    end: date,
    *,
    store_source: str = "replay",
    settings: Settings | None = None,
    client: Any = None,
    workers: int | None = 1,
    progress: bool = True,
) -> pd.DataFrame:
    """Grade every stored plan of `contract` in [start, end] against the data of its day, store
    the reviews, and return one row per scenario outcome (see `review_outcomes`)."""
    s = research_settings(settings)
    data = as_source(source)
    plans = store.plans.plans_range(contract, store_source, start, end)
    tasks = [(p.payload, data, s) for p in plans]
    graded = map_days(
        review_for_day, tasks, client=client, workers=workers, progress=progress, desc="reviews"
    )
    now = LiveClock().now_ns()
    records = [
        ReviewRecord(
            trade_date=p.trade_date,
            contract=p.contract,
            source=store_source,
            grade=str(review["grade"]),
            score=review["score"],
            created_ts_ns=now,
            payload=review,
        )
        for p, review in zip(plans, graded, strict=True)
    ]
    store.plans.save_reviews(records)
    return outcomes_frame(records)


def review_outcomes(
    store: Store, contract: str, source: str, start: date = date.min, end: date = date.max
) -> pd.DataFrame:
    """One row per scenario of every stored review in [start, end]: the day's regime, bias,
    confidence and grade, the scenario's kind, family and direction, its outcome and MFE/MAE."""
    return outcomes_frame(store.plans.reviews_range(contract, source, start, end))


def outcomes_frame(reviews: Sequence[ReviewRecord]) -> pd.DataFrame:
    """The scenario rows of stored review records (see `review_outcomes`)."""
    rows = []
    for record in reviews:
        review = record.payload
        for o in review.get("outcomes", []):
            rows.append(
                {
                    "trade_date": record.trade_date,
                    "regime": review["regime"],
                    "bias": review["bias"],
                    "confidence": review["confidence"],
                    "grade": record.grade,
                    "scenario": o["id"],
                    "expectation": o["expectation"],
                    "family": o["family"],
                    "direction": o["direction"],
                    "outcome": o["outcome"],
                    "bracket": (o.get("hypothetical") or {}).get("grade"),
                    "mfe_ticks": o["mfe_ticks"],
                    "mae_ticks": o["mae_ticks"],
                }
            )
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def hit_rate_table(outcomes: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of `by` (expectation, regime, family, ...): scenarios, how many triggered, were
    tradable or missed, and the hypothetical §5.6 brackets' wins and losses, with hit rate = wins /
    (wins + losses) (NaN without any; as `plan.hit_rates`)."""
    if outcomes.empty:
        return pd.DataFrame(columns=RATE_COLUMNS)
    groups = outcomes.groupby(by, sort=True)
    table = pd.DataFrame(
        {
            "scenarios": groups.size(),
            "triggered": groups["outcome"].apply(lambda x: int((x != "NO_TRIGGER").sum())),
            "tradable": groups["bracket"].apply(lambda x: int(x.notna().sum())),
            "missed": groups["outcome"].apply(lambda x: int((x == "MISSED").sum())),
            "wins": groups["bracket"].apply(lambda x: int((x == "WIN").sum())),
            "losses": groups["bracket"].apply(lambda x: int((x == "LOSS").sum())),
        }
    )
    decided = (table["wins"] + table["losses"]).where(lambda x: x > 0)
    table["hit_rate"] = table["wins"] / decided
    return table[RATE_COLUMNS]


def hit_rate_over_time(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per trade date: hypothetical bracket wins and losses that day, and the cumulative hit rate
    up to that day (NaN until a bracket has won or lost)."""
    columns = ["trade_date", "wins", "losses", "hit_rate"]
    if outcomes.empty:
        return pd.DataFrame(columns=columns)
    daily = outcomes.groupby("trade_date", sort=True)["bracket"]
    frame = pd.DataFrame(
        {
            "wins": daily.apply(lambda x: int((x == "WIN").sum())),
            "losses": daily.apply(lambda x: int((x == "LOSS").sum())),
        }
    )
    decided = (frame["wins"].cumsum() + frame["losses"].cumsum()).where(lambda x: x > 0)
    frame["hit_rate"] = frame["wins"].cumsum() / decided
    return frame.reset_index()[columns]
