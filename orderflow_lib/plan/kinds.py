"""Strategy families (spec §5.3) and scenario expectations (spec §4.1, §5.5)."""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    """Strategy families (spec §5.3)."""

    ROTATIONAL = "ROTATIONAL"
    DIRECTIONAL_BULLISH = "DIRECTIONAL_BULLISH"
    DIRECTIONAL_BEARISH = "DIRECTIONAL_BEARISH"
    NONE = "NONE"


class Expectation(StrEnum):
    """What a scenario expects: return to value, breakout-of-value pullback, rotation, 80% rule
    traverse, or an opening drive."""

    RTV = "RTV"
    BVP = "BVP"
    ROTATE = "ROTATE"
    EIGHTY = "EIGHTY"
    DRIVE = "DRIVE"
