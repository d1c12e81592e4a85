"""Order-book frames (the top N levels after each book event) from IB depth updates by position
(`replay_depth`) and Databento MBP-10 (`frames_from_mbp10`). The MBO book is in `flow.mbo`.

A frame's `status` carries CROSSED / LOCKED (best bid > / == best ask), RESET (the book was cleared
or rebuilt: nothing is continuous across it), BAD_INPUT (an update was invalid and ignored) and
UNSORTED (a side's prices are out of order). Bad input is counted and flagged, never applied."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orderflow_lib.kernels.book import (
    F_LAST,
    F_SNAPSHOT,
    NO_PRICE,
    STATUS_BAD_INPUT,
    STATUS_CROSSED,
    STATUS_LOCKED,
    STATUS_RESET,
    STATUS_UNSORTED,
    _depth_replay,
)
from orderflow_lib.market.events import DEPTH_DTYPE

GAP_STATUS = STATUS_CROSSED | STATUS_LOCKED | STATUS_RESET | STATUS_BAD_INPUT | STATUS_UNSORTED
"""Statuses after which no pull/stack is inferred across the frame."""

Level = tuple[int, int]
"""(price_ticks, size) of one book level."""


@dataclass(frozen=True, slots=True)
class BookFrame:
    """The top levels after one event: bids best first, asks best first."""

    ts_ns: int
    seq: int
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    status: int = 0

    @property
    def best_bid(self) -> int:
        """Best bid price in ticks, NO_PRICE when the side is empty."""
        return self.bids[0][0] if self.bids else NO_PRICE

    @property
    def best_ask(self) -> int:
        """Best ask price in ticks, NO_PRICE when the side is empty."""
        return self.asks[0][0] if self.asks else NO_PRICE


@dataclass(frozen=True)
class BookFrames:
    """Frames as arrays: (n, levels) prices (NO_PRICE when empty) and sizes per side."""

    ts_ns: np.ndarray
    seq: np.ndarray
    bid_ticks: np.ndarray
    bid_size: np.ndarray
    ask_ticks: np.ndarray
    ask_size: np.ndarray
    status: np.ndarray

    def __len__(self) -> int:
        return int(self.ts_ns.shape[0])

    @property
    def levels(self) -> int:
        """Levels kept per side."""
        return int(self.bid_ticks.shape[1])

    @property
    def best_bid(self) -> np.ndarray:
        """Best bid per frame (NO_PRICE when empty)."""
        return self.bid_ticks[:, 0]

    @property
    def best_ask(self) -> np.ndarray:
        """Best ask per frame (NO_PRICE when empty)."""
        return self.ask_ticks[:, 0]

    def frame(self, i: int) -> BookFrame:
        """Frame i as a record."""
        return BookFrame(
            int(self.ts_ns[i]),
            int(self.seq[i]),
            _levels(self.bid_ticks[i], self.bid_size[i]),
            _levels(self.ask_ticks[i], self.ask_size[i]),
            int(self.status[i]),
        )

    def count(self, status: int) -> int:
        """Frames carrying any of the given status bits."""
        return int(np.count_nonzero(self.status & status))


def crossed_outside_auction(frames: BookFrames, auctions: list[tuple[int, int]]) -> int:
    """Crossed or locked frames outside every auction window [start_ns, end_ns): the crossed books
    that are bad data rather than an auction's normal overlap."""
    crossed = (frames.status & (STATUS_CROSSED | STATUS_LOCKED)) != 0
    for start, end in auctions:
        crossed &= ~((frames.ts_ns >= start) & (frames.ts_ns < end))
    return int(np.count_nonzero(crossed))


def _levels(prices: np.ndarray, sizes: np.ndarray) -> tuple[Level, ...]:
    return tuple((int(p), int(s)) for p, s in zip(prices, sizes, strict=True) if p != NO_PRICE)


