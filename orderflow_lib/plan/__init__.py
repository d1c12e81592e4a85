"""Pre-market hypothesis (spec §5): the trade plan with its if/then scenarios, its live evaluation,
the after-close review with hit rates, and the data-source entry points behind
`orderflow premarket` and `orderflow review`."""

from orderflow_lib.plan.build import build_plan
from orderflow_lib.plan.conditions import Condition
from orderflow_lib.plan.data import MarketData, load_market_data
from orderflow_lib.plan.model import Plan, Scenario
from orderflow_lib.plan.monitor import LiveState, PlanMonitor
from orderflow_lib.plan.render import plan_markdown, review_markdown
from orderflow_lib.plan.review import HitRate, Review, hit_rates, review_plan
from orderflow_lib.plan.sources import build_plan_from_source, plan_context, review_from_source

__all__ = [
    "Condition",
    "HitRate",
    "LiveState",
    "MarketData",
    "Plan",
    "PlanMonitor",
    "Review",
    "Scenario",
    "build_plan",
    "build_plan_from_source",
    "hit_rates",
    "load_market_data",
    "plan_context",
    "plan_markdown",
    "review_from_source",
    "review_markdown",
    "review_plan",
]
