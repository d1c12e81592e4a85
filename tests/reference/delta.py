"""Reference cumulative delta, trade by trade (the rules of `flow.cumulative_delta`)."""

from __future__ import annotations

import numpy as np

from orderflow_lib.flow.bars import anchor_array


class CumulativeDelta:
    """Incremental CD with the same anchors."""

    def __init__(self, anchors_ns: np.ndarray | list[int] | None = None) -> None:
        self._anchors = anchor_array(anchors_ns)
        self._next = 0
        self.cd = 0

    def on_trade(self, ts_ns: int, size: int, side: int) -> int:
        """Add a trade; returns CD after it."""
        while self._next < self._anchors.shape[0] and self._anchors[self._next] <= ts_ns:
            self._next += 1
            self.cd = 0
        self.cd += side * size
        return self.cd
