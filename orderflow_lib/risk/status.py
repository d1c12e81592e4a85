"""A read-only picture of the safety manager for the control API and dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orderflow_lib.risk.records import Denial, SafetyLimits, TradingState


@dataclass(frozen=True, slots=True)
class SafetyStatus:
    """Everything an operator needs to see: state, fence, breaker, reconciliation and why orders stop.

    `violations` lists every condition that currently blocks all orders (empty when orders may flow,
    subject to the per-order checks); `effective_state` folds them into ACTIVE/REDUCING/HALTED.
    """

    ts_ns: int
    ready: bool
    trading_state: TradingState
    trading_state_reason: str
    effective_state: TradingState
    fence_active: bool
    fence_reason: str
    fence_ts_ns: int | None
    breaker_tripped: bool
    breaker_trade_date: date | None
    breaker_ts_ns: int | None
    reconciliation_mismatch: bool
    reconciliation_detail: str
    broker_connected: bool
    store_degraded: bool
    daily_pnl_gbp: float | None
    positions: dict[str, int]
    open_orders: int
    limits: SafetyLimits
    violations: list[str]
    recent_denials: list[Denial]
