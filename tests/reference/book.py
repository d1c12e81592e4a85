"""Reference L2 books, one update at a time: IB depth by position (the rules of `flow.replay_depth`)
and Databento MBP-10 (the rules of `flow.frames_from_mbp10`)."""

from __future__ import annotations

from orderflow_lib.flow.book import BookFrame, Level
from orderflow_lib.kernels.book import (
    DEPTH_DELETE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    F_LAST,
    F_SNAPSHOT,
    NO_PRICE,
    STATUS_BAD_INPUT,
    STATUS_CROSSED,
    STATUS_LOCKED,
    STATUS_RESET,
    STATUS_UNSORTED,
)
from orderflow_lib.market.events import DepthUpdate


def _side_status(bids: list[Level], asks: list[Level]) -> int:
    status = 0
    if any(bids[k][0] >= bids[k - 1][0] for k in range(1, len(bids))) or any(
        asks[k][0] <= asks[k - 1][0] for k in range(1, len(asks))
    ):
        status |= STATUS_UNSORTED
    if bids and asks:
        if bids[0][0] > asks[0][0]:
            status |= STATUS_CROSSED
        elif bids[0][0] == asks[0][0]:
            status |= STATUS_LOCKED
    return status


class OrderBook:
    """Incremental IB depth book (insert/update/delete by position, per side, up to `levels`).

    Same rules as `replay_depth`: bad updates are counted in `bad_updates`, ignored, and flag the
    frame BAD_INPUT; `reset()` (reconnect) empties the book and flags the next frame RESET.
    """

    def __init__(self, levels: int = 10) -> None:
        if levels < 1:
            raise ValueError(f"levels must be >= 1, was {levels}")
        self.levels = levels
        self._sides: dict[int, list[Level]] = {1: [], -1: []}
        self._seq = 0
        self._pending_reset = False
        self.bad_updates = 0

    def reset(self) -> None:
        """Empty the book (e.g. after a reconnect); the next frame carries RESET."""
        self._sides = {1: [], -1: []}
        self._pending_reset = True

    def apply(self, update: DepthUpdate) -> BookFrame:
        """Apply one update and return the resulting frame."""
        status = STATUS_RESET if self._pending_reset else 0
        self._pending_reset = False
        if not self._apply(update):
            self.bad_updates += 1
            status |= STATUS_BAD_INPUT
        bids, asks = list(self._sides[1]), list(self._sides[-1])
        status |= _side_status(bids, asks)
        frame = BookFrame(update.ts_ns, self._seq, tuple(bids), tuple(asks), status)
        self._seq += 1
        return frame

    def _apply(self, u: DepthUpdate) -> bool:
        side = self._sides.get(u.book_side)
        if side is None or u.position < 0:
            return False
        if u.operation != DEPTH_DELETE and (u.size < 0 or u.price_ticks == NO_PRICE):
            return False
        pos, count = u.position, len(side)
        if u.operation == DEPTH_INSERT and pos <= count and pos < self.levels:
            side.insert(pos, (u.price_ticks, u.size))
            del side[self.levels :]
        elif u.operation == DEPTH_UPDATE and pos < count:
            side[pos] = (u.price_ticks, u.size)
        elif u.operation == DEPTH_DELETE and pos < count:
            del side[pos]
        else:
            return False
        return True


class Mbp10Book:
    """Incremental MBP-10: buffers an event's records and publishes the F_LAST record's levels."""

    def __init__(self) -> None:
        self._seq = -1
        self._in_snapshot = False
        self._reset = False

    def apply(
        self,
        ts_ns: int,
        flags: int,
        bids: tuple[Level, ...],
        asks: tuple[Level, ...],
    ) -> BookFrame | None:
        """Apply one record (levels best first, empty levels left out); a frame at event end."""
        self._seq += 1
        snap = bool(flags & F_SNAPSHOT)
        if snap and not self._in_snapshot:
            self._reset = True
        self._in_snapshot = snap
        if not flags & F_LAST:
            return None
        status = (STATUS_RESET if self._reset else 0) | _side_status(list(bids), list(asks))
        self._reset = False
        return BookFrame(ts_ns, self._seq, bids, asks, status)
