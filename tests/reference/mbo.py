"""Reference market-by-order book, one message at a time (the rules of `flow.replay_mbo`)."""

from __future__ import annotations

import bisect

from orderflow_lib.flow.book import BookFrame
from orderflow_lib.flow.mbo import TradeCheck
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
)

BID = 0
ASK = 1


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
