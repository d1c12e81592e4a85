"""Pure pre-trade checks: each returns a Violation (denial reason and detail) or None.

No I/O and no clock reads: the manager gathers the facts and passes them in, so every rule
is tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from orderflow_lib.core.timeconv import NS_PER_MINUTE
from orderflow_lib.risk.records import RejectCooldown, SafetyLimits, SafetyState, TradingState
from orderflow_lib.risk.venue import OrderIntent


class DenialReason(StrEnum):
    """Why the gate refused an order (stored as Denial.reason)."""

    NOT_READY = "NOT_READY"
    NO_BROKER = "NO_BROKER"
    BROKER_DISCONNECTED = "BROKER_DISCONNECTED"
    BROKER_ERROR = "BROKER_ERROR"
    STORE_FAILURE = "STORE_FAILURE"
    FENCE_ACTIVE = "FENCE_ACTIVE"
    BREAKER_TRIPPED = "BREAKER_TRIPPED"
    HALTED = "HALTED"
    REDUCING_ONLY = "REDUCING_ONLY"
    RECONCILIATION_MISMATCH = "RECONCILIATION_MISMATCH"
    ACCOUNT_UNAVAILABLE = "ACCOUNT_UNAVAILABLE"
    INSTRUMENT_NOT_ALLOWED = "INSTRUMENT_NOT_ALLOWED"
    MAX_ORDER_SIZE = "MAX_ORDER_SIZE"
    MAX_POSITION = "MAX_POSITION"
    OUTSIDE_TRADING_WINDOW = "OUTSIDE_TRADING_WINDOW"
    NO_LAST_TRADE = "NO_LAST_TRADE"
    PRICE_SANITY = "PRICE_SANITY"
    ORDER_RATE = "ORDER_RATE"
    DUPLICATE_SIGNAL = "DUPLICATE_SIGNAL"
    REJECT_COOLDOWN = "REJECT_COOLDOWN"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: the reason code and a sentence with the numbers."""

    reason: DenialReason
    detail: str


@dataclass(frozen=True, slots=True)
class PreTradeContext:
    """Facts the pure checks need, gathered by the manager at submit time.

    `open_buy_qty` / `open_sell_qty` are the unfilled quantities of orders in flight;
    `recent_order_ts_ns` the send times of earlier orders; `used_signal_ids` the signals that
    already have a live or completed (not rejected) order.
    """

    now_ns: int
    limits: SafetyLimits
    trading_state: TradingState
    position: int
    open_buy_qty: int
    open_sell_qty: int
    last_trade_ticks: int | None
    in_trading_window: bool
    recent_order_ts_ns: Sequence[int]
    used_signal_ids: Collection[str]
    cooldowns: Mapping[str, RejectCooldown]


def check_instrument(intent: OrderIntent, allowed: Collection[str]) -> Violation | None:
    """Only instruments in the allowed list (MES by default) may trade."""
    if intent.instrument in allowed:
        return None
    return Violation(
        DenialReason.INSTRUMENT_NOT_ALLOWED,
        f"instrument {intent.instrument!r} is not allowed; allowed: {sorted(allowed)}",
    )


def check_order_size(intent: OrderIntent, max_order_size: int) -> Violation | None:
    """One order may not exceed max_order_size contracts."""
    if intent.quantity <= max_order_size:
        return None
    return Violation(
        DenialReason.MAX_ORDER_SIZE,
        f"order quantity {intent.quantity} exceeds max_order_size {max_order_size}",
    )


def check_max_position(
    intent: OrderIntent, position: int, open_buy_qty: int, open_sell_qty: int, max_position: int
) -> Violation | None:
    """The worst-case position (all orders in flight on this side filled) stays within max_position."""
    if intent.action.sign > 0:
        worst = position + open_buy_qty + intent.quantity
        if worst <= max_position:
            return None
    else:
        worst = position - open_sell_qty - intent.quantity
        if worst >= -max_position:
            return None
    return Violation(
        DenialReason.MAX_POSITION,
        f"position would reach {worst} (now {position}, in flight +{open_buy_qty}/-{open_sell_qty}), "
        f"max_position is {max_position}",
    )


def is_exposure_reducing(
    intent: OrderIntent, position: int, open_buy_qty: int, open_sell_qty: int
) -> bool:
    """True when the order (with same-side orders in flight) only shrinks the position, never flips it."""
    if position == 0 or intent.action.sign == (1 if position > 0 else -1):
        return False
    same_side_in_flight = open_sell_qty if position > 0 else open_buy_qty
    return intent.quantity + same_side_in_flight <= abs(position)


def check_trading_state(
    intent: OrderIntent,
    state: TradingState,
    position: int,
    open_buy_qty: int,
    open_sell_qty: int,
) -> Violation | None:
    """ACTIVE allows all, REDUCING only exposure-reducing orders, HALTED nothing."""
    if state is TradingState.ACTIVE:
        return None
    if state is TradingState.HALTED:
        return Violation(DenialReason.HALTED, "trading state is HALTED")
    if is_exposure_reducing(intent, position, open_buy_qty, open_sell_qty):
        return None
    return Violation(
        DenialReason.REDUCING_ONLY,
        f"trading state is REDUCING and {intent.action} {intent.quantity} does not reduce "
        f"position {position} (in flight +{open_buy_qty}/-{open_sell_qty})",
    )


