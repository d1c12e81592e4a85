"""Research workflows behind the analyst notebooks: import data and backfill from IB into the
store, rebuild daily profiles, composites and the CVA archive, value-migration tables, replay of
chosen days through the engines with signal outcomes, pre-market plans and their review, and the
headless pre-market run (`orderflow_lib.research.premarket.run_premarket_notebook`, kept out of
this namespace so importing research does not load papermill). Work over many days fans out to a Dask cluster or a local pool.

This layer sits between `ui` and `node`: it may use everything below it; only `cli` and `ui`
import it.
"""

from orderflow_lib.research.daily import (
    KIND_ETH,
    KIND_RTH,
    KIND_TPO,
    PROFILE_KINDS,
    DayProfiles,
    day_profiles_from_bars,
    day_profiles_from_trades,
)
from orderflow_lib.research.ib_backfill import BackfillReport, backfill_from_ib, fake_backfill
from orderflow_lib.research.ingest import ImportReport, import_files, import_synthetic
from orderflow_lib.research.migration import (
    archive_as_of,
    breakout_refs,
    composite_levels,
    stacked_levels,
    stored_days,
    value_migration,
)
from orderflow_lib.research.parallel import map_days
from orderflow_lib.research.paths import (
    open_research_store,
    project_root,
    resolve_path,
    resolve_store_url,
)
from orderflow_lib.research.plans import (
    build_plans,
    hit_rate_over_time,
    hit_rate_table,
    plan_levels,
    premarket_plan,
    review_outcomes,
    review_plans,
    scenario_table,
    store_plan,
)
from orderflow_lib.research.rebuild import RebuildReport, composite_kind, rebuild_value
from orderflow_lib.research.replay import SignalStudy, replay_days
from orderflow_lib.research.sources import DaySource, MarketFiles, SyntheticDays
from orderflow_lib.research.strategies import StrategyStudy, replay_strategies

__all__ = [
    "KIND_ETH",
    "KIND_RTH",
    "KIND_TPO",
    "PROFILE_KINDS",
    "BackfillReport",
    "DayProfiles",
    "DaySource",
    "ImportReport",
    "MarketFiles",
    "RebuildReport",
    "SignalStudy",
    "StrategyStudy",
    "SyntheticDays",
    "archive_as_of",
    "backfill_from_ib",
    "breakout_refs",
    "build_plans",
    "composite_kind",
    "composite_levels",
    "day_profiles_from_bars",
    "day_profiles_from_trades",
    "fake_backfill",
    "hit_rate_over_time",
    "hit_rate_table",
    "import_files",
    "import_synthetic",
    "map_days",
    "open_research_store",
    "plan_levels",
    "premarket_plan",
    "project_root",
    "rebuild_value",
    "replay_days",
    "replay_strategies",
    "resolve_path",
    "resolve_store_url",
    "review_outcomes",
    "review_plans",
    "scenario_table",
    "stacked_levels",
    "store_plan",
    "stored_days",
    "value_migration",
]
