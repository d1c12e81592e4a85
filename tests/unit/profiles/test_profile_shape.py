"""Profile shape classification: the spec §2.6 test vectors and the §8 shape edge cases."""

from fractions import Fraction

import pytest

from orderflow_lib.core.config import ShapeSettings
from orderflow_lib.profiles import TpoProfile, VolumeProfile, classify_shape

SHAPE_TABLE = [
    (
        "P",
        [5, 5, 10, 10, 20, 40, 80, 100, 60, 20],
        "3/4",
        "1/2",
        Fraction(20, 350),
        Fraction(180, 350),
    ),
    (
        "b",
        [20, 60, 100, 80, 40, 20, 10, 10, 5, 5],
        "1/4",
        "1/2",
        Fraction(180, 350),
        Fraction(20, 350),
    ),
    (
        "D",
        [5, 10, 20, 40, 80, 100, 70, 40, 15, 5],
        "11/20",
        "1/2",
        Fraction(35, 385),
        Fraction(60, 385),
    ),
    (
        "B",
        [10, 60, 90, 60, 10, 5, 10, 50, 80, 40],
        "1/4",
        "9/10",
        Fraction(160, 415),
        Fraction(170, 415),
    ),
    (
        "THIN",
        [20, 22, 18, 25, 20, 24, 19, 21, 23, 20],
        "7/20",
        "7/10",
        Fraction(60, 212),
        Fraction(64, 212),
    ),
]


@pytest.mark.parametrize(("expected", "volumes", "poc_pos", "va_ratio", "low", "up"), SHAPE_TABLE)
def test_shape_table_when_spec_vectors_then_features_and_shape_match(
    expected, volumes, poc_pos, va_ratio, low, up
):
    result = classify_shape(VolumeProfile(volumes, 20000))
    f = result.features
    assert result.shape == expected
    assert (f.poc_pos, f.va_ratio) == (Fraction(poc_pos), Fraction(va_ratio))
    assert (f.lower_share, f.upper_share) == (low, up)
    assert round(float(f.lower_share), 3) == round(float(low), 3)


def test_shape_b_when_double_distribution_then_peaks_2_and_8_valley_5_and_levels():
    result = classify_shape(VolumeProfile([10, 60, 90, 60, 10, 5, 10, 50, 80, 40], 20000))
    assert result.features.peaks == (2, 8)
    assert (result.features.valley_index, result.features.valley_volume) == (5, 5)
    assert result.sub_poc_ticks == (20002, 20008)
    assert result.lvn_tick == 20005


def test_shape_thin_when_equal_looking_peaks_then_top_two_25_and_24_valley_20_not_b():
    result = classify_shape(VolumeProfile([20, 22, 18, 25, 20, 24, 19, 21, 23, 20], 20000))
    assert result.features.peaks == (3, 5)
    assert (result.features.valley_index, result.features.valley_volume) == (4, 20)
    assert result.shape == "THIN"


def test_shape_when_fewer_rows_than_min_rows_then_undefined():
    assert classify_shape(VolumeProfile([1, 5, 9, 5, 1, 1, 1], 0)).shape == "UNDEFINED"
    assert classify_shape(VolumeProfile([7], 0)).shape == "UNDEFINED"
    assert classify_shape(VolumeProfile.empty()).shape == "UNDEFINED"


def test_shape_when_equal_peak_heights_then_ranked_by_lower_index_not_an_error():
    volumes = [1, 50, 1, 1, 50, 1, 1, 50, 1, 1]
    result = classify_shape(VolumeProfile(volumes, 0))
    assert result.features.peaks == (1, 4)
    assert result.shape == "B"


def test_shape_when_min_rows_setting_lowered_then_short_profile_classified():
    settings = ShapeSettings(min_rows=3)
    assert classify_shape(VolumeProfile([1, 9, 1], 0), settings=settings).shape != "UNDEFINED"


def test_shape_when_tpo_single_prints_cover_30_percent_then_thin():
    volumes = [5, 10, 20, 40, 80, 100, 70, 40, 15, 5]
    tpo = TpoProfile(list("ABC"), [0, 3, 3], [9, 5, 5])
    assert classify_shape(VolumeProfile(volumes, 0)).shape == "D"
    result = classify_shape(VolumeProfile(volumes, 0), tpo=tpo)
    assert result.features.single_print_share == Fraction(7, 10)
    assert result.shape == "THIN"


def test_shape_when_tpo_profile_given_then_classified_on_tpo_counts():
    tpo = TpoProfile(list("ABCDEFG"), [0, 5, 6, 6, 7, 7, 7], [9, 9, 8, 9, 8, 9, 8])
    result = classify_shape(tpo)
    assert tpo.counts.tolist() == [1, 1, 1, 1, 1, 2, 4, 7, 7, 4]
    assert (result.features.poc_index, result.features.upper_share) == (7, Fraction(18, 29))
    assert result.shape == "P"
