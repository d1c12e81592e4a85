"""The real ProductionSafetyManager on the SQL store (SQLite and PostgreSQL), restarted from the database.

Each restart opens the store afresh and creates a new manager and paper broker, as a node
process does after a crash: the fence, fractional fill averages and reject cooldowns must survive.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time

import pytest

from orderflow_lib.core.clock import ReplayClock
from orderflow_lib.core.config import RiskSettings, Settings
from orderflow_lib.core.timeconv import NS_PER_MINUTE, ns_to_ny, ny_to_ns
from orderflow_lib.execution import PaperBroker, SafeBroker
from orderflow_lib.market.events import Quote
from orderflow_lib.risk import (
    AuthenticationError,
    DenialReason,
    OrderAction,
    OrderIntent,
    OrderStatus,
    ProductionSafetyManager,
)
from orderflow_lib.store import Store, open_store

AUTH_KEY = "k" * 40
NOW = ny_to_ns(date(2025, 6, 3), time(11, 0))
PRICE = 24_000  # 6000.00 in MES ticks
SETTINGS = Settings(risk=RiskSettings(max_order_size=2))
SOURCE = "synthetic"
ACTOR = "test"


def _trade_date(ts_ns: int) -> date:
    return ns_to_ny(ts_ns).date()


def _intent(signal_id: str, quantity: int = 1) -> OrderIntent:
    return OrderIntent(signal_id, "MES", OrderAction.BUY, quantity, PRICE, NOW)


@dataclass
class Run:
    """One process lifetime: an opened store, the manager loaded from it and its paper broker."""

    store: Store
    manager: ProductionSafetyManager
    paper: PaperBroker
    safe: SafeBroker

    def stop(self) -> None:
        """Shut down as a node does: close the manager, then release the database."""
        self.manager.close()
        self.store.close()


class Restarts:
    """Starts runs on one database with one clock; closes whatever is still open at the end."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.clock = ReplayClock(NOW)
        self._stores: list[Store] = []

    async def start(self, **paper_kwargs: object) -> Run:
        """Open the store, create the manager from it, connect a paper broker quoting MES at PRICE."""
        store = open_store(self.db_url)
        self._stores.append(store)
        manager = await ProductionSafetyManager.create(
            store.safety_store(SOURCE, ACTOR),
            SETTINGS.risk,
            self.clock,
            auth_key=AUTH_KEY,
            in_trading_window=lambda ts_ns: True,
            trade_date_of=_trade_date,
        )
        paper = PaperBroker(self.clock, **paper_kwargs)  # type: ignore[arg-type]
        safe = SafeBroker(manager, paper)
        paper.add_listener(safe)
        await safe.connect()
        self.quote(paper, PRICE + 1)
        manager.on_last_trade("MES", PRICE)
        return Run(store, manager, paper, safe)

    def quote(self, paper: PaperBroker, ask_ticks: int) -> None:
        """Quote MES one tick wide with `ask_ticks` as the offer (a market buy fills there)."""
        paper.on_quote("MES", Quote(self.clock.now_ns(), ask_ticks - 1, 5, ask_ticks, 5))

    def close(self) -> None:
        """Release every store opened (closing twice is harmless)."""
        for store in self._stores:
            store.close()


@pytest.fixture
def restarts(db_url: str) -> Iterator[Restarts]:
    """Restartable runs on an empty SQLite file or PostgreSQL schema."""
    runs = Restarts(db_url)
    try:
        yield runs
    finally:
        runs.close()


async def test_fence_when_broker_disconnects_then_survives_restart_and_reconnect_until_key(
    restarts: Restarts,
) -> None:
    first = await restarts.start()
    first.paper.simulate_disconnect("gateway restart")
    await first.safe.connect()
    fenced_after_reconnect = first.manager.state.fence_active
    first.stop()

    restarts.clock.advance_s(60)
    second = await restarts.start()
    reloaded = second.manager.state
    denied = await second.safe.submit(_intent("S-1"))
    with pytest.raises(AuthenticationError):
        second.manager.deactivate_fence("x" * 40, address="10.0.0.9")
    fenced_after_bad_key = second.manager.state.fence_active
    lifted = second.manager.deactivate_fence(AUTH_KEY, address="10.0.0.9")
    second.stop()

    restarts.clock.advance_s(60)
    third = await restarts.start()
    accepted = await third.safe.submit(_intent("S-2"))
    events = [e.event for e in third.store.safety(SOURCE, ACTOR).recent_security_events(50)]

    assert fenced_after_reconnect
    assert reloaded.fence_active and "gateway restart" in reloaded.fence_reason
    assert denied.reason == DenialReason.FENCE_ACTIVE
    assert fenced_after_bad_key
    assert not lifted.fence_active and not third.manager.state.fence_active
    assert accepted.accepted
    assert {"FENCE_ACTIVATED", "BROKER_CONNECTED", "AUTH_FAILED", "FENCE_DEACTIVATED"} <= set(
        events
    )


async def test_two_lot_order_when_filled_at_two_prices_then_fractional_average_survives_restart(
    restarts: Restarts,
) -> None:
    first = await restarts.start(max_fill_per_quote=1)
    result = await first.safe.submit(_intent("S-2lot", quantity=2))
    assert result.accepted and result.order_id is not None
    partial = first.store.orders(SOURCE).get(result.order_id)
    restarts.clock.advance_s(1)
    restarts.quote(first.paper, PRICE + 2)
    filled = first.manager.orders()
    fenced, degraded = first.manager.state.fence_active, first.manager.store_degraded
    first.stop()

    second = await restarts.start()
    reloaded = second.manager.orders()
    stored = second.store.orders(SOURCE).get(result.order_id)

    assert partial is not None
    assert (partial.status, partial.filled_quantity, partial.filled_price_ticks) == (
        OrderStatus.SUBMITTED,
        1,
        PRICE + 1,
    )
    assert (fenced, degraded) == (False, False)
    assert [(o.status, o.filled_quantity, o.filled_price_ticks) for o in filled] == [
        (OrderStatus.FILLED, 2, PRICE + 1.5)
    ]
    assert reloaded == filled and stored == filled[0]
    assert second.manager.positions == {"MES": 2}
    assert not second.manager.state.fence_active


async def test_rejected_signal_when_manager_restarts_then_still_cools_down_until_expiry(
    restarts: Restarts,
) -> None:
    first = await restarts.start(reject_rule=lambda intent: "margin")
    sent = await first.safe.submit(_intent("S-rej"))
    statuses = [o.status for o in first.manager.orders()]
    first.stop()

    restarts.clock.advance_s(60)
    second = await restarts.start()
    retried = await second.safe.submit(_intent("S-rej"))
    denials = second.store.safety(SOURCE, ACTOR).recent_denials(5)
    second.stop()

    restarts.clock.advance_ns(30 * NS_PER_MINUTE)
    third = await restarts.start()
    after_expiry = await third.safe.submit(_intent("S-rej"))

    assert sent.accepted and statuses == [OrderStatus.REJECTED]
    assert retried.reason == DenialReason.REJECT_COOLDOWN and "margin" in retried.detail
    assert [(d.signal_id, d.reason) for d in denials] == [("S-rej", DenialReason.REJECT_COOLDOWN)]
    assert after_expiry.accepted
