"""The depth of market: the IB-style position book (10 levels a side) and, when enabled, the DOM
metrics (book imbalance, pulling, stacking, iceberg; the rules of `flow.dom_metrics`) frame by frame.

Both modes run one resumable kernel (`kernels.dom_state`) over each batch with the state carried
in a few arrays, so any batching, from one live event to a whole replay, gives the same book and
signals; with metrics off the kernel keeps only the book. The node chooses one mode for a run.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from orderflow_lib.flow.dom import DomParams, param_array, to_signal
from orderflow_lib.flow.signals import Signal
from orderflow_lib.kernels.dom_state import (
    B_PX,
    B_SIZE,
    S_BAD,
    S_COUNT,
    _dom_step,
    new_dom_state,
)

Level = tuple[int, int]
DOM_LEVELS: Final = 10


class DomTracker:
    """The book and optional DOM metrics of one session (bounded state, whatever the prices)."""

    def __init__(self, levels: int = DOM_LEVELS, params: DomParams | None = None) -> None:
        if levels < 1:
            raise ValueError(f"levels must be >= 1, was {levels}")
        self.levels = levels
        self.params = params
        self._params = param_array(params)
        self._state, self._book, self._pool, self._imbalance = new_dom_state(levels)

    @property
    def metrics(self) -> bool:
        """True when DOM signals are computed."""
        return self.params is not None

    @property
    def bids(self) -> tuple[Level, ...]:
        """Bid levels (price_ticks, size), best first."""
        return self._side(0)

    @property
    def asks(self) -> tuple[Level, ...]:
        """Ask levels (price_ticks, size), best first."""
        return self._side(1)

    @property
    def imbalance(self) -> float:
        """Imbalance of the last frame (NaN before one, on a gap or an empty book, metrics off)."""
        return float(self._imbalance[0])

    @property
    def weighted_imbalance(self) -> float:
        """The 1/i weighted imbalance of the last frame (NaN as `imbalance`)."""
        return float(self._imbalance[1])

    @property
    def bad_updates(self) -> int:
        """Depth updates ignored as invalid so far."""
        return int(self._state[S_BAD])

    def add(self, events: np.ndarray) -> list[tuple[int, Signal]]:
        """Apply a batch's depth updates (and, with metrics, its trades) in feed order; returns
        (event index, signal) of every DOM signal."""
        rows = _dom_step(events, self._params, self._state, self._book, self._pool, self._imbalance)
        if not rows.shape[0]:
            return []
        return [(row[0], to_signal(row[1:])) for row in rows.tolist()]

    def _side(self, s: int) -> tuple[Level, ...]:
        n = int(self._state[S_COUNT + s])
        book = self._book[s]
        return tuple(zip(book[B_PX, :n].tolist(), book[B_SIZE, :n].tolist(), strict=True))
