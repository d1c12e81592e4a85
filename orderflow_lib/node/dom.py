"""The depth of market: the IB-style position book (10 levels a side) and, when enabled, the DOM
metrics (book imbalance, pulling, stacking, iceberg; `flow.DomEngine`) frame by frame.

With metrics on, every depth update and trade goes through the incremental engines in feed order.
With metrics off only the book is kept, replayed per batch by the book kernel from a seed of the
current levels (the same final book, much faster); the node chooses one mode for a whole run.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from orderflow_lib.feeds.events import DEPTH_RESET, KIND_DEPTH, KIND_TRADE
from orderflow_lib.flow.book import BookFrame, PositionBook, replay_depth
from orderflow_lib.flow.dom import DomEngine, DomParams
from orderflow_lib.flow.signals import Signal
from orderflow_lib.market.events import (
    DEPTH_DELETE,
    DEPTH_DTYPE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
    DepthUpdate,
)

Level = tuple[int, int]
DOM_LEVELS: Final = 10
KERNEL_MIN: Final = 64
"""Batches with at least this many depth updates go through the book kernel; smaller ones (live
traffic) through the same rules in plain Python, which is faster for a few updates."""


class DomTracker:
    """The book and optional DOM metrics of one session."""

    def __init__(self, levels: int = DOM_LEVELS, params: DomParams | None = None) -> None:
        self.levels = levels
        self.params = params
        self._book = PositionBook(levels)
        self._engine = DomEngine(params, book_levels=levels) if params is not None else None
        self.bids: tuple[Level, ...] = ()
        self.asks: tuple[Level, ...] = ()
        self.imbalance = float("nan")
        self.weighted_imbalance = float("nan")
        self.bad_updates = 0

    @property
    def metrics(self) -> bool:
        """True when DOM signals are computed."""
        return self._engine is not None

    def add(self, events: np.ndarray) -> list[tuple[int, Signal]]:
        """Apply a batch's depth updates (and, with metrics, its trades) in feed order; returns
        (event index, signal) of every DOM signal."""
        kind = events["kind"]
        if self._engine is None:
            depth = np.flatnonzero(kind == KIND_DEPTH)
            if depth.size >= KERNEL_MIN:
                self._replay(events[depth])
            elif depth.size:
                self._apply_rows(events[depth])
            return []
        return self._step(events, np.flatnonzero((kind == KIND_DEPTH) | (kind == KIND_TRADE)))

    def _step(self, events: np.ndarray, rows: np.ndarray) -> list[tuple[int, Signal]]:
        engine = self._engine
        assert engine is not None
        out: list[tuple[int, Signal]] = []
        frame: BookFrame | None = None
        picked = events[rows]
        for i, ts, kind, side, price, size, op, pos in zip(
            rows.tolist(),
            picked["ts_ns"].tolist(),
            picked["kind"].tolist(),
            picked["side"].tolist(),
            picked["price_ticks"].tolist(),
            picked["size"].tolist(),
            picked["operation"].tolist(),
            picked["position"].tolist(),
            strict=True,
        ):
            if kind == KIND_TRADE:
                out.extend((i, s) for s in engine.on_trade(ts, price, size, side))
                continue
            if op == DEPTH_RESET:
                self._book.reset()
                continue
            frame = self._book.apply(DepthUpdate(ts, side, pos, op, price, size))
            imbalance, weighted, signals = engine.on_frame(frame)
            self.imbalance, self.weighted_imbalance = imbalance, weighted
            out.extend((i, s) for s in signals)
        if frame is not None:
            self.bids, self.asks = frame.bids, frame.asks
        self.bad_updates = self._book.bad_updates
        return out

    def _apply_rows(self, depth: np.ndarray) -> None:
        """Position-book rules (as `flow.PositionBook`) applied row by row to the current levels."""
        sides = {1: list(self.bids), -1: list(self.asks)}
        for side_code, pos, op, price, size in zip(
            depth["side"].tolist(),
            depth["position"].tolist(),
            depth["operation"].tolist(),
            depth["price_ticks"].tolist(),
            depth["size"].tolist(),
            strict=True,
        ):
            if op == DEPTH_RESET:
                sides = {1: [], -1: []}
                continue
            side = sides.get(side_code)
            count = -1 if side is None else len(side)
            if side is None or pos < 0:
                self.bad_updates += 1
            elif op == DEPTH_INSERT and pos <= count and pos < self.levels:
                side.insert(pos, (price, size))
                del side[self.levels :]
            elif op == DEPTH_UPDATE and pos < count:
                side[pos] = (price, size)
            elif op == DEPTH_DELETE and pos < count:
                del side[pos]
            else:
                self.bad_updates += 1
        self.bids, self.asks = tuple(sides[1]), tuple(sides[-1])

    def _replay(self, depth: np.ndarray) -> None:
        """Final book of the updates, by the book kernel from a seed of the current levels."""
        resets = np.flatnonzero(depth["operation"] == DEPTH_RESET)
        if resets.size:
            self.bids, self.asks = (), ()
            depth = depth[int(resets[-1]) + 1 :]
        seed = [(1, k, p, s) for k, (p, s) in enumerate(self.bids)]
        seed += [(-1, k, p, s) for k, (p, s) in enumerate(self.asks)]
        updates = np.zeros(len(seed) + depth.shape[0], dtype=DEPTH_DTYPE)
        for j, (side, k, p, s) in enumerate(seed):
            updates[j] = (0, side, k, DEPTH_INSERT, p, s)
        body = updates[len(seed) :]
        body["ts_ns"] = depth["ts_ns"]
        body["book_side"] = depth["side"]
        body["position"] = depth["position"]
        body["operation"] = depth["operation"]
        body["price_ticks"] = depth["price_ticks"]
        body["size"] = depth["size"]
        if updates.shape[0] == 0:
            return
        frames, bad = replay_depth(updates, self.levels)
        last = frames.frame(len(frames) - 1)
        self.bids, self.asks = last.bids, last.asks
        self.bad_updates += bad
