"""Tables of the store (head revision) as typed SQLAlchemy 2 declarative models.

Times are int64 UTC nanoseconds (BigInteger), prices integer ticks (except an order's average
fill price, a double: fractional when lots fill at different prices), money floats in the named
currency; every row that comes from market data carries `source` (synthetic, replay or live).
Alembic revisions in store/migrations build exactly this schema; a test compares the two.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from orderflow_lib.market.events import SOURCES

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ORDER_STATUSES = ("PENDING", "SUBMITTED", "FILLED", "REJECTED", "CANCELLED")
ACTIONS = ("BUY", "SELL")
ORDER_TYPES = ("MKT", "STP", "LMT")
TRADING_STATES = ("ACTIVE", "REDUCING", "HALTED")
SESSION_KEY = ("trade_date", "contract", "source")
PROFILE_KEY = ("trade_date", "kind", "contract", "source")

Json = JSON().with_variant(JSONB(), "postgresql")
RowId = BigInteger().with_variant(Integer(), "sqlite")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that `column` holds one of `values`."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


class Base(DeclarativeBase):
    """Declarative base carrying the constraint naming convention (needed by SQLite batch migrations)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrderRow(Base):
    """One order's life: created PENDING, then moved forward by broker confirmations.

    A bracket child names its parent's order_id in `parent_id` and its OCA group in `oca_group`
    (both NULL for a lone order).
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(one_of("action", ACTIONS), name="action"),
        CheckConstraint(one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("filled_quantity >= 0 AND filled_quantity <= quantity", name="filled"),
        CheckConstraint(one_of("order_type", ORDER_TYPES), name="order_type"),
        Index(None, "source", "status"),
        Index(None, "source", "signal_id"),
        Index(None, "source", "parent_id"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    signal_id: Mapped[str] = mapped_column(String(64))
    instrument: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    price_ticks: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    created_ts_ns: Mapped[int] = mapped_column(BigInteger)
    updated_ts_ns: Mapped[int] = mapped_column(BigInteger)
    broker_order_id: Mapped[str | None] = mapped_column(String(64))
    filled_quantity: Mapped[int] = mapped_column(Integer)
    filled_price_ticks: Mapped[float | None] = mapped_column(Double)
    filled_ts_ns: Mapped[int | None] = mapped_column(BigInteger)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    order_type: Mapped[str] = mapped_column(String(3), server_default="MKT")
    parent_id: Mapped[str | None] = mapped_column(String(64))
    oca_group: Mapped[str | None] = mapped_column(String(64))


class FillRow(Base):
    """One execution (trade) reported by the broker, with its commission; `exec_id` makes it idempotent."""

    __tablename__ = "fills"
    __table_args__ = (
        CheckConstraint(one_of("action", ACTIONS), name="action"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint("quantity > 0", name="quantity"),
        Index(None, "source", "ts_ns"),
        Index(None, "order_id"),
    )

    exec_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    instrument: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    price_ticks: Mapped[int] = mapped_column(BigInteger)
    commission: Mapped[float] = mapped_column(Double)
    currency: Mapped[str] = mapped_column(String(3))
    ts_ns: Mapped[int] = mapped_column(BigInteger)


class PositionRow(Base):
    """Local net position of one instrument (contracts, + long / - short) per source."""

    __tablename__ = "positions"
    __table_args__ = (CheckConstraint(one_of("source", SOURCES), name="source"),)

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(16), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    ts_ns: Mapped[int] = mapped_column(BigInteger)


class SafetyStateRow(Base):
    """The safety manager's persisted state and limits, one row per source."""

    __tablename__ = "safety_state"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint(one_of("trading_state", TRADING_STATES), name="trading_state"),
    )

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    trading_state: Mapped[str] = mapped_column(String(16))
    trading_state_reason: Mapped[str] = mapped_column(Text)
    fence_active: Mapped[bool] = mapped_column(Boolean)
    fence_reason: Mapped[str] = mapped_column(Text)
    fence_ts_ns: Mapped[int | None] = mapped_column(BigInteger)
    breaker_tripped: Mapped[bool] = mapped_column(Boolean)
    breaker_trade_date: Mapped[date | None] = mapped_column(Date)
    breaker_ts_ns: Mapped[int | None] = mapped_column(BigInteger)
    reconciliation_mismatch: Mapped[bool] = mapped_column(Boolean)
    reconciliation_detail: Mapped[str] = mapped_column(Text)
    max_drawdown_gbp: Mapped[float] = mapped_column(Double)
    reject_cooldown_min: Mapped[int] = mapped_column(Integer)
    allowed_instruments: Mapped[list[str]] = mapped_column(Json)
    max_position: Mapped[int] = mapped_column(Integer)
    max_order_size: Mapped[int] = mapped_column(Integer)
    trading_window: Mapped[str] = mapped_column(String(16))
    price_sanity_ticks: Mapped[int] = mapped_column(Integer)
    max_orders_per_minute: Mapped[int] = mapped_column(Integer)
    reconciliation: Mapped[bool] = mapped_column(Boolean)
    updated_ts_ns: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(64))


class DenialRow(Base):
    """An order the safety gate refused, with its reason code and words."""

    __tablename__ = "denials"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint(one_of("action", ACTIONS), name="action"),
        Index(None, "source", "ts_ns"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    signal_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    instrument: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    price_ticks: Mapped[int] = mapped_column(BigInteger)


class RejectedOrderRow(Base):
    """A signal the broker rejected: it may not be retried before `expires_ns` (reject cooldown)."""

    __tablename__ = "rejected_orders"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint("expires_ns >= ts_ns", name="expiry"),
        Index(None, "source", "expires_ns"),
    )

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    signal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    price_ticks: Mapped[int] = mapped_column(BigInteger)
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    expires_ns: Mapped[int] = mapped_column(BigInteger)


