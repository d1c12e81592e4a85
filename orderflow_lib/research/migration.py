"""Tables a trader reads from the store: stored days, value migration (each session's value
area against the composite that served it, spec §3.3-§3.4) and the archive's stacked levels and
breakout references (spec §3.5). Prices are decimals here; the engines' ticks stay in the store.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from orderflow_lib.core.config import Settings
from orderflow_lib.profiles import (
    ArchiveEntry,
    CvaArchive,
    Levels,
    TpoProfile,
    VolumeProfile,
    relationship,
)
from orderflow_lib.profiles.serialize import from_plain
from orderflow_lib.research.daily import KIND_RTH, PROFILE_KINDS
from orderflow_lib.research.paths import research_settings
from orderflow_lib.research.rebuild import composite_kind
from orderflow_lib.store import CvaArchiveRecord, Store

MIGRATION_COLUMNS = [
    "trade_date",
    "dva_val",
    "dva_poc",
    "dva_vah",
    "cva_val",
    "cva_poc",
    "cva_vah",
    "cva_days",
    "relation",
    "overlap_pct",
    "poc_shift_ticks",
    "mid_shift_ticks",
    "migration_bias",
    "character",
]
STACKED_COLUMNS = [
    "price",
    "tick",
    "types",
    "members",
    "distinct_sessions",
    "last_seen",
    "dominant_character",
    "strength",
    "age_decay",
]


def stored_days(
    store: Store,
    contract: str,
    source: str,
    start: date = date.min,
    end: date = date.max,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per stored daily profile (every kind): date, kind, POC/VAL/VAH prices, volume,
    TPO count (TPO profiles), price rows and whether the volume was approximated from bars."""
    tick = research_settings(settings).instrument.tick_size
    rows = []
    for kind in PROFILE_KINDS:
        for record in store.profiles.daily_range(kind, contract, source, start, end):
            profile = from_plain(record.payload) if record.payload.get("kind") else None
            rows.append(
                {
                    "trade_date": record.trade_date,
                    "kind": record.kind,
                    "poc": _price(record.poc_tick, tick),
                    "val": _price(record.val_tick, tick),
                    "vah": _price(record.vah_tick, tick),
                    "volume": _volume(profile),
                    "tpos": profile.total_tpos if isinstance(profile, TpoProfile) else 0,
                    "rows": 0 if profile is None else profile.n_rows,
                    "approximate": isinstance(profile, VolumeProfile) and profile.approximate,
                }
            )
    columns = ["trade_date", "kind", "poc", "val", "vah", "volume", "tpos", "rows", "approximate"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["trade_date", "kind"], ignore_index=True)


def _volume(profile: object) -> int:
    if isinstance(profile, VolumeProfile):
        return profile.total
    if isinstance(profile, TpoProfile) and profile.volumes is not None:
        return int(profile.volumes.sum())
    return 0


