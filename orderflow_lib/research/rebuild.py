"""Rebuild value from the store: daily levels, the composite (CVA) serving each session and the
CVA archive with its migration character (spec §3.1, §3.4, §3.5).

Everything is recomputed from the stored daily profiles and saved by upsert, so running the
rebuild twice stores nothing twice (the report's `changed` is then 0). The per-day work fans
out with `map_days` (a Dask client, a local pool, or this process).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd

from orderflow_lib.core.config import Settings
from orderflow_lib.market.calendar import SessionCalendar
from orderflow_lib.profiles import (
    CVA,
    ArchiveEntry,
    SessionProfile,
    VolumeProfile,
    composite,
    cva_character,
)
from orderflow_lib.profiles.composite import balance_merge, sessions_for
from orderflow_lib.profiles.serialize import from_plain
from orderflow_lib.research.daily import KIND_RTH, PROFILE_KINDS, calendar_for, value_rules
from orderflow_lib.research.parallel import map_days
from orderflow_lib.research.paths import research_settings
from orderflow_lib.store import CompositeRecord, CvaArchiveRecord, ProfileRecord, Store

KIND_BALANCE = "balance"
"""Stored kind of balance-merge composites; rolling ones are stored as "rolling<N>"."""
ROLLING_MODE = "rolling_n"


def composite_kind(settings: Settings) -> str:
    """The stored kind of the configured composite: "rolling5" by default, or "balance"."""
    if settings.composite.cva_mode == ROLLING_MODE:
        return f"rolling{settings.composite.cva_days}"
    return KIND_BALANCE


@dataclass(slots=True)
class RebuildReport:
    """What a rebuild saved, how many rows differed from what was stored before, and one row
    per trade date with the composite serving it and the archive character of that session."""

    daily: int
    composites: int
    archive: int
    changed: int
    levels: pd.DataFrame


@dataclass(frozen=True, slots=True)
class CompositeTask:
    """The stored RTH profiles a worker needs for the composites serving `trade_date`."""

    trade_date: date
    contract: str
    sessions: tuple[tuple[date, dict[str, Any]], ...]
    settings: Settings


def rebuild_value(
    store: Store,
    contract: str,
    source: str,
    *,
    start: date | None = None,
    end: date | None = None,
    settings: Settings | None = None,
    client: Any = None,
    workers: int | None = 1,
    progress: bool = True,
) -> RebuildReport:
    """Recompute and store the daily levels, composites and archive of sessions in [start, end].

    `start` None takes every stored session; otherwise earlier sessions are read only as the
    composites' and the character's history. `end` None reaches the session after the last
    stored one, so the composite for the next pre-market is ready. `client`/`workers` as in
    `map_days`.
    """
    s = research_settings(settings)
    calendar = calendar_for(s)
    first = date.min if start is None else _history_start(start, s, calendar)
    stored = store.profiles.daily_range(KIND_RTH, contract, source, first, end or date.max)
    if not stored:
        return RebuildReport(0, 0, 0, 0, _levels_frame([], {}, {}, s))
    range_start = stored[0].trade_date if start is None else start
    last_stored = stored[-1].trade_date
    range_end = end or _next_session(last_stored, calendar)
    daily_changed, daily_count = _rebuild_daily(
        store,
        contract,
        source,
        range_start,
        min(range_end, last_stored),
        s,
        client,
        workers,
        progress,
    )
    payloads = {r.trade_date: r.payload for r in stored if r.payload.get("kind")}
    targets = [
        x.date
        for x in calendar.rth_sessions(stored[0].trade_date, range_end)
        if x.date > stored[0].trade_date
    ]
    tasks = [_task(day, contract, payloads, s, calendar) for day in targets]
    built = map_days(
        composite_for_day, tasks, client=client, workers=workers, progress=progress, desc="CVA"
    )
    rolling = {t.trade_date: r for t, (r, _) in zip(tasks, built, strict=True) if r is not None}
    served = {t.trade_date: b for t, (r, b) in zip(tasks, built, strict=True) if b is not None}
    composites = [
        _composite_record(day, cva, contract, source, s, calendar)
        for day, cva in sorted(served.items())
        if range_start <= day <= range_end
    ]
    archive_source = rolling if s.archive.archive_source == "rolling" else served
    entries = _archive(archive_source, contract, source, range_start, range_end, s, calendar)
    changed = (
        daily_changed
        + _changed_composites(store, composites, s)
        + _changed_archive(store, entries, contract, source)
    )
    with store.atomic():
        store.profiles.save_composites(composites)
        store.archive.save(entries)
    return RebuildReport(
        daily=daily_count,
        composites=len(composites),
        archive=len(entries),
        changed=changed,
        levels=_levels_frame(composites, _archive_by_date(store, contract, source), served, s),
    )


def composite_for_day(task: CompositeTask) -> tuple[CVA | None, CVA | None]:
    """(rolling-N composite, configured composite) serving `task.trade_date` (the same object
    when the configured mode is rolling_n); None where the sessions hold no volume."""
    s = task.settings
    calendar = calendar_for(s)
    rules = value_rules(s)
    n = s.composite.cva_days
    by_date = {
        day: SessionProfile(day, VolumeProfile.from_dict(payload), task.contract, task.contract)
        for day, payload in task.sessions
    }
    window = sessions_for(
        task.trade_date, n, calendar=calendar, min_rth_minutes=s.composite.min_rth_minutes
    )
    picked = [
        replace(by_date[x.date], short_session=bool(x.short)) for x in window if x.date in by_date
    ]
    rolling = composite(
        picked,
        contract=task.contract,
        mode=ROLLING_MODE,
        across_roll=s.composite.composite_across_roll,
        requested_days=n,
        rules=rules,
        shape_settings=s.shape,
    )
    if s.composite.cva_mode == ROLLING_MODE:
        return rolling, rolling
    merge_window = sessions_for(
        task.trade_date,
        s.composite.max_merge_days,
        calendar=calendar,
        min_rth_minutes=s.composite.min_rth_minutes,
    )
    merge_picked = [
        replace(by_date[x.date], short_session=bool(x.short))
        for x in merge_window
        if x.date in by_date
    ]
    served = balance_merge(
        merge_picked,
        contract=task.contract,
        settings=s.composite,
        rules=rules,
        shape_settings=s.shape,
    )
    return rolling, served


def relevel_day(task: tuple[list[ProfileRecord], Settings]) -> list[ProfileRecord]:
    """The day's stored profile records with POC/VAL/VAH recomputed from their payloads under
    the settings' value-area rules (records without a profile payload are returned as they are)."""
    records, settings = task
    rules = value_rules(settings)
    out = []
    for record in records:
        if not record.payload.get("kind"):
            out.append(record)
            continue
        value = from_plain(record.payload).value_area(rules=rules)
        out.append(
            replace(
                record,
                poc_tick=None if value is None else value.poc_ticks,
                val_tick=None if value is None else value.val_ticks,
                vah_tick=None if value is None else value.vah_ticks,
            )
        )
    return out


