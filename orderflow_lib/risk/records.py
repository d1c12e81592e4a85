"""Frozen records the safety manager keeps and persists: state, denials, cooldowns, audit, orders.

Prices are integer ticks, times int64 UTC nanoseconds; the store maps these fields one to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TradingState(StrEnum):
    """The gate's state: ACTIVE allows all, REDUCING only exposure-reducing orders, HALTED nothing."""

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"


class OrderAction(StrEnum):
    """Side of an order: BUY adds +quantity to the position, SELL adds -quantity."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for BUY, -1 for SELL."""
        return 1 if self is OrderAction.BUY else -1


class OrderStatus(StrEnum):
    """Life of an order; FILLED, REJECTED and CANCELLED are final."""

    PENDING = "PENDING"
    SUBMITTED = "SUBMITTED"
    FILLED = "FILLED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        """True once the order can no longer change."""
        return self in (OrderStatus.FILLED, OrderStatus.REJECTED, OrderStatus.CANCELLED)

    @property
    def rank(self) -> int:
        """Progress of the order (PENDING 0 < SUBMITTED 1 < final 2): a status only moves forward."""
        if self.is_final:
            return 2
        return 0 if self is OrderStatus.PENDING else 1


class OrderType(StrEnum):
    """How an order executes: at market, as a stop (triggered at `price_ticks`), or as a limit."""

    MARKET = "MKT"
    STOP = "STP"
    LIMIT = "LMT"


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """The configurable limits (mirrors core.config.RiskSettings; changed at run time by the control API)."""

    max_drawdown_gbp: float = -500.0
    reject_cooldown_min: int = 30
    allowed_instruments: tuple[str, ...] = ("MES",)
    max_position: int = 2
    max_order_size: int = 1
    trading_window: str = "RTH"
    price_sanity_ticks: int = 40
    max_orders_per_minute: int = 6
    reconciliation: bool = True


@dataclass(frozen=True, slots=True)
class SafetyState:
    """Everything the gate must remember across restarts (one row in the store).

    `breaker_trade_date` is the CME trade date on which the drawdown breaker tripped;
    `reconciliation_mismatch` is set while local and broker positions disagree.
    """

    trading_state: TradingState = TradingState.ACTIVE
    trading_state_reason: str = ""
    fence_active: bool = False
    fence_reason: str = ""
    fence_ts_ns: int | None = None
    breaker_tripped: bool = False
    breaker_trade_date: date | None = None
    breaker_ts_ns: int | None = None
    reconciliation_mismatch: bool = False
    reconciliation_detail: str = ""
    limits: SafetyLimits = SafetyLimits()
    updated_ts_ns: int = 0


@dataclass(frozen=True, slots=True)
class Denial:
    """An order the gate refused: `reason` is a DenialReason code, `detail` says why in words."""

    ts_ns: int
    signal_id: str
    reason: str
    detail: str
    instrument: str
    action: OrderAction
    quantity: int
    price_ticks: int


@dataclass(frozen=True, slots=True)
class RejectCooldown:
    """A signal the broker rejected; it may not be retried before `expires_ns`."""

    signal_id: str
    reason: str
    price_ticks: int
    ts_ns: int
    expires_ns: int


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """An audit/security log entry: `event` is a short code, `address` the caller (or "internal").

    `ts_ns` is wall-clock UTC (when it happened); `market_ts_ns` is the market clock's time then,
    which differs in replay and synthetic runs (None for entries written before it was kept).
    """

    ts_ns: int
    event: str
    address: str
    detail: str
    market_ts_ns: int | None = None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order's life: created PENDING before it reaches the broker, then updated by confirmations.

    `order_id` is ours (client id); `broker_order_id` is the broker's once known;
    `filled_price_ticks` is the volume-weighted average fill price in ticks (fractional when
    partial fills came at different prices). A bracket child names its parent's client id in
    `parent_id` and shares `oca_group` with its sibling (empty for a lone order).
    """

    order_id: str
    signal_id: str
    instrument: str
    action: OrderAction
    quantity: int
    price_ticks: int
    status: OrderStatus
    created_ts_ns: int
    updated_ts_ns: int
    broker_order_id: str | None = None
    filled_quantity: int = 0
    filled_price_ticks: float | None = None
    filled_ts_ns: int | None = None
    reject_reason: str | None = None
    order_type: OrderType = OrderType.MARKET
    parent_id: str = ""
    oca_group: str = ""


@dataclass(frozen=True, slots=True)
class PositionRecord:
    """Local net position of one instrument (contracts, + long / - short)."""

    instrument: str
    quantity: int
    ts_ns: int
