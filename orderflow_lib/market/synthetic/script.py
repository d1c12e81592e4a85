"""A scripted RTH price path: waypoints joined by straight lines, with bounded noise around them.

A script makes a day's RTH show one trading setup on purpose, so a setup can be tested end to end.
Prices are the bid in ticks (trades print at the bid or one tick above it at the ask).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from orderflow_lib.market.synthetic.windows import SyntheticMarketError

MIN_DEVIATION_TICKS = 2
"""The narrowest band that still leaves room for one-tick steps around a fractional line."""


@dataclass(frozen=True, slots=True)
class PriceScript:
    """Waypoints `(minutes after the RTH open, bid in ticks)`, the first at minute 0.

    Between waypoints the path follows the straight line between them (and stays flat after the
    last one); every trade of an RTH minute prints within `max_deviation_ticks` of the line over
    that minute, and each waypoint's price prints at the start of its minute.
    """

    waypoints: tuple[tuple[int, int], ...]
    max_deviation_ticks: int = MIN_DEVIATION_TICKS

    def __post_init__(self) -> None:
        if not self.waypoints:
            raise SyntheticMarketError("waypoints must hold at least one (minute, price) pair")
        minutes = [minute for minute, _ in self.waypoints]
        if minutes[0] != 0:
            raise SyntheticMarketError(
                f"the first waypoint must be at minute 0 (the RTH open), was {minutes[0]}"
            )
        for earlier, later in itertools.pairwise(minutes):
            if later <= earlier:
                raise SyntheticMarketError(
                    f"waypoint minutes must increase strictly, was {later} after {earlier}"
                )
        if self.max_deviation_ticks < MIN_DEVIATION_TICKS:
            raise SyntheticMarketError(
                f"max_deviation_ticks must be >= {MIN_DEVIATION_TICKS}, "
                f"was {self.max_deviation_ticks}"
            )

    @property
    def open_ticks(self) -> int:
        """The bid at the RTH open (the first waypoint): where the overnight session ends."""
        return self.waypoints[0][1]

    @property
    def minutes(self) -> np.ndarray:
        """Waypoint minutes after the RTH open."""
        return np.array([minute for minute, _ in self.waypoints], dtype=np.float64)

    @property
    def prices(self) -> np.ndarray:
        """Waypoint bids in ticks."""
        return np.array([price for _, price in self.waypoints], dtype=np.float64)

    def line_ticks(self, minutes: np.ndarray) -> np.ndarray:
        """The interpolated line (fractional ticks) at `minutes` after the RTH open."""
        return np.interp(minutes, self.minutes, self.prices)
