"""Thresholds compare as exact fractions (spec §0.1)."""

from fractions import Fraction

from orderflow_lib.core.fractions import at_least, exact


def test_exact_reads_decimal_text_not_binary_float():
    assert exact(0.7) == Fraction(7, 10)
    assert exact("0.68") == Fraction(17, 25)
    assert exact(3) == 3


def test_at_least_when_exactly_on_threshold_then_true():
    assert at_least(102, exact(0.68), 150)
    assert not at_least(101, exact(0.68), 150)
