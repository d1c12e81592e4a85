"""Rebuilding value from the store: composites serving each session, the archive with its
migration character, daily levels under new settings; a second run changes nothing.

Real data: QuantConnect Lean sample data (vendor AlgoSeek), Apache-2.0 (`lean-es-2013/`); the
expected CVA is checked against an independent pandas reference in tests/unit/profiles.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from research_support import LEAN_MINUTE, need

from orderflow_lib.core.config import ProfileSettings, Settings
from orderflow_lib.profiles import Levels, relationship
from orderflow_lib.research import import_files, import_synthetic, rebuild_value
from orderflow_lib.research.rebuild import composite_kind
from orderflow_lib.store import Store

LEAN_DATES = [date(2013, 10, d) for d in (7, 8, 9, 10, 11, 14)]
EXPECTED_CVA_10_14 = (1676.75, 1648.75, 1680.25)  # POC, VAL, VAH of 2013-10-07..10-11


@pytest.fixture
def lean(store: Store) -> Store:
    import_files(store, need(LEAN_MINUTE), progress=False)
    return store


@pytest.mark.realdata
def test_rebuild_when_lean_sessions_then_cva_serving_10_14_is_the_five_prior_days(
    lean: Store,
) -> None:
    report = rebuild_value(lean, "ESZ13", "replay", progress=False)

    cva = lean.profiles.composite(date(2013, 10, 14), "rolling5", "ESZ13", "replay")
    assert cva is not None
    assert (cva.first_date, cva.last_date, cva.n_days) == (date(2013, 10, 7), date(2013, 10, 11), 5)
    assert (cva.poc_tick * 0.25, cva.val_tick * 0.25, cva.vah_tick * 0.25) == EXPECTED_CVA_10_14
    assert (report.daily, report.composites, report.archive) == (21, 7, 6)
    assert report.changed == 13
    assert report.levels["trade_date"].iloc[-1] == date(2013, 10, 16)


@pytest.mark.realdata
def test_rebuild_when_run_twice_then_nothing_changes(lean: Store) -> None:
    rebuild_value(lean, "ESZ13", "replay", progress=False)

    again = rebuild_value(lean, "ESZ13", "replay", progress=False)

    assert again.changed == 0
    assert len(lean.archive.entries("ESZ13", "replay")) == 6


@pytest.mark.realdata
def test_rebuild_when_archive_then_characters_follow_the_composites(lean: Store) -> None:
    rebuild_value(lean, "ESZ13", "replay", progress=False)

    entries = lean.archive.entries("ESZ13", "replay")
    assert [e.trade_date for e in entries] == LEAN_DATES
    assert [e.character for e in entries][:3] == ["UNKNOWN", "UNKNOWN", "UNKNOWN"]
    history = [Levels(e.val_tick, e.vah_tick, e.poc_tick) for e in entries[-4:]]
    rels = [relationship(b, a, 1) for a, b in pairwise(history)]
    ups = sum(r.migration_bias > 0 for r in rels)
    shift = sum(r.poc_shift_ticks for r in rels)
    assert ups >= 2 and shift >= 4
    assert entries[-1].character == "MIGRATING_UP"
    assert entries[-1].days_window == tuple(LEAN_DATES[1:])


@pytest.mark.realdata
def test_rebuild_when_started_mid_range_then_same_rows_as_full_rebuild(lean: Store) -> None:
    full = rebuild_value(lean, "ESZ13", "replay", progress=False)
    composites = lean.profiles.composite_range(
        "rolling5", "ESZ13", "replay", date(2013, 10, 11), date(2013, 10, 16)
    )
    archive = lean.archive.entries("ESZ13", "replay")

    partial = rebuild_value(lean, "ESZ13", "replay", start=date(2013, 10, 11), progress=False)

    assert partial.changed == 0 and partial.composites == 4
    assert (
        lean.profiles.composite_range(
            "rolling5", "ESZ13", "replay", date(2013, 10, 11), date(2013, 10, 16)
        )
        == composites
    )
    assert lean.archive.entries("ESZ13", "replay") == archive
    assert full.levels.iloc[-4:].reset_index(drop=True).equals(partial.levels)


def test_rebuild_when_value_area_setting_changes_then_daily_levels_recomputed(store: Store) -> None:
    import_synthetic(store, date(2024, 5, 20), date(2024, 5, 22), scale=0.01, progress=False)
    before = store.profiles.daily(date(2024, 5, 21), "volume", "ESM24", "synthetic")
    wider = Settings(profile=ProfileSettings(va_pct=0.95))

    report = rebuild_value(store, "ESM24", "synthetic", settings=wider, progress=False)

    after = store.profiles.daily(date(2024, 5, 21), "volume", "ESM24", "synthetic")
    assert before is not None and after is not None
    assert after.payload == before.payload and after.poc_tick == before.poc_tick
    assert after.vah_tick - after.val_tick > before.vah_tick - before.val_tick
    assert report.changed > 0


def test_rebuild_when_nothing_stored_then_empty_report(store: Store) -> None:
    report = rebuild_value(store, "ESZ13", "replay", progress=False)

    assert (report.daily, report.composites, report.archive, report.changed) == (0, 0, 0, 0)
    assert report.levels.empty


def test_composite_kind_when_modes_then_rolling_n_or_balance() -> None:
    assert composite_kind(Settings()) == "rolling5"
    balance = Settings.model_validate({"composite": {"cva_mode": "balance_merge"}})
    assert composite_kind(balance) == "balance"
