"""Test doubles for the safety gate: a recording venue and a store that can go down."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any

from orderflow_lib.core.clock import TestClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import BrokerError, StoreError
from orderflow_lib.core.timeconv import NS_PER_DAY, ny_to_ns
from orderflow_lib.risk import (
    AccountSnapshot,
    InMemorySafetyStore,
    OrderAction,
    OrderIntent,
    ProductionSafetyManager,
)

AUTH_KEY = "k" * 32
START_NS = ny_to_ns(date(2025, 6, 2), time(10, 0))  # a Monday, inside RTH
PRICE = 24_000  # 6000.00 in ticks


def day_of(ts_ns: int) -> date:
    """A trade-date stand-in for tests: one trade date per 24 h counted from START_NS."""
    return date.fromordinal(date(2025, 6, 2).toordinal() + (ts_ns - START_NS) // NS_PER_DAY)


class FlakyStore:
    """An InMemorySafetyStore whose every call raises StoreError while `down` is True."""

    def __init__(self, inner: InMemorySafetyStore | None = None) -> None:
        self.inner = inner or InMemorySafetyStore()
        self.down = False

    def __getattr__(self, name: str) -> Callable[..., Any]:
        target = getattr(self.inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise StoreError(f"database unreachable ({name})")
            return target(*args, **kwargs)

        return call


class RecordingVenue:
    """An OrderVenue that records every order reaching it (a bracket as parent, stop, target);
    `on_place` runs first for each (assertions, injected errors)."""

    def __init__(self, clock: TestClock) -> None:
        self.clock = clock
        self.connected = True
        self.broker_positions: dict[str, int] = {}
        self.daily_pnl_usd = 0.0
        self.gbp_per_usd = 0.8
        self.placed: list[OrderIntent] = []
        self.fail_calls = False
        self.on_place: Callable[[OrderIntent], None] | None = None

    def is_connected(self) -> bool:
        return self.connected

    async def positions(self) -> Mapping[str, int]:
        if self.fail_calls or not self.connected:
            raise BrokerError("broker not answering")
        return dict(self.broker_positions)

    async def account(self) -> AccountSnapshot:
        if self.fail_calls or not self.connected:
            raise BrokerError("broker not answering")
        return AccountSnapshot(
            ts_ns=self.clock.now_ns(),
            net_liquidation_gbp=10_000.0,
            cash_gbp=10_000.0,
            gbp_per_usd=self.gbp_per_usd,
            daily_pnl_usd=self.daily_pnl_usd,
        )

    async def place_order(self, intent: OrderIntent) -> str:
        return self._record((intent,))[0]

    async def place_bracket(
        self, parent: OrderIntent, stop: OrderIntent, target: OrderIntent
    ) -> tuple[str, str, str]:
        parent_id, stop_id, target_id = self._record((parent, stop, target))
        return parent_id, stop_id, target_id

    def _record(self, intents: tuple[OrderIntent, ...]) -> tuple[str, ...]:
        """Run `on_place` for each, refuse all when disconnected, else record all (one unit)."""
        if self.on_place is not None:
            for intent in intents:
                self.on_place(intent)
        if not self.connected:
            raise BrokerError("not connected")
        first = len(self.placed) + 1
        self.placed.extend(intents)
        return tuple(f"B-{first + i}" for i in range(len(intents)))


def intent(
    signal_id: str = "sig-1",
    action: OrderAction = OrderAction.BUY,
    quantity: int = 1,
    price_ticks: int = PRICE,
    instrument: str = "MES",
) -> OrderIntent:
    """An order intent with test defaults (MES, 1 contract at PRICE)."""
    return OrderIntent(signal_id, instrument, action, quantity, price_ticks, START_NS)


async def make_manager(
    store: Any,
    clock: TestClock,
    *,
    risk: RiskSettings | None = None,
    venue: RecordingVenue | None = None,
    in_window: bool = True,
) -> ProductionSafetyManager:
    """A ready manager over `store` with the test trading window/dates, a venue and a last trade."""
    manager = await ProductionSafetyManager.create(
        store,
        risk or RiskSettings(),
        clock,
        auth_key=AUTH_KEY,
        in_trading_window=lambda ts_ns: in_window,
        trade_date_of=day_of,
    )
    if venue is not None:
        manager.attach_venue(venue)
    manager.on_last_trade("MES", PRICE)
    return manager
