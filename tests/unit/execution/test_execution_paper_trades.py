"""Paper broker on tick data (spec §5.6 "Paper fills"): market at the next trade, stops on the first
trade at or through them, limits one tick through, brackets with an OCA pair of children."""

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution import (
    Fill,
    OpenOrder,
    OrderAction,
    OrderIntent,
    OrderStatus,
    OrderStatusUpdate,
    PaperBroker,
)
from orderflow_lib.market.events import Quote
from orderflow_lib.risk.venue import OrderType

BUY, SELL = OrderAction.BUY, OrderAction.SELL
# TM1: entry decided at 5011.50, stop 5009.50, target 5021.00 (ticks of 0.25)
ENTRY, STOP, TARGET = 20_046, 20_038, 20_084


class Listener:
    def __init__(self) -> None:
        self.events: list[object] = []

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        self.events.append(update)

    def on_fill(self, fill: Fill) -> None:
        self.events.append(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        self.events.append((connected, reason))

    def fills(self, order_id: str | None = None) -> list[tuple[str, int, int]]:
        return [
            (e.order_id, e.quantity, e.price_ticks)
            for e in self.events
            if isinstance(e, Fill) and order_id in (None, e.order_id)
        ]

    def statuses(self, order_id: str) -> list[tuple[OrderStatus, str]]:
        return [
            (e.status, e.reason)
            for e in self.events
            if isinstance(e, OrderStatusUpdate) and e.order_id == order_id
        ]


def _order(
    order_id: str,
    action: OrderAction,
    price_ticks: int = ENTRY,
    order_type: OrderType = OrderType.MARKET,
    *,
    quantity: int = 1,
    parent_id: str = "",
    oca_group: str = "",
) -> OrderIntent:
    return OrderIntent(
        "sig-1",
        "MES",
        action,
        quantity,
        price_ticks,
        0,
        order_id=order_id,
        order_type=order_type,
        parent_id=parent_id,
        oca_group=oca_group,
    )


def _bracket(
    direction: int = 1, quantity: int = 1, stop: int = STOP, target: int = TARGET
) -> tuple[OrderIntent, OrderIntent, OrderIntent]:
    entry, exit_ = (BUY, SELL) if direction > 0 else (SELL, BUY)
    return (
        _order("P", entry, quantity=quantity),
        _order("S", exit_, stop, OrderType.STOP, quantity=quantity, parent_id="P", oca_group="G"),
        _order(
            "T", exit_, target, OrderType.LIMIT, quantity=quantity, parent_id="P", oca_group="G"
        ),
    )


async def _broker(**kwargs) -> tuple[PaperBroker, Listener]:
    broker = PaperBroker(ReplayClock(1), **{"slippage_ticks": 1, **kwargs})
    listener = Listener()
    broker.add_listener(listener)
    await broker.connect()
    broker.on_trade("MES", 1, ENTRY)
    return broker, listener


async def test_market_when_trades_seen_then_waits_and_fills_at_next_trade_with_slippage():
    broker, listener = await _broker()
    await broker.place_order(_order("b", BUY))
    broker.on_quote("MES", Quote(2, ENTRY - 1, 5, ENTRY, 5))
    assert listener.fills() == []
    broker.on_trade("MES", 2, ENTRY + 2)
    await broker.place_order(_order("s", SELL))
    broker.on_trade("MES", 3, ENTRY + 5)
    assert listener.fills() == [("b", 1, ENTRY + 3), ("s", 1, ENTRY + 4)]
    assert listener.statuses("b") == [(OrderStatus.SUBMITTED, ""), (OrderStatus.FILLED, "")]
    fill = next(e for e in listener.events if isinstance(e, Fill))
    assert fill.ts_ns == 2


async def test_bracket_long_when_stop_hit_first_then_trade_minus_slippage_and_target_oca_cancelled():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket())
    for price in (ENTRY, STOP + 2, STOP + 1, STOP, STOP - 1):
        broker.on_trade("MES", 5, price)
    assert listener.fills() == [("P", 1, ENTRY + 1), ("S", 1, STOP - 1)]
    assert listener.statuses("T")[-1] == (OrderStatus.CANCELLED, "OCA")
    assert listener.statuses("S")[-1] == (OrderStatus.FILLED, "")
    assert await broker.positions() == {}
    assert await broker.open_orders() == []
    assert (await broker.account()).daily_pnl_usd == (STOP - 1 - (ENTRY + 1)) * 1.25


async def test_bracket_long_when_trade_only_touches_target_then_fills_one_tick_through_at_limit():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    broker.on_trade("MES", 3, TARGET)
    assert listener.fills("T") == []
    broker.on_trade("MES", 4, TARGET + 1)
    assert listener.fills("T") == [("T", 1, TARGET)]
    assert listener.statuses("S")[-1] == (OrderStatus.CANCELLED, "OCA")
    assert await broker.positions() == {}


