"""Tables read from the store: stored days, value migration of each session against the
composite that served it, stacked archive levels, breakout references, composite levels.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (`lean-es-2013/`).
"""

from __future__ import annotations

from datetime import date

import pytest

from orderflow_lib.profiles import Levels
from orderflow_lib.research import (
    breakout_refs,
    composite_levels,
    rebuild_value,
    stacked_levels,
    value_migration,
)
from orderflow_lib.store import Store

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def rebuilt(lean_store: Store) -> Store:
    rebuild_value(lean_store, "ESZ13", "replay", progress=False)
    return lean_store


def test_value_migration_when_10_14_then_dva_higher_than_the_prior_cva(rebuilt: Store) -> None:
    table = value_migration(rebuilt, "ESZ13", "replay").set_index("trade_date")

    row = table.loc[date(2013, 10, 14)]
    assert (row["dva_poc"], row["dva_val"], row["dva_vah"]) == (1689.00, 1686.00, 1702.00)
    assert (row["cva_poc"], row["cva_val"], row["cva_vah"]) == (1676.75, 1648.75, 1680.25)
    assert (row["relation"], row["poc_shift_ticks"], row["overlap_pct"]) == ("HIGHER", 49, 0.0)
    assert row["migration_bias"] == 1 and row["cva_days"] == 5
    assert row["character"] == "SIDEWAYS"
    assert date(2013, 10, 7) not in table.index


def test_value_migration_when_range_given_then_only_those_sessions(rebuilt: Store) -> None:
    table = value_migration(rebuilt, "ESZ13", "replay", date(2013, 10, 10), date(2013, 10, 11))

    assert list(table["trade_date"]) == [date(2013, 10, 10), date(2013, 10, 11)]
    assert list(table["relation"]) == ["OVERLAP_HIGHER", "HIGHER"]


def test_stacked_levels_when_archive_of_10_14_then_strongest_first(rebuilt: Store) -> None:
    table = stacked_levels(rebuilt, "ESZ13", "replay", date(2013, 10, 14))

    assert list(table["strength"]) == sorted(table["strength"], reverse=True)
    top = table.iloc[0]
    assert (top["price"], top["types"], top["distinct_sessions"]) == (1676.75, "POC", 5)


def test_stacked_levels_when_before_any_archive_then_empty(rebuilt: Store) -> None:
    assert stacked_levels(rebuilt, "ESZ13", "replay", date(2013, 9, 30)).empty


def test_breakout_refs_when_composite_stored_then_refs_with_sources(rebuilt: Store) -> None:
    refs = breakout_refs(rebuilt, "ESZ13", "replay", date(2013, 10, 16))

    assert refs == {
        "upside_ref": 1741.0,
        "upside_source": "MEASURED",
        "downside_ref": 1652.0,
        "downside_source": "STACKED",
    }
    assert breakout_refs(rebuilt, "ESZ13", "replay", date(2013, 9, 30)) is None


def test_composite_levels_when_stored_then_ticks_per_trade_date(rebuilt: Store) -> None:
    levels = composite_levels(rebuilt, "ESZ13", "replay", date(2013, 10, 14), date(2013, 10, 14))

    assert levels == {date(2013, 10, 14): Levels(6595, 6721, 6707)}
