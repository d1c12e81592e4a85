"""The market-by-order (L3) book from Databento MBO messages: each event's messages (up to the one
flagged F_LAST, flags & 0x80) are applied atomically; a snapshot run (flags & 0x20) or a clear (R)
rebuilds from empty. Every trade is checked against the book its event met (spec §7.1, §7.10).

`replay_mbo` runs the book in numba over whole message arrays, with its frames, trade checks and
counters. Unknown order ids, duplicate adds, over-cancels and bad messages are counted, flagged
BAD_INPUT on the frame, and never applied blindly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orderflow_lib.flow.book import BookFrames
from orderflow_lib.kernels.book import (
    COUNTERS,
    NO_PRICE,
    _mbo_replay,
)
from orderflow_lib.market.readers.dbn import MBO_DTYPE


@dataclass(frozen=True, slots=True)
class TradeCheck:
    """A trade message and the book it met: best bid/ask before its event and the best opposite
    price accessible to it (NO_PRICE when none or when the trade has no aggressor)."""

    seq: int
    ts_ns: int
    price_ticks: int
    size: int
    side: int
    bid_before: int
    ask_before: int
    touch: int


@dataclass(frozen=True)
class MboReplay:
    """Frames after every event, the trade checks, and the bad-input counters."""

    frames: BookFrames
    trades: np.ndarray
    counters: dict[str, int]

    def trade_checks(self) -> list[TradeCheck]:
        """Trade checks as records."""
        return [TradeCheck(*(int(v) for v in row)) for row in self.trades]


def replay_mbo(
    ts_ns: np.ndarray,
    action: np.ndarray,
    side: np.ndarray,
    price_ticks: np.ndarray,
    size: np.ndarray,
    order_id: np.ndarray,
    flags: np.ndarray,
    levels: int = 10,
) -> MboReplay:
    """Replay MBO messages (action as ASCII codes, side +1/-1/0, prices in ticks) in feed order."""
    if levels < 1:
        raise ValueError(f"levels must be >= 1, was {levels}")
    px = np.ascontiguousarray(price_ticks, dtype=np.int64)
    valid = px[px != NO_PRICE]
    tmin = int(valid.min()) if valid.size else 0
    tmax = int(valid.max()) if valid.size else 0
    out = _mbo_replay(
        np.ascontiguousarray(ts_ns, dtype=np.int64),
        np.ascontiguousarray(action, dtype=np.uint8),
        np.ascontiguousarray(side, dtype=np.int8),
        px,
        np.ascontiguousarray(size, dtype=np.int64),
        np.ascontiguousarray(order_id, dtype=np.int64),
        np.ascontiguousarray(flags, dtype=np.uint8),
        levels,
        tmin,
        tmax,
    )
    frames = BookFrames(*out[:7])
    counters = {name: int(v) for name, v in zip(COUNTERS, out[8], strict=True)}
    return MboReplay(frames, out[7], counters)


def replay_mbo_messages(messages: np.ndarray, levels: int = 10) -> MboReplay:
    """`replay_mbo` of an MBO_DTYPE array (as `market.readers.dbn_mbo_array` returns)."""
    if messages.dtype != MBO_DTYPE:
        raise ValueError(f"messages must have MBO_DTYPE, had {messages.dtype}")
    return replay_mbo(
        messages["ts_ns"],
        messages["action"],
        messages["side"],
        messages["price_ticks"],
        messages["size"],
        messages["order_id"].astype(np.int64),
        messages["flags"],
        levels,
    )