def check_trading_window(in_window: bool, window: str) -> Violation | None:
    """Orders only inside the configured trading window (RTH by default)."""
    if in_window:
        return None
    return Violation(DenialReason.OUTSIDE_TRADING_WINDOW, f"outside the {window} trading window")


def check_price_sanity(
    intent: OrderIntent, last_trade_ticks: int | None, max_ticks: int
) -> Violation | None:
    """The order's expected price is within max_ticks of the last trade; no last trade, no order."""
    if last_trade_ticks is None:
        return Violation(DenialReason.NO_LAST_TRADE, f"no last trade known for {intent.instrument}")
    distance = abs(intent.price_ticks - last_trade_ticks)
    if distance <= max_ticks:
        return None
    return Violation(
        DenialReason.PRICE_SANITY,
        f"price {intent.price_ticks} ticks is {distance} ticks from the last trade "
        f"{last_trade_ticks}; at most {max_ticks} allowed",
    )


def check_order_rate(
    recent_order_ts_ns: Sequence[int], now_ns: int, max_per_minute: int
) -> Violation | None:
    """At most max_per_minute orders in any trailing 60 seconds."""
    window_start = now_ns - NS_PER_MINUTE
    count = sum(1 for ts in recent_order_ts_ns if ts > window_start)
    if count < max_per_minute:
        return None
    return Violation(
        DenialReason.ORDER_RATE,
        f"{count} orders in the last minute; max_orders_per_minute is {max_per_minute}",
    )


def check_duplicate_signal(signal_id: str, used_signal_ids: Collection[str]) -> Violation | None:
    """A signal produces at most one order (a rejected one may retry after its cooldown)."""
    if signal_id not in used_signal_ids:
        return None
    return Violation(DenialReason.DUPLICATE_SIGNAL, f"signal {signal_id!r} already has an order")


def check_reject_cooldown(
    signal_id: str, cooldowns: Mapping[str, RejectCooldown], now_ns: int
) -> Violation | None:
    """A signal the broker rejected is blocked until its cooldown expires."""
    entry = cooldowns.get(signal_id)
    if entry is None or entry.expires_ns <= now_ns:
        return None
    return Violation(
        DenialReason.REJECT_COOLDOWN,
        f"signal {signal_id!r} was rejected ({entry.reason}); blocked until ts_ns {entry.expires_ns}",
    )


def gate_violations(
    *,
    ready: bool,
    broker_attached: bool,
    broker_connected: bool,
    state: SafetyState,
    store_degraded: bool,
    daily_pnl_gbp: float | None,
    include_refreshed: bool = True,
) -> list[Violation]:
    """Every condition that blocks all orders now (empty when orders may be checked one by one).

    `include_refreshed=False` leaves out the breaker, the account and reconciliation, which the
    manager refreshes from the broker before deciding.
    """
    found: list[Violation] = []
    if not ready:
        found.append(Violation(DenialReason.NOT_READY, "safety manager is not ready"))
    if not broker_attached:
        found.append(Violation(DenialReason.NO_BROKER, "no broker attached"))
    elif not broker_connected:
        found.append(Violation(DenialReason.BROKER_DISCONNECTED, "broker is not connected"))
    if state.fence_active:
        found.append(Violation(DenialReason.FENCE_ACTIVE, state.fence_reason))
    if store_degraded:
        found.append(Violation(DenialReason.STORE_FAILURE, "store writes are failing"))
    if not include_refreshed:
        return found
    if state.breaker_tripped:
        found.append(
            Violation(
                DenialReason.BREAKER_TRIPPED,
                f"max drawdown breaker tripped on trade date {state.breaker_trade_date}",
            )
        )
    if state.limits.reconciliation and state.reconciliation_mismatch:
        found.append(Violation(DenialReason.RECONCILIATION_MISMATCH, state.reconciliation_detail))
    if daily_pnl_gbp is None or not math.isfinite(daily_pnl_gbp):
        found.append(Violation(DenialReason.ACCOUNT_UNAVAILABLE, "no valid account values"))
    return found


def run_pre_trade_checks(intent: OrderIntent, ctx: PreTradeContext) -> Violation | None:
    """All pre-trade checks in a fixed order; the first violation wins."""
    limits = ctx.limits
    checks: tuple[Callable[[], Violation | None], ...] = (
        lambda: check_trading_state(
            intent, ctx.trading_state, ctx.position, ctx.open_buy_qty, ctx.open_sell_qty
        ),
        lambda: check_instrument(intent, limits.allowed_instruments),
        lambda: check_order_size(intent, limits.max_order_size),
        lambda: check_max_position(
            intent, ctx.position, ctx.open_buy_qty, ctx.open_sell_qty, limits.max_position
        ),
        lambda: check_trading_window(ctx.in_trading_window, limits.trading_window),
        lambda: check_price_sanity(intent, ctx.last_trade_ticks, limits.price_sanity_ticks),
        lambda: check_order_rate(ctx.recent_order_ts_ns, ctx.now_ns, limits.max_orders_per_minute),
        lambda: check_duplicate_signal(intent.signal_id, ctx.used_signal_ids),
        lambda: check_reject_cooldown(intent.signal_id, ctx.cooldowns, ctx.now_ns),
    )
    for check in checks:
        violation = check()
        if violation is not None:
            return violation
    return None