async def test_bracket_short_when_stop_hit_then_fills_at_trade_plus_slippage():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket(-1, stop=ENTRY + 8, target=ENTRY - 30))
    for price in (ENTRY, ENTRY + 7, ENTRY + 9):
        broker.on_trade("MES", 2, price)
    assert listener.fills() == [("P", 1, ENTRY - 1), ("S", 1, ENTRY + 10)]
    assert listener.statuses("T")[-1] == (OrderStatus.CANCELLED, "OCA")


async def test_bracket_when_placed_then_open_orders_show_children_with_parent_and_oca_group():
    broker, _ = await _broker()
    ids = await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    assert ids == ("PAPER-1", "PAPER-2", "PAPER-3")
    assert await broker.open_orders() == [
        OpenOrder("S", "PAPER-2", "MES", SELL, OrderType.STOP, 1, 0, STOP, "P", "G"),
        OpenOrder("T", "PAPER-3", "MES", SELL, OrderType.LIMIT, 1, 0, TARGET, "P", "G"),
    ]


async def test_children_when_parent_not_filled_then_trades_through_them_fill_nothing():
    broker, listener = await _broker()
    await broker.place_order(_order("P", BUY, ENTRY - 4, OrderType.LIMIT))
    await broker.place_order(
        _order("T", SELL, ENTRY + 10, OrderType.LIMIT, parent_id="P", oca_group="G")
    )
    broker.on_trade("MES", 2, ENTRY + 11)
    assert listener.fills() == []
    broker.on_trade("MES", 3, ENTRY - 5)
    broker.on_trade("MES", 4, ENTRY + 11)
    assert listener.fills() == [("P", 1, ENTRY - 4), ("T", 1, ENTRY + 10)]


async def test_children_when_parent_fill_trade_is_through_the_stop_then_stop_fills_on_that_print():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, STOP - 3)
    assert listener.fills() == [("P", 1, STOP - 2), ("S", 1, STOP - 4)]
    assert await broker.positions() == {}


async def test_stop_when_market_gaps_through_it_then_fills_at_the_gap_trade_price():
    broker, listener = await _broker()
    await broker.place_order(_order("b", BUY))
    broker.on_trade("MES", 2, ENTRY)
    await broker.place_order(_order("s", SELL, STOP, OrderType.STOP))
    for price in (STOP + 3, STOP + 1, STOP - 12, STOP - 2):
        broker.on_trade("MES", 3, price)
    assert listener.fills("s") == [("s", 1, STOP - 13)]


async def test_single_limit_when_placed_then_fills_at_limit_on_a_trade_through_it():
    broker, listener = await _broker()
    await broker.place_order(_order("l", BUY, ENTRY - 4, OrderType.LIMIT))
    broker.on_trade("MES", 2, ENTRY - 4)
    broker.on_trade("MES", 3, ENTRY - 6)
    assert listener.fills() == [("l", 1, ENTRY - 4)]


async def test_cancel_child_when_in_position_then_only_that_child_goes_and_sibling_still_fills():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    await broker.cancel_order("S")
    assert listener.statuses("S")[-1] == (OrderStatus.CANCELLED, "cancelled")
    assert [o.order_id for o in await broker.open_orders()] == ["T"]
    broker.on_trade("MES", 3, STOP - 1)
    assert await broker.positions() == {"MES": 1}
    broker.on_trade("MES", 4, TARGET + 1)
    assert listener.fills("T") == [("T", 1, TARGET)]
    assert await broker.positions() == {}


async def test_cancel_parent_when_unfilled_then_children_cancelled_too():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket())
    await broker.cancel_order("P")
    assert listener.statuses("S")[-1] == (OrderStatus.CANCELLED, "parent cancelled")
    assert listener.statuses("T")[-1] == (OrderStatus.CANCELLED, "parent cancelled")
    assert await broker.open_orders() == []
    with pytest.raises(BrokerError, match="no working order 'S'"):
        await broker.cancel_order("S")


async def test_partial_parent_fill_when_stop_hit_then_stop_covers_only_what_filled():
    broker, listener = await _broker(max_fill_per_quote=1)
    await broker.place_bracket(*_bracket(quantity=2))
    broker.on_trade("MES", 2, STOP)
    assert listener.fills() == [("P", 1, STOP + 1), ("S", 1, STOP - 1)]
    assert listener.statuses("T")[-1] == (OrderStatus.CANCELLED, "OCA")
    assert listener.statuses("P")[-1] == (OrderStatus.CANCELLED, "bracket child filled")
    assert listener.statuses("S")[-1] == (OrderStatus.FILLED, "")
    assert await broker.positions() == {}
    assert await broker.open_orders() == []