def frames_from_records(frames: list[BookFrame], levels: int) -> BookFrames:
    """BookFrames arrays of frame records (levels beyond `levels` are dropped)."""
    n = len(frames)
    bid_px = np.full((n, levels), NO_PRICE, dtype=np.int64)
    ask_px = np.full((n, levels), NO_PRICE, dtype=np.int64)
    bid_sz = np.zeros((n, levels), dtype=np.int64)
    ask_sz = np.zeros((n, levels), dtype=np.int64)
    for i, fr in enumerate(frames):
        for k, (p, s) in enumerate(fr.bids[:levels]):
            bid_px[i, k], bid_sz[i, k] = p, s
        for k, (p, s) in enumerate(fr.asks[:levels]):
            ask_px[i, k], ask_sz[i, k] = p, s
    return BookFrames(
        np.array([f.ts_ns for f in frames], dtype=np.int64),
        np.array([f.seq for f in frames], dtype=np.int64),
        bid_px,
        bid_sz,
        ask_px,
        ask_sz,
        np.array([f.status for f in frames], dtype=np.uint8),
    )


def _array_status(bids: np.ndarray, asks: np.ndarray) -> np.ndarray:
    """Frame statuses of every row at once: UNSORTED, CROSSED, LOCKED (empty levels are NO_PRICE)."""
    present_b = bids[:, 1:] != NO_PRICE
    present_a = asks[:, 1:] != NO_PRICE
    unsorted = (present_b & (bids[:, 1:] >= bids[:, :-1])).any(axis=1) | (
        present_a & (asks[:, 1:] <= asks[:, :-1])
    ).any(axis=1)
    both = (bids[:, 0] != NO_PRICE) & (asks[:, 0] != NO_PRICE)
    status = np.where(unsorted, STATUS_UNSORTED, 0)
    status |= np.where(both & (bids[:, 0] > asks[:, 0]), STATUS_CROSSED, 0)
    status |= np.where(both & (bids[:, 0] == asks[:, 0]), STATUS_LOCKED, 0)
    return status.astype(np.uint8)


def replay_depth(updates: np.ndarray, levels: int = 10) -> tuple[BookFrames, int]:
    """Frames after each IB depth update (DEPTH_DTYPE array) and the count of bad updates."""
    if updates.dtype != DEPTH_DTYPE:
        raise ValueError(f"depth updates must have DEPTH_DTYPE, had {updates.dtype}")
    if levels < 1:
        raise ValueError(f"levels must be >= 1, was {levels}")
    bid_px, bid_sz, ask_px, ask_sz, status, bad = _depth_replay(
        np.ascontiguousarray(updates["book_side"]),
        np.ascontiguousarray(updates["position"]).astype(np.int64),
        np.ascontiguousarray(updates["operation"]),
        np.ascontiguousarray(updates["price_ticks"]),
        np.ascontiguousarray(updates["size"]),
        levels,
    )
    seq = np.arange(updates.shape[0], dtype=np.int64)
    ts = np.ascontiguousarray(updates["ts_ns"])
    return BookFrames(ts, seq, bid_px, bid_sz, ask_px, ask_sz, status), int(bad)


def frames_from_mbp10(
    ts_ns: np.ndarray,
    flags: np.ndarray,
    bid_ticks: np.ndarray,
    bid_size: np.ndarray,
    ask_ticks: np.ndarray,
    ask_size: np.ndarray,
) -> BookFrames:
    """Frames from MBP-10 records: one per event (the record flagged F_LAST carries the event's
    final state; earlier records of the event are intermediate). A snapshot run flags RESET."""
    flags = np.asarray(flags, dtype=np.uint8)
    if flags.shape[0] == 0:
        shape = np.shape(bid_ticks)
        return frames_from_records([], shape[1] if len(shape) == 2 else 10)
    last = np.flatnonzero(flags & F_LAST)
    snap = (flags & F_SNAPSHOT) != 0
    starts = snap & ~np.concatenate(([False], snap[:-1]))
    event_id = np.concatenate(([0], np.cumsum((flags[:-1] & F_LAST) != 0)))
    reset_events = np.zeros(last.shape[0] + 1, dtype=bool)
    reset_events[event_id[starts]] = True
    bids = np.asarray(bid_ticks, dtype=np.int64)[last]
    asks = np.asarray(ask_ticks, dtype=np.int64)[last]
    status = np.where(reset_events[: last.shape[0]], STATUS_RESET, 0).astype(np.uint8)
    status |= _array_status(bids, asks)
    return BookFrames(
        np.asarray(ts_ns, dtype=np.int64)[last],
        last.astype(np.int64),
        bids,
        np.asarray(bid_size, dtype=np.int64)[last],
        asks,
        np.asarray(ask_size, dtype=np.int64)[last],
        status,
    )
