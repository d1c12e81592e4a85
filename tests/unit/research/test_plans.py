"""Pre-market plans and reviews over many days: building and storing plans, grading the stored
plans, and hit rates per scenario kind, regime and over time (checked against plan.hit_rates).

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (`lean-es-2013/`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from research_support import LEAN_MINUTE, need

from orderflow_lib.plan import build_plan_from_source, hit_rates, review_from_source
from orderflow_lib.research.plans import (
    build_plans,
    hit_rate_over_time,
    hit_rate_table,
    outcomes_frame,
    plan_levels,
    premarket_plan,
    review_outcomes,
    review_plans,
    rth_dates,
    scenario_table,
    store_plan,
)
from orderflow_lib.store import Store

D14 = date(2013, 10, 14)
GRADED = [date(2013, 10, 11), D14]


@pytest.mark.realdata
def test_premarket_plan_when_lean_10_14_then_same_plan_as_the_plan_library() -> None:
    plan = premarket_plan(D14, need(LEAN_MINUTE))

    assert plan.to_dict() == build_plan_from_source(D14, LEAN_MINUTE).to_dict()
    assert (plan.regime, plan.bias, plan.confidence) == ("TREND_UP", "BULLISH", "HIGH")


@pytest.mark.realdata
def test_plan_tables_when_plan_then_levels_highest_first_and_one_row_per_scenario() -> None:
    plan = premarket_plan(D14, need(LEAN_MINUTE))

    levels = plan_levels(plan)
    scenarios = scenario_table(plan)

    assert list(levels["price"]) == sorted(levels["price"], reverse=True)
    assert levels.set_index("name").loc["prior_vah", "price"] == 1698.00
    assert list(scenarios["id"]) == [s.id for s in plan.scenarios]
    assert scenarios.iloc[0]["if"] == "price holds above 1698.00"
    assert scenarios.iloc[0]["entry_zone"] == "1696.00-1698.00"


@pytest.mark.realdata
def test_store_plan_when_saved_twice_then_one_plan_per_day(store: Store) -> None:
    plan = premarket_plan(D14, need(LEAN_MINUTE))

    store_plan(store, plan, created_ts_ns=1)
    record = store_plan(store, plan, created_ts_ns=2)

    assert store.plans.plans_range("ESZ13", "replay", D14, D14) == [record]
    assert record.payload["regime"] == "TREND_UP"


@pytest.mark.realdata
def test_review_plans_when_graded_then_hit_rates_match_the_plan_library(store: Store) -> None:
    build_plans(store, need(LEAN_MINUTE), GRADED, progress=False)

    outcomes = review_plans(store, LEAN_MINUTE, "ESZ13", GRADED[0], D14, progress=False)

    assert outcomes.equals(review_outcomes(store, "ESZ13", "replay"))
    assert len(store.plans.reviews_range("ESZ13", "replay", GRADED[0], D14)) == 2
    reference = hit_rates(review_from_source(day, LEAN_MINUTE) for day in GRADED)
    for key, by in (("by_expectation", "expectation"), ("by_regime", "regime")):
        table = hit_rate_table(outcomes, by)
        for name, rate in reference[key].items():
            row = table.loc[name]
            assert (row["scenarios"], row["triggered"], row["tradable"], row["wins"]) == (
                rate.scenarios,
                rate.triggered,
                rate.tradable,
                rate.wins,
            )
            expected = rate.hit_rate
            assert (pd.isna(row["hit_rate"]) and expected is None) or row["hit_rate"] == float(
                expected
            )


def test_hit_rate_over_time_when_days_then_cumulative_rate() -> None:
    outcomes = pd.DataFrame(
        {
            "trade_date": [date(2024, 5, 20)] * 2 + [date(2024, 5, 21)] * 3,
            "bracket": [None, None, "WIN", "LOSS", "WIN"],
        }
    )

    table = hit_rate_over_time(outcomes)

    assert table["wins"].tolist() == [0, 2] and table["losses"].tolist() == [0, 1]
    assert pd.isna(table["hit_rate"].iloc[0]) and table["hit_rate"].iloc[1] == pytest.approx(2 / 3)


def test_hit_rate_table_when_no_outcomes_then_empty_with_columns() -> None:
    table = hit_rate_table(outcomes_frame([]), "regime")

    assert table.empty and "hit_rate" in table.columns


def test_rth_dates_when_week_with_holiday_then_sessions_only() -> None:
    assert rth_dates(date(2024, 5, 24), date(2024, 5, 28)) == [date(2024, 5, 24), date(2024, 5, 28)]
