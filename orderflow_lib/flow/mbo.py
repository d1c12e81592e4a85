"""The market-by-order (L3) book from Databento MBO messages: each event's messages (up to the one
flagged F_LAST, flags & 0x80) are applied atomically; a snapshot run (flags & 0x20) or a clear (R)
rebuilds from empty. Every trade is checked against the book its event met (spec §7.1, §7.10).

Batch form `replay_mbo` (numba) and incremental `MboBook` give the same frames, trade checks and
counters. Unknown order ids, duplicate adds, over-cancels and bad messages are counted, flagged
BAD_INPUT on the frame, and never applied blindly."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from orderflow_lib.flow.book import BookFrame, BookFrames
from orderflow_lib.kernels.book import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_CLEAR,
    ACTION_FILL,
    ACTION_MODIFY,
    ACTION_TRADE,
    COUNTERS,
    F_LAST,
    F_SNAPSHOT,
    NO_PRICE,
    STATUS_BAD_INPUT,
    STATUS_CROSSED,
    STATUS_LOCKED,
    STATUS_RESET,
    _mbo_replay,
)
from orderflow_lib.market.readers.dbn import MBO_DTYPE

BID = 0
ASK = 1


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


class _Side:
    """One side's price levels: size per price and the prices in ascending order."""

    def __init__(self) -> None:
        self.size: dict[int, int] = {}
        self.prices: list[int] = []

    def change(self, price: int, qty: int) -> None:
        before = self.size.get(price, 0)
        after = max(before + qty, 0)
        if after:
            self.size[price] = after
            if not before:
                bisect.insort(self.prices, price)
        elif before:
            del self.size[price]
            del self.prices[bisect.bisect_left(self.prices, price)]


class MboBook:
    """Incremental MBO book: feed messages in feed order; returns a frame when an event completes.

    The trade checks of the last completed event are in `last_trades`; counters in `counters`.
    """

    def __init__(self, levels: int = 10) -> None:
        if levels < 1:
            raise ValueError(f"levels must be >= 1, was {levels}")
        self.levels = levels
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.last_trades: list[TradeCheck] = []
        self._orders: dict[int, list[int]] = {}
        self._sides = (_Side(), _Side())
        self._event: list[tuple[int, int, int, int, int, int, int, int]] = []
        self._seq = -1
        self._in_snapshot = False

    @property
    def pending_messages(self) -> int:
        """Messages of an event still waiting for its F_LAST message."""
        return len(self._event)

    def best_bid(self) -> int:
        """Best bid price in ticks (NO_PRICE when empty)."""
        prices = self._sides[BID].prices
        return prices[-1] if prices else NO_PRICE

    def best_ask(self) -> int:
        """Best ask price in ticks (NO_PRICE when empty)."""
        prices = self._sides[ASK].prices
        return prices[0] if prices else NO_PRICE

    def apply(
        self,
        ts_ns: int,
        action: int,
        side: int,
        price_ticks: int,
        size: int,
        order_id: int,
        flags: int,
    ) -> BookFrame | None:
        """Buffer one message (action as an ASCII code); apply the event on its F_LAST message."""
        self._seq += 1
        self._event.append((self._seq, ts_ns, action, side, price_ticks, size, order_id, flags))
        if not flags & F_LAST:
            return None
        event, self._event = self._event, []
        self.last_trades = self._check_trades(event)
        status = 0
        for message in event:
            status |= self._apply_message(message)
        bb, ba = self.best_bid(), self.best_ask()
        if bb != NO_PRICE and ba != NO_PRICE:
            if bb > ba:
                status |= STATUS_CROSSED
                self.counters["crossed_frames"] += 1
            elif bb == ba:
                status |= STATUS_LOCKED
                self.counters["locked_frames"] += 1
        last = event[-1]
        return BookFrame(last[1], last[0], self._top(BID), self._top(ASK), status)

    def _top(self, s: int) -> tuple[tuple[int, int], ...]:
        side = self._sides[s]
        prices = side.prices[-self.levels :][::-1] if s == BID else side.prices[: self.levels]
        return tuple((p, side.size[p]) for p in prices)

    def _check_trades(
        self, event: list[tuple[int, int, int, int, int, int, int, int]]
    ) -> list[TradeCheck]:
        if not any(m[2] == ACTION_TRADE for m in event):
            return []
        fills = {m[6] for m in event if m[2] == ACTION_FILL}
        hidden: dict[tuple[int, int], int] = {}
        for m in event:
            if m[2] == ACTION_CANCEL and m[6] in self._orders and m[6] not in fills:
                o_side, o_price, _ = self._orders[m[6]]
                hidden[(o_side, o_price)] = hidden.get((o_side, o_price), 0) + m[5]
        took: dict[tuple[int, int], int] = {}
        bb, ba = self.best_bid(), self.best_ask()
        checks = []
        for seq, ts, action, aggr, price, size, _, _ in event:
            if action != ACTION_TRADE:
                continue
            touch = NO_PRICE
            if aggr != 0 and price != NO_PRICE:
                opp = ASK if aggr > 0 else BID
                levels = self._sides[opp]
                walk = levels.prices if opp == ASK else reversed(levels.prices)
                for p in walk:
                    key = (opp, p)
                    if levels.size[p] - took.get(key, 0) - hidden.get(key, 0) > 0:
                        touch = p
                        break
                took[(opp, price)] = took.get((opp, price), 0) + size
            checks.append(TradeCheck(seq, ts, price, size, aggr, bb, ba, touch))
        return checks

    def _clear(self) -> None:
        self._orders.clear()
        self._sides = (_Side(), _Side())

    def _apply_message(self, m: tuple[int, int, int, int, int, int, int, int]) -> int:
        _, _, action, side, price, size, oid, flags = m
        status = 0
        snap = bool(flags & F_SNAPSHOT)
        if (snap and not self._in_snapshot) or action == ACTION_CLEAR:
            self._clear()
            status |= STATUS_RESET
        self._in_snapshot = snap
        if action in (ACTION_CLEAR, ACTION_TRADE, ACTION_FILL):
            return status
        order = self._orders.get(oid)
        if action == ACTION_CANCEL:
            if order is None:
                self.counters["unknown_cancel"] += 1
                return status | STATUS_BAD_INPUT
            take = size
            if take > order[2]:
                self.counters["over_cancel"] += 1
                status |= STATUS_BAD_INPUT
                take = order[2]
            self._sides[order[0]].change(order[1], -take)
            order[2] -= take
            if order[2] == 0:
                del self._orders[oid]
            return status
        if action not in (ACTION_ADD, ACTION_MODIFY):
            self.counters["bad_message"] += 1
            return status | STATUS_BAD_INPUT
        if side not in (1, -1) or price == NO_PRICE or size <= 0:
            self.counters["bad_message"] += 1
            return status | STATUS_BAD_INPUT
        if order is not None:
            if action == ACTION_ADD:
                self.counters["duplicate_add"] += 1
                status |= STATUS_BAD_INPUT
            self._sides[order[0]].change(order[1], -order[2])
        elif action == ACTION_MODIFY:
            self.counters["unknown_modify"] += 1
            status |= STATUS_BAD_INPUT
        new = [BID if side == 1 else ASK, price, size]
        self._orders[oid] = new
        self._sides[new[0]].change(price, size)
        return status
