"""THE PROOF: a hypothesis state machine that drives the safety gate with random sequences of
connects, disconnects, fills, rejects, P&L moves, config changes, store outages and restarts,
and checks that no order reaches the broker while the fence is on, the breaker has tripped,
reconciliation disagrees or the manager is not ready.

The model below restates the rules independently of the manager (fence sources, breaker rule,
local positions from delivered fills) and a recording venue checks them at the very moment an
order arrives. Used by tests/unit/risk/test_risk_gate_proof.py (2,000 examples) and
benchmarks/safety.py (10,000 examples).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from risk_fakes import AUTH_KEY, PRICE, START_NS, FlakyStore, RecordingVenue, day_of

from orderflow_lib.core.clock import TestClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import SafetyError
from orderflow_lib.core.timeconv import NS_PER_DAY, NS_PER_MINUTE, NS_PER_SECOND
from orderflow_lib.risk import (
    AccountSnapshot,
    AuthenticationError,
    OrderAction,
    OrderIntent,
    OrderStatus,
    ProductionSafetyManager,
    SafetyLimits,
    SafetyRefusedError,
    TradingState,
)

STATS: Counter[str] = Counter()
GBP_PER_USD = 0.8
PNL_USD = (0.0, 150.0, -300.0, -620.0, -625.0, -626.0, -700.0, -1300.0)
DRAWDOWNS = (-500.0, -200.0, -1000.0)
STEPS = (NS_PER_SECOND, 20 * NS_PER_SECOND, NS_PER_MINUTE, 30 * NS_PER_MINUTE, NS_PER_DAY)


def _nonzero(positions: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in positions.items() if v != 0}


class ModelVenue(RecordingVenue):
    """The recording venue, reporting each account snapshot it hands out and checking each order."""

    def __init__(self, clock: TestClock, machine: SafetyGateMachine) -> None:
        super().__init__(clock)
        self.gbp_per_usd = GBP_PER_USD
        self.machine = machine

    async def account(self) -> AccountSnapshot:
        snapshot = await super().account()
        self.machine.model_observe(snapshot)
        return snapshot

    async def place_order(self, intent: OrderIntent) -> str:
        self.machine.check_order_may_reach_broker(intent)
        return await super().place_order(intent)


class SafetyGateMachine(RuleBasedStateMachine):
    """Random operation sequences against ProductionSafetyManager with an independent model."""

    def __init__(self) -> None:
        super().__init__()
        STATS["examples"] += 1
        self.loop = asyncio.new_event_loop()
        self.clock = TestClock(START_NS)
        self.store = FlakyStore()
        self.venue = ModelVenue(self.clock, self)
        self.manager: ProductionSafetyManager | None = None
        self.violations: list[str] = []
        self.signal_seq = 0
        # The model.
        self.fence = False
        self.breaker_date: date | None = None
        self.limit_gbp = -500.0
        self.reconciliation = True
        self.last_account: AccountSnapshot | None = None
        self.local: dict[str, int] = {}
        self.delivered_cum: dict[str, int] = {}
        self.broker_cum: dict[str, int] = {}
        self.durable = self._model_state()
        self.restart(good_key=True)

    def teardown(self) -> None:
        self.loop.close()

    # ---- the model ----------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.manager is not None and self.manager.ready

    def _model_state(self) -> tuple[object, ...]:
        return (
            self.fence,
            self.breaker_date,
            self.limit_gbp,
            self.reconciliation,
            dict(self.local),
            dict(self.delivered_cum),
        )

    def _restore_model(self, saved: tuple[object, ...]) -> None:
        """After a restart the model holds what the store held: changes made while the store
        was down and never written (the process stopped first) are gone, as in the manager."""
        fence, breaker_date, limit_gbp, reconciliation, local, delivered = saved
        assert isinstance(fence, bool) and isinstance(reconciliation, bool)
        assert (
            isinstance(limit_gbp, float) and isinstance(local, dict) and isinstance(delivered, dict)
        )
        assert breaker_date is None or isinstance(breaker_date, date)
        self.fence, self.breaker_date, self.limit_gbp = fence, breaker_date, limit_gbp
        self.reconciliation, self.local, self.delivered_cum = (
            reconciliation,
            dict(local),
            dict(delivered),
        )

    def model_observe(self, snapshot: AccountSnapshot) -> None:
        """The breaker rule restated: trip at/below the limit, reset on a later trade date above it."""
        self.last_account = snapshot
        pnl = snapshot.daily_pnl_gbp
        if self.breaker_date is None:
            if pnl <= self.limit_gbp:
                self.breaker_date = day_of(snapshot.ts_ns)
        elif day_of(snapshot.ts_ns) > self.breaker_date and pnl > self.limit_gbp:
            self.breaker_date = None

    def check_order_may_reach_broker(self, intent: OrderIntent) -> None:
        """Called by the venue as an order arrives: record every rule the order breaks."""
        STATS["orders_reached_broker"] += 1
        manager = self.manager
        broken = []
        if manager is None or not manager.ready:
            broken.append("manager not ready")
        if self.fence or (manager is not None and manager.state.fence_active):
            broken.append("fence on")
        pnl_gbp = self.venue.daily_pnl_usd * GBP_PER_USD
        if self.breaker_date is not None or pnl_gbp <= self.limit_gbp:
            broken.append(f"breaker tripped (date {self.breaker_date}, P&L {pnl_gbp} GBP)")
        if manager is not None and manager.state.breaker_tripped:
            broken.append("manager breaker tripped")
        if self.reconciliation and _nonzero(self.local) != _nonzero(self.venue.broker_positions):
            broken.append(
                f"reconciliation: local {self.local} broker {self.venue.broker_positions}"
            )
        if not self.venue.connected:
            broken.append("broker disconnected")
        if self.store.down:
            broken.append("store down")
        if broken:
            self.violations.append(f"{intent.signal_id}: " + "; ".join(broken))

    # ---- rules --------------------------------------------------------------------------------

    @rule(
        action=st.sampled_from([OrderAction.BUY, OrderAction.SELL]),
        quantity=st.sampled_from([1, 1, 1, 2]),
        offset=st.sampled_from([0, 0, 1, -2, 45]),
        reuse=st.booleans(),
    )
    def submit(self, action: OrderAction, quantity: int, offset: int, reuse: bool) -> None:
        if not reuse:
            self.signal_seq += 1
        signal_id = f"sig-{self.signal_seq}"
        intent = OrderIntent(
            signal_id, "MES", action, quantity, PRICE + offset, self.clock.now_ns()
        )
        STATS["submits"] += 1
        if self.manager is None:
            return
        result = self.loop.run_until_complete(self.manager.submit(intent))
        STATS["accepted" if result.accepted else f"denied:{result.reason}"] += 1
        assert not self.violations, self.violations

    @rule(action=st.sampled_from([OrderAction.BUY, OrderAction.SELL]))
    def submit_fresh_signal(self, action: OrderAction) -> None:
        """The common case: a new signal for one contract at the last price."""
        self.submit(action, 1, 0, False)

    @rule()
    def disconnect(self) -> None:
        self.venue.connected = False
        if self.ready:
            assert self.manager is not None
            self.manager.on_broker_disconnected("connection reset")
            self.fence = True

    @rule()
    def connect(self) -> None:
        self.venue.connected = True
        if self.ready:
            assert self.manager is not None
            self.manager.on_broker_connected()

    @rule(correct_key=st.booleans())
    def deactivate_fence(self, correct_key: bool) -> None:
        if not self.ready:
            return
        assert self.manager is not None
        key = AUTH_KEY if correct_key else "x" * 32
        try:
            self.manager.deactivate_fence(key, address="10.0.0.1")
        except AuthenticationError:
            assert not correct_key
            return
        except SafetyRefusedError:
            assert not self.venue.connected or self.store.down
            return
        assert correct_key and self.venue.connected and not self.store.down
        self.fence = False

    @rule(
        index=st.integers(0, 50),
        quantity=st.integers(1, 2),
        deliver=st.booleans(),
        slip=st.integers(-2, 2),
    )
    def fill(self, index: int, quantity: int, deliver: bool, slip: int) -> None:
        """A placed order fills at the broker; the fill event is delivered to the manager or lost."""
        if not self.venue.placed:
            return
        order = self.venue.placed[index % len(self.venue.placed)]
        before = self.broker_cum.get(order.order_id, 0)
        cum = min(before + quantity, order.quantity)
        if cum > before:
            self.broker_cum[order.order_id] = cum
            positions = self.venue.broker_positions
            positions["MES"] = positions.get("MES", 0) + order.action.sign * (cum - before)
        self._deliver_fill(order, self.broker_cum.get(order.order_id, 0), deliver, slip)

    @rule(index=st.integers(0, 50))
    def redeliver_old_fill(self, index: int) -> None:
        """A duplicate or out-of-order fill (an older cumulative quantity) arrives again."""
        if not self.venue.placed:
            return
        order = self.venue.placed[index % len(self.venue.placed)]
        cum = self.broker_cum.get(order.order_id, 0)
        if cum > 0:
            self._deliver_fill(order, cum - 1 if cum > 1 else cum, True, 0)

    def _deliver_fill(self, order: OrderIntent, cum: int, deliver: bool, slip: int) -> None:
        if not deliver or not self.ready or cum == 0:
            return
        assert self.manager is not None
        self.manager.on_fill(order.order_id, cum, PRICE + slip, self.clock.now_ns())
        delivered = self.delivered_cum.get(order.order_id, 0)
        if cum > delivered:
            self.local["MES"] = self.local.get("MES", 0) + order.action.sign * (cum - delivered)
            self.delivered_cum[order.order_id] = cum

    @rule(index=st.integers(0, 50), status=st.sampled_from(list(OrderStatus)))
    def order_status(self, index: int, status: OrderStatus) -> None:
        """Any status (reject, cancel, duplicate, late) for a placed order."""
        if not self.venue.placed or not self.ready:
            return
        assert self.manager is not None
        order = self.venue.placed[index % len(self.venue.placed)]
        self.manager.on_order_status(order.order_id, status, self.clock.now_ns(), reason="sim")

    @rule(delta=st.integers(-1, 1))
    def external_trade(self, delta: int) -> None:
        """A position change at the broker that we did not make (manual trade)."""
        positions = self.venue.broker_positions
        positions["MES"] = positions.get("MES", 0) + delta

    @rule(pnl_usd=st.sampled_from(PNL_USD))
    def pnl_moves(self, pnl_usd: float) -> None:
        self.venue.daily_pnl_usd = pnl_usd

    @rule()
    def push_account(self) -> None:
        """The node pushes fresh account values (outside an order)."""
        if not self.ready or not self.venue.connected:
            return
        assert self.manager is not None
        snapshot = self.loop.run_until_complete(self.venue.account())
        self.manager.on_account(snapshot)

    @rule(step=st.sampled_from(STEPS))
    def time_passes(self, step: int) -> None:
        self.clock.advance_ns(step)

    @rule(
        drawdown=st.sampled_from(DRAWDOWNS),
        reconciliation=st.booleans(),
        max_order_size=st.sampled_from([1, 2]),
        trading_state=st.sampled_from(list(TradingState)),
        correct_key=st.booleans(),
    )
    def change_config(
        self,
        drawdown: float,
        reconciliation: bool,
        max_order_size: int,
        trading_state: TradingState,
        correct_key: bool,
    ) -> None:
        if not self.ready:
            return
        assert self.manager is not None
        limits = SafetyLimits(
            max_drawdown_gbp=drawdown,
            reconciliation=reconciliation,
            max_order_size=max_order_size,
            max_position=3,
            max_orders_per_minute=30,
        )
        key = AUTH_KEY if correct_key else None
        try:
            self.manager.update_config(
                key, address="10.0.0.2", limits=limits, trading_state=trading_state
            )
        except AuthenticationError:
            assert not correct_key
            return
        self.limit_gbp = drawdown
        self.reconciliation = reconciliation
        if self.last_account is not None:
            self.model_observe(self.last_account)

    @rule(correct_key=st.booleans())
    def force_sync(self, correct_key: bool) -> None:
        if not self.ready:
            return
        assert self.manager is not None
        key = AUTH_KEY if correct_key else "y" * 40
        try:
            self.loop.run_until_complete(self.manager.force_sync(key, address="10.0.0.3"))
        except AuthenticationError:
            assert not correct_key
            return
        except SafetyRefusedError:
            assert not self.venue.connected
            return
        self.local = dict(self.venue.broker_positions)

    @rule()
    def store_outage(self) -> None:
        self.store.down = True
        if self.ready:
            assert self.manager is not None
            assert not self.manager.check_health()
            self.fence = True

    @rule()
    def store_recovers(self) -> None:
        self.store.down = False
        if self.ready:
            assert self.manager is not None
            self.manager.check_health()

    @rule()
    def graceful_stop(self) -> None:
        if self.manager is not None:
            self.manager.close()

    @rule(good_key=st.booleans())
    def restart(self, good_key: bool) -> None:
        """The process restarts: a new manager from the same store (the old one is gone)."""
        self.manager = None
        self.last_account = None
        self._restore_model(self.durable)
        try:
            self.manager = self.loop.run_until_complete(
                ProductionSafetyManager.create(
                    self.store,
                    RiskSettings(max_position=3, max_orders_per_minute=30),
                    self.clock,
                    auth_key=AUTH_KEY if good_key else "short",
                    in_trading_window=lambda ts_ns: True,
                    trade_date_of=day_of,
                )
            )
        except SafetyError:
            assert not good_key or self.store.down
            return
        assert good_key and not self.store.down
        self.manager.attach_venue(self.venue)
        self.manager.on_last_trade("MES", PRICE)

    @precondition(lambda self: self.ready)
    @rule()
    def status(self) -> None:
        assert self.manager is not None
        status = self.manager.status()
        if status.violations:
            assert status.effective_state is TradingState.HALTED

    # ---- invariants ---------------------------------------------------------------------------

    @invariant()
    def track_what_the_store_holds(self) -> None:
        """Bookkeeping: once every write has reached the store, the model's state is durable."""
        if self.ready and not self.store.down:
            assert self.manager is not None
            if not self.manager.store_degraded:
                self.durable = self._model_state()

    @invariant()
    def no_order_reached_the_broker_against_the_rules(self) -> None:
        assert not self.violations, self.violations

    @invariant()
    def manager_is_at_least_as_strict_as_the_model(self) -> None:
        if not self.ready:
            return
        assert self.manager is not None
        state = self.manager.state
        assert state.fence_active or not self.fence
        assert state.breaker_tripped == (self.breaker_date is not None)
        assert self.manager.positions == _nonzero(self.local)
