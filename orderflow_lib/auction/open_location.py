"""Open location against prior value and range (Dalton, spec §4.2) with its default expectation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from orderflow_lib.core.config import OpenSettings


class OpenLocation(StrEnum):
    """Where the RTH open sits: seven codes with the edge codes on, Dalton's five without."""

    AT_VAH = "AT_VAH"
    AT_VAL = "AT_VAL"
    INSIDE_VALUE = "INSIDE_VALUE"
    ABOVE_VALUE_IN_RANGE = "ABOVE_VALUE_IN_RANGE"
    BELOW_VALUE_IN_RANGE = "BELOW_VALUE_IN_RANGE"
    ABOVE_RANGE = "ABOVE_RANGE"
    BELOW_RANGE = "BELOW_RANGE"

    @property
    def in_range(self) -> bool:
        """True for every code except ABOVE_RANGE and BELOW_RANGE (the open-auction sub-label)."""
        return self not in (OpenLocation.ABOVE_RANGE, OpenLocation.BELOW_RANGE)


OPEN_EXPECTATIONS = MappingProxyType(
    {
        OpenLocation.AT_VAH: "edge test: accepted above -> treat as above value in range; "
        "rejected -> VEF1 traverse to VAL",
        OpenLocation.AT_VAL: "edge test: accepted below -> treat as below value in range; "
        "rejected -> VEF1 traverse to VAH",
        OpenLocation.INSIDE_VALUE: "balance, lowest risk and opportunity; range likely inside the "
        "prior range; fade the edges; a drive out of value in period A without overlapping TPOs "
        "is a possible breakout",
        OpenLocation.ABOVE_VALUE_IN_RANGE: "market testing higher value; accepted -> continue to "
        "the prior high and beyond; rejected back into value for 2 periods -> 80% rule to VAL",
        OpenLocation.BELOW_VALUE_IN_RANGE: "market testing lower value; accepted -> continue to "
        "the prior low and beyond; rejected back into value for 2 periods -> 80% rule to VAH",
        OpenLocation.ABOVE_RANGE: "out of balance, highest risk and opportunity; accepted (no fill "
        "back into the range in the first hour) -> trend potential; rejected -> gap fill, then VA",
        OpenLocation.BELOW_RANGE: "out of balance, highest risk and opportunity; accepted (no fill "
        "back into the range in the first hour) -> trend potential; rejected -> gap fill, then VA",
    }
)
"""Dalton's default expectation for each open location (spec §4.2 table)."""


@dataclass(frozen=True, slots=True)
class OpenReference:
    """The value area and range an open is located against, in ticks (prior RTH session or a CVA)."""

    val_ticks: int
    vah_ticks: int
    low_tick: int
    high_tick: int
    name: str = "prior_day"

    def __post_init__(self) -> None:
        if not self.low_tick <= self.val_ticks <= self.vah_ticks <= self.high_tick:
            raise ValueError(
                "open reference needs low <= val <= vah <= high in ticks, was "
                f"{self.low_tick}, {self.val_ticks}, {self.vah_ticks}, {self.high_tick}"
            )


def open_location(
    open_tick: int, ref: OpenReference, settings: OpenSettings | None = None
) -> OpenLocation:
    """The §4.2 code of `open_tick`, rules evaluated in the table's order.

    With `open.edge_codes` false the AT_* rows are skipped and value includes its edges.
    """
    s = settings or OpenSettings()
    o, tol = open_tick, s.edge_tol_ticks
    if s.edge_codes:
        if abs(o - ref.vah_ticks) <= tol:
            return OpenLocation.AT_VAH
        if abs(o - ref.val_ticks) <= tol:
            return OpenLocation.AT_VAL
        if ref.val_ticks < o < ref.vah_ticks:
            return OpenLocation.INSIDE_VALUE
    elif ref.val_ticks <= o <= ref.vah_ticks:
        return OpenLocation.INSIDE_VALUE
    if ref.vah_ticks < o <= ref.high_tick:
        return OpenLocation.ABOVE_VALUE_IN_RANGE
    if ref.low_tick <= o < ref.val_ticks:
        return OpenLocation.BELOW_VALUE_IN_RANGE
    if o > ref.high_tick:
        return OpenLocation.ABOVE_RANGE
    return OpenLocation.BELOW_RANGE
