"""Exact fractions for thresholds, so that a rule like a >= 0.70 * b never depends on binary floats."""

from __future__ import annotations

from fractions import Fraction


def exact(value: float | int | str | Fraction) -> Fraction:
    """The exact fraction a decimal setting means: 0.7 -> 7/10 (read from its shortest decimal text)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(str(value))


def at_least(a: int, fraction: Fraction, b: int) -> bool:
    """True when a >= fraction * b, by cross-multiplying integers."""
    return a * fraction.denominator >= fraction.numerator * b
