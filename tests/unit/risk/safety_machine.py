"""THE PROOF: a hypothesis state machine that drives the safety gate with random sequences of
entries, brackets, exits, connects, disconnects, fills, cancels, rejects, P&L moves, config
changes, store outages and restarts, and checks that no entry reaches the broker while the fence
is on, the breaker has tripped, reconciliation disagrees, the state is HALTED or the manager is
not ready, and that no exit (which may pass all of those, spec §5.6) can raise |position| or
flip it.

The model below restates the rules independently of the manager (fence sources, breaker rule,
local positions from delivered fills) and the venue acts as an honest broker (bracket children
live from their parent's fill, one OCA fill cancels the sibling; events may be lost, repeated or
late, never false) that checks them at the very moment an order arrives. Used by
tests/unit/risk/test_risk_gate_proof.py (2,000 examples) and benchmarks/safety.py (10,000).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
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
    OrderType,
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
MAX_POSITION = 3
SIDES = st.sampled_from([OrderAction.BUY, OrderAction.SELL])


def _nonzero(positions: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in positions.items() if v != 0}


def bracket_problems(parent: OrderIntent, stop: OrderIntent, target: OrderIntent) -> list[str]:
    """How three orders differ from a market parent with a stop behind it and a target limit
    beyond it, both closing the parent's quantity in one OCA group."""
    problems = []
    if parent.order_type is not OrderType.MARKET or parent.parent_id or parent.oca_group:
        problems.append(f"parent {parent.order_type} parent_id={parent.parent_id!r}")
    for child, kind in ((stop, OrderType.STOP), (target, OrderType.LIMIT)):
        if (child.order_type, child.parent_id, child.quantity) != (
            kind,
            parent.order_id,
            parent.quantity,
        ) or child.action is parent.action:
            problems.append(f"child {child} does not close parent {parent.order_id}")
    if not stop.oca_group or stop.oca_group != target.oca_group:
        problems.append(f"OCA groups {stop.oca_group!r} / {target.oca_group!r}")
    sign = parent.action.sign
    if (parent.price_ticks - stop.price_ticks) * sign <= 0:
        problems.append(f"stop {stop.price_ticks} not behind entry {parent.price_ticks}")
    if (target.price_ticks - parent.price_ticks) * sign <= 0:
        problems.append(f"target {target.price_ticks} not beyond entry {parent.price_ticks}")
    return problems


@dataclass
class BrokerOrder:
    """An order as the broker holds it; a bracket child is `held` until its parent fills."""

    intent: OrderIntent
    held: bool = False
    status: OrderStatus = OrderStatus.SUBMITTED
    cum: int = 0

    @property
    def open(self) -> bool:
        """Not yet filled, cancelled or rejected."""
        return self.status is OrderStatus.SUBMITTED

    @property
    def working(self) -> bool:
        """Open and live: it may fill now."""
        return self.open and not self.held


@dataclass(frozen=True)
class Durable:
    """The part of the model the store keeps across a restart."""

    fence: bool
    breaker_date: date | None
    limit_gbp: float
    reconciliation: bool
    trading_state: TradingState
    local: dict[str, int]
    delivered_cum: dict[str, int]


class ModelVenue(RecordingVenue):
    """The recording venue as an honest broker: it checks each order as it arrives, keeps the
    book (bracket children held until their parent fills) and reports each account snapshot."""

    def __init__(self, clock: TestClock, machine: SafetyGateMachine) -> None:
        super().__init__(clock)
        self.gbp_per_usd = GBP_PER_USD
        self.machine = machine
        self.book: dict[str, BrokerOrder] = {}

    async def account(self) -> AccountSnapshot:
        snapshot = await super().account()
        self.machine.model_observe(snapshot)
        return snapshot

    async def place_order(self, intent: OrderIntent) -> str:
        self.machine.check_order_may_reach_broker((intent,))
        broker_id = await super().place_order(intent)
        self.book[intent.order_id] = BrokerOrder(intent)
        return broker_id

    async def place_bracket(
        self, parent: OrderIntent, stop: OrderIntent, target: OrderIntent
    ) -> tuple[str, str, str]:
        self.machine.check_order_may_reach_broker((parent, stop, target))
        broker_ids = await super().place_bracket(parent, stop, target)
        self.book[parent.order_id] = BrokerOrder(parent)
        for child in (stop, target):
            self.book[child.order_id] = BrokerOrder(child, held=True)
        return broker_ids

    def children(self, parent_id: str) -> Iterator[BrokerOrder]:
        """The bracket children of an order (none for a lone order)."""
        return (o for o in self.book.values() if o.intent.parent_id == parent_id)