class SecurityLogRow(Base):
    """Audit/security log: refused control calls, config changes, fence and breaker transitions.

    `ts_ns` is wall-clock UTC; `market_ts_ns` the market clock's time then (NULL in old rows).
    """

    __tablename__ = "security_log"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        Index(None, "source", "ts_ns"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text)
    market_ts_ns: Mapped[int | None] = mapped_column(BigInteger)


class SystemStatusRow(Base):
    """Latest account balance, exchange rate and connection states, one row per source."""

    __tablename__ = "system_status"
    __table_args__ = (CheckConstraint(one_of("source", SOURCES), name="source"),)

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    balance_gbp: Mapped[float | None] = mapped_column(Double)
    balance_usd: Mapped[float | None] = mapped_column(Double)
    usd_per_gbp: Mapped[float | None] = mapped_column(Double)
    broker_connected: Mapped[bool] = mapped_column(Boolean)
    feed_connected: Mapped[bool] = mapped_column(Boolean)
    connections: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_ts_ns: Mapped[int] = mapped_column(BigInteger)


class SignalRow(Base):
    """A strategy signal (the reason an order was wanted), with its full payload."""

    __tablename__ = "signals"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint(one_of("action", ACTIONS), name="action"),
        Index(None, "source", "ts_ns"),
    )

    signal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    instrument: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(4))
    price_ticks: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)


class MarketSnapshotRow(Base):
    """Top of book and last trade of one contract at one time."""

    __tablename__ = "market_snapshots"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        UniqueConstraint("contract", "source", "ts_ns"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    contract: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    last_ticks: Mapped[int | None] = mapped_column(BigInteger)
    bid_ticks: Mapped[int | None] = mapped_column(BigInteger)
    ask_ticks: Mapped[int | None] = mapped_column(BigInteger)
    volume: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)


class SessionColumns:
    """Columns of a table with one row per session (trade date), contract and source."""

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    trade_date: Mapped[date] = mapped_column(Date)
    contract: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))


class ProfileColumns(SessionColumns):
    """The session columns plus a profile's kind, levels, row size, time and serialised profile."""

    kind: Mapped[str] = mapped_column(String(32))
    poc_tick: Mapped[int | None] = mapped_column(BigInteger)
    val_tick: Mapped[int | None] = mapped_column(BigInteger)
    vah_tick: Mapped[int | None] = mapped_column(BigInteger)
    row_ticks: Mapped[int] = mapped_column(Integer)
    as_of_ns: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)


def session_constraints(
    *checks: CheckConstraint, key: tuple[str, ...] = SESSION_KEY
) -> tuple[Any, ...]:
    """A valid source, then `checks`, then one row per `key` (session, contract and source)."""
    return (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        *checks,
        UniqueConstraint(*key),
    )


class DailyProfileRow(ProfileColumns, Base):
    """One session's profile: key figures as columns, the serialised profile as JSON."""

    __tablename__ = "daily_profiles"
    __table_args__ = session_constraints(
        CheckConstraint("row_ticks > 0", name="row_ticks"), key=PROFILE_KEY
    )


class CompositeProfileRow(ProfileColumns, Base):
    """A composite (CVA) over several sessions, for the session `trade_date`; payload as JSON."""

    __tablename__ = "composite_profiles"
    __table_args__ = session_constraints(
        CheckConstraint("row_ticks > 0", name="row_ticks"),
        CheckConstraint("first_date <= last_date", name="dates"),
        key=PROFILE_KEY,
    )

    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    n_days: Mapped[int] = mapped_column(Integer)


class CvaArchiveRow(SessionColumns, Base):
    """One entry of the 30-day CVA archive (spec §3.5), one per completed session."""

    __tablename__ = "cva_archive"
    __table_args__ = session_constraints(
        CheckConstraint("val_tick <= poc_tick AND poc_tick <= vah_tick", name="levels")
    )

    poc_tick: Mapped[int] = mapped_column(BigInteger)
    vah_tick: Mapped[int] = mapped_column(BigInteger)
    val_tick: Mapped[int] = mapped_column(BigInteger)
    width_ticks: Mapped[int] = mapped_column(Integer)
    days_window: Mapped[list[str]] = mapped_column(Json)
    character: Mapped[str] = mapped_column(String(32))
    shape: Mapped[str] = mapped_column(String(32))


class PlanColumns(SessionColumns):
    """The session columns plus when the row was made and the whole object as JSON."""

    created_ts_ns: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)


class PlanRow(PlanColumns, Base):
    """A pre-market trade plan (spec §5.5): key fields as columns, the whole plan as JSON."""

    __tablename__ = "plans"
    __table_args__ = session_constraints()

    regime: Mapped[str] = mapped_column(String(32))
    bias: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[str] = mapped_column(String(16))


class ReviewRow(PlanColumns, Base):
    """The post-session review (grading) of a plan: key fields as columns, the whole review as JSON."""

    __tablename__ = "reviews"
    __table_args__ = session_constraints()

    grade: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Double)


class BacktestRunRow(Base):
    """One backtest run: settings hash, source, seed and dates as columns; totals and days as JSON.

    `source` is what the command line named ('synthetic' or a data folder), not a market source.
    """

    __tablename__ = "backtest_runs"
    __table_args__ = (
        CheckConstraint("first_date <= last_date", name="dates"),
        Index(None, "config_hash", "created_ts_ns"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    config_hash: Mapped[str] = mapped_column(String(64))
    created_ts_ns: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(255))
    seed: Mapped[int] = mapped_column(BigInteger)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    totals: Mapped[dict[str, Any]] = mapped_column(Json)
    days: Mapped[list[dict[str, Any]]] = mapped_column(Json)
