"""Backfill through the real ib_async client against the FakeGateway into the store: daily
profiles from 5-minute bars, then composites and archive; running it twice stores nothing twice."""

from __future__ import annotations

from datetime import date

from orderflow_lib.research import fake_backfill, stored_days
from orderflow_lib.store import Store

LAST = date(2026, 11, 20)
DAYS = [date(2026, 11, d) for d in (12, 13, 16, 17, 18, 19, 20)]


async def test_fake_backfill_when_seven_days_then_profiles_composites_and_archive(
    store: Store,
) -> None:
    report = await fake_backfill(store, days=7, last_trade_date=LAST, progress=False)

    assert report.contract == "ESZ26" and report.empty_dates == []
    assert list(report.stored.days["trade_date"]) == DAYS
    assert report.stored.days["records"].tolist() == [276] * 7
    assert bool(report.stored.days["approximate"].all())
    stored = stored_days(store, "ESZ26", "live")
    assert sorted(set(stored["kind"])) == ["eth", "tpo", "volume"] and len(stored) == 21
    assert report.rebuilt is not None and report.rebuilt.composites == 7
    cva = store.profiles.composite(date(2026, 11, 23), "rolling5", "ESZ26", "live")
    assert cva is not None and (cva.first_date, cva.last_date) == (DAYS[2], DAYS[-1])


async def test_fake_backfill_when_run_twice_then_nothing_changes(store: Store) -> None:
    await fake_backfill(store, days=3, last_trade_date=LAST, progress=False)

    again = await fake_backfill(store, days=3, last_trade_date=LAST, progress=False)

    assert (again.stored.saved, again.stored.changed) == (9, 0)
    assert again.rebuilt is not None and again.rebuilt.changed == 0