class SafetyGateMachine(RuleBasedStateMachine):
    """Random operation sequences against ProductionSafetyManager with an independent model.

    An exit is judged against the broker's position and working orders, but only while the
    manager's local position agrees with the broker's: with `JUDGE_EXITS_ON_STALE_POSITIONS`
    False, one sent on a stale position is counted, not failed (the strict proof test judges them all).
    """

    JUDGE_EXITS_ON_STALE_POSITIONS = False

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
        self.sending_exit = False
        self.delivered_finals: set[tuple[str, OrderStatus]] = set()
        self.position_limit_applies = True
        # The model.
        self.fence = False
        self.breaker_date: date | None = None
        self.limit_gbp = -500.0
        self.reconciliation = True
        self.trading_state = TradingState.ACTIVE
        self.last_account: AccountSnapshot | None = None
        self.local: dict[str, int] = {}
        self.delivered_cum: dict[str, int] = {}
        self.durable = self._model_state()
        self.restart(good_key=True)

    def teardown(self) -> None:
        self.loop.close()

    # ---- the model ----------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.manager is not None and self.manager.ready

    def _model_state(self) -> Durable:
        return Durable(
            self.fence,
            self.breaker_date,
            self.limit_gbp,
            self.reconciliation,
            self.trading_state,
            dict(self.local),
            dict(self.delivered_cum),
        )

    def _restore_model(self, saved: Durable) -> None:
        """After a restart the model holds what the store held: changes made while the store
        was down and never written (the process stopped first) are gone, as in the manager."""
        self.fence, self.breaker_date, self.limit_gbp = (
            saved.fence,
            saved.breaker_date,
            saved.limit_gbp,
        )
        self.reconciliation, self.trading_state = saved.reconciliation, saved.trading_state
        self.local, self.delivered_cum = dict(saved.local), dict(saved.delivered_cum)

    def model_observe(self, snapshot: AccountSnapshot) -> None:
        """The breaker rule restated: trip at/below the limit, reset on a later trade date above it."""
        self.last_account = snapshot
        pnl = snapshot.daily_pnl_gbp
        if self.breaker_date is None:
            if pnl <= self.limit_gbp:
                self.breaker_date = day_of(snapshot.ts_ns)
        elif day_of(snapshot.ts_ns) > self.breaker_date and pnl > self.limit_gbp:
            self.breaker_date = None

    def _broker_position(self) -> int:
        return self.venue.broker_positions.get("MES", 0)

    def _entry_blocks(self) -> list[str]:
        """Every condition under which no entry may reach the broker (exits may, spec §5.6)."""
        manager = self.manager
        blocks = []
        if manager is None or not manager.ready:
            blocks.append("manager not ready")
        if self.fence or (manager is not None and manager.state.fence_active):
            blocks.append("fence on")
        pnl_gbp = self.venue.daily_pnl_usd * GBP_PER_USD
        if self.breaker_date is not None or pnl_gbp <= self.limit_gbp:
            blocks.append(f"breaker tripped (date {self.breaker_date}, P&L {pnl_gbp} GBP)")
        if manager is not None and manager.state.breaker_tripped:
            blocks.append("manager breaker tripped")
        if self.reconciliation and _nonzero(self.local) != _nonzero(self.venue.broker_positions):
            blocks.append(
                f"reconciliation: local {self.local} broker {self.venue.broker_positions}"
            )
        if self.trading_state is TradingState.HALTED:
            blocks.append("trading state HALTED")
        return blocks

    def _exposure_problem(self, intent: OrderIntent) -> str | None:
        """Why `intent` could raise |position| or flip it at the broker, None when it can only
        reduce: the position against the order plus every working order on its side (an OCA group
        once, the order with its own; held children not at all, their parent's fill must first
        move the position away)."""
        position = self._broker_position()
        same_side: dict[str, int] = {}
        for order in self.venue.book.values():
            if order.working and order.intent.action is intent.action:
                key = order.intent.oca_group or order.intent.order_id
                remaining = order.intent.quantity - order.cum
                same_side[key] = max(same_side.get(key, 0), remaining)
        own = intent.oca_group or intent.order_id
        working = sum(same_side.values()) - same_side.get(own, 0)
        worst = working + max(intent.quantity, same_side.get(own, 0))
        if intent.action.sign * position < 0 and worst <= abs(position):
            return None
        return f"{intent.action} {intent.quantity} on position {position} with {working} working"

    def _must_only_reduce(self, intent: OrderIntent, why: str) -> list[str]:
        """The violation if `intent` may add exposure (counted, not failed, on a stale position
        unless JUDGE_EXITS_ON_STALE_POSITIONS)."""
        problem = self._exposure_problem(intent)
        if problem is None:
            return []
        stale = _nonzero(self.local) != _nonzero(self.venue.broker_positions)
        if stale and not self.JUDGE_EXITS_ON_STALE_POSITIONS:
            STATS["exposure_orders_on_a_stale_position"] += 1
            return []
        return [f"{why} may add exposure: {problem}"]

    def check_order_may_reach_broker(self, sent: tuple[OrderIntent, ...]) -> None:
        """Called by the venue as an order or a bracket (parent, stop, target) arrives: record
        every rule it breaks. Nothing goes to a broker that is down or before its record is stored;
        an exit must only reduce; an entry needs no block (under REDUCING it must only reduce)."""
        STATS["orders_reached_broker"] += len(sent)
        order = sent[0]
        broken = []
        if not self.venue.connected:
            broken.append("broker disconnected")
        if self.store.down:
            broken.append("store down")
        if len(sent) == 3:
            STATS["brackets_reached_broker"] += 1
            broken += bracket_problems(*sent)
        blocks = self._entry_blocks()
        if self.sending_exit:
            STATS["exits_reached_broker"] += 1
            STATS["exits_passed_a_block"] += bool(blocks)
            STATS["exits_in_an_oca_group"] += bool(order.oca_group)
            if len(sent) != 1:
                broken.append("an exit went out with children")
            broken += self._must_only_reduce(order, "exit")
        else:
            broken += blocks
            if self.trading_state is TradingState.REDUCING:
                broken += self._must_only_reduce(order, "entry while REDUCING")
        if broken:
            self.violations.append(f"{order.signal_id}: " + "; ".join(broken))

    # ---- rules: orders ------------------------------------------------------------------------

    @initialize(position=st.integers(-2, 2), bracketed=st.booleans())
    def start_with_a_position(self, position: int, bracketed: bool) -> None:
        """Most sessions start holding something, often protected by a live bracket (the first
        contract's), so exits have a position and an OCA group to work on."""
        action = OrderAction.BUY if position > 0 else OrderAction.SELL
        for contract in range(abs(position)):
            self.entry_fills_at_once(action, bracketed and contract == 0)

    def _next_signal(self, reuse: bool) -> str:
        if not reuse:
            self.signal_seq += 1
        return f"sig-{self.signal_seq}"

    @rule(
        action=SIDES,
        quantity=st.sampled_from([1, 1, 1, 2]),
        offset=st.sampled_from([0, 0, 1, -2, 45]),
        reuse=st.booleans(),
    )
    def submit(self, action: OrderAction, quantity: int, offset: int, reuse: bool) -> None:
        intent = OrderIntent(
            self._next_signal(reuse), "MES", action, quantity, PRICE + offset, self.clock.now_ns()
        )
        STATS["submits"] += 1
        if self.manager is None:
            return
        self.sending_exit = False
        result = self.loop.run_until_complete(self.manager.submit(intent))
        STATS["accepted" if result.accepted else f"denied:{result.reason}"] += 1
        assert not self.violations, self.violations

    @rule(action=SIDES)
    def submit_fresh_signal(self, action: OrderAction) -> None:
        """The common case: a new signal for one contract at the last price."""
        self.submit(action, 1, 0, False)

    @rule(
        action=SIDES,
        quantity=st.sampled_from([1, 1, 2]),
        stop_ticks=st.integers(1, 12),
        target_ticks=st.integers(1, 24),
        reuse=st.booleans(),
    )
    def submit_bracket(
        self, action: OrderAction, quantity: int, stop_ticks: int, target_ticks: int, reuse: bool
    ) -> None:
        """An entry with its protective stop and target on the right sides of the entry price."""
        parent = OrderIntent(
            self._next_signal(reuse), "MES", action, quantity, PRICE, self.clock.now_ns()
        )
        STATS["submits"] += 1
        if self.manager is None:
            return
        self.sending_exit = False
        stop, target = PRICE - action.sign * stop_ticks, PRICE + action.sign * target_ticks
        result = self.loop.run_until_complete(self.manager.submit_bracket(parent, stop, target))
        STATS["brackets_accepted" if result.accepted else f"denied:{result.reason}"] += 1
        assert len(result.child_ids) == (2 if result.accepted else 0)
        assert not self.violations, self.violations

    @rule(
        action=SIDES,
        quantity=st.integers(1, 3),
        order_type=st.sampled_from(list(OrderType)),
    )
    def submit_exit(
        self, action: OrderAction, quantity: int, order_type: OrderType, oca_group: str = ""
    ) -> None:
        """An exit or protective order of any side and size (many would add exposure)."""
        intent = OrderIntent(
            self._next_signal(False),
            "MES",
            action,
            quantity,
            PRICE,
            self.clock.now_ns(),
            order_type=order_type,
            oca_group=oca_group,
        )
        if self.manager is None:
            return
        self.sending_exit = True
        result = self.loop.run_until_complete(self.manager.submit_exit(intent))
        self.sending_exit = False
        STATS["exit_accepted" if result.accepted else f"exit_denied:{result.reason}"] += 1
        assert not self.violations, self.violations

    @rule(
        part=st.integers(1, 3),
        from_broker=st.booleans(),
        stop=st.booleans(),
        cancel_first=st.booleans(),
        join_oca=st.booleans(),
    )
    def exit_position(
        self, part: int, from_broker: bool, stop: bool, cancel_first: bool, join_oca: bool
    ) -> None:
        """An exit (market) or protective stop for up to the position the broker reports or the
        manager holds, as the node sends one: after cancelling (confirmed) every open order as
        the race-free exit does, or joining a live child's OCA group (a moved stop), or neither."""
        if cancel_first:
            for order in self.venue.book.values():
                if order.open:
                    self._broker_ends(order, OrderStatus.CANCELLED, True)
        position = self._broker_position() if from_broker else self.local.get("MES", 0)
        if position != 0:
            action = OrderAction.SELL if position > 0 else OrderAction.BUY
            kind = OrderType.STOP if stop else OrderType.MARKET
            groups = [
                o.intent.oca_group
                for o in self.venue.book.values()
                if o.working and o.intent.oca_group and o.intent.action is action
            ]
            oca_group = groups[0] if join_oca and groups else ""
            self.submit_exit(action, min(part, abs(position)), kind, oca_group)

    # ---- rules: the broker --------------------------------------------------------------------

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
        deliver_cancel=st.booleans(),
        slip=st.integers(-2, 2),
    )
    def fill(
        self, index: int, quantity: int, deliver: bool, deliver_cancel: bool, slip: int
    ) -> None:
        """A working order fills at the broker (a bracket parent completely, which makes its
        children live; a child's fill cancels its OCA sibling); each event is delivered or lost."""
        working = [o for o in self.venue.book.values() if o.working]
        if working:
            self._fill(working[index % len(working)], quantity, deliver, deliver_cancel, slip)

    @rule(action=SIDES, bracket=st.booleans())
    def entry_fills_at_once(self, action: OrderAction, bracket: bool) -> None:
        """The common case: a fresh one-contract entry, alone or bracketed, fills at once."""
        sent_before = len(self.venue.book)
        if bracket:
            self.submit_bracket(action, 1, 4, 8, False)
        else:
            self.submit_fresh_signal(action)
        if len(self.venue.book) > sent_before:
            self._fill(list(self.venue.book.values())[sent_before], 1, True, True, 0)

    def _fill(
        self, order: BrokerOrder, quantity: int, deliver: bool, deliver_cancel: bool, slip: int
    ) -> None:
        intent = order.intent
        children = list(self.venue.children(intent.order_id))
        before = order.cum
        order.cum = intent.quantity if children else min(before + quantity, intent.quantity)
        if order.cum == intent.quantity:
            order.status = OrderStatus.FILLED
        positions = self.venue.broker_positions
        positions["MES"] = positions.get("MES", 0) + intent.action.sign * (order.cum - before)
        STATS["child_fills" if intent.parent_id else "fills"] += 1
        self._deliver_fill(intent, order.cum, deliver, slip)
        for child in children:
            child.held = False
        for sibling in self.venue.book.values():
            same_group = intent.oca_group == sibling.intent.oca_group != ""
            if same_group and sibling is not order and sibling.open:
                STATS["oca_cancels"] += 1
                self._broker_ends(sibling, OrderStatus.CANCELLED, deliver_cancel)

    @rule(index=st.integers(0, 50))
    def redeliver_old_fill(self, index: int) -> None:
        """A duplicate or out-of-order fill (an older cumulative quantity) arrives again."""
        filled = [o for o in self.venue.book.values() if o.cum > 0]
        if filled:
            order = filled[index % len(filled)]
            self._deliver_fill(order.intent, max(order.cum - 1, 1), True, 0)

    def _deliver_fill(self, order: OrderIntent, cum: int, deliver: bool, slip: int) -> None:
        if not deliver or not self.ready:
            return
        assert self.manager is not None
        self.manager.on_fill(order.order_id, cum, PRICE + slip, self.clock.now_ns())
        delivered = self.delivered_cum.get(order.order_id, 0)
        if cum > delivered:
            self.local["MES"] = self.local.get("MES", 0) + order.action.sign * (cum - delivered)
            self.delivered_cum[order.order_id] = cum

    @rule(
        index=st.integers(0, 50),
        status=st.sampled_from([OrderStatus.CANCELLED, OrderStatus.REJECTED]),
        deliver=st.booleans(),
    )
    def broker_ends_order(self, index: int, status: OrderStatus, deliver: bool) -> None:
        """An open order is cancelled on request (an exit's cancel of the children, say) or
        rejected by the broker; a parent that ends unfilled takes its held children with it."""
        open_orders = [o for o in self.venue.book.values() if o.open]
        if not open_orders:
            return
        order = open_orders[index % len(open_orders)]
        self._broker_ends(order, OrderStatus.CANCELLED if order.cum else status, deliver)
        for child in self.venue.children(order.intent.order_id):
            if child.open:
                self._broker_ends(child, OrderStatus.CANCELLED, deliver)

    def _broker_ends(self, order: BrokerOrder, status: OrderStatus, deliver: bool) -> None:
        order.status = status
        if deliver and self.ready:
            assert self.manager is not None
            self.manager.on_order_status(
                order.intent.order_id, status, self.clock.now_ns(), reason="broker"
            )
            self.delivered_finals.add((order.intent.order_id, status))

    @rule(index=st.integers(0, 50), acknowledgement=st.booleans())
    def order_status(self, index: int, acknowledgement: bool) -> None:
        """A late or repeated confirmation: an order's acknowledgement or its current status."""
        if not self.venue.book or not self.ready:
            return
        assert self.manager is not None
        order = list(self.venue.book.values())[index % len(self.venue.book)]
        status = OrderStatus.SUBMITTED if acknowledgement else order.status
        self.manager.on_order_status(
            order.intent.order_id, status, self.clock.now_ns(), reason="sim"
        )
        if status.is_final:
            self.delivered_finals.add((order.intent.order_id, status))

    @rule(delta=st.integers(-1, 1))
    def external_trade(self, delta: int) -> None:
        """A position change at the broker that we did not make (manual trade)."""
        positions = self.venue.broker_positions
        positions["MES"] = positions.get("MES", 0) + delta
        self.position_limit_applies &= delta == 0

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
            max_position=MAX_POSITION,
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
        self.trading_state = trading_state
        self.position_limit_applies &= reconciliation
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
                    RiskSettings(max_position=MAX_POSITION, max_orders_per_minute=30),
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
    def only_the_broker_ends_a_protective_child(self) -> None:
        """The gate never cancels (or rejects) a child the broker holds: only a broker event does."""
        if self.manager is None:
            return
        for order in self.manager.orders():
            ended = order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED)
            if ended and order.parent_id and order.order_id in self.venue.book:
                delivered = (order.order_id, order.status) in self.delivered_finals
                assert delivered, f"the gate ended a protective child: {order}"

    @invariant()
    def broker_position_within_max_position(self) -> None:
        """Counting every fill at the broker, |position| stays within max_position (unless a
        manual trade moved it or reconciliation was switched off, which the gate cannot see)."""
        if self.position_limit_applies:
            position = self._broker_position()
            assert abs(position) <= MAX_POSITION, f"broker position {position} beyond max_position"

    @invariant()
    def manager_is_at_least_as_strict_as_the_model(self) -> None:
        if not self.ready:
            return
        assert self.manager is not None
        state = self.manager.state
        assert state.fence_active or not self.fence
        assert state.breaker_tripped == (self.breaker_date is not None)
        assert self.manager.positions == _nonzero(self.local)
