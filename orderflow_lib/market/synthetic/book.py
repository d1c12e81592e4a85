"""IB-style depth updates (insert/update/delete by position, 10 levels a side) from book events.

The book is contiguous: position p holds the best price p ticks away (bid - p, ask + p). Each book
event of the generator expands into a fixed template of operations, so a consumer that applies them
in order always holds ten levels a side whose position 0 equals the best bid/offer of the quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from orderflow_lib.market.events import (
    BOOK_ASK,
    BOOK_BID,
    DEPTH_DELETE,
    DEPTH_DTYPE,
    DEPTH_INSERT,
    DEPTH_UPDATE,
)
from orderflow_lib.market.synthetic.sizes import resting_sizes

LEVELS: Final = 10
FROM_ROW: Final = -99

CODE_NONE: Final = -1
CODE_SNAPSHOT: Final = 0
CODE_TOP_BID: Final = 1
CODE_TOP_ASK: Final = 2
CODE_DEEP: Final = 3
CODE_BID_UP: Final = 4
CODE_BID_DOWN: Final = 5
CODE_ASK_UP: Final = 6
CODE_ASK_DOWN: Final = 7
CODE_BOTH_UP: Final = 8
CODE_BOTH_DOWN: Final = 9

SIZE_ZERO: Final = 0
SIZE_TOP: Final = 1
SIZE_RANDOM: Final = 2
SIZE_ROW: Final = 3

_Op = tuple[int, int, int, int, int]
_BID_UP: list[_Op] = [
    (BOOK_BID, LEVELS - 1, DEPTH_DELETE, LEVELS, SIZE_ZERO),
    (BOOK_BID, 0, DEPTH_INSERT, 0, SIZE_TOP),
]
_BID_DOWN: list[_Op] = [
    (BOOK_BID, 0, DEPTH_DELETE, -1, SIZE_ZERO),
    (BOOK_BID, LEVELS - 1, DEPTH_INSERT, LEVELS - 1, SIZE_RANDOM),
    (BOOK_BID, 0, DEPTH_UPDATE, 0, SIZE_TOP),
]
_ASK_UP: list[_Op] = [(BOOK_ASK, *op[1:]) for op in _BID_DOWN]
_ASK_DOWN: list[_Op] = [(BOOK_ASK, *op[1:]) for op in _BID_UP]
_SNAPSHOT: list[_Op] = [
    (side, level, DEPTH_INSERT, level, SIZE_TOP if level == 0 else SIZE_RANDOM)
    for side in (BOOK_BID, BOOK_ASK)
    for level in range(LEVELS)
]
_TEMPLATES: dict[int, list[_Op]] = {
    CODE_SNAPSHOT: _SNAPSHOT,
    CODE_TOP_BID: [(BOOK_BID, 0, DEPTH_UPDATE, 0, SIZE_TOP)],
    CODE_TOP_ASK: [(BOOK_ASK, 0, DEPTH_UPDATE, 0, SIZE_TOP)],
    CODE_DEEP: [(FROM_ROW, FROM_ROW, DEPTH_UPDATE, FROM_ROW, SIZE_ROW)],
    CODE_BID_UP: _BID_UP,
    CODE_BID_DOWN: _BID_DOWN,
    CODE_ASK_UP: _ASK_UP,
    CODE_ASK_DOWN: _ASK_DOWN,
    CODE_BOTH_UP: _ASK_UP + _BID_UP,
    CODE_BOTH_DOWN: _BID_DOWN + _ASK_DOWN,
}


def _template_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flattened templates: op fields (n_ops x 5), first op index and op count per code."""
    codes = sorted(_TEMPLATES)
    first = np.zeros(len(codes), dtype=np.int64)
    count = np.zeros(len(codes), dtype=np.int64)
    rows: list[_Op] = []
    for code in codes:
        first[code] = len(rows)
        count[code] = len(_TEMPLATES[code])
        rows.extend(_TEMPLATES[code])
    return np.array(rows, dtype=np.int64), first, count


_OPS, _FIRST, _COUNT = _template_table()


def step_codes(d_bid: np.ndarray, d_ask: np.ndarray) -> np.ndarray:
    """Template code of a price change row from its one-tick bid and ask moves (CODE_NONE if none)."""
    code = np.full(d_bid.size, CODE_NONE, dtype=np.int64)
    code[(d_bid > 0) & (d_ask == 0)] = CODE_BID_UP
    code[(d_bid < 0) & (d_ask == 0)] = CODE_BID_DOWN
    code[(d_ask > 0) & (d_bid == 0)] = CODE_ASK_UP
    code[(d_ask < 0) & (d_bid == 0)] = CODE_ASK_DOWN
    code[(d_bid > 0) & (d_ask > 0)] = CODE_BOTH_UP
    code[(d_bid < 0) & (d_ask < 0)] = CODE_BOTH_DOWN
    return code


