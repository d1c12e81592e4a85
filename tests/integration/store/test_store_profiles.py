"""Profiles, composites, the CVA archive, plans and reviews: upserts, so a backfill run twice stores once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from store_builders import T0, composite, profile

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.store import CvaArchiveRecord, PlanRecord, ReviewRecord, Store

DAYS = [date(2024, 5, 20) + timedelta(days=i) for i in range(5)]


def test_save_daily_when_backfill_runs_twice_then_each_session_stored_once(store: Store) -> None:
    backfill = [profile(day) for day in DAYS]

    store.profiles.save_daily(backfill)
    store.profiles.save_daily(backfill)

    assert store.profiles.daily_range("volume", "ESM24", "replay", DAYS[0], DAYS[-1]) == backfill


def test_save_daily_when_session_recomputed_then_replaced(store: Store) -> None:
    store.profiles.save_daily([profile(DAYS[0])])
    recomputed = profile(DAYS[0], poc_tick=20044, vah_tick=20070, payload={"poc": 20044})

    store.profiles.save_daily([recomputed])

    assert store.profiles.daily(DAYS[0], "volume", "ESM24", "replay") == recomputed


def test_daily_when_same_session_from_other_source_or_kind_then_kept_apart(store: Store) -> None:
    replayed = profile(DAYS[0])
    live = profile(DAYS[0], source="live", poc_tick=20050)
    tpo = profile(DAYS[0], kind="tpo", poc_tick=20030)

    store.profiles.save_daily([replayed, live, tpo])

    assert store.profiles.daily(DAYS[0], "volume", "ESM24", "live") == live
    assert store.profiles.daily(DAYS[0], "tpo", "ESM24", "replay") == tpo
    assert store.profiles.daily(DAYS[0], "volume", "ESM24", "replay") == replayed


def test_save_daily_when_empty_profile_then_levels_none_round_trip(store: Store) -> None:
    empty = profile(DAYS[0], poc_tick=None, val_tick=None, vah_tick=None, payload={})

    store.profiles.save_daily([empty])

    assert store.profiles.daily(DAYS[0], "volume", "ESM24", "replay") == empty


def test_save_daily_when_batch_names_a_session_twice_then_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="same session twice"):
        store.profiles.save_daily([profile(DAYS[0]), profile(DAYS[0], poc_tick=20041)])


def test_save_composites_when_saved_twice_then_stored_once_and_read_back(store: Store) -> None:
    composites = [composite(DAYS[3]), composite(DAYS[4], first_date=DAYS[0], last_date=DAYS[4])]

    store.profiles.save_composites(composites)
    store.profiles.save_composites(composites)

    assert store.profiles.composite(DAYS[4], "rolling5", "ESM24", "replay") == composites[1]
    assert (
        store.profiles.composite_range("rolling5", "ESM24", "replay", DAYS[0], DAYS[4])
        == composites
    )


def _archive(day: date, vah_tick: int) -> CvaArchiveRecord:
    return CvaArchiveRecord(
        trade_date=day,
        contract="ESM24",
        source="replay",
        poc_tick=vah_tick - 20,
        vah_tick=vah_tick,
        val_tick=vah_tick - 40,
        width_ticks=40,
        days_window=tuple(DAYS[:3]),
        character="BALANCE",
        shape="NORMAL",
    )


def test_archive_spec_stacking_example_entries_round_trip(store: Store) -> None:
    # spec §3.5: archived VAHs 5010.00, 5010.25, 5010.50 on three dates -> ticks 20040, 20041, 20042
    entries = [_archive(DAYS[0], 20040), _archive(DAYS[1], 20041), _archive(DAYS[2], 20042)]

    store.archive.save(entries)
    store.archive.save(entries)

    assert store.archive.entries("ESM24", "replay") == entries
    assert [e.vah_tick for e in store.archive.entries("ESM24", "replay", limit=2)] == [20041, 20042]
    assert store.archive.entries("ESM24", "replay", until=DAYS[0]) == entries[:1]


def test_archive_prune_keeps_only_newest_entries(store: Store) -> None:
    store.archive.save([_archive(day, 20040 + i) for i, day in enumerate(DAYS)])

    deleted = store.archive.prune("ESM24", "replay", keep=2)

    assert deleted == 3
    assert [e.trade_date for e in store.archive.entries("ESM24", "replay")] == DAYS[3:]


def test_plans_and_reviews_when_saved_again_then_replaced(store: Store) -> None:
    plan = PlanRecord(
        trade_date=DAYS[0],
        contract="ESM24",
        source="live",
        regime="TREND_UP",
        bias="BULLISH",
        confidence="MEDIUM",
        created_ts_ns=T0,
        payload={"line_in_sand": 20000, "scenarios": [{"id": "S1", "if": "ACCEPT_ABOVE(20048)"}]},
    )
    review = ReviewRecord(
        trade_date=DAYS[0],
        contract="ESM24",
        source="live",
        grade="B",
        score=0.75,
        created_ts_ns=T0 + 1,
        payload={"S1": "HIT_T1"},
    )
    store.plans.save_plans([plan])
    store.plans.save_reviews([review])
    revised = replace(plan, confidence="LOW")

    store.plans.save_plans([revised])

    assert store.plans.plan(DAYS[0], "ESM24", "live") == revised
    assert store.plans.plans_range("ESM24", "live", DAYS[0], DAYS[-1]) == [revised]
    assert store.plans.review(DAYS[0], "ESM24", "live") == review
    assert store.plans.reviews_range("ESM24", "live", DAYS[1], DAYS[-1]) == []
