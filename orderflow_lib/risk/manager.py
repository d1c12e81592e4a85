"""ProductionSafetyManager: the one gate every order passes on its way to a broker.

It owns the persisted safety state (fence, drawdown breaker, trading state, limits,
reconciliation), records every denial and every state change with its cause, tracks each
order's confirmations, and sends an order only when every rule agrees. The pure rules live in
checks, breaker and tracking; persistence goes through a SafetyJournal over a SafetyStore.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from orderflow_lib.core.clock import Clock
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
    run_pre_trade_checks,
)
from orderflow_lib.risk.errors import AuthenticationError, SafetyRefusedError
from orderflow_lib.risk.journal import SafetyJournal
from orderflow_lib.risk.keeper import INTERNAL, SafetyKeeper
from orderflow_lib.risk.ledger import OrderLedger
from orderflow_lib.risk.limits import describe_limit_change, limits_from_settings, validate_limits
from orderflow_lib.risk.ports import SafetyStore
from orderflow_lib.risk.reconcile import position_differences
from orderflow_lib.risk.records import (
    Denial,
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
from orderflow_lib.risk.venue import AccountSnapshot, OrderIntent, OrderVenue, SubmitResult
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
    ) -> None:
        """Use `create`; this constructor trusts its arguments and leaves the manager not ready."""
        self._keeper = SafetyKeeper(journal, clock, state)
        self._clock = clock
        self._auth_key = auth_key
        self._ledger = OrderLedger(orders, positions, clock.now_ns())
        self._cooldowns = {c.signal_id: c for c in cooldowns}
        self._in_trading_window = in_trading_window
        self._trade_date_of = trade_date_of
        self._venue: OrderVenue | None = None
        self._account: AccountSnapshot | None = None
        self._last_trade: dict[str, int] = {}
        self._lock = asyncio.Lock()
        self._ready = False

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
    ) -> ProductionSafetyManager:
        """Load the persisted state and return a ready manager, or raise SafetyError saying why not.

        Refuses when SAFETY_AUTH_KEY (`auth_key`) is missing or shorter than 32 characters, or the
        store is unreachable. Persisted limits win over `risk` (they carry authenticated changes);
        `risk` seeds a fresh store. The trading window and trade dates come from the exchange
        calendar unless callables are given.
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
        except Exception as exc:  # any failure to read the store means it cannot be trusted
            problems.append(f"store unreachable: {type(exc).__name__}: {exc}")
        if problems:
            raise SafetyError("safety manager refused to start: " + "; ".join(problems))
        assert auth_key is not None
        window = in_trading_window or default_trading_window(risk.trading_window)
        trade_dates = trade_date_of or default_trade_date_of()
        if saved is None:
            state = SafetyState(limits=limits_from_settings(risk), updated_ts_ns=clock.now_ns())
        else:
            state = replace(saved, limits=replace(saved.limits, trading_window=risk.trading_window))
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
        )
        manager._ready = True
        manager._keeper.save()
        manager._keeper.audit(
            "MANAGER_STARTED",
            INTERNAL,
            f"fence={state.fence_active} breaker={state.breaker_tripped} "
            f"state={state.trading_state} positions={positions}",
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

    def verify_auth_key(self, candidate: str | None) -> bool:
        """Constant-time check of a presented safety auth key."""
        return keys_match(self._auth_key, candidate)

    def close(self) -> None:
        """Stop: the manager is no longer ready and sends nothing; kept writes are tried once more."""
        self._ready = False
        self._keeper.flush()

    # ---- order entry -------------------------------------------------------------------------

    async def submit(self, intent: OrderIntent) -> SubmitResult:
        """Send `intent` to the attached venue if every rule allows it; otherwise record a denial."""
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
            return await self._send(venue, intent)

    async def _send(self, venue: OrderVenue, intent: OrderIntent) -> SubmitResult:
        now_ns = self._clock.now_ns()
        order_id = self._ledger.next_order_id(now_ns)
        record = OrderRecord(
            order_id=order_id,
            signal_id=intent.signal_id,
            instrument=intent.instrument,
            action=intent.action,
            quantity=intent.quantity,
            price_ticks=intent.price_ticks,
            status=OrderStatus.PENDING,
            created_ts_ns=now_ns,
            updated_ts_ns=now_ns,
        )
        problem = self._keeper.try_write(lambda: self._keeper.store.upsert_order(record))
        if problem is not None:
            return self._deny(intent, Violation(DenialReason.STORE_FAILURE, problem))
        self._ledger.put(None, record)
        self._ledger.record_send(now_ns)
        try:
            broker_order_id = await venue.place_order(replace(intent, order_id=order_id))
        except BrokerError as exc:
            # The venue's contract: BrokerError means the order was certainly not sent.
            reason = f"BrokerError: {exc}"
            self.on_order_status(
                order_id, OrderStatus.REJECTED, self._clock.now_ns(), reason=reason
            )
            if not venue.is_connected():
                self._keeper.activate_fence(f"broker disconnected while sending: {exc}", INTERNAL)
            return SubmitResult(False, order_id, None, DenialReason.BROKER_ERROR.value, reason)
        except Exception as exc:  # outcome unknown: the order stays PENDING (counted) and we fence
            reason = f"{type(exc).__name__}: {exc}"
            self._keeper.activate_fence(
                f"order {order_id} send failed, outcome unknown: {reason}", INTERNAL
            )
            return SubmitResult(False, order_id, None, DenialReason.BROKER_ERROR.value, reason)
        self.on_order_status(
            order_id, OrderStatus.SUBMITTED, self._clock.now_ns(), broker_order_id=broker_order_id
        )
        return SubmitResult(True, order_id, broker_order_id, None, "sent")

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
        self._keeper.write(lambda: self._keeper.store.record_denial(denial))
        return SubmitResult(False, None, None, violation.reason.value, violation.detail)

    # ---- market, account and broker events ---------------------------------------------------

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
        self._put_order(order, updated)
        quantity = self._ledger.positions.get(order.instrument, 0) + order.action.sign * delta
        self._set_position(order.instrument, quantity, ts_ns)

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
        """Make the broker the truth (authenticated): local positions become the broker's, the
        mismatch flag clears, and orders the broker never acknowledged (still PENDING) are cancelled."""
        self._authenticate(auth_key, address, "position/force-sync")
        async with self._lock:
            self._keeper.recover()
            venue = self._venue
            if venue is None or not venue.is_connected():
                raise SafetyRefusedError("cannot force-sync while the broker is disconnected")
            try:
                broker_positions = dict(await venue.positions())
            except Exception as exc:  # a broker that cannot answer is a critical failure
                self._keeper.activate_fence(
                    f"broker call failed: {type(exc).__name__}: {exc}", INTERNAL
                )
                raise SafetyRefusedError(f"broker positions unavailable: {exc}") from exc
            now_ns = self._clock.now_ns()
            before = self.positions
            for instrument in sorted(set(self._ledger.positions) | set(broker_positions)):
                self._set_position(instrument, int(broker_positions.get(instrument, 0)), now_ns)
            for order in self._ledger.unacknowledged():
                reason = "force-sync: never acknowledged by the broker"
                updated = apply_status(order, OrderStatus.CANCELLED, now_ns, reason=reason)
                if updated is not None:
                    self._put_order(order, updated)
            self._keeper.update(reconciliation_mismatch=False, reconciliation_detail="")
            self._keeper.audit("FORCE_SYNC", address, f"local {before} -> broker {self.positions}")
            return self.positions

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
        try:
            denials = self._keeper.store.recent_denials(_RECENT_DENIALS)
        except Exception:  # status must answer even while the store is down
            denials = []
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

    def _put_order(self, old: OrderRecord, new: OrderRecord) -> None:
        self._ledger.put(old, new)
        self._keeper.write(lambda: self._keeper.store.upsert_order(new))

    def _set_position(self, instrument: str, quantity: int, ts_ns: int) -> None:
        self._ledger.positions[instrument] = quantity
        record = PositionRecord(instrument=instrument, quantity=quantity, ts_ns=ts_ns)
        self._keeper.write(lambda: self._keeper.store.save_position(record))
