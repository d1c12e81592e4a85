"""Swing pivots on a bar series (spec §7.8): a pivot high is higher than the k bars before it and
at least as high as the k bars after it (a low mirrors that), confirmed k bars later, so a backtest
never looks ahead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PIVOT_HIGH = 1
PIVOT_LOW = -1


@dataclass(frozen=True, slots=True)
class Pivot:
    """A swing high (+1) or low (-1) at bar `index`, known from bar `confirmed_index`."""

    kind: int
    index: int
    price_ticks: int
    confirmed_index: int


def _is_pivot(values: np.ndarray, k: int, sign: int) -> np.ndarray:
    """Mask over bars k..n-k-1 of strict-left, non-strict-right extremes (sign +1 high, -1 low)."""
    v = sign * np.asarray(values, dtype=np.int64)
    n = v.shape[0]
    if n < 2 * k + 1:
        return np.zeros(0, dtype=bool)
    windows = sliding_window_view(v, 2 * k + 1)
    centre = windows[:, k]
    left = windows[:, :k].max(axis=1)
    right = windows[:, k + 1 :].max(axis=1)
    return (centre > left) & (centre >= right)


def find_pivots(high_ticks: np.ndarray, low_ticks: np.ndarray, k: int = 2) -> list[Pivot]:
    """Every confirmed pivot, in confirmation order (a high before a low on the same bar)."""
    if k < 1:
        raise ValueError(f"pivot_k must be >= 1, was {k}")
    pivots = []
    for kind, values in ((PIVOT_HIGH, high_ticks), (PIVOT_LOW, low_ticks)):
        for j in np.flatnonzero(_is_pivot(values, k, kind)).tolist():
            i = j + k
            pivots.append(Pivot(kind, i, int(values[i]), i + k))
    pivots.sort(key=lambda p: (p.confirmed_index, -p.kind))
    return pivots


class PivotTracker:
    """Incremental pivots: feed each closed bar's high and low, get the pivots it confirms."""

    def __init__(self, k: int = 2) -> None:
        if k < 1:
            raise ValueError(f"pivot_k must be >= 1, was {k}")
        self.k = k
        self._high: list[int] = []
        self._low: list[int] = []

    def on_bar(self, high_ticks: int, low_ticks: int) -> list[Pivot]:
        """Pivots confirmed by this bar (a high before a low)."""
        self._high.append(high_ticks)
        self._low.append(low_ticks)
        k = self.k
        n = len(self._high)
        i = n - 1 - k
        if i < k:
            return []
        out = []
        for kind, values in ((PIVOT_HIGH, self._high), (PIVOT_LOW, self._low)):
            centre = kind * values[i]
            left = max(kind * v for v in values[i - k : i])
            right = max(kind * v for v in values[i + 1 : i + k + 1])
            if centre > left and centre >= right:
                out.append(Pivot(kind, i, values[i], n - 1))
        return out