def expand_depth(
    code: np.ndarray,
    ts_ns: np.ndarray,
    bid_ticks: np.ndarray,
    ask_ticks: np.ndarray,
    bid_size: np.ndarray,
    ask_size: np.ndarray,
    row_side: np.ndarray,
    row_position: np.ndarray,
    row_change: np.ndarray,
    row_in_rth: np.ndarray,
    salt: int,
) -> np.ndarray:
    """DEPTH_DTYPE rows of every book event (rows with CODE_NONE give none), in row order.

    Prices and top sizes are the state after the row; levels that appear at the back of the book
    (and the snapshot's deeper levels) show their price's resting size, a deep row the resting size
    plus its change. Single-operation rows (the vast majority) are written directly; only price
    changes go through the templates.
    """
    n_ops = np.where(code >= 0, _COUNT[np.maximum(code, 0)], 0)
    offset = np.cumsum(n_ops) - n_ops
    total = int(n_ops.sum())
    columns = _Columns(
        ts_ns=np.empty(total, dtype=np.int64),
        side=np.empty(total, dtype=np.int8),
        position=np.empty(total, dtype=np.int16),
        operation=np.empty(total, dtype=np.int8),
        price=np.empty(total, dtype=np.int64),
        size=np.empty(total, dtype=np.int64),
    )
    for top_code, top_side, top_price, top_size in (
        (CODE_TOP_BID, BOOK_BID, bid_ticks, bid_size),
        (CODE_TOP_ASK, BOOK_ASK, ask_ticks, ask_size),
    ):
        rows = np.flatnonzero(code == top_code)
        columns.put(
            offset[rows], ts_ns[rows], top_side, 0, DEPTH_UPDATE, top_price[rows], top_size[rows]
        )

    rows = np.flatnonzero(code == CODE_DEEP)
    side = row_side[rows]
    away = row_position[rows].astype(np.int64)
    price = np.where(side == BOOK_BID, bid_ticks[rows] - away, ask_ticks[rows] + away)
    size = resting_sizes(price, ts_ns[rows], away, row_in_rth[rows], salt) + row_change[rows]
    columns.put(offset[rows], ts_ns[rows], side, away, DEPTH_UPDATE, price, np.maximum(size, 1))

    rows = np.flatnonzero(n_ops > 1)
    row_code = code[rows]
    counts = _COUNT[row_code]
    row_of_op = np.repeat(rows, counts)
    op_rank = np.arange(row_of_op.size) - np.repeat(np.cumsum(counts) - counts, counts)
    template = _OPS[np.repeat(_FIRST[row_code], counts) + op_rank]
    side = template[:, 0]
    away = template[:, 3]
    is_bid = side == BOOK_BID
    price = np.where(is_bid, bid_ticks[row_of_op] - away, ask_ticks[row_of_op] + away)
    top = np.where(is_bid, bid_size[row_of_op], ask_size[row_of_op])
    size = np.where(template[:, 4] == SIZE_TOP, top, 0)
    fresh = np.flatnonzero(template[:, 4] == SIZE_RANDOM)
    fresh_row = row_of_op[fresh]
    size[fresh] = resting_sizes(
        price[fresh], ts_ns[fresh_row], template[fresh, 3], row_in_rth[fresh_row], salt
    )
    columns.put(
        offset[row_of_op] + op_rank,
        ts_ns[row_of_op],
        side,
        template[:, 1],
        template[:, 2],
        price,
        size,
    )
    return columns.to_array()


@dataclass(frozen=True, slots=True)
class _Columns:
    """Plain column arrays of the depth output, filled by scatter and packed once at the end."""

    ts_ns: np.ndarray
    side: np.ndarray
    position: np.ndarray
    operation: np.ndarray
    price: np.ndarray
    size: np.ndarray

    def put(
        self,
        at: np.ndarray,
        ts_ns: np.ndarray,
        side: np.ndarray | int,
        position: np.ndarray | int,
        operation: np.ndarray | int,
        price: np.ndarray,
        size: np.ndarray,
    ) -> None:
        self.ts_ns[at] = ts_ns
        self.side[at] = side
        self.position[at] = position
        self.operation[at] = operation
        self.price[at] = price
        self.size[at] = size

    def to_array(self) -> np.ndarray:
        out = np.empty(self.ts_ns.size, dtype=DEPTH_DTYPE)
        out["ts_ns"] = self.ts_ns
        out["book_side"] = self.side
        out["position"] = self.position
        out["operation"] = self.operation
        out["price_ticks"] = self.price
        out["size"] = self.size
        return out