def _history_start(start: date, settings: Settings, calendar: SessionCalendar) -> date:
    """The oldest session the composites and characters of `start` onwards depend on."""
    depth = max(settings.composite.cva_days, settings.composite.max_merge_days)
    back = depth + settings.migration.character_k + 1
    sessions = calendar.last_rth_sessions(start, back)
    return sessions[0].date if sessions else start


def _next_session(day: date, calendar: SessionCalendar) -> date:
    """The first RTH session after `day` (looking up to three weeks ahead)."""
    upcoming = calendar.rth_sessions(date.fromordinal(day.toordinal() + 1), _weeks_after(day, 3))
    return upcoming[0].date if upcoming else day


def _weeks_after(day: date, weeks: int) -> date:
    return date.fromordinal(day.toordinal() + 7 * weeks)


def _rebuild_daily(
    store: Store,
    contract: str,
    source: str,
    start: date,
    end: date,
    settings: Settings,
    client: Any,
    workers: int | None,
    progress: bool,
) -> tuple[int, int]:
    """Re-level and save every stored profile kind in [start, end]; (changed, saved)."""
    records = [
        r
        for kind in PROFILE_KINDS
        for r in store.profiles.daily_range(kind, contract, source, start, end)
    ]
    by_day: dict[date, list[ProfileRecord]] = {}
    for record in records:
        by_day.setdefault(record.trade_date, []).append(record)
    tasks = [(by_day[day], settings) for day in sorted(by_day)]
    rebuilt = map_days(
        relevel_day, tasks, client=client, workers=workers, progress=progress, desc="levels"
    )
    fresh = [r for day in rebuilt for r in day]
    changed = sum(1 for old, new in zip(_flat(tasks), fresh, strict=True) if old != new)
    store.profiles.save_daily(fresh)
    return changed, len(fresh)


def _flat(tasks: Sequence[tuple[list[ProfileRecord], Settings]]) -> list[ProfileRecord]:
    return [r for records, _ in tasks for r in records]


