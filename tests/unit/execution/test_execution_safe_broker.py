"""SafeBroker: orders reach the paper broker only through the gate; broker events reach the manager."""

from datetime import date, time

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.timeconv import ny_to_ns
from orderflow_lib.execution import OrderAction, OrderIntent, OrderStatus, PaperBroker, SafeBroker
from orderflow_lib.market.events import Quote
from orderflow_lib.risk import (
    DenialReason,
    InMemorySafetyStore,
    ProductionSafetyManager,
    SafetyLimits,
)

KEY = "s" * 40
NOW = ny_to_ns(date(2025, 6, 3), time(11, 0))
PRICE = 24_000


async def _setup(**paper_kwargs):
    clock = ReplayClock(NOW)
    store = InMemorySafetyStore()
    manager = await ProductionSafetyManager.create(store, RiskSettings(), clock, auth_key=KEY)
    paper = PaperBroker(clock, **paper_kwargs)
    safe = SafeBroker(manager, paper)
    paper.add_listener(safe)
    await safe.connect()
    paper.on_quote("MES", Quote(NOW, PRICE, 5, PRICE + 1, 5))
    manager.on_last_trade("MES", PRICE)
    return clock, store, manager, paper, safe


def _intent(signal_id: str, action: OrderAction = OrderAction.BUY) -> OrderIntent:
    return OrderIntent(signal_id, "MES", action, 1, PRICE, NOW)


def test_safe_broker_when_inspected_then_offers_no_direct_order_entry():
    assert not hasattr(SafeBroker, "place_order")
    assert hasattr(SafeBroker, "submit")


async def test_submit_when_gate_allows_then_paper_fill_reaches_manager_and_store():
    _, store, manager, paper, safe = await _setup()
    result = await safe.submit(_intent("a"))
    assert result.accepted and result.broker_order_id == "PAPER-1"
    assert manager.positions == {"MES": 1} == dict(await paper.positions())
    order = store.get_order(result.order_id or "")
    assert (
        order is not None
        and order.status is OrderStatus.FILLED
        and order.filled_price_ticks == PRICE + 1
    )


async def test_submit_when_paper_rejects_then_signal_cools_down():
    _, _, manager, _, safe = await _setup(reject_rule=lambda intent: "margin")
    result = await safe.submit(_intent("a"))
    assert result.accepted
    assert manager.orders()[0].status is OrderStatus.REJECTED
    assert (await safe.submit(_intent("a"))).reason == DenialReason.REJECT_COOLDOWN


async def test_disconnect_switch_when_flipped_then_fence_up_and_reconnect_keeps_it():
    _, _, manager, paper, safe = await _setup()
    paper.simulate_disconnect("gateway restart")
    await safe.connect()
    assert safe.is_connected()
    assert manager.state.fence_active and "gateway restart" in manager.state.fence_reason
    assert (await safe.submit(_intent("a"))).reason == DenialReason.FENCE_ACTIVE
    manager.deactivate_fence(KEY, address="127.0.0.1")
    assert (await safe.submit(_intent("b"))).accepted


async def test_refresh_account_when_loss_beyond_limit_then_breaker_trips():
    _, _, manager, paper, safe = await _setup(gbp_per_usd=0.8)
    await safe.submit(_intent("a"))
    paper.on_quote("MES", Quote(NOW, PRICE - 600, 5, PRICE - 599, 5))
    await safe.refresh_account()
    assert manager.state.breaker_tripped


async def test_cancel_when_partial_then_manager_sees_cancelled_order():
    _, _, manager, _, safe = await _setup(max_fill_per_quote=1)
    manager.update_config(KEY, address="ops", limits=SafetyLimits(max_order_size=2))
    result = await safe.submit(OrderIntent("a", "MES", OrderAction.BUY, 2, PRICE, NOW))
    assert result.order_id is not None
    await safe.cancel(result.order_id)
    order = manager.orders()[0]
    assert (order.status, order.filled_quantity) == (OrderStatus.CANCELLED, 1)
    assert manager.positions == {"MES": 1}
