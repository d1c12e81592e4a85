"""ProductionSafetyManager: the one gate every order passes on its way to a broker.

It owns the persisted safety state (fence, drawdown breaker, trading state, limits,
reconciliation), records every denial and every state change with its cause, tracks each
order's confirmations, and sends an order only when every rule agrees. The pure rules live in
checks, breaker and tracking; persistence goes through a SafetyJournal over a SafetyStore.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from orderflow_lib.core.clock import Clock, LiveClock
from orderflow_lib.core.config import RiskSettings
from orderflow_lib.core.errors import BrokerError, ConfigError, SafetyError
from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.risk.auth import auth_key_problem, keys_match
from orderflow_lib.risk.breaker import breaker_should_reset, breaker_should_trip
from orderflow_lib.risk.checks import (
    DenialReason,
    PreTradeContext,
    Violation,
    gate_violations,
    is_exposure_reducing,
    run_pre_trade_checks,
)
from orderflow_lib.risk.errors import AuthenticationError, SafetyRefusedError
from orderflow_lib.risk.fence_file import FenceFile
from orderflow_lib.risk.journal import SafetyJournal
from orderflow_lib.risk.keeper import INTERNAL, SafetyKeeper
from orderflow_lib.risk.ledger import OrderLedger
from orderflow_lib.risk.limits import describe_limit_change, limits_from_settings, validate_limits
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.reconcile import position_differences
from orderflow_lib.risk.records import (
    Denial,
    OrderAction,
    OrderRecord,
    OrderStatus,
    PositionRecord,
    RejectCooldown,
    SafetyLimits,
    SafetyState,
    TradingState,
)
from orderflow_lib.risk.status import SafetyStatus
from orderflow_lib.risk.tracking import apply_fill, apply_status
from orderflow_lib.risk.venue import (
    AccountSnapshot,
    ExecutionReport,
    ExecutionVenue,
    OrderBookVenue,
    OrderIntent,
    OrderType,
    OrderVenue,
    SubmitResult,
    WorkingOrder,
)
from orderflow_lib.risk.window import default_trade_date_of, default_trading_window

_RECENT_DENIALS = 20


class ProductionSafetyManager:
    """The safety gate: create with `await ProductionSafetyManager.create(...)`, attach a venue, submit.

    Every public path checks readiness first. Orders are refused (recorded as denials) while the
    fence is on, the breaker has tripped, positions disagree with the broker, the store is
    failing, the broker is unreachable, or any pre-trade check fails.
    """

    def __init__(
        self,
        *,
        journal: SafetyJournal,
        clock: Clock,
        auth_key: str,
        state: SafetyState,
        positions: dict[str, int],
        orders: list[OrderRecord],
        cooldowns: list[RejectCooldown],
        in_trading_window: Callable[[int], bool],
        trade_date_of: Callable[[int], date],
        wall_clock: Clock,
        fence_file: FenceFile | None,
        denials: Iterable[Denial] = (),
    ) -> None:
        """Use `create`; this constructor trusts its arguments and leaves the manager not ready."""
        self._keeper = SafetyKeeper(
            journal, clock, state, wall_clock=wall_clock, fence_file=fence_file
        )
        self._clock = clock
        self._auth_key = auth_key
        self._ledger = OrderLedger(orders, positions)
        self._cooldowns = {c.signal_id: c for c in cooldowns}
        self._in_trading_window = in_trading_window
        self._trade_date_of = trade_date_of
        self._venue: OrderVenue | None = None
        self._execution_listeners: list[Callable[[Sequence[ExecutionReport]], None]] = []
        self._account: AccountSnapshot | None = None
        self._last_trade: dict[str, int] = {}
        self._lock = asyncio.Lock()
        self._ready = False
        self._recent_denials: deque[Denial] = deque(denials, maxlen=_RECENT_DENIALS)

    @classmethod
    async def create(
        cls,
        store: SafetyStore,
        risk: RiskSettings,
        clock: Clock,
        *,
        auth_key: str | None,
        in_trading_window: Callable[[int], bool] | None = None,
        trade_date_of: Callable[[int], date] | None = None,
        wall_clock: Clock | None = None,
        fence_file: FenceFile | None = None,
    ) -> ProductionSafetyManager:
        """Load the persisted state and return a ready manager, or raise SafetyError saying why not.

        Refuses when SAFETY_AUTH_KEY (`auth_key`) is missing or shorter than 32 characters, or the
        store is unreachable. Persisted limits win over `risk` (they carry authenticated changes)
        unless they break its rules; `risk` seeds a fresh store. The trading window and trade
        dates come from the exchange calendar unless callables are given. `clock` is the market
        clock; audit entries are stamped by `wall_clock` (the system's by default). A fence that
        an earlier run kept in `fence_file` (the store was down) is copied to the store and the
        manager starts fenced.
        """
        problems = []
        key_problem = auth_key_problem(auth_key)
        if key_problem is not None:
            problems.append(key_problem)
        try:
            store.ping()
            saved = store.load_safety_state()
            positions = {p.instrument: p.quantity for p in store.load_positions()}
            orders = store.orders()
            cooldowns = store.active_reject_cooldowns(clock.now_ns())
            denials = store.recent_denials(_RECENT_DENIALS)
        except Exception as exc:  # any failure to read the store means it cannot be trusted
            problems.append(f"store unreachable: {type(exc).__name__}: {exc}")
        if problems:
            raise SafetyError("safety manager refused to start: " + "; ".join(problems))
        assert auth_key is not None
        window = in_trading_window or default_trading_window(risk.trading_window)
        trade_dates = trade_date_of or default_trade_date_of()
        limits_problem = None
        if saved is None:
            state = SafetyState(limits=limits_from_settings(risk), updated_ts_ns=clock.now_ns())
        else:
            limits = replace(saved.limits, trading_window=risk.trading_window)
            try:
                validate_limits(limits)
            except ConfigError as exc:
                limits_problem = str(exc)
                limits = limits_from_settings(risk)
            state = replace(saved, limits=limits)
        kept = [] if fence_file is None else fence_file.entries()
        if kept and not state.fence_active:
            state = replace(
                state,
                fence_active=True,
                fence_reason="a fence raised while the store was down was never lifted: "
                + kept[0].event.detail,
                fence_ts_ns=clock.now_ns(),
            )
        manager = cls(
            journal=SafetyJournal(store),
            clock=clock,
            auth_key=auth_key,
            state=state,
            positions=positions,
            orders=orders,
            cooldowns=cooldowns,
            in_trading_window=window,
            trade_date_of=trade_dates,
            wall_clock=wall_clock or LiveClock(),
            fence_file=fence_file,
            denials=denials,
        )
        if kept:
            assert fence_file is not None
            try:
                manager._keeper.store_kept_fences(kept)
            except Exception as exc:  # an unsettled fence journal must not be left behind
                raise SafetyError(
                    f"safety manager refused to start: the fences kept in {fence_file.path} "
                    f"could not be copied to the store: {type(exc).__name__}: {exc}"
                ) from exc
        manager._ready = True
        manager._keeper.save()
        manager._keeper.audit(
            "MANAGER_STARTED",
            INTERNAL,
            f"fence={state.fence_active} breaker={state.breaker_tripped} "
            f"state={state.trading_state} positions={positions}",
        )
        if limits_problem is not None:
            manager._keeper.audit(
                "LIMITS_REPLACED",
                INTERNAL,
                f"stored limits refused ({limits_problem}); the settings' limits apply",
            )
        if kept:
            manager._keeper.audit(
                "FENCE_KEPT",
                INTERNAL,
                f"{len(kept)} fence(s) kept while the store was down, not yet lifted by an operator",
            )
        return manager

    @property
    def ready(self) -> bool:
        """True between a successful `create` and `close`; nothing is sent while False."""
        return self._ready

    @property
    def state(self) -> SafetyState:
        """The current (persisted or pending) safety state."""
        return self._keeper.state

    @property
    def store_degraded(self) -> bool:
        """True while some write has not reached the store (it is retried on every call)."""
        return self._keeper.degraded

    @property
    def positions(self) -> dict[str, int]:
        """Local net positions per instrument root (from our fills or the last force-sync)."""
        return {k: v for k, v in self._ledger.positions.items() if v != 0}

    def orders(self) -> list[OrderRecord]:
        """Every order this manager knows, oldest first."""
        return sorted(self._ledger.orders.values(), key=lambda o: (o.created_ts_ns, o.order_id))

    def attach_venue(self, venue: OrderVenue) -> None:
        """Give the gate the broker it sends to (done once by execution.SafeBroker)."""
        self._venue = venue

    def add_execution_listener(self, listener: Callable[[Sequence[ExecutionReport]], None]) -> None:
        """Hand `listener` the broker's executions each time orders are resolved against them
        (at restart and force-sync), e.g. to store the fill rows still missing."""
        self._execution_listeners.append(listener)

    def raise_fence(self, reason: str) -> None:
        """Raise the fence for a cause found outside the gate (e.g. the node's last run did not
        stop cleanly); no key needed, since it only stops trading. Lifted only by an operator."""
        if self._ready:
            self._keeper.activate_fence(reason, INTERNAL)

    def verify_auth_key(self, candidate: str | None) -> bool:
        """Constant-time check of a presented safety auth key."""
        return keys_match(self._auth_key, candidate)

    def close(self) -> None:
        """Stop: the manager is no longer ready and sends nothing; kept writes are tried once more."""
        self._ready = False
        self._keeper.flush()

    # ---- order entry -------------------------------------------------------------------------

    async def submit(
        self, intent: OrderIntent, *, bracket: tuple[int, int] | None = None
    ) -> SubmitResult:
        """Send `intent` to the attached venue if every rule allows it; otherwise record a denial.
        With `bracket` (stop, target ticks) it goes with its protective children."""
        async with self._lock:
            self._keeper.recover()
            self._observe_connection()
            blocked = self._blocking_violation(before_refresh=True)
            if blocked is not None:
                return self._deny(intent, blocked)
            venue = self._venue
            assert venue is not None
            try:
                broker_positions = dict(await venue.positions())
                account = await venue.account()
            except Exception as exc:  # a broker that cannot answer is a critical failure
                self._keeper.activate_fence(
                    f"broker call failed: {type(exc).__name__}: {exc}", INTERNAL
                )
                return self._deny(intent, Violation(DenialReason.BROKER_ERROR, str(exc)))
            self.on_account(account)
            if self.state.limits.reconciliation:
                self._reconcile(broker_positions)
            # No await from here until the venue is called: nothing can change the facts checked.
            self._observe_connection()
            violation = self._blocking_violation() or self._order_violation(intent)
            if violation is not None:
                return self._deny(intent, violation)
            return await self._send(venue, intent, bracket, entry=True)

    async def submit_bracket(
        self, parent: OrderIntent, stop_ticks: int, target_ticks: int
    ) -> SubmitResult:
        """An entry: the market `parent` passes every rule like `submit`; if it does, it goes to
        the venue with its protective stop at `stop_ticks` and target limit at `target_ticks`
        (one OCA group), all three recorded first. `child_ids` of the result are (stop, target)."""
        if (parent.price_ticks - stop_ticks) * parent.action.sign <= 0:
            raise SafetyError(
                f"stop {stop_ticks} must be behind the entry {parent.price_ticks} for a {parent.action}"
            )
        if (target_ticks - parent.price_ticks) * parent.action.sign <= 0:
            raise SafetyError(
                f"target {target_ticks} must be beyond the entry {parent.price_ticks} for a {parent.action}"
            )
        return await self.submit(parent, bracket=(stop_ticks, target_ticks))

    async def submit_exit(self, intent: OrderIntent) -> SubmitResult:
        """An exit or a protective order: passes the fence, breaker, trading state, cooldown and
        rate limit (spec §5.6), but only when it can never add exposure: it must shrink the
        position without flipping it, both the local one and the one the broker reports, counting
        the orders already working that side (its own OCA group fills at most one member, so the
        group counts as its largest member). A stopped manager sends nothing."""
        async with self._lock:
            if not self._ready:
                return self._deny(
                    intent, Violation(DenialReason.NOT_READY, "the safety manager is stopped")
                )
            venue = self._venue
            if venue is None or not venue.is_connected():
                return self._deny(
                    intent,
                    Violation(DenialReason.BROKER_DISCONNECTED, "the broker is not connected"),
                )
            try:
                at_broker = dict(await venue.positions()).get(intent.instrument, 0)
            except Exception as exc:  # an exit sized on a position nobody confirms is refused
                return self._deny(intent, Violation(DenialReason.BROKER_ERROR, str(exc)))
            local = self._ledger.positions.get(intent.instrument, 0)
            open_buy, open_sell = self._ledger.open_quantities(
                intent.instrument, except_oca=intent.oca_group
            )
            group = self._ledger.largest_in_group(
                intent.instrument, intent.oca_group, intent.action
            )
            judged = replace(intent, quantity=max(intent.quantity, group))
            for where, position in (("here", local), ("at the broker", at_broker)):
                if not is_exposure_reducing(judged, position, open_buy, open_sell):
                    return self._deny(
                        intent,
                        Violation(
                            DenialReason.REDUCING_ONLY,
                            f"{intent.action} {intent.quantity} would not only reduce the position "
                            f"{position} {where} (working: +{open_buy}/-{open_sell})",
                        ),
                    )
            return await self._send(venue, intent)

    async def _send(
        self,
        venue: OrderVenue,
        intent: OrderIntent,
        bracket: tuple[int, int] | None = None,
        *,
        entry: bool = False,
    ) -> SubmitResult:
        now_ns = self._clock.now_ns()
        order_id = self._ledger.next_order_id(now_ns)
        parent = replace(intent, order_id=order_id)
        sent = [parent]
        if bracket is not None:
            exit_action = OrderAction.SELL if intent.action.sign > 0 else OrderAction.BUY
            for kind, price in ((OrderType.STOP, bracket[0]), (OrderType.LIMIT, bracket[1])):
                child_id = f"{order_id}-{'S' if kind is OrderType.STOP else 'T'}"
                sent.append(
                    OrderIntent(
                        f"{intent.signal_id}:{kind}"[:64],
                        intent.instrument,
                        exit_action,
                        intent.quantity,
                        price,
                        now_ns,
                        order_id=child_id,
                        order_type=kind,
                        parent_id=order_id,
                        oca_group=f"OCA-{order_id}"[:64],
                    )
                )
        records = [
            OrderRecord(
                order_id=x.order_id,
                signal_id=x.signal_id,
                instrument=x.instrument,
                action=x.action,
                quantity=x.quantity,
                price_ticks=x.price_ticks,
                status=OrderStatus.PENDING,
                created_ts_ns=now_ns,
                updated_ts_ns=now_ns,
                order_type=x.order_type,
                parent_id=x.parent_id,
                oca_group=x.oca_group,
            )
            for x in sent
        ]

        problem = await self._keeper.try_write_orders(records)
        if problem is not None:
            return self._deny(intent, Violation(DenialReason.STORE_FAILURE, problem))
        for record in records:
            self._ledger.put(None, record)
        blocked = self._blocking_violation() if entry else None
        if blocked is not None:  # the fence went up while the store took the entry
            for record in records:
                refused = apply_status(
                    record, OrderStatus.REJECTED, now_ns, reason=f"not sent: {blocked.detail}"
                )
                if refused is not None:
                    self._put_order(record, refused)
            return self._deny(intent, blocked)
        self._ledger.record_send(now_ns)
        try:
            if bracket is None:
                broker_ids: tuple[str, ...] = (await venue.place_order(parent),)
            else:
                broker_ids = await venue.place_bracket(sent[0], sent[1], sent[2])
        except BrokerError as exc:
            # The venue's contract: BrokerError means the order was certainly not sent.
            reason = f"BrokerError: {exc}"
            for x in sent:
                self.on_order_status(
                    x.order_id, OrderStatus.REJECTED, self._clock.now_ns(), reason=reason
                )
            if not venue.is_connected():
                self._keeper.activate_fence(f"broker disconnected while sending: {exc}", INTERNAL)
            return SubmitResult(False, order_id, None, DenialReason.BROKER_ERROR.value, reason)
        except Exception as exc:  # outcome unknown: the orders stay PENDING (counted) and we fence
            reason = f"{type(exc).__name__}: {exc}"
            self._keeper.activate_fence(
                f"order {order_id} send failed, outcome unknown: {reason}", INTERNAL
            )
            return SubmitResult(False, order_id, None, DenialReason.BROKER_ERROR.value, reason)
        for x, broker_id in zip(sent, broker_ids, strict=True):
            self.on_order_status(
                x.order_id, OrderStatus.SUBMITTED, self._clock.now_ns(), broker_order_id=broker_id
            )
        return SubmitResult(
            True,
            order_id,
            broker_ids[0],
            None,
            "sent",
            child_ids=tuple(x.order_id for x in sent[1:]),
        )

    def _observe_connection(self) -> None:
        """A venue found disconnected raises the fence even if its disconnect event was lost."""
        if self._ready and self._venue is not None and not self._venue.is_connected():
            self._keeper.activate_fence("broker connection down", INTERNAL)

    def _blocking_violation(self, *, before_refresh: bool = False) -> Violation | None:
        """The first condition that blocks every order, or None.

        `before_refresh` leaves out the breaker, account and reconciliation, which submit
        refreshes from the broker next.
        """
        violations = self._blocking_violations(before_refresh=before_refresh)
        return violations[0] if violations else None

    def _blocking_violations(self, *, before_refresh: bool = False) -> list[Violation]:
        venue = self._venue
        return gate_violations(
            ready=self._ready,
            broker_attached=venue is not None,
            broker_connected=venue is not None and venue.is_connected(),
            state=self.state,
            store_degraded=self._keeper.degraded,
            daily_pnl_gbp=None if self._account is None else self._account.daily_pnl_gbp,
            include_refreshed=not before_refresh,
        )

    def _order_violation(self, intent: OrderIntent) -> Violation | None:
        now_ns = self._clock.now_ns()
        open_buy, open_sell = self._ledger.open_quantities(intent.instrument)
        ctx = PreTradeContext(
            now_ns=now_ns,
            limits=self.state.limits,
            trading_state=self.state.trading_state,
            position=self._ledger.positions.get(intent.instrument, 0),
            open_buy_qty=open_buy,
            open_sell_qty=open_sell,
            last_trade_ticks=self._last_trade.get(intent.instrument),
            in_trading_window=self._in_trading_window(now_ns),
            recent_order_ts_ns=self._ledger.send_times(now_ns),
            used_signal_ids=self._ledger.used_signal_ids,
            cooldowns=self._cooldowns,
        )
        return run_pre_trade_checks(intent, ctx)

    def _deny(self, intent: OrderIntent, violation: Violation) -> SubmitResult:
        denial = Denial(
            ts_ns=self._clock.now_ns(),
            signal_id=intent.signal_id,
            reason=violation.reason.value,
            detail=violation.detail,
            instrument=intent.instrument,
            action=intent.action,
            quantity=intent.quantity,
            price_ticks=intent.price_ticks,
        )
        self._recent_denials.appendleft(denial)
        self._keeper.write(lambda: self._keeper.store.record_denial(denial))
        return SubmitResult(False, None, None, violation.reason.value, violation.detail)

    # ---- market, account and broker events ---------------------------------------------------

    def last_trade(self, instrument: str) -> int | None:
        """The last trade price seen for an instrument, None before the first."""
        return self._last_trade.get(instrument)

    def on_last_trade(self, instrument: str, price_ticks: int) -> None:
        """Remember the last trade price of an instrument (for the price sanity check)."""
        self._last_trade[instrument] = int(price_ticks)

    def on_account(self, snapshot: AccountSnapshot) -> None:
        """Take new account values; trips or resets the drawdown breaker (see breaker's rule)."""
        if not self._ready:
            return
        self._account = snapshot
        self._evaluate_breaker()

    def on_broker_connected(self) -> None:
        """Record a (re)connection; it does NOT lift the fence."""
        if self._ready:
            self._keeper.audit(
                "BROKER_CONNECTED", INTERNAL, f"fence stays {self.state.fence_active}"
            )

    def on_broker_disconnected(self, reason: str) -> None:
        """The broker connection dropped: raise the fence (persisted; lifted only by an operator)."""
        if self._ready:
            self._keeper.activate_fence(f"broker disconnected: {reason}", INTERNAL)

    def on_order_status(
        self,
        order_id: str,
        status: OrderStatus,
        ts_ns: int,
        *,
        broker_order_id: str | None = None,
        reason: str = "",
    ) -> None:
        """Apply a status confirmation; duplicates and late arrivals change nothing."""
        if not self._ready:
            return
        order = self._ledger.orders.get(order_id)
        if order is None:
            self._keeper.audit("UNKNOWN_ORDER_STATUS", INTERNAL, f"{order_id} {status} {reason}")
            return
        updated = apply_status(order, status, ts_ns, broker_order_id, reason)
        if updated is None:
            return
        self._put_order(order, updated)
        if updated.status is OrderStatus.REJECTED and order.status is not OrderStatus.REJECTED:
            self._start_cooldown(updated, reason, ts_ns)

    def on_fill(
        self, order_id: str, cumulative_quantity: int, price_ticks: int, ts_ns: int
    ) -> None:
        """Apply a fill (broker's cumulative quantity): updates the order once and the local position."""
        if not self._ready:
            return
        order = self._ledger.orders.get(order_id)
        if order is None:
            self._keeper.audit(
                "UNKNOWN_ORDER_FILL",
                INTERNAL,
                f"{order_id} cum={cumulative_quantity} @{price_ticks}",
            )
            return
        applied = apply_fill(order, cumulative_quantity, price_ticks, ts_ns)
        if applied is None:
            return
        updated, delta = applied
        if cumulative_quantity > order.quantity:
            self._keeper.audit(
                "OVERFILL", INTERNAL, f"{order_id} cum={cumulative_quantity} > {order.quantity}"
            )
        quantity = self._ledger.positions.get(order.instrument, 0) + order.action.sign * delta
        self._ledger.put(order, updated)
        self._ledger.positions[order.instrument] = quantity
        position = PositionRecord(instrument=order.instrument, quantity=quantity, ts_ns=ts_ns)
        self._keeper.write(lambda: self._keeper.store.record_fill(updated, position))

    # ---- authenticated operator actions ------------------------------------------------------

    def deactivate_fence(self, auth_key: str | None, *, address: str) -> SafetyState:
        """Lift the fence (authenticated); refused while the broker is down or the store failing."""
        self._authenticate(auth_key, address, "fence/deactivate")
        if not self._keeper.store_reachable():
            raise SafetyRefusedError("cannot lift the fence: the store is not accepting writes")
        if self._venue is None or not self._venue.is_connected():
            raise SafetyRefusedError("cannot lift the fence while the broker is disconnected")
        if not self.state.fence_active:
            return self.state
        try:
            self._keeper.acknowledge_kept_fences()
        except OSError as exc:
            raise SafetyRefusedError(
                f"cannot lift the fence: the fence journal cannot be cleared: {exc}"
            ) from exc
        previous = self.state.fence_reason
        self._keeper.update(fence_active=False, fence_reason="", fence_ts_ns=None)
        self._keeper.audit("FENCE_DEACTIVATED", address, f"was: {previous}")
        return self.state

    def update_config(
        self,
        auth_key: str | None,
        *,
        address: str,
        limits: SafetyLimits | None = None,
        trading_state: TradingState | None = None,
        reason: str = "",
    ) -> SafetyState:
        """Change limits and/or the trading state (authenticated, validated, persisted, audited)."""
        self._authenticate(auth_key, address, "config")
        self._keeper.recover()
        changes: dict[str, object] = {}
        if limits is not None:
            if limits.trading_window != self.state.limits.trading_window:
                raise ConfigError(
                    f"risk.trading_window cannot change at run time (is "
                    f"{self.state.limits.trading_window!r}, asked {limits.trading_window!r})"
                )
            changes["limits"] = validate_limits(limits)
        if trading_state is not None:
            changes["trading_state"] = TradingState(trading_state)
            changes["trading_state_reason"] = reason or f"set by {address}"
        if not changes:
            return self.state
        before = self.state
        self._keeper.update(**changes)
        described = describe_limit_change(before.limits, self.state.limits)
        if before.trading_state != self.state.trading_state:
            described.append(f"trading_state: {before.trading_state} -> {self.state.trading_state}")
        self._keeper.audit("CONFIG_CHANGED", address, "; ".join(described) or "no change")
        self._evaluate_breaker()
        return self.state

    async def force_sync(self, auth_key: str | None, *, address: str) -> dict[str, int]:
        """Make the broker the truth (authenticated): orders in flight are settled against the
        orders the broker still works (as in `resolve_orders`; with a venue that cannot list them,
        orders it never acknowledged, still PENDING, are cancelled), local positions become the
        broker's and the mismatch flag clears."""
        self._authenticate(auth_key, address, "position/force-sync")
        async with self._lock:
            self._keeper.recover()
            venue = self._venue
            if venue is None or not venue.is_connected():
                raise SafetyRefusedError("cannot force-sync while the broker is disconnected")
            try:
                broker_positions = dict(await venue.positions())
                working = await venue.open_orders() if isinstance(venue, OrderBookVenue) else None
                executions = (
                    list(await venue.executions()) if isinstance(venue, ExecutionVenue) else []
                )
            except Exception as exc:  # a broker that cannot answer is a critical failure
                self._keeper.activate_fence(
                    f"broker call failed: {type(exc).__name__}: {exc}", INTERNAL
                )
                raise SafetyRefusedError(
                    f"broker positions or open orders unavailable: {exc}"
                ) from exc
            now_ns = self._clock.now_ns()
            before = self.positions
            if working is None:
                for order in self._ledger.unacknowledged():
                    updated = apply_status(order, OrderStatus.CANCELLED, now_ns)
                    if updated is not None:
                        self._put_order(order, updated)
            else:
                self._resolve(working, executions, address)
            for instrument in sorted(set(self._ledger.positions) | set(broker_positions)):
                self._set_position(instrument, int(broker_positions.get(instrument, 0)), now_ns)
            self._keeper.update(reconciliation_mismatch=False, reconciliation_detail="")
            self._keeper.audit("FORCE_SYNC", address, f"local {before} -> broker {self.positions}")
            return self.positions

    async def resolve_orders(
        self, open_orders: Iterable[WorkingOrder], executions: Iterable[ExecutionReport]
    ) -> list[OrderRecord]:
        """Settle orders left in flight by a crash (the node calls this at start with the broker's
        open orders and executions): fills are applied once each; an order the broker still works
        becomes SUBMITTED, one it does not becomes FILLED when its fills cover it, else CANCELLED
        (it no longer holds position headroom). Each change is audited; the execution listeners
        hear of the executions; returns the changed orders."""
        if not self._ready:
            raise SafetyRefusedError("safety manager is not ready")
        async with self._lock:
            self._keeper.recover()
            return self._resolve(open_orders, executions, INTERNAL)

    def halt(self, auth_key: str | None, *, address: str, reason: str) -> SafetyState:
        """Set the trading state to HALTED (authenticated, persisted, audited): no new entries;
        exits and flatten still pass."""
        self._authenticate(auth_key, address, "halt")
        self._keeper.recover()
        before = self.state.trading_state
        reason = reason or f"halted by {address}"
        self._keeper.update(trading_state=TradingState.HALTED, trading_state_reason=reason)
        self._keeper.audit("HALTED", address, f"trading_state: {before} -> HALTED; {reason}")
        return self.state

    # ---- status and health -------------------------------------------------------------------

    def check_health(self) -> bool:
        """Replay kept writes, watch the broker link and ping the store (the node calls this
        periodically); True when the store is healthy."""
        self._observe_connection()
        return self._keeper.store_reachable()

    def status(self) -> SafetyStatus:
        """A read-only snapshot, including every condition that currently blocks orders."""
        state = self.state
        blocking = self._blocking_violations()
        effective = TradingState.HALTED if blocking else state.trading_state
        denials = list(self._recent_denials)
        return SafetyStatus(
            ts_ns=self._clock.now_ns(),
            ready=self._ready,
            trading_state=state.trading_state,
            trading_state_reason=state.trading_state_reason,
            effective_state=effective,
            fence_active=state.fence_active,
            fence_reason=state.fence_reason,
            fence_ts_ns=state.fence_ts_ns,
            breaker_tripped=state.breaker_tripped,
            breaker_trade_date=state.breaker_trade_date,
            breaker_ts_ns=state.breaker_ts_ns,
            reconciliation_mismatch=state.reconciliation_mismatch,
            reconciliation_detail=state.reconciliation_detail,
            broker_connected=self._venue is not None and self._venue.is_connected(),
            store_degraded=self._keeper.degraded,
            daily_pnl_gbp=None if self._account is None else self._account.daily_pnl_gbp,
            positions=self.positions,
            open_orders=self._ledger.open_order_count,
            limits=state.limits,
            violations=[f"{v.reason.value}: {v.detail}" for v in blocking],
            recent_denials=denials,
        )

    def record_security_event(self, event: str, address: str, detail: str) -> None:
        """Append to the security/audit log (used by the control API for refused calls)."""
        self._keeper.audit(event, address, detail)

    # ---- internals ---------------------------------------------------------------------------

    def _authenticate(self, auth_key: str | None, address: str, action: str) -> None:
        if not self._ready:
            raise SafetyRefusedError("safety manager is not ready")
        if not self.verify_auth_key(auth_key):
            self._keeper.audit(
                "AUTH_FAILED", address, f"{action}: missing or wrong safety auth key"
            )
            raise AuthenticationError(f"{action}: missing or wrong safety auth key")

    def _evaluate_breaker(self) -> None:
        account = self._account
        if account is None:
            return
        state = self.state
        limit = state.limits.max_drawdown_gbp
        pnl = account.daily_pnl_gbp
        if state.breaker_tripped:
            trade_date = self._trade_date_of(account.ts_ns)
            if breaker_should_reset(state.breaker_trade_date, trade_date, pnl, limit):
                self._keeper.update(
                    breaker_tripped=False, breaker_trade_date=None, breaker_ts_ns=None
                )
                self._keeper.audit(
                    "BREAKER_RESET",
                    INTERNAL,
                    f"trade date {trade_date} after {state.breaker_trade_date}, "
                    f"daily P&L {pnl:.2f} GBP > {limit:.2f}",
                )
        elif breaker_should_trip(pnl, limit):
            trade_date = self._trade_date_of(account.ts_ns)
            self._keeper.update(
                breaker_tripped=True,
                breaker_trade_date=trade_date,
                breaker_ts_ns=self._clock.now_ns(),
            )
            self._keeper.audit(
                "BREAKER_TRIPPED",
                INTERNAL,
                f"daily P&L {pnl:.2f} GBP ({account.daily_pnl_usd:.2f} USD at "
                f"{account.gbp_per_usd}) <= {limit:.2f} GBP on trade date {trade_date}",
            )

    def _reconcile(self, broker_positions: Mapping[str, int]) -> None:
        differences = position_differences(self._ledger.positions, broker_positions)
        detail = "; ".join(differences)
        if differences and detail != self.state.reconciliation_detail:
            self._keeper.update(reconciliation_mismatch=True, reconciliation_detail=detail)
            self._keeper.audit("RECONCILIATION_MISMATCH", INTERNAL, detail)
        elif not differences and self.state.reconciliation_mismatch:
            self._keeper.update(reconciliation_mismatch=False, reconciliation_detail="")
            self._keeper.audit(
                "RECONCILIATION_OK", INTERNAL, "local positions agree with the broker"
            )

    def _start_cooldown(self, order: OrderRecord, reason: str, ts_ns: int) -> None:
        minutes = self.state.limits.reject_cooldown_min
        entry = RejectCooldown(
            signal_id=order.signal_id,
            reason=reason or "rejected",
            price_ticks=order.price_ticks,
            ts_ns=ts_ns,
            expires_ns=ts_ns + minutes * NS_PER_MINUTE,
        )
        self._cooldowns[entry.signal_id] = entry
        self._keeper.write(lambda: self._keeper.store.upsert_reject_cooldown(entry))

    def _resolve(
        self,
        open_orders: Iterable[WorkingOrder],
        executions: Iterable[ExecutionReport],
        address: str,
    ) -> list[OrderRecord]:
        """Apply the reported fills, then settle each order in flight by whether the broker
        still works it; every change is audited as caused by `address`."""
        working = {o.order_id: o.broker_order_id for o in open_orders}
        known = dict(self._ledger.orders)
        reported = sorted(executions, key=lambda e: (e.order_id, e.cumulative_quantity))
        for fill in reported:
            if fill.order_id in known:
                self.on_fill(fill.order_id, fill.cumulative_quantity, fill.price_ticks, fill.ts_ns)
        if reported:
            for listener in self._execution_listeners:
                listener(reported)
        now_ns = self._clock.now_ns()
        for order in self._ledger.in_flight():
            if order.status.is_final:
                continue
            if order.order_id in working:
                updated = apply_status(
                    order, OrderStatus.SUBMITTED, now_ns, broker_order_id=working[order.order_id]
                )
            else:
                updated = apply_status(order, OrderStatus.CANCELLED, now_ns)
            if updated is not None:
                self._put_order(order, updated)
        changed = []
        for order_id, order in self._ledger.orders.items():
            old = known.get(order_id)
            if old is None or old is order:
                continue
            if order_id in working:
                why = f"working at the broker as {working[order_id]}"
            elif order.status is OrderStatus.CANCELLED:
                why = "not working at the broker"
            else:
                why = "the broker reports its fills"
            self._keeper.audit(
                "ORDER_RESOLVED",
                address,
                f"{order_id} {old.status} -> {order.status}, filled {old.filled_quantity} -> "
                f"{order.filled_quantity} of {order.quantity}: {why}",
            )
            changed.append(order)
        return changed

    def _put_order(self, old: OrderRecord, new: OrderRecord) -> None:
        self._ledger.put(old, new)
        self._keeper.write(lambda: self._keeper.store.upsert_order(new))

    def _set_position(self, instrument: str, quantity: int, ts_ns: int) -> None:
        self._ledger.positions[instrument] = quantity
        record = PositionRecord(instrument=instrument, quantity=quantity, ts_ns=ts_ns)
        self._keeper.write(lambda: self._keeper.store.save_position(record))
