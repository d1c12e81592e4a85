"""TPO periods: lettered half-open windows [start_ns, end_ns) (spec §0.2, §2.2).

RTH periods come from `SessionCalendar.tpo_periods`; `make_periods` builds them for ETH or any
other window, so the profile engines never depend on the calendar.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orderflow_lib.core.errors import ValidationError
from orderflow_lib.core.timeconv import NS_PER_MINUTE

TPO_LETTERS = string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True, slots=True)
class Period:
    """A TPO period: its letter and its half-open window [start_ns, end_ns)."""

    letter: str
    start_ns: int
    end_ns: int


def make_periods(
    start_ns: int, end_ns: int, minutes: int = 30, letters: str = TPO_LETTERS
) -> list[Period]:
    """Consecutive periods of `minutes` from start_ns; the last one may be partial (ETH, custom)."""
    if minutes < 1:
        raise ValueError(f"minutes must be >= 1, was {minutes}")
    if end_ns <= start_ns:
        raise ValueError(f"end_ns must be after start_ns, was {start_ns}..{end_ns}")
    step = minutes * NS_PER_MINUTE
    count = -(-(end_ns - start_ns) // step)
    if count > len(letters):
        raise ValueError(
            f"{count} periods of {minutes} minutes need more than {len(letters)} letters"
        )
    return [
        Period(letters[k], start_ns + k * step, min(start_ns + (k + 1) * step, end_ns))
        for k in range(count)
    ]


def as_periods(periods: Iterable[Any]) -> list[Period]:
    """Periods from objects with letter/start_ns/end_ns (e.g. calendar TpoPeriod) or tuples."""
    result = []
    for item in periods:
        if isinstance(item, Period):
            result.append(item)
        elif hasattr(item, "start_ns"):
            result.append(Period(str(item.letter), int(item.start_ns), int(item.end_ns)))
        else:
            letter, start, end = item
            result.append(Period(str(letter), int(start), int(end)))
    for k, p in enumerate(result):
        if p.end_ns <= p.start_ns:
            raise ValidationError(f"period {p.letter} ends before it starts: {p}")
        if k and p.start_ns < result[k - 1].end_ns:
            raise ValidationError(
                f"period {p.letter} starts before period {result[k - 1].letter} ends"
            )
    return result


def inside_periods(ts: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Mask of timestamps that fall in some [start, end) period."""
    if starts.size == 0:
        return np.zeros(ts.shape[0], dtype=bool)
    k = np.searchsorted(starts, ts, side="right") - 1
    return (k >= 0) & (ts < ends[np.clip(k, 0, None)])


def period_bounds(periods: list[Period]) -> tuple[np.ndarray, np.ndarray]:
    """int64 arrays of the periods' starts and ends."""
    starts = np.array([p.start_ns for p in periods], dtype=np.int64)
    ends = np.array([p.end_ns for p in periods], dtype=np.int64)
    return starts, ends
