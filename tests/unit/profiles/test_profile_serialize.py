"""Every profile object round-trips through a plain dict (JSON) and a DataFrame."""

import datetime as dt
import json
from fractions import Fraction

import numpy as np
import pytest

from orderflow_lib.market.events import BAR_DTYPE
from orderflow_lib.profiles import (
    CVA,
    ArchiveEntry,
    CvaArchive,
    DailyValue,
    SessionProfile,
    TpoProfile,
    ValueArea,
    VolumeProfile,
    composite,
    cva_character,
    daily_value,
    profile_features,
)
from orderflow_lib.profiles.archive import StackedLevel
from orderflow_lib.profiles.bars import volume_profile_from_bar_array
from orderflow_lib.profiles.migration import CvaCharacter, ValueRelationship
from orderflow_lib.profiles.serialize import (
    archive_entries_from_frame,
    archive_entries_to_frame,
    cvas_from_frame,
    cvas_to_frame,
    from_plain,
    value_areas_from_frame,
    value_areas_to_frame,
)

D = dt.date


def via_json(data):
    return json.loads(json.dumps(data))


PROFILES = [
    VolumeProfile.from_trades([5000.0, 5000.5, 5000.5], [1, 2, 3], ts_ns=[3, 1, 2]),
    VolumeProfile.from_ticks([10, 12, 13], [1, 2, 3], sides=[1, -1, 0], row_ticks=2),
    VolumeProfile.empty(row_ticks=3, tick_size=0.5),
    volume_profile_from_bar_array(np.array([(0, 10, 12, 9, 11, 7)], dtype=BAR_DTYPE)),
]


@pytest.mark.parametrize("profile", PROFILES)
def test_volume_profile_when_dict_and_frame_round_trip_then_equal(profile):
    assert VolumeProfile.from_dict(via_json(profile.to_dict())) == profile
    assert from_plain(via_json(profile.to_dict())) == profile
    assert VolumeProfile.from_frame(profile.to_frame()) == profile


def test_volume_profile_frame_when_plain_table_without_attrs_then_read_as_levels():
    frame = PROFILES[0].to_frame()[["price_ticks", "volume"]].copy()
    frame.attrs.clear()
    assert VolumeProfile.from_frame(frame).volumes.tolist() == PROFILES[0].volumes.tolist()


def tpo():
    return TpoProfile.from_ticks(
        [1, 2, 40, 41], [10, 11, 11, 12], [1, 2, 3, 4], [("A", 0, 10), ("B", 10, 20), ("C", 30, 50)]
    )


def test_tpo_profile_when_dict_and_frame_round_trip_then_equal():
    profile = tpo()
    assert profile.halted == ("B",)
    assert TpoProfile.from_dict(via_json(profile.to_dict())) == profile
    assert from_plain(via_json(profile.to_dict())) == profile
    frame = profile.to_frame()
    assert frame["letters"].tolist() == ["A", "AC", "C"]
    assert TpoProfile.from_frame(frame) == profile
    assert profile.periods_frame()["printed"].tolist() == [True, False, True]


def test_value_areas_when_dict_and_frame_round_trip_then_equal():
    values = [PROFILES[0].value_area(), PROFILES[1].value_area(0.5, "single"), tpo().value_area(1)]
    for value in values:
        assert ValueArea.from_dict(via_json(value.to_dict())) == value
    assert value_areas_from_frame(value_areas_to_frame(values)) == values


def make_cva():
    day1 = SessionProfile(D(2024, 1, 2), PROFILES[0], "ESH24", "ESH24", thin_session=True)
    day2 = SessionProfile(
        D(2024, 1, 3),
        VolumeProfile.from_levels([5000.25], [9]),
        "ESH24",
        "ESH24",
        short_session=True,
    )
    return composite([day1, day2], contract="ESH24")


def test_cva_when_dict_and_frame_round_trip_then_equal_with_profile():
    cva = make_cva()
    back = CVA.from_dict(via_json(cva.to_dict()))
    assert back == cva
    assert back.profile == cva.profile
    assert cva.thin_sessions == (D(2024, 1, 2),) and cva.contains_short_session
    frame = cvas_to_frame([cva], with_profile=True)
    restored = cvas_from_frame(frame)[0]
    assert restored == cva and restored.profile == cva.profile
    assert cvas_from_frame(cvas_to_frame([cva]))[0] == cva


def test_archive_when_dict_and_frame_round_trip_then_equal():
    entries = [
        ArchiveEntry.from_cva(D(2024, 1, 4), make_cva(), "SIDEWAYS"),
        ArchiveEntry(D(2024, 1, 5), "ESH24", 5, 9, 1, (), "UNKNOWN", "UNDEFINED"),
    ]
    archive = CvaArchive(entries)
    assert CvaArchive.from_dict(via_json(archive.to_dict())).entries == entries
    assert CvaArchive.from_frame(archive.to_frame()).entries == entries
    assert archive_entries_from_frame(archive_entries_to_frame(entries)) == entries
    assert from_plain(via_json(entries[0].to_dict())) == entries[0]


def test_daily_value_and_relationship_when_dict_round_trip_then_equal():
    cva = make_cva()
    value = daily_value(SessionProfile(D(2024, 1, 4), PROFILES[0]), cva)
    back = DailyValue.from_dict(via_json(value.to_dict()))
    assert back.value_area == value.value_area
    assert back.relationship == value.relationship
    assert back.cva == cva
    assert ValueRelationship.from_dict(via_json(value.relationship.to_dict())) == value.relationship
    assert via_json(value.relationship.to_dict())["class"] == value.relationship.relation


def test_features_and_character_when_to_dict_then_json_ready():
    assert json.dumps(profile_features(tpo()).to_dict())
    assert json.dumps(cva_character([make_cva()] * 4).to_dict())
    assert json.dumps(
        CvaArchive([ArchiveEntry(D(2024, 1, 5), "X", 5, 9, 1, ())] * 1).refs(make_cva()).to_dict()
    )


def test_from_plain_when_unknown_kind_then_value_error_names_kind():
    with pytest.raises(ValueError, match="kind"):
        from_plain({"kind": "footprint"})


def test_stacked_level_and_character_when_dict_round_trip_then_equal():
    stacked = StackedLevel(
        5, ((D(2024, 1, 2), "VAL", 3),), ("VAL",), "SIDEWAYS", 1, D(2024, 1, 2), Fraction(3, 4), 0.5
    )
    data = via_json(stacked.to_dict())
    assert data["members"] == [["2024-01-02", "VAL", 3]] and data["strength"] == "3/4"
    assert StackedLevel.from_dict(data) == stacked
    character = cva_character([make_cva()] * 4)
    assert CvaCharacter.from_dict(via_json(character.to_dict())) == character
