"""30-day CVA archive: stacking, half-up mean, strength, breakout references (spec §3.5)."""

import datetime as dt
from fractions import Fraction

from orderflow_lib.core.config import ArchiveSettings
from orderflow_lib.profiles import (
    ArchiveEntry,
    CvaArchive,
    Levels,
    SessionProfile,
    VolumeProfile,
    composite,
)
from orderflow_lib.profiles.archive import mean_tick_half_up

D = dt.date


def t(price):
    return round(price * 4)


def entry(day, val, poc, vah, character="SIDEWAYS", window=None):
    days = window if window is not None else (day,)
    return ArchiveEntry(day, "ESZ24", t(poc), t(vah), t(val), days, character, "D")


STACKED_ARCHIVE = [
    entry(D(2024, 10, 1), 4900.00, 4950.00, 5010.00),
    entry(D(2024, 10, 2), 4920.00, 4970.00, 5010.25),
    entry(D(2024, 10, 3), 4940.00, 4985.00, 5010.50),
    entry(D(2024, 10, 4), 4800.00, 5030.00, 5040.00),
]
CURRENT = Levels(val_ticks=t(4990.0), vah_ticks=t(5005.0), poc_ticks=t(4998.0))


def test_stacking_when_three_vahs_within_two_ticks_then_one_group_at_5010_25():
    stacked = CvaArchive(STACKED_ARCHIVE).stacked_levels()
    assert len(stacked) == 1
    level = stacked[0]
    assert level.tick == t(5010.25)
    assert [m[2] for m in level.members] == [20040, 20041, 20042]
    assert level.types == ("VAH",)
    assert level.distinct_sessions == 3


def test_stacking_when_mean_is_half_a_tick_then_rounds_half_up_to_5010_25():
    archive = CvaArchive(
        [
            entry(D(2024, 10, 1), 4900.0, 4950.0, 5010.00),
            entry(D(2024, 10, 2), 4920.0, 4970.0, 5010.25),
        ]
    )
    assert archive.stacked_levels()[0].tick == t(5010.25)
    assert mean_tick_half_up([20040, 20041]) == 20041
    assert round(20040.5) == 20040  # what Python's round would have given


def test_refs_when_stacked_level_above_then_stacked_before_nearer_archived_vah():
    refs = CvaArchive(STACKED_ARCHIVE).refs(CURRENT)
    assert (refs.upside.tick, refs.upside.source) == (t(5010.25), "STACKED")
    assert refs.upside.price() == 5010.25


def test_refs_when_only_a_poc_above_then_archive_source():
    refs = CvaArchive([entry(D(2024, 10, 4), 4900.0, 5030.0, 5040.0)]).refs(CURRENT)
    assert (refs.upside.price(), refs.upside.source) == (5030.00, "ARCHIVE")
    assert (refs.downside.price(), refs.downside.source) == (4900.00, "ARCHIVE")


def test_refs_when_archive_empty_then_measured_moves_5020_and_4975():
    refs = CvaArchive().refs(CURRENT)
    assert (refs.upside.price(), refs.upside.source) == (5020.00, "MEASURED")
    assert (refs.downside.price(), refs.downside.source) == (4975.00, "MEASURED")


def test_refs_when_level_within_offset_then_skipped():
    near = entry(D(2024, 10, 1), 4900.0, 4950.0, 5005.50)
    refs = CvaArchive([near]).refs(CURRENT)
    assert refs.upside.source == "MEASURED"


def test_strength_when_overlapping_windows_then_distinct_sessions_count_not_members():
    window_a = tuple(D(2024, 10, d) for d in (1, 2, 3, 4, 7))
    window_b = tuple(D(2024, 10, d) for d in (2, 3, 4, 7, 8))
    archive = CvaArchive(
        [
            entry(D(2024, 10, 7), 4900.0, 4950.0, 5010.0, "MIGRATING_UP", window_a),
            entry(D(2024, 10, 8), 4920.0, 4970.0, 5010.0, "SIDEWAYS", window_b),
            entry(D(2024, 10, 9), 4700.0, 4750.0, 4800.0),
        ]
    )
    level = archive.stacked_levels()[0]
    assert level.distinct_sessions == 6
    assert level.strength == Fraction(6, 10)
    assert level.last_seen == D(2024, 10, 8)
    assert level.age_decay == 0.5 ** (1 / 10)
    assert level.dominant_character == "SIDEWAYS"


def test_archive_when_more_than_archive_days_then_oldest_dropped_and_same_date_replaced():
    archive = CvaArchive(settings=ArchiveSettings(archive_days=3))
    for day in range(1, 6):
        archive.add(entry(D(2024, 10, day), 4900.0, 4950.0, 5000.0 + day))
    archive.add(entry(D(2024, 10, 5), 4900.0, 4950.0, 5100.0))
    assert [e.date.day for e in archive.entries] == [3, 4, 5]
    assert archive.entries[-1].vah_ticks == t(5100.0)


def test_archive_when_fewer_sessions_than_archive_days_then_works_with_what_exists():
    archive = CvaArchive([entry(D(2024, 10, 1), 4900.0, 4950.0, 5000.0)])
    assert len(archive) == 1
    assert archive.stacked_levels() == []


def test_archive_when_converted_after_roll_then_old_contract_entries_shift():
    converted = CvaArchive(STACKED_ARCHIVE[:1]).converted(245, "ESH25")
    e = converted.entries[0]
    assert (e.contract, e.vah_ticks, e.width_ticks) == (
        "ESH25",
        t(5010.0) + 245,
        STACKED_ARCHIVE[0].width_ticks,
    )


def test_add_cva_when_composite_then_entry_keeps_levels_window_and_shape():
    profile = VolumeProfile.from_levels([5000.0, 5000.25, 5000.5], [10, 30, 10])
    cva = composite([SessionProfile(D(2024, 10, 1), profile)], contract="ESZ24")
    archive = CvaArchive()
    stored = archive.add_cva(D(2024, 10, 2), cva, "SIDEWAYS")
    assert (stored.poc_ticks, stored.val_ticks, stored.vah_ticks) == (
        cva.poc_ticks,
        cva.val_ticks,
        cva.vah_ticks,
    )
    assert stored.days_window == (D(2024, 10, 1),)
    assert (stored.contract, stored.shape, stored.character) == ("ESZ24", "UNDEFINED", "SIDEWAYS")