async def test_partial_parent_fill_when_partly_filled_then_open_orders_show_it():
    broker, _ = await _broker(max_fill_per_quote=1)
    await broker.place_bracket(*_bracket(quantity=2))
    broker.on_trade("MES", 2, ENTRY)
    assert [(o.order_id, o.filled, o.remaining) for o in await broker.open_orders()] == [
        ("P", 1, 1),
        ("S", 0, 2),
        ("T", 0, 2),
    ]
    assert await broker.positions() == {"MES": 1}


async def test_partial_parent_fill_when_completed_then_triggered_stop_fills_over_next_trades():
    broker, listener = await _broker(max_fill_per_quote=1)
    await broker.place_bracket(*_bracket(quantity=2))
    broker.on_trade("MES", 2, ENTRY)
    broker.on_trade("MES", 3, ENTRY + 1)
    assert await broker.positions() == {"MES": 2}
    broker.on_trade("MES", 4, STOP)
    broker.on_trade("MES", 5, STOP + 4)
    assert listener.fills("S") == [("S", 1, STOP - 1), ("S", 1, STOP + 3)]
    assert await broker.positions() == {}


async def test_cancel_parent_when_partly_filled_then_children_cover_the_filled_part():
    broker, _ = await _broker(max_fill_per_quote=1)
    await broker.place_bracket(*_bracket(quantity=3))
    broker.on_trade("MES", 2, ENTRY)
    await broker.cancel_order("P")
    assert [(o.order_id, o.quantity) for o in await broker.open_orders()] == [("S", 1), ("T", 1)]


async def test_bracket_when_parent_rejected_then_children_cancelled():
    broker, listener = await _broker(reject_rule=lambda intent: "margin")
    await broker.place_bracket(*_bracket())
    assert listener.statuses("P") == [(OrderStatus.REJECTED, "margin")]
    assert listener.statuses("S") == [(OrderStatus.CANCELLED, "parent rejected")]
    assert await broker.open_orders() == []


@pytest.mark.parametrize(
    ("index", "change", "message"),
    [
        (0, {"order_type": OrderType.LIMIT}, "must be MARKET, was LIMIT"),
        (1, {"parent_id": "X"}, "must name parent 'P', named 'X'"),
        (2, {"action": BUY}, "other side of the parent"),
        (2, {"quantity": 2}, "must be 1 MES like its parent, was 2 MES"),
        (1, {"oca_group": ""}, "share one non-empty oca_group"),
    ],
)
async def test_bracket_when_malformed_then_refused_with_the_reason(index, change, message):
    from dataclasses import replace

    broker, listener = await _broker()
    orders = list(_bracket())
    orders[index] = replace(orders[index], **change)
    with pytest.raises(BrokerError, match=message):
        await broker.place_bracket(*orders)
    assert await broker.open_orders() == [] and listener.fills() == []


async def test_quotes_when_trades_seen_then_mark_positions_but_fill_nothing():
    broker, listener = await _broker()
    await broker.place_bracket(*_bracket())
    broker.on_trade("MES", 2, ENTRY)
    broker.on_quote("MES", Quote(3, STOP - 5, 5, STOP - 4, 5))
    assert listener.fills() == [("P", 1, ENTRY + 1)]
    assert (await broker.account()).daily_pnl_usd == (STOP - 4.5 - (ENTRY + 1)) * 1.25


@settings(max_examples=300, deadline=None)
@given(
    direction=st.sampled_from([1, -1]),
    quantity=st.integers(1, 3),
    cap=st.one_of(st.none(), st.integers(1, 2)),
    stop_offset=st.integers(-6, 6),
    target_offset=st.integers(-6, 6),
    moves=st.lists(st.integers(-4, 4), max_size=40),
    cancel_at=st.one_of(st.none(), st.integers(0, 40)),
)
def test_bracket_when_any_trades_then_position_within_parent_and_at_most_one_child_fills(
    direction, quantity, cap, stop_offset, target_offset, moves, cancel_at
):
    async def run() -> None:
        broker, listener = await _broker(max_fill_per_quote=cap)
        bracket = _bracket(
            direction, quantity, ENTRY - direction * 4 + stop_offset, ENTRY + target_offset
        )
        await broker.place_bracket(*bracket)
        price = ENTRY
        for step, move in enumerate(moves):
            if step == cancel_at and "P" in broker.working_orders():
                await broker.cancel_order("P")
            price += move
            broker.on_trade("MES", step + 2, price)
            held = (await broker.positions()).get("MES", 0) * direction
            parent_filled = sum(q for _, q, _ in listener.fills("P"))
            exited = sum(q for _, q, _ in listener.fills("S") + listener.fills("T"))
            assert 0 <= held == parent_filled - exited <= quantity
        assert not (listener.fills("S") and listener.fills("T"))

    asyncio.run(run())
