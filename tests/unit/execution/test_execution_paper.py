"""Paper broker on quotes only (no trade seen yet): market orders fill at the opposite best plus
slippage; rejects, partial fills, disconnects. Fills from trades: test_execution_paper_trades."""

import pytest

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.errors import BrokerError
from orderflow_lib.execution import (
    Fill,
    OrderAction,
    OrderIntent,
    OrderStatus,
    OrderStatusUpdate,
    PaperBroker,
)
from orderflow_lib.market.events import Quote


class Listener:
    def __init__(self) -> None:
        self.events: list[object] = []

    def on_order_status(self, update: OrderStatusUpdate) -> None:
        self.events.append(update)

    def on_fill(self, fill: Fill) -> None:
        self.events.append(fill)

    def on_connection(self, connected: bool, reason: str) -> None:
        self.events.append((connected, reason))


def _intent(order_id: str, action: OrderAction = OrderAction.BUY, quantity: int = 1) -> OrderIntent:
    return OrderIntent("s-" + order_id, "MES", action, quantity, 100, 0, order_id=order_id)


async def _broker(**kwargs) -> tuple[PaperBroker, Listener]:
    broker = PaperBroker(ReplayClock(1), **kwargs)
    listener = Listener()
    broker.add_listener(listener)
    await broker.connect()
    broker.on_quote("MES", Quote(1, 100, 5, 101, 7))
    return broker, listener


def _fills(listener: Listener) -> list[Fill]:
    return [e for e in listener.events if isinstance(e, Fill)]


def _statuses(listener: Listener) -> list[OrderStatus]:
    return [e.status for e in listener.events if isinstance(e, OrderStatusUpdate)]


async def test_buy_when_filled_then_at_ask_plus_slippage():
    broker, listener = await _broker(slippage_ticks=2)
    await broker.place_order(_intent("o1"))
    assert [f.price_ticks for f in _fills(listener)] == [103]
    assert _statuses(listener) == [OrderStatus.SUBMITTED, OrderStatus.FILLED]
    assert await broker.positions() == {"MES": 1}


async def test_sell_when_filled_then_at_bid_minus_slippage():
    broker, listener = await _broker(slippage_ticks=1)
    await broker.place_order(_intent("o1", OrderAction.SELL))
    assert [f.price_ticks for f in _fills(listener)] == [99]
    assert await broker.positions() == {"MES": -1}


async def test_order_when_no_quote_then_rejected():
    broker = PaperBroker(ReplayClock(1))
    listener = Listener()
    broker.add_listener(listener)
    await broker.connect()
    await broker.place_order(_intent("o1"))
    update = listener.events[-1]
    assert isinstance(update, OrderStatusUpdate)
    assert (update.status, update.reason) == (OrderStatus.REJECTED, "no market data for MES")


async def test_order_when_reject_rule_matches_then_rejected_with_its_reason():
    broker, listener = await _broker(reject_rule=lambda i: "size" if i.quantity > 1 else None)
    await broker.place_order(_intent("o1", quantity=2))
    await broker.place_order(_intent("o2"))
    assert _statuses(listener) == [OrderStatus.REJECTED, OrderStatus.SUBMITTED, OrderStatus.FILLED]


async def test_order_when_reject_probability_with_seed_then_reproducible():
    outcomes = []
    for _ in range(2):
        broker, listener = await _broker(reject_probability=0.5, seed=7)
        for i in range(20):
            await broker.place_order(_intent(f"o{i}"))
        outcomes.append(_statuses(listener))
    assert outcomes[0] == outcomes[1]
    assert OrderStatus.REJECTED in outcomes[0] and OrderStatus.FILLED in outcomes[0]


async def test_order_when_max_fill_per_quote_then_partial_fills_over_quotes():
    broker, listener = await _broker(max_fill_per_quote=1)
    await broker.place_order(_intent("o1", quantity=3))
    assert [f.cumulative_quantity for f in _fills(listener)] == [1]
    assert broker.working_orders() == ["o1"]
    broker.on_quote("MES", Quote(2, 101, 5, 102, 5))
    broker.on_quote("MES", Quote(3, 102, 5, 103, 5))
    assert [(f.cumulative_quantity, f.price_ticks) for f in _fills(listener)] == [
        (1, 101),
        (2, 102),
        (3, 103),
    ]
    assert _statuses(listener)[-1] is OrderStatus.FILLED
    assert broker.working_orders() == []


async def test_cancel_when_partially_filled_then_rest_cancelled():
    broker, listener = await _broker(max_fill_per_quote=1)
    await broker.place_order(_intent("o1", quantity=2))
    await broker.cancel_order("o1")
    assert _statuses(listener)[-1] is OrderStatus.CANCELLED
    with pytest.raises(BrokerError, match="no working order"):
        await broker.cancel_order("o1")


async def test_disconnect_switch_when_flipped_then_listeners_told_and_calls_refused():
    broker, listener = await _broker()
    broker.simulate_disconnect("cable pulled")
    assert listener.events[-1] == (False, "cable pulled")
    assert not broker.is_connected()
    with pytest.raises(BrokerError, match="disconnected"):
        await broker.place_order(_intent("o1"))
    with pytest.raises(BrokerError, match="disconnected"):
        await broker.positions()


async def test_order_when_order_id_missing_or_reused_then_refused():
    broker, _ = await _broker(max_fill_per_quote=1)
    with pytest.raises(BrokerError, match="order_id must be set"):
        await broker.place_order(_intent(""))
    await broker.place_order(_intent("o1", quantity=2))
    with pytest.raises(BrokerError, match="already working"):
        await broker.place_order(_intent("o1"))


async def test_account_when_round_trip_then_gbp_values_and_daily_pnl_in_usd():
    broker, _ = await _broker(gbp_per_usd=0.8, starting_cash_gbp=1_000.0)
    await broker.place_order(_intent("o1"))  # buys at 101
    broker.on_quote("MES", Quote(2, 111, 5, 112, 5))
    await broker.place_order(_intent("o2", OrderAction.SELL))  # sells at 111
    account = await broker.account()
    assert account.daily_pnl_usd == 10 * 1.25
    assert account.cash_gbp == 1_000.0 + 12.5 * 0.8
    assert account.daily_pnl_gbp == 10.0


async def test_start_new_day_when_called_then_daily_pnl_counts_from_there():
    broker, _ = await _broker()
    await broker.place_order(_intent("o1"))
    broker.on_quote("MES", Quote(2, 111, 5, 112, 5))
    broker.start_new_day()
    assert (await broker.account()).daily_pnl_usd == 0.0


def test_paper_broker_when_bad_settings_then_errors_name_the_value():
    with pytest.raises(ValueError, match="slippage_ticks must be >= 0, was -1"):
        PaperBroker(ReplayClock(0), slippage_ticks=-1)
    with pytest.raises(ValueError, match="reject_probability"):
        PaperBroker(ReplayClock(0), reject_probability=1.5)
    with pytest.raises(ValueError, match="max_fill_per_quote"):
        PaperBroker(ReplayClock(0), max_fill_per_quote=0)