def value_migration(
    store: Store,
    contract: str,
    source: str,
    start: date = date.min,
    end: date = date.max,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Each stored session's DVA against the composite that served it (the sessions before it,
    so the compared day is excluded, spec §3.1), with the §3.3 relationship and the §3.4
    character of that composite; sessions without RTH volume or composite are left out."""
    s = research_settings(settings)
    tick = s.instrument.tick_size
    days = store.profiles.daily_range(KIND_RTH, contract, source, start, end)
    composites = {
        c.trade_date: c
        for c in store.profiles.composite_range(composite_kind(s), contract, source, start, end)
    }
    characters = {e.trade_date: e.character for e in store.archive.entries(contract, source)}
    rows = []
    for day in days:
        cva = composites.get(day.trade_date)
        dva = _levels_of(day.val_tick, day.vah_tick, day.poc_tick)
        ref = None if cva is None else _levels_of(cva.val_tick, cva.vah_tick, cva.poc_tick)
        if cva is None or dva is None or ref is None:
            continue
        rel = relationship(dva, ref, s.migration.edge_tol_ticks)
        rows.append(
            {
                "trade_date": day.trade_date,
                "dva_val": dva.val_ticks * tick,
                "dva_poc": dva.poc_ticks * tick,
                "dva_vah": dva.vah_ticks * tick,
                "cva_val": ref.val_ticks * tick,
                "cva_poc": ref.poc_ticks * tick,
                "cva_vah": ref.vah_ticks * tick,
                "cva_days": cva.n_days,
                "relation": rel.relation,
                "overlap_pct": float(rel.overlap_pct),
                "poc_shift_ticks": rel.poc_shift_ticks,
                "mid_shift_ticks": float(rel.mid_shift_ticks),
                "migration_bias": rel.migration_bias,
                "character": characters.get(cva.last_date),
            }
        )
    return pd.DataFrame(rows, columns=MIGRATION_COLUMNS)


def archive_as_of(
    store: Store, contract: str, source: str, as_of: date, settings: Settings | None = None
) -> CvaArchive:
    """The CVA archive as it stood after the session `as_of`: its newest archive_days entries."""
    s = research_settings(settings)
    stored = store.archive.entries(contract, source, until=as_of, limit=s.archive.archive_days)
    return CvaArchive((_entry(e) for e in stored), s.archive)


def stacked_levels(
    store: Store, contract: str, source: str, as_of: date, settings: Settings | None = None
) -> pd.DataFrame:
    """The stacked archive levels after the session `as_of` (spec §3.5), strongest first."""
    s = research_settings(settings)
    tick = s.instrument.tick_size
    rows = [
        {
            "price": level.tick * tick,
            "tick": level.tick,
            "types": "/".join(level.types),
            "members": len(level.members),
            "distinct_sessions": level.distinct_sessions,
            "last_seen": level.last_seen,
            "dominant_character": level.dominant_character,
            "strength": float(level.strength),
            "age_decay": level.age_decay,
        }
        for level in archive_as_of(store, contract, source, as_of, s).stacked_levels()
    ]
    frame = pd.DataFrame(rows, columns=STACKED_COLUMNS)
    return frame.sort_values(["strength", "price"], ascending=[False, True], ignore_index=True)


def breakout_refs(
    store: Store, contract: str, source: str, trade_date: date, settings: Settings | None = None
) -> dict[str, object] | None:
    """Upside and downside breakout references for the composite serving `trade_date`, from the
    archive as it stood before that session; None when no composite is stored for it."""
    s = research_settings(settings)
    cva = store.profiles.composite(trade_date, composite_kind(s), contract, source)
    current = None if cva is None else _levels_of(cva.val_tick, cva.vah_tick, cva.poc_tick)
    if cva is None or current is None:
        return None
    refs = archive_as_of(store, contract, source, cva.last_date, s).refs(current)
    tick = s.instrument.tick_size
    return {
        "upside_ref": refs.upside.tick * tick,
        "upside_source": refs.upside.source,
        "downside_ref": refs.downside.tick * tick,
        "downside_source": refs.downside.source,
    }


def _entry(record: CvaArchiveRecord) -> ArchiveEntry:
    return ArchiveEntry(
        date=record.trade_date,
        contract=record.contract,
        poc_ticks=record.poc_tick,
        vah_ticks=record.vah_tick,
        val_ticks=record.val_tick,
        days_window=record.days_window,
        character=record.character,
        shape=record.shape,
    )


def _levels_of(val: int | None, vah: int | None, poc: int | None) -> Levels | None:
    if val is None or vah is None or poc is None:
        return None
    return Levels(val, vah, poc)


def _price(tick: int | None, tick_size: float) -> float:
    return float("nan") if tick is None else tick * tick_size


def composite_levels(
    store: Store,
    contract: str,
    source: str,
    start: date = date.min,
    end: date = date.max,
    settings: Settings | None = None,
) -> dict[date, Levels]:
    """The stored composite serving each trade date, as ticks (the replay's value reference)."""
    s = research_settings(settings)
    out = {}
    for record in store.profiles.composite_range(composite_kind(s), contract, source, start, end):
        levels = _levels_of(record.val_tick, record.vah_tick, record.poc_tick)
        if levels is not None:
            out[record.trade_date] = levels
    return out
