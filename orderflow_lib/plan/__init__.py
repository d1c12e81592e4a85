"""Pre-market hypothesis (spec §5): the trade plan with its if/then scenarios, its live evaluation,
the after-close review with hit rates, and the data-source entry points behind
`orderflow premarket` and `orderflow review`."""

from orderflow_lib.plan.build import PlanContext, build_plan, dva_measured_move, line_in_sand
from orderflow_lib.plan.conditions import (
    Condition,
    ConditionKind,
    accept_above,
    accept_below,
    all_of,
    any_of,
    enter_value_from,
    inventory_is,
    open_type_is,
    reject_at,
)
from orderflow_lib.plan.data import MarketData, load_dbn, load_lean, load_market_data
from orderflow_lib.plan.kinds import Expectation, Family
from orderflow_lib.plan.model import CompositeLevels, OvernightSummary, Plan, Scenario
from orderflow_lib.plan.monitor import (
    LiveState,
    PlanMonitor,
    ScenarioState,
    ScenarioStatus,
    evaluate_plan,
)
from orderflow_lib.plan.render import plan_markdown, review_markdown
from orderflow_lib.plan.review import (
    DayFacts,
    HitRate,
    Outcome,
    Review,
    ScenarioOutcome,
    hit_rates,
    review_plan,
)
from orderflow_lib.plan.scenarios import ENTRY_ZONE_TICKS, build_scenarios
from orderflow_lib.plan.sources import (
    build_plan_from_source,
    plan_context,
    review_from_source,
    session_levels,
)

__all__ = [
    "ENTRY_ZONE_TICKS",
    "CompositeLevels",
    "Condition",
    "ConditionKind",
    "DayFacts",
    "Expectation",
    "Family",
    "HitRate",
    "LiveState",
    "MarketData",
    "Outcome",
    "OvernightSummary",
    "Plan",
    "PlanContext",
    "PlanMonitor",
    "Review",
    "Scenario",
    "ScenarioOutcome",
    "ScenarioState",
    "ScenarioStatus",
    "accept_above",
    "accept_below",
    "all_of",
    "any_of",
    "build_plan",
    "build_plan_from_source",
    "build_scenarios",
    "dva_measured_move",
    "enter_value_from",
    "evaluate_plan",
    "hit_rates",
    "inventory_is",
    "line_in_sand",
    "load_dbn",
    "load_lean",
    "load_market_data",
    "open_type_is",
    "plan_context",
    "plan_markdown",
    "reject_at",
    "review_from_source",
    "review_markdown",
    "review_plan",
    "session_levels",
]