def _task(
    day: date,
    contract: str,
    payloads: dict[date, dict[str, Any]],
    settings: Settings,
    calendar: SessionCalendar,
) -> CompositeTask:
    depth = max(settings.composite.cva_days, settings.composite.max_merge_days)
    window = calendar.last_rth_sessions(day, depth)
    sessions = tuple((x.date, payloads[x.date]) for x in window if x.date in payloads)
    return CompositeTask(day, contract, sessions, settings)


def _as_of(cva: CVA, calendar: SessionCalendar) -> int:
    if cva.profile.as_of_ns is not None:
        return cva.profile.as_of_ns
    session = calendar.rth_session(cva.last_date)
    return 0 if session is None else session.rth_close_ns


def _composite_record(
    day: date, cva: CVA, contract: str, source: str, settings: Settings, calendar: SessionCalendar
) -> CompositeRecord:
    return CompositeRecord(
        trade_date=day,
        kind=composite_kind(settings),
        contract=contract,
        source=source,
        first_date=cva.first_date,
        last_date=cva.last_date,
        n_days=cva.days_included,
        row_ticks=cva.profile.row_ticks,
        as_of_ns=_as_of(cva, calendar),
        poc_tick=cva.poc_ticks,
        val_tick=cva.val_ticks,
        vah_tick=cva.vah_ticks,
        payload=cva.to_dict(with_profile=True),
    )


def _archive(
    serving: dict[date, CVA],
    contract: str,
    source: str,
    start: date,
    end: date,
    settings: Settings,
    calendar: SessionCalendar,
) -> list[CvaArchiveRecord]:
    """Archive entries of the sessions in [start, end]: CVA_t is the composite serving the
    session after t when it includes t, each with its character computed from the ones before."""
    ending = [
        cva for day, cva in sorted(serving.items()) if cva.last_date == calendar.prior_rth_date(day)
    ]
    history: list[CVA] = []
    prev: str | None = None
    out = []
    for cva in ending:
        history.append(cva)
        character = cva_character(history, prev, settings.migration)
        prev = character.character
        if start <= cva.last_date <= end:
            entry = ArchiveEntry.from_cva(cva.last_date, cva, character.character)
            out.append(
                CvaArchiveRecord(
                    trade_date=entry.date,
                    contract=contract,
                    source=source,
                    poc_tick=entry.poc_ticks,
                    vah_tick=entry.vah_ticks,
                    val_tick=entry.val_ticks,
                    width_ticks=entry.width_ticks,
                    days_window=entry.days_window,
                    character=entry.character,
                    shape=entry.shape,
                )
            )
    return out


def _changed_composites(store: Store, composites: list[CompositeRecord], settings: Settings) -> int:
    if not composites:
        return 0
    first, last = composites[0], composites[-1]
    stored = store.profiles.composite_range(
        composite_kind(settings), first.contract, first.source, first.trade_date, last.trade_date
    )
    before = {r.trade_date: r for r in stored}
    return sum(1 for r in composites if before.get(r.trade_date) != r)


def _changed_archive(
    store: Store, entries: list[CvaArchiveRecord], contract: str, source: str
) -> int:
    if not entries:
        return 0
    stored = store.archive.entries(contract, source, until=entries[-1].trade_date)
    before = {e.trade_date: e for e in stored}
    return sum(1 for e in entries if before.get(e.trade_date) != e)


def _archive_by_date(store: Store, contract: str, source: str) -> dict[date, CvaArchiveRecord]:
    return {e.trade_date: e for e in store.archive.entries(contract, source)}


def _levels_frame(
    composites: list[CompositeRecord],
    archive: dict[date, CvaArchiveRecord],
    served: dict[date, CVA],
    settings: Settings,
) -> pd.DataFrame:
    """One row per composite: the sessions it merged, its levels as prices, shape, and the
    migration character of that composite (the archive entry of its last session)."""
    tick = settings.instrument.tick_size
    rows = []
    for record in composites:
        cva = served[record.trade_date]
        entry = archive.get(record.last_date)
        rows.append(
            {
                "trade_date": record.trade_date,
                "first_date": record.first_date,
                "last_date": record.last_date,
                "days_included": record.n_days,
                "cva_val": cva.val_ticks * tick,
                "cva_poc": cva.poc_ticks * tick,
                "cva_vah": cva.vah_ticks * tick,
                "shape": cva.shape,
                "character": None if entry is None else entry.character,
            }
        )
    columns = [
        "trade_date",
        "first_date",
        "last_date",
        "days_included",
        "cva_val",
        "cva_poc",
        "cva_vah",
        "shape",
        "character",
    ]
    return pd.DataFrame(rows, columns=columns)
