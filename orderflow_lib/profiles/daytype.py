"""Dalton day type (spec §2.7) from the IB, the day's range, open, close and R20, all in ticks.

One ordered rule table; the first rule that matches wins. Fractions of a range are compared
exactly (spec §0.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from orderflow_lib.core.config import DayTypeSettings
from orderflow_lib.core.fractions import exact
from orderflow_lib.profiles.features import initial_balance
from orderflow_lib.profiles.tpo import TpoProfile


@dataclass(frozen=True, slots=True)
class DayInputs:
    """A session's numbers for the day-type rules, in ticks (r20 may be fractional)."""

    ib_high: int
    ib_low: int
    high: int
    low: int
    open: int
    close: int
    r20: Fraction | None

    @property
    def ib(self) -> int:
        """IB range in ticks."""
        return self.ib_high - self.ib_low

    @property
    def re_up(self) -> int:
        """Range extension above the IB high, in ticks."""
        return max(0, self.high - self.ib_high)

    @property
    def re_down(self) -> int:
        """Range extension below the IB low, in ticks."""
        return max(0, self.ib_low - self.low)

    @property
    def day_range(self) -> int:
        """High - low in ticks."""
        return self.high - self.low


def average_range_ticks(ranges: Sequence[int]) -> Fraction | None:
    """Exact mean of recent RTH ranges (R20); None when there are none."""
    return Fraction(sum(ranges), len(ranges)) if ranges else None


def _within(distance: int, frac: Fraction, whole: int) -> bool:
    return distance <= frac * whole


def _rules(s: DayTypeSettings) -> list[tuple[str, Callable[[DayInputs], bool]]]:
    extreme = exact(s.extreme_frac)

    def one_sided(d: DayInputs) -> bool:
        return (d.re_up > 0) != (d.re_down > 0)

    def nontrend(d: DayInputs) -> bool:
        return (
            d.r20 is not None
            and d.day_range <= exact(s.nontrend_range_frac) * d.r20
            and d.re_up + d.re_down <= s.nontrend_ext_ticks
        )

    def normal(d: DayInputs) -> bool:
        return d.re_up + d.re_down <= exact(s.normal_ext_frac) * d.ib

    def trend(d: DayInputs) -> bool:
        if not one_sided(d) or not max(d.re_up, d.re_down) > exact(s.trend_ext_frac) * d.ib:
            return False
        r = d.day_range

        def near_low(x: int) -> bool:
            return _within(x - d.low, extreme, r)

        def near_high(x: int) -> bool:
            return _within(d.high - x, extreme, r)

        return (near_low(d.open) and near_high(d.close)) or (
            near_high(d.open) and near_low(d.close)
        )

    def neutral_extreme(d: DayInputs) -> bool:
        r = d.day_range
        both = d.re_up > 0 and d.re_down > 0
        return both and (
            _within(d.high - d.close, extreme, r) or _within(d.close - d.low, extreme, r)
        )

    return [
        ("NONTREND", nontrend),
        ("NORMAL", normal),
        ("TREND", trend),
        ("NORMAL_VARIATION", one_sided),
        ("NEUTRAL_EXTREME", neutral_extreme),
        ("NEUTRAL_CENTER", lambda d: True),
    ]


def classify_day_type(
    inputs: DayInputs, shape: str | None = None, settings: DayTypeSettings | None = None
) -> str:
    """Day type by spec §2.7; a TREND day whose shape (§2.6) is B is DOUBLE_DISTRIBUTION."""
    name = next(n for n, rule in _rules(settings or DayTypeSettings()) if rule(inputs))
    return "DOUBLE_DISTRIBUTION" if name == "TREND" and shape == "B" else name


def day_inputs_of(tpo: TpoProfile, r20: Fraction | None) -> DayInputs | None:
    """DayInputs of a TPO profile (IB from periods A-B, open/close prints); None when it lacks them."""
    ib = initial_balance(tpo)
    low, high = tpo.low_tick, tpo.high_tick
    if ib is None or low is None or high is None or tpo.open_tick is None or tpo.close_tick is None:
        return None
    return DayInputs(ib[1], ib[0], high, low, tpo.open_tick, tpo.close_tick, r20)
