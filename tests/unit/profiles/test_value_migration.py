"""Value relationships (spec §3.3 table) and CVA migration character (spec §3.4 cases)."""

from fractions import Fraction

import pytest

from orderflow_lib.core.config import MigrationSettings
from orderflow_lib.profiles import Levels, cva_character, relationship
from orderflow_lib.profiles.migration import character_history

REFERENCE = Levels(val_ticks=20000, vah_ticks=20040, poc_ticks=20020)


def va(val, vah, poc=None):
    low, high = round(val * 4), round(vah * 4)
    return Levels(low, high, (low + high) // 2 if poc is None else round(poc * 4))


@pytest.mark.parametrize(
    ("val", "vah", "expected", "bias"),
    [
        (5012.00, 5020.00, "HIGHER", 1),
        (5005.00, 5015.00, "OVERLAP_HIGHER", 1),
        (4990.00, 4998.00, "LOWER", -1),
        (4995.00, 5004.00, "OVERLAP_LOWER", -1),
        (5002.00, 5008.00, "INSIDE", 0),
        (4998.00, 5012.00, "OUTSIDE", 0),
        (5000.25, 5009.75, "UNCHANGED", 0),
    ],
)
def test_relationship_table_when_reference_5000_to_5010_then_seven_classes(
    val, vah, expected, bias
):
    result = relationship(va(val, vah), REFERENCE)
    assert (result.relation, result.migration_bias) == (expected, bias)


def test_relationship_when_overlap_higher_then_overlap_is_5_25_over_10_25():
    result = relationship(va(5005.0, 5015.0), REFERENCE)
    assert result.overlap_pct == Fraction(21, 41)
    assert round(float(result.overlap_pct), 3) == 0.512


def test_relationship_when_inside_then_full_overlap_and_higher_then_none():
    assert relationship(va(5002.0, 5008.0), REFERENCE).overlap_pct == 1
    assert relationship(va(5012.0, 5020.0), REFERENCE).overlap_pct == 0


def test_relationship_when_midpoints_move_then_mid_shift_plus_46_ticks():
    result = relationship(va(4995.0, 5008.0), va(4980.0, 5000.0))
    assert result.mid_shift_ticks == 46


def test_relationship_when_half_tick_midpoint_then_fraction_kept():
    assert relationship(Levels(0, 3, 1), Levels(0, 2, 1)).mid_shift_ticks == Fraction(1, 2)


def test_relationship_when_zero_width_value_area_then_overlap_defined():
    result = relationship(Levels(20010, 20010, 20010), REFERENCE)
    assert (result.relation, result.overlap_pct) == ("INSIDE", 1)


def test_relationship_when_poc_moves_then_poc_shift_in_ticks():
    assert relationship(Levels(0, 10, 7), Levels(0, 10, 3)).poc_shift_ticks == 4


def test_relationship_when_tolerance_zero_then_one_tick_difference_is_not_unchanged():
    assert relationship(va(5000.25, 5009.75), REFERENCE, tol=0).relation == "INSIDE"


SERIES = [
    va(4980, 5000, 4990),
    va(4985, 5005, 4995),
    va(4990, 5008, 5000),
    va(4992, 5010, 5002),
    va(4985, 5004, 4996),
]


def test_character_when_fewer_than_four_composites_then_unknown_bias_zero():
    for t in range(3):
        result = cva_character(SERIES[: t + 1])
        assert (result.character, result.bias) == ("UNKNOWN", 0)


def test_character_when_three_overlap_higher_then_migrating_up_plus_48():
    result = cva_character(SERIES[:4])
    assert [r.relation for r in result.relationships] == ["OVERLAP_HIGHER"] * 3
    assert [r.poc_shift_ticks for r in result.relationships] == [20, 20, 8]
    assert (result.character, result.bias, result.poc_shift_sum) == ("MIGRATING_UP", 1, 48)


def test_character_when_migration_fails_back_into_t1_then_failed_up_before_migrating_up():
    result = cva_character(SERIES, prev_character="MIGRATING_UP")
    assert result.relationships[-1].relation == "OVERLAP_LOWER"
    assert result.poc_shift_sum == 4
    assert (result.character, result.bias) == ("FAILED_UP", 0)


def test_character_history_when_series_then_each_fed_the_previous():
    assert [c.character for c in character_history(SERIES)] == [
        "UNKNOWN",
        "UNKNOWN",
        "UNKNOWN",
        "MIGRATING_UP",
        "FAILED_UP",
    ]


def test_character_when_failed_bias_reverse_then_failed_up_is_bearish():
    settings = MigrationSettings(failed_bias="reverse")
    assert cva_character(SERIES, "MIGRATING_UP", settings).bias == -1


def test_character_when_value_contracts_inside_then_contracting_41_within_60_75():
    series = [
        va(4980, 5000, 4990),
        va(4982, 5000, 4990),
        va(4984, 4998, 4990),
        va(4986, 4996, 4990),
    ]
    result = cva_character(series)
    assert [r.relation for r in result.relationships] == ["INSIDE"] * 3
    assert (series[-1].width_ticks, series[0].width_ticks) == (41, 81)
    assert (result.character, result.bias) == ("CONTRACTING", 0)


def test_character_when_latest_outside_then_expanding_and_mirror_migrating_down():
    expanding = [va(4990, 5000), va(4990, 5000), va(4990, 5000), va(4980, 5010)]
    assert cva_character(expanding).character == "EXPANDING"
    down = [va(5020, 5040, 5030), va(5015, 5035, 5025), va(5010, 5030, 5020), va(5005, 5025, 5015)]
    result = cva_character(down)
    assert (result.character, result.bias) == ("MIGRATING_DOWN", -1)
    assert cva_character([*down, va(5008, 5030, 5027)], "MIGRATING_DOWN").character == "FAILED_DOWN"


def test_character_when_nothing_matches_then_sideways():
    sideways = [
        va(4990, 5000, 4995),
        va(4991, 5003, 4995),
        va(4989, 5001, 4995),
        va(4990, 5000, 4995),
    ]
    result = cva_character(sideways)
    assert [r.relation for r in result.relationships] == [
        "OVERLAP_HIGHER",
        "OVERLAP_LOWER",
        "INSIDE",
    ]
    assert (result.character, result.bias) == ("SIDEWAYS", 0)
